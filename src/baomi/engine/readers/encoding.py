"""Encoding detection for the text-based readers (CSV/TSV, JSON, text).

Order: a byte-order mark; strict UTF-8; GBK; GB18030; UTF-8 when most lines with non-ASCII
text are valid UTF-8 (rows appended in another encoding); charset-normalizer; then UTF-8 or
GB 18030 with a few stray bytes (read as U+FFFD and counted by the readers). The
three strict candidates are tried on a sample of the first ``SAMPLE_BYTES`` with an incremental
decoder, so a multi-byte character cut at the sample's end does not count as an error. Bytes past
the sample that do not decode make the reader fail later with ``UnreadableFileError``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from baomi.engine.readers.base import unreadable

SAMPLE_BYTES = 4 * 1024 * 1024
BINARY_NUL_RATIO = 0.001  # more NUL bytes than this (and no UTF-16/32 BOM): a binary file

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_STRICT = ("utf-8", "gbk", "gb18030")


@dataclass(frozen=True, slots=True)
class Sample:
    """The first bytes of a file; ``complete`` when they are the whole file."""

    data: bytes
    complete: bool


def read_sample(path: Path, size: int | None = None) -> Sample:
    """Read up to ``size`` (default ``SAMPLE_BYTES``) bytes from the start of ``path``."""
    size = SAMPLE_BYTES if size is None else size
    try:
        with path.open("rb") as handle:
            data = handle.read(size + 1)
    except OSError as exc:
        raise unreadable(path, "无法打开文件", "cannot open the file") from exc
    return Sample(data[:size], complete=len(data) <= size)


def bom_encoding(data: bytes) -> str | None:
    """The encoding named by a byte-order mark at the start of ``data``, if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def decodes(data: bytes, encoding: str, *, complete: bool) -> bool:
    """Whether ``data`` decodes strictly; an incomplete tail is allowed unless ``complete``."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(data, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` (without a UTF-16/32 BOM) holds too many NUL bytes to be text."""
    return bool(data) and data.count(0) > len(data) * BINARY_NUL_RATIO


def detect_encoding(sample: Sample) -> str | None:
    """The encoding of a sample, or ``None`` when nothing decodes it."""
    bom = bom_encoding(sample.data)
    if bom is not None:
        return bom
    for name in _STRICT:
        if decodes(sample.data, name, complete=sample.complete):
            return name
    if _mostly_utf8(sample):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample.data).best()
    if best is not None:
        return str(best.encoding)
    return _nearly(sample)


def _mostly_utf8(sample: Sample) -> bool:
    """Whether most of the sample's lines that hold non-ASCII text are valid UTF-8: a UTF-8
    export with rows appended in GBK (a Windows tool adding to it). A line of Chinese in GBK
    is valid UTF-8 only by rare accident (a GB2312 character about one time in eight, a line
    of them almost never), so UTF-8 lines in the majority mean UTF-8; the other lines' bytes
    are read as U+FFFD and counted, as :func:`_nearly`'s are."""
    lines = sample.data.splitlines()
    if not sample.complete:
        lines = lines[:-1]  # may end inside a character
    good = bad = 0
    for line in lines:
        if line.isascii():
            continue
        if decodes(line, "utf-8", complete=True):
            good += 1
        else:
            bad += 1
    return good > bad


#: How many undecodable bytes a text may hold and still be read in an encoding (as U+FFFD,
#: counted by the readers): one stray byte must not hide a whole customer list from the scan.
STRAY_BYTES_PER_MB = 16


def _nearly(sample: Sample) -> str | None:
    """The strict candidate the sample decodes in but for a few stray bytes, if any."""
    allowed = max(1, STRAY_BYTES_PER_MB * len(sample.data) // (1024 * 1024))
    best: tuple[int, str] | None = None
    for name in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(name)(errors="replace")
        text = decoder.decode(sample.data, final=sample.complete)
        errors = text.count("\ufffd")
        if errors <= allowed and (best is None or errors < best[0]):
            best = (errors, name)
    return None if best is None else best[1]


def detect_file_encoding(path: Path) -> tuple[str, Sample]:
    """Detect the encoding of a text file; raise ``UnreadableFileError`` if empty or binary."""
    sample = read_sample(path)
    if not sample.data:
        raise unreadable(path, "空文件", "empty file")
    if bom_encoding(sample.data) is None and looks_binary(sample.data):
        raise unreadable(path, "二进制内容，不是文本", "binary content, not text")
    encoding = detect_encoding(sample)
    if encoding is None:
        raise unreadable(path, "无法识别文本编码", "unknown text encoding")
    return encoding, sample


def decode_head(sample: Sample, encoding: str, limit: int) -> str:
    """Decode about the first ``limit`` bytes of the sample (a cut character is dropped)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    complete = sample.complete and len(sample.data) <= limit
    return decoder.decode(sample.data[:limit], final=complete)
