"""Plain-text reader (.txt, .log, .md): one ``TextUnit`` per line, streamed.

The encoding is detected on the first bytes (``encoding.py``); a file with many NUL bytes and no
UTF-16/32 byte-order mark is binary and refused. Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; the
unit's text is the line without its line ending, so offsets are offsets in the line as written.
Bytes further on that do not decode make iteration raise ``UnreadableFileError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from baomi.engine.readers.base import TextSource, TextUnit, unreadable
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
        try:
            with self.path.open(encoding=self.encoding, errors="strict", newline="") as handle:
                for index, line in enumerate(handle):
                    yield TextUnit(index, without_line_ending(line))
        except UnicodeError:
            raise unreadable(
                self.path,
                f"内容无法按 {self.encoding} 解码",
                f"content does not decode as {self.encoding}",
            ) from None


def open_text(path: Path, *, batch_rows: int = 65536) -> TextFileSource:
    """Open a text file (``batch_rows`` is not used: text comes line by line)."""
    encoding, _ = detect_file_encoding(path)
    return TextFileSource(path, encoding)
