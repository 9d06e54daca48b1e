"""CSV/TSV reader: sniffed dialect, streamed by ``pyarrow.csv.open_csv``, every value a string.

The dialect (delimiter ``,`` ``\\t`` ``;`` ``|`` and quote character) is sniffed on the decoded
first 64 KB; a ``.tsv`` file is always tab-separated. The header is the first non-empty row
(unless it is a record: :mod:`baomi.engine.readers.header`).
Arrow reads blocks of ``BLOCK_SIZE`` bytes (decoding non-UTF-8 files block by block), so memory
stays bounded whatever the file size; no type is inferred (``00123`` and 18-digit IDs survive),
empty fields become null, and rows with the wrong number of fields are skipped and counted.
A row longer than a block makes Arrow fail; the file is then read again with blocks eight
times larger (up to ``MAX_BLOCK_SIZE``), resuming after the rows already yielded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from baomi.engine.readers.base import (
    TableBatch,
    TableSource,
    arrow_file,
    sliced,
    unique_headers,
    unreadable,
)
from baomi.engine.readers.encoding import Sample, decode_head, detect_file_encoding
from baomi.engine.readers.header import is_record
from baomi.errors import UnreadableFileError

SNIFF_BYTES = 64 * 1024
BLOCK_SIZE = 4 * 1024 * 1024  # Arrow reads up to ~32 blocks ahead: ~150 MB at most
MAX_BLOCK_SIZE = 512 * 1024 * 1024
DELIMITERS = ",\t;|"
_ARROW_UTF8 = ("utf-8", "utf-8-sig")  # Arrow reads these natively and drops a UTF-8 BOM


def sniff_dialect(head: str, *, tsv: bool = False) -> tuple[str, str]:
    """``(delimiter, quote_char)`` of a decoded head of the file.

    ``csv.Sniffer`` first; when it fails or names a delimiter absent from the first line, the
    most frequent candidate in the first line wins (``,`` when none occurs).
    """
    first_line = head.split("\n", 1)[0]
    if tsv:
        return "\t", '"'
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


def _header_width(sample: Sample, encoding: str, delimiter: str, quote_char: str) -> int:
    """The number of fields in the first non-empty row (parsed from the decoded sample)."""
    text = decode_head(sample, encoding, len(sample.data))
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote_char):
        if row:
            return len(row)
    return 0


class CsvSource(TableSource):
    """A CSV or TSV file read as one table (``sheet`` is ``None``)."""

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

    def _reader(self, block_size: int) -> pacsv.CSVStreamingReader:
        self.skipped_rows = 0

        def skip(_row: object) -> str:
            self.skipped_rows += 1
            return "skip"

        fields = [f"f{i}" for i in range(self.width)]
        encoding = "utf8" if self.encoding in _ARROW_UTF8 else str(self.encoding)
        return pacsv.open_csv(
            arrow_file(self.path),
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
        block_size, done = self.block_size, 0
        while True:
            try:
                for batch in self._batches(block_size, done):
                    done = batch.offset + batch.frame.height
                    yield batch
                return
            except pa.ArrowInvalid as exc:
                # A row longer than a block: read again with larger blocks, after the rows done.
                if "straddl" not in str(exc) or block_size >= MAX_BLOCK_SIZE:
                    raise self._unreadable() from None
                block_size *= 8
            except (pa.ArrowException, UnicodeError, OSError):
                raise self._unreadable() from None  # ``from None``: Arrow may quote the row

    def _unreadable(self) -> UnreadableFileError:
        return unreadable(self.path, "内容无法解析或解码", "content cannot be parsed or decoded")

    def _batches(self, block_size: int, skip: int) -> Iterator[TableBatch]:
        """The batches from data row ``skip`` on."""
        names: list[str] | None = None
        offset = 0
        for record_batch in self._reader(block_size):
            frame = pl.from_arrow(record_batch)
            assert isinstance(frame, pl.DataFrame)
            if names is None:
                if frame.height == 0:
                    continue
                header = [None if v is None else v.lstrip("\ufeff") for v in frame.row(0)]
                if is_record(header):  # no header row: the first row is data row 0
                    names = unique_headers([None] * len(header))
                else:
                    names = unique_headers(header)
                    frame = frame.slice(1)
            frame.columns = names
            if offset + frame.height > skip:
                cut = max(skip - offset, 0)
                yield from sliced(None, offset + cut, frame.slice(cut), self.batch_rows)
            offset += frame.height
        if names is None:
            raise unreadable(self.path, "没有表头行", "no header row")
        if offset == 0:
            yield TableBatch(None, 0, pl.DataFrame(schema=dict.fromkeys(names, pl.String)))


def open_csv(path: Path, *, batch_rows: int = 65536, block_size: int = BLOCK_SIZE) -> CsvSource:
    """Open a CSV/TSV file: detect its encoding and dialect, count the header's fields."""
    encoding, sample = detect_file_encoding(path)
    head = decode_head(sample, encoding, SNIFF_BYTES)
    delimiter, quote_char = sniff_dialect(head, tsv=path.suffix.lower() == ".tsv")
    width = _header_width(sample, encoding, delimiter, quote_char)
    if width == 0:
        raise unreadable(path, "没有列", "no columns")
    return CsvSource(
        path, encoding, delimiter, quote_char, width, batch_rows=batch_rows, block_size=block_size
    )
