"""CSV/TSV reader: sniffed dialect, streamed by ``pyarrow.csv.open_csv``, every value a string.

The dialect (delimiter ``,`` ``\\t`` ``;`` ``|`` and quote character) is sniffed on the decoded
first 64 KB; a ``.tsv`` file is always tab-separated. The header is the first non-empty row
(unless it is a record: :mod:`baomi.engine.readers.header`), or the row after a title row
(``2024年客户名单`` alone on its line, often with fewer fields than the header): the title's
bytes are skipped before Arrow starts (Arrow refuses a row with another number of fields as
the first), and its text is read beside the cells (``extras()``).
Arrow reads blocks of ``BLOCK_SIZE`` bytes (decoding non-UTF-8 files block by block), so memory
stays bounded whatever the file size; no type is inferred (``00123`` and 18-digit IDs survive),
empty fields become null, and rows with the wrong number of fields are skipped and counted
(the rows after one keep their numbers). A row longer than a block makes Arrow fail; the file
is then read again with blocks eight times larger (up to ``MAX_BLOCK_SIZE``), resuming after the
rows already yielded. Bytes that do not decode (past the sample the encoding was detected on)
make the file be read again the same way, through a decoder that puts U+FFFD in their place; the
rows holding one are counted in ``undecodable_rows``.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from baomi.engine.readers.base import (
    Extra,
    TableBatch,
    TableSource,
    arrow_file,
    sliced,
    unique_headers,
    unreadable,
)
from baomi.engine.readers.encoding import (
    Sample,
    body_encoding,
    bom_encoding,
    decode_head,
    detect_file_encoding,
)
from baomi.engine.readers.header import (
    MAX_TITLE_ROWS,
    TITLE_LOOKAHEAD,
    is_blank,
    is_record,
    title_extras,
    title_rows,
)
from baomi.errors import UnreadableFileError
from baomi.i18n import worded

SNIFF_BYTES = 64 * 1024
#: Arrow's streaming reader reads up to 32 blocks ahead: with 4 MB blocks its pool held ~190 MB
#: on a long CSV, with 2 MB ~120 MB, at the same speed (bench/RESULTS.md, peak memory).
BLOCK_SIZE = 2 * 1024 * 1024
MAX_BLOCK_SIZE = 512 * 1024 * 1024
READ_CHUNK = 1024 * 1024  # bytes decoded at a time when bad bytes are replaced
DELIMITERS = ",\t;|"
#: byte-order marks, longest first (the UTF-32-LE one starts with UTF-16-LE's)
_MARKS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)
_ARROW_UTF8 = ("utf-8", "utf-8-sig")  # Arrow reads these natively and drops a UTF-8 BOM


def sniff_dialect(head: str, *, tsv: bool = False) -> tuple[str, str]:
    """``(delimiter, quote_char)`` of a decoded head of the file.

    ``csv.Sniffer`` first; when it fails or names a delimiter absent from the first line, the
    most frequent candidate in the first line wins (``,`` when none occurs).
    """
    if tsv:
        return "\t", '"'
    first_line = _probe_line(head)
    complete = head[: head.rfind("\n") + 1] or head  # no partial last line
    try:
        dialect = csv.Sniffer().sniff(complete, delimiters=DELIMITERS)
    except csv.Error:
        dialect = None
    if dialect is not None and dialect.delimiter in first_line:
        return dialect.delimiter, dialect.quotechar or '"'
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return (best if counts[best] else ","), '"'


def _probe_line(head: str) -> str:
    """The line the delimiter is checked on: the first, unless it holds no candidate delimiter
    and a line among the next few does (a title row alone on its line above the header) — and
    most lines after that one hold that delimiter too: in a one-column file of notes a ``;``
    or a ``|`` of one note is no table's delimiter."""
    lines = head.split("\n", MAX_TITLE_ROWS + 2)[: MAX_TITLE_ROWS + 2]  # the titles and more
    if any(d in lines[0] for d in DELIMITERS):
        return lines[0]
    for i, line in enumerate(lines[1:], 1):
        found = [d for d in DELIMITERS if d in line]
        if found:
            return line if _table_below(head, i, found) else lines[0]
    return lines[0]


#: Lines below a candidate header that :func:`_table_below` reads, and the share of them that
#: must hold its delimiter
_BELOW_LINES = 20
_BELOW_SHARE = 0.8


def _table_below(head: str, i: int, delimiters: list[str]) -> bool:
    """Whether line ``i`` of ``head`` starts a table: most complete, non-blank lines from it
    on hold one of its ``delimiters`` (a quoted field's line breaks aside)."""
    complete = head[: head.rfind("\n") + 1] or head
    below = [x for x in complete.split("\n")[i : i + _BELOW_LINES] if x.strip()]
    if len(below) < 2:
        return True  # a header and nothing under it yet: as before
    return any(sum(d in x for x in below) >= _BELOW_SHARE * len(below) for d in delimiters)


@dataclass(frozen=True, slots=True)
class Top:
    """What is above a CSV table's rows: the header's number of fields (``width``), its first
    byte (``start``: 0, or after the title rows) and the title rows' fields as written."""

    width: int
    start: int = 0
    titles: tuple[tuple[str, ...], ...] = ()


#: Rows of the sample (blank ones included) looked at for title rows above the header.
_TOP_ROWS = 32


def table_top(sample: Sample, encoding: str, delimiter: str, quote_char: str) -> Top:
    """The header's width (the fields of the first non-empty row, or of the row after the
    title rows: :func:`~baomi.engine.readers.header.title_rows`) and where it starts, parsed
    from the decoded sample."""
    text = decode_head(sample, encoding, len(sample.data))
    stream = io.StringIO(text, newline="")
    read = 0  # characters of the text the parser has taken

    def lines() -> Iterator[str]:
        nonlocal read
        for line in stream:
            read += len(line)
            yield line

    rows: list[tuple[int, list[str]]] = []  # (first character, fields), non-empty rows
    parser = csv.reader(lines(), delimiter=delimiter, quotechar=quote_char)
    try:
        for _ in range(_TOP_ROWS):
            at = read
            row = next(parser, None)
            if row is None:
                break
            if not row:
                continue  # a blank line: Arrow skips it too
            rows.append((at, row))
            if len(rows) >= TITLE_LOOKAHEAD or is_blank(rows[0][1]):
                break
    except csv.Error:  # a broken row: Arrow reads (or skips) it; no title is looked for
        rows = rows[:1]
    if not rows:
        return Top(0)
    found = [cells for _, cells in rows]
    titles = title_rows(found)
    start = _byte_offset(sample, encoding, text, rows[titles][0]) if titles else 0
    if start is None:  # the title's bytes cannot be told apart: read as before
        titles, start = 0, 0
    return Top(len(found[titles]), start, tuple(tuple(cells) for cells in found[:titles]))


def _byte_offset(sample: Sample, encoding: str, text: str, chars: int) -> int | None:
    """The byte of the sample where the decoded ``text``'s character ``chars`` starts
    (``None`` when re-encoding does not give the sample's bytes back: replaced bytes)."""
    prefix = text[:chars]
    bom = bom_encoding(sample.data)
    mark = b""
    if bom is not None:
        mark = next(m for m in _MARKS if sample.data.startswith(m))
    try:
        if bom in ("utf-16", "utf-32"):
            order = "le" if mark[0] == 0xFF else "be"
            body = prefix.encode(f"{bom}-{order}")
        else:  # a UTF-8 mark, before UTF-8, GBK or GB 18030 (``-sig``): the text after it
            body = prefix.encode(body_encoding(encoding))
    except UnicodeError:
        return None
    end = len(mark) + len(body)
    return end if sample.data[len(mark) : end] == body else None


class _ReplacingReader(io.RawIOBase):
    """The file as UTF-8, decoded from ``encoding`` with U+FFFD for bytes that do not decode.

    Arrow then parses clean UTF-8: a few bad bytes deep inside a large file cost their own
    characters, not the rest of the file.
    """

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        super().__init__()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = b""
        self._at = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._at == len(self._pending) and not self._eof:
            chunk = self._raw.read(READ_CHUNK)
            self._eof = not chunk
            self._pending = self._decoder.decode(chunk, final=self._eof).encode("utf-8")
            self._at = 0
        n = min(len(buffer), len(self._pending) - self._at)
        buffer[:n] = self._pending[self._at : self._at + n]
        self._at += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class CsvSource(TableSource):
    """A CSV or TSV file read as one table (``sheet`` is ``None``).

    A quote that opens in the file's last record and never closes is said in ``errors``
    (the line it opened on, how many lines were read into one cell or not read).

    Row numbers are the file's: data row ``r`` is the ``r``-th record after the header (blank
    lines are not records, a quoted value over several lines is one), also after a broken row.
    Arrow names each broken row's record number to ``invalid_row_handler``; the rows around one
    are yielded as separate batches.
    """

    def __init__(
        self,
        path: Path,
        encoding: str,
        delimiter: str,
        quote_char: str,
        width: int,
        *,
        batch_rows: int,
        block_size: int,
    ) -> None:
        super().__init__(path, encoding)
        self.delimiter = delimiter
        self.quote_char = quote_char
        self.width = width
        self.batch_rows = batch_rows
        self.block_size = block_size
        self._broken: list[int] = []  # record numbers of the broken rows, in file order
        #: the header row as read (``None``: the first row is a record), once batches ran
        self.header_row: tuple[str | None, ...] | None = None
        #: the column names when the bytes read hold no header row (a byte range of the
        #: file after it: :mod:`baomi.engine.scan.ranges`); ``None``: read the header
        self.names: list[str] | None = None
        #: the header's first byte (after the title rows) and the title rows' fields
        self.start = 0
        self.titles: tuple[tuple[str, ...], ...] = ()
        #: the data row numbers the table used (rows and broken rows), once batches ran
        self.rows_numbered: int | None = None
        self._last_broken: str | None = None

    #: the bytes read run to the end of the file (a byte range's reader: not always)
    to_end = True

    def _open_bytes(self) -> Any:
        """The bytes to parse: the whole file from the header on (a title's bytes left out,
        its byte-order mark kept: the decoder drops it; a byte range's reader narrows them)."""
        if not self.start:
            return arrow_file(self.path)  # opened by its bytes: any file name
        mark = next((m for m in _MARKS if self._head.startswith(m)), b"")
        return io.BufferedReader(FileBytes(self.path, self.start, None, mark))

    @property
    def _head(self) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(4)

    def extras(self) -> Iterator[Extra]:
        """The title rows' text (:func:`~baomi.engine.readers.header.title_extras`), after the
        rows: none without a title."""
        if not self.titles:
            return
        if self.rows_numbered is None:
            for _ in self.batches():
                pass
        yield from title_extras(None, self.rows_numbered or 0, self.titles, self.header_row or ())

    def _reader(self, block_size: int, replace: bool) -> pacsv.CSVStreamingReader:
        self.skipped_rows = 0
        self._broken = []
        self._last_broken = None  # the text of the last broken row
        _quiet_undecodable_broken_rows()

        def broken(row: Any) -> None:
            self.skipped_rows += 1
            if row.number is not None:
                self._broken.append(row.number)  # 1-based, the header (if any) counted
            self._last_broken = row.text

        skip = _SkipRow(broken)

        fields = [f"f{i}" for i in range(self.width)]
        source: Any = self._open_bytes()
        encoding = "utf8" if self.encoding in _ARROW_UTF8 else str(self.encoding)
        if replace:
            source.close()
            source, encoding = _ReplacingReader(self._open_bytes(), str(self.encoding)), "utf8"
        return pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(
                encoding=encoding,
                block_size=block_size,
                column_names=fields,
                use_threads=False,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter,
                quote_char=self.quote_char,
                newlines_in_values=True,
                invalid_row_handler=skip,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(fields, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )

    def batches(self) -> Iterator[TableBatch]:
        self.reset()
        self.rows_numbered = None
        block_size, done, replace = self.block_size, 0, False
        while True:
            try:
                for batch in self._batches(block_size, done, replace):
                    done = batch.offset + batch.frame.height
                    yield batch
                return
            except pa.ArrowInvalid as exc:
                # A row longer than a block: read again with larger blocks, after the rows done.
                if "straddl" in str(exc) and block_size < MAX_BLOCK_SIZE:
                    block_size *= 8
                    continue
                if replace:
                    raise self._unreadable(done) from None
                replace = True  # bytes that do not decode: read again, replacing them
            except (pa.ArrowException, UnicodeError):
                if replace:
                    raise self._unreadable(done) from None  # Arrow may quote the row
                replace = True
            except OSError:
                raise self._unreadable(done) from None

    def _unclosed_quote(self, last: pl.DataFrame | None, position: int) -> None:
        """Say in ``errors`` when the file's last record opens a quote it never closes: Arrow
        reads the rest of the file into that field (the lines after it one cell) or, when the
        record then has the wrong number of fields, skips it (the lines not read). Only the
        last record can, and only a text with a line break running to the file's last byte
        is looked at further (the file's tail, its line breaks counted), so a well-formed
        file costs a look at its last row."""
        broken_last = bool(self._broken) and self.rows_numbered != position
        if broken_last:
            text, read = self._last_broken, False
        elif last is not None and last.height and last.width:
            text, read = last[-1, last.width - 1], True
        else:
            return
        if not text or ("\n" not in text and "\r" not in text):
            return
        if not read and text.count(self.quote_char) % 2 == 0:
            return  # the quotes in the broken row are closed: broken for another reason
        found = _lines_to_end(self.path, str(self.encoding), text)
        if found is None:
            return
        opened, after = found
        lines = "line" if after == 1 else f"{after} lines"
        if read:
            row = position - 1
            self.errors.append(
                worded(
                    f"第 {opened} 行的引号没有闭合：其后 {after} 行（到文件末尾）"
                    f"被读成了数据行 {row} 的一个单元格",
                    f"a quote opened on line {opened} is never closed: the {lines} after it "
                    f"(to the end of the file) {'was' if after == 1 else 'were'} read as one "
                    f"cell of data row {row}",
                )
            )
        else:
            self.errors.append(
                worded(
                    f"第 {opened} 行的引号没有闭合：该行及其后 {after} 行（到文件末尾）"
                    "字段数不符，未读取",
                    f"a quote opened on line {opened} is never closed: that line and the "
                    f"{lines} after it (to the end of the file) were not read "
                    "(the wrong number of fields)",
                )
            )

    def _unreadable(self, done: int) -> UnreadableFileError:
        if not done:
            return unreadable(
                self.path, "内容无法解析或解码", "content cannot be parsed or decoded"
            )
        return unreadable(
            self.path,
            f"第 {done} 行（从 0 起的数据行）之后的内容无法解析",
            f"content after data row {done} (0-based) cannot be parsed",
        )

    def _batches(self, block_size: int, skip: int, replace: bool) -> Iterator[TableBatch]:
        """The batches from data row ``skip`` on."""
        names: list[str] | None = self.names
        position, broken_seen, rows = 0, 0, 0  # next data row number; broken rows passed
        last: pl.DataFrame | None = None  # the last rows yielded
        for record_batch in self._reader(block_size, replace):
            frame = pl.from_arrow(record_batch)
            assert isinstance(frame, pl.DataFrame)
            if names is None:
                if frame.height == 0:
                    continue
                header = [None if v is None else v.lstrip("\ufeff") for v in frame.row(0)]
                if is_record(header):  # no header row: the first row is data row 0
                    names = unique_headers([None] * len(header))
                    self.header_row = None
                else:
                    names = unique_headers(header)
                    self.header_row = tuple(header)
                    frame = frame.slice(1)
            frame.columns = names
            rows += frame.height
            # record 1 is data row 0, or the header row (data row 0 is then record 2)
            first = 1 if self.names is not None or self.header_row is None else 2
            start = 0
            while start < frame.height:
                broken = self._broken
                while broken_seen < len(broken) and broken[broken_seen] - first <= position:
                    position += broken[broken_seen] - first == position  # its row number
                    broken_seen += 1
                run = frame.height - start
                if broken_seen < len(broken):
                    run = min(run, broken[broken_seen] - first - position)
                if position + run > skip:
                    cut = max(skip - position, 0)
                    piece = frame.slice(start + cut, run - cut)
                    if replace:
                        self.undecodable_rows += _replaced_rows(piece)
                    yield from sliced(None, position + cut, piece, self.batch_rows)
                    last = piece
                start += run
                position += run
        if names is None:
            raise unreadable(self.path, "没有表头行", "no header row")
        first = 1 if self.names is not None or self.header_row is None else 2
        self.rows_numbered = max(position, self._broken[-1] - first + 1 if self._broken else 0)
        if self.to_end:
            self._unclosed_quote(last, position)
        if rows == 0:
            yield TableBatch(None, 0, pl.DataFrame(schema=dict.fromkeys(names, pl.String)))


class _SkipRow:
    """Arrow's handler of a row with the wrong number of fields: note it, skip it."""

    def __init__(self, note: Callable[[Any], None]) -> None:
        self.note = note

    def __call__(self, row: Any) -> str:
        self.note(row)
        return "skip"


def _quiet_undecodable_broken_rows() -> None:
    """Keep Python from printing a traceback ("Exception ignored in: …") when a broken row
    holds bytes that do not decode: Arrow decodes the row's text for :class:`_SkipRow`
    before calling it, fails, reports the error as unraisable and stops the read with
    ``ArrowInvalid`` — and the file is read again replacing such bytes, the row skipped then.
    Installed over whatever hook is in place (once); every other report goes to it."""
    hook = sys.unraisablehook
    if isinstance(hook, _QuietHook):
        return
    sys.unraisablehook = _QuietHook(hook)


class _QuietHook:
    def __init__(self, then: Callable[[Any], object]) -> None:
        self.then = then

    def __call__(self, unraisable: Any) -> None:
        if isinstance(unraisable.object, _SkipRow) and isinstance(
            unraisable.exc_value, UnicodeDecodeError
        ):
            return
        self.then(unraisable)


def _lines_to_end(path: Path, encoding: str, text: str) -> tuple[int, int] | None:
    """When ``text`` (a record, or its last field) runs to the last byte of ``path`` (a final
    line break aside): the 1-based line of the file where it starts, and how many lines of
    the file follow that line; else ``None``."""
    # a text with only line breaks left after its last character: the file may end there
    body = text.rstrip("\r\n")
    try:  # (a ``-sig`` codec would write its mark in front)
        tail = body[-256:].encode(body_encoding(encoding))
    except (UnicodeError, LookupError):
        return None
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - len(tail) - 8))
        end = handle.read().rstrip(b"\r\n")
    if not end.endswith(tail):
        return None
    breaks = 0
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            breaks += chunk.count(b"\n")
    inside = body.count("\n")
    if not breaks:  # lines ended by CR alone
        with path.open("rb") as handle:
            breaks = handle.read().count(b"\r")
        inside = body.count("\r")
    with path.open("rb") as handle:
        handle.seek(max(0, size - 1))
        ended = handle.read(1) in (b"\n", b"\r")
    lines = breaks + (not ended)  # the file's lines
    opened = lines - inside
    return opened, lines - opened


def _replaced_rows(frame: pl.DataFrame) -> int:
    """Rows of ``frame`` holding U+FFFD (bytes replaced while decoding); read only when
    decoding failed once, so clean files pay nothing for it."""
    if not frame.height or not frame.width:
        return 0
    marked = pl.any_horizontal(pl.all().str.contains("\ufffd", literal=True).fill_null(False))
    return int(frame.select(marked).to_series().sum())


def open_csv(path: Path, *, batch_rows: int = 65536, block_size: int = BLOCK_SIZE) -> CsvSource:
    """Open a CSV/TSV file: detect its encoding and dialect, count the header's fields."""
    encoding, sample = detect_file_encoding(path)
    head = decode_head(sample, encoding, SNIFF_BYTES)
    delimiter, quote_char = sniff_dialect(head, tsv=path.suffix.lower() == ".tsv")
    top = table_top(sample, encoding, delimiter, quote_char)
    if top.width == 0:
        raise unreadable(path, "没有列", "no columns")
    source = CsvSource(
        path,
        encoding,
        delimiter,
        quote_char,
        top.width,
        batch_rows=batch_rows,
        block_size=block_size,
    )
    source.start, source.titles = top.start, top.titles
    return source


class FileBytes(io.RawIOBase):
    """Bytes ``[start, end)`` of a file (``end`` ``None``: to its end), after ``prefix``."""

    def __init__(self, path: Path, start: int, end: int | None, prefix: bytes = b"") -> None:
        super().__init__()
        self._raw = path.open("rb")
        self._raw.seek(start)
        self._prefix = prefix
        self._left = None if end is None else end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        if self._left is not None:
            view = view[: self._left]
        n = self._raw.readinto(view) or 0
        if self._left is not None:
            self._left -= n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()
