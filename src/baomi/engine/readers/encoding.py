"""Encoding detection for the text-based readers (CSV/TSV, JSON, text).

Order: a byte-order mark; strict UTF-8; UTF-8 whose Chinese decodes but for a few stray
sequences (a field cut inside a character: the text may decode strictly in GB 18030 by
accident, every character garbled); GBK; GB18030; UTF-8 when most lines with non-ASCII
text are valid UTF-8 (rows appended in another encoding); charset-normalizer; then UTF-8 or
GB 18030 with a few stray bytes (read as U+FFFD and counted by the readers). The
three strict candidates are tried on a sample of the first ``SAMPLE_BYTES`` with an incremental
decoder, so a multi-byte character cut at the sample's end does not count as an error. Bytes past
the sample that do not decode make the reader fail later with ``UnreadableFileError``.

A UTF-8 byte-order mark is not the last word: a Windows tool may write one in front of a GBK
export. The bytes after it are UTF-8 when they decode strictly or most of their non-ASCII lines
do (``utf-8-sig``, stray bytes read as U+FFFD); else GBK or GB 18030 when they decode strictly
in it, or GB 18030 but for a few stray bytes: ``gbk-sig`` / ``gb18030-sig``, codecs registered
by this module whose decoder drops the leading mark as ``utf-8-sig``'s does (and whose encoder
writes it). Every reader then reads such a file by its encoding's name alone — Python's text
files, incremental decoders, Arrow's CSV transcoding and a Dask worker given the name — with no
byte offset to carry. UTF-16/32 marks are taken as they are.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from baomi.engine.readers.base import unreadable

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

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
#: the encodings a UTF-8 byte-order mark is found in front of, and their ``-sig`` codecs
_MARKED = {"gbk_sig": "gbk", "gb18030_sig": "gb18030"}  # as codecs.lookup normalises names


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
    if bom == "utf-8-sig":
        return _after_utf8_mark(Sample(sample.data[len(codecs.BOM_UTF8) :], sample.complete))
    if bom is not None:
        return bom
    if decodes(sample.data, "utf-8", complete=sample.complete) or _cjk_in_utf8(sample):
        return "utf-8"
    for name in _STRICT[1:]:
        if decodes(sample.data, name, complete=sample.complete):
            return name
    if _mostly_utf8(sample):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample.data).best()
    if best is not None:
        return str(best.encoding)
    return _nearly(sample)


def _after_utf8_mark(body: Sample) -> str:
    """The encoding of a file that starts with a UTF-8 byte-order mark, from the bytes after
    it (``body``): ``utf-8-sig`` unless they are GBK or GB 18030 (``gbk-sig``,
    ``gb18030-sig``). The mark names UTF-8, so UTF-8 with stray bytes (:func:`_mostly_utf8`,
    :func:`_nearly`) stays UTF-8, and a text no candidate reads is read as UTF-8 as before."""
    if decodes(body.data, "utf-8", complete=body.complete) or _mostly_utf8(body):
        return "utf-8-sig"
    for name in _STRICT[1:]:
        if decodes(body.data, name, complete=body.complete):
            return f"{name}-sig"
    return "gb18030-sig" if _nearly(body) == "gb18030" else "utf-8-sig"


#: CJK characters a UTF-8 reading must hold per stray sequence (and at least) to be taken
#: before GBK and GB 18030: GBK text read as UTF-8 gives a stray sequence for nearly every
#: character and a CJK one by rare accident (a lead byte E0–EF followed by two bytes 80–BF).
CJK_PER_STRAY = 10
#: UTF-8's lead bytes of U+4000–U+9FFF (the common CJK ideographs), three bytes each
_CJK_LEADS = tuple(bytes([b]) for b in range(0xE4, 0xEA))
#: Bytes first looked at: a GBK text fails there, before the whole sample is decoded.
_CJK_HEAD = 64 * 1024


def _cjk_in_utf8(sample: Sample) -> bool:
    """Whether the sample is UTF-8 Chinese but for a few stray sequences (:data:`CJK_PER_STRAY`):
    a UTF-8 export with a field cut inside a character. Taken before GBK and GB 18030, which
    may decode such a text strictly (two-character names and cities, six bytes each, are three
    GB 18030 characters) and garble every character of it."""
    for size in (_CJK_HEAD, len(sample.data)):
        data = sample.data[:size]
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        complete = sample.complete and size >= len(sample.data)
        stray = decoder.decode(data, final=complete).count("\ufffd")
        cjk = sum(data.count(lead) for lead in _CJK_LEADS)
        if cjk < CJK_PER_STRAY * max(stray, 1):
            return False
        if size >= len(sample.data):
            break
    return True


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


def body_encoding(encoding: str) -> str:
    """The codec of the text after a UTF-8 byte-order mark, for an encoding whose decoder drops
    the mark: ``utf-8-sig`` → ``utf-8``, ``gbk-sig`` → ``gbk``, ``gb18030-sig`` → ``gb18030``;
    any other encoding as it is (encoding a text in it writes no UTF-8 mark)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return name.removesuffix("-sig") if name.endswith("-sig") else encoding


class _MarkSkippingDecoder(codecs.IncrementalDecoder):
    """Decodes ``body`` bytes, dropping a UTF-8 byte-order mark in front of them (it may come
    split over several calls; bytes that turn out not to be the mark are decoded as text)."""

    body = "gbk"

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._inner = codecs.getincrementaldecoder(self.body)(errors)
        self._head: bytes | None = b""  # what may still be the mark; ``None``: decided

    def decode(self, input: ReadableBuffer, final: bool = False) -> str:
        if self._head is None:
            return self._inner.decode(input, final)
        head = self._head + bytes(input)
        mark = codecs.BOM_UTF8
        if len(head) < len(mark) and mark.startswith(head) and not final:
            self._head = head
            return ""
        self._head = None
        return self._inner.decode(head.removeprefix(mark), final)

    def reset(self) -> None:
        self._inner.reset()
        self._head = b""

    def getstate(self) -> tuple[bytes, int]:
        # the flag's low bit: the mark is still to be decided (its first bytes buffered)
        if self._head is not None:
            return self._head, 1
        buffered, flag = self._inner.getstate()
        return buffered, flag << 1

    def setstate(self, state: tuple[bytes, int]) -> None:
        buffered, flag = state
        if flag & 1:
            self._inner.reset()
            self._head = buffered
        else:
            self._head = None
            self._inner.setstate((buffered, flag >> 1))


class _MarkWritingEncoder(codecs.IncrementalEncoder):
    """Encodes in ``body`` after a UTF-8 byte-order mark, as ``utf-8-sig``'s encoder does."""

    body = "gbk"

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._inner = codecs.getincrementalencoder(self.body)(errors)
        self._first = True

    def encode(self, input: str, final: bool = False) -> bytes:
        data = self._inner.encode(input, final)
        if self._first:
            self._first = False
            return codecs.BOM_UTF8 + data
        return data

    def reset(self) -> None:
        self._inner.reset()
        self._first = True

    def getstate(self) -> int:
        return (int(self._inner.getstate()) << 1) | self._first

    def setstate(self, state: int | str) -> None:
        value = int(state)
        self._inner.setstate(value >> 1)
        self._first = bool(value & 1)


def _marked_codec(name: str) -> codecs.CodecInfo | None:
    """The codec ``gbk-sig`` or ``gb18030-sig`` (a codec search function)."""
    body = _MARKED.get(name)
    if body is None:
        return None
    inner = codecs.lookup(body)

    def encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
        return codecs.BOM_UTF8 + inner.encode(text, errors)[0], len(text)

    def decode(data: ReadableBuffer, errors: str = "strict") -> tuple[str, int]:
        raw = bytes(data)
        return inner.decode(raw.removeprefix(codecs.BOM_UTF8), errors)[0], len(raw)

    class Decoder(_MarkSkippingDecoder):
        pass

    class Encoder(_MarkWritingEncoder):
        pass

    Decoder.body = Encoder.body = body
    return codecs.CodecInfo(
        encode,
        decode,
        incrementalencoder=Encoder,
        incrementaldecoder=Decoder,
        name=f"{body}-sig",
    )


# The one thing this module does on import: every process that reads a file by its detected
# encoding's name (a Dask worker too) imports this module first, through the readers.
codecs.register(_marked_codec)
