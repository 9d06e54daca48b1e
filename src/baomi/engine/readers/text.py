"""Plain-text reader (.txt, .log, .md): one ``TextUnit`` per line, streamed.

The encoding is detected on the first bytes (``encoding.py``); a file with many NUL bytes and no
UTF-16/32 byte-order mark is binary and refused. Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; the
unit's text is the line without its line ending, so offsets are offsets in the line as written.
Bytes further on that do not decode (past the sample) are read as U+FFFD and the lines holding
them counted in ``undecodable_rows``: nothing after them is lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from baomi.engine.readers.base import TextSource, TextUnit
from baomi.engine.readers.encoding import detect_file_encoding


def without_line_ending(line: str) -> str:
    """``line`` without one trailing ``\\r\\n``, ``\\n`` or ``\\r``."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


class TextFileSource(TextSource):
    """A text file, read line by line in its detected encoding."""

    def units(self) -> Iterator[TextUnit]:
        self.reset()
        done = 0
        try:
            with self.path.open(encoding=self.encoding, errors="strict", newline="") as handle:
                for index, line in enumerate(handle):
                    yield TextUnit(index, without_line_ending(line))
                    done = index + 1
            return
        except UnicodeError:
            pass
        # Bytes past the sample the encoding was detected on do not decode (a GBK line in a
        # UTF-8 file): read on from the next line with U+FFFD in their place, and count them.
        with self.path.open(encoding=self.encoding, errors="replace", newline="") as handle:
            for index, line in enumerate(handle):
                if index < done:
                    continue
                text = without_line_ending(line)
                if "\ufffd" in text:
                    self.undecodable_rows += 1
                yield TextUnit(index, text)


def open_text(path: Path, *, batch_rows: int = 65536) -> TextFileSource:
    """Open a text file (``batch_rows`` is not used: text comes line by line)."""
    encoding, _ = detect_file_encoding(path)
    return TextFileSource(path, encoding)
