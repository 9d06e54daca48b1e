"""Parquet reader: record batches streamed with ``pyarrow.parquet``, every column cast to text.

Scalars use Arrow's cast to string (``true``/``false``, ISO dates and timestamps, decimals as
written); lists, structs and maps become compact JSON text (``["a", "b"]``); binary values that
are not UTF-8 are decoded with replacement characters, and so are the bytes of a damaged file's
string column that are not UTF-8 (Arrow's reader does not check them). Empty strings become null, like empty cells
elsewhere. Memory is bounded by one batch of ``batch_rows`` rows (and Parquet's row groups).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from baomi.engine.readers.base import (
    TableBatch,
    TableSource,
    arrow_file,
    unique_headers,
    unreadable,
)


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))


def column_text(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as ``pa.string()``; nested values as JSON text."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        try:
            column.validate(full=True)  # Arrow's Parquet reader does not check the bytes
            return column
        except pa.ArrowInvalid:
            # a damaged file's text that is not UTF-8: read as binary that is not
            binary = pa.large_binary() if pa.types.is_large_string(kind) else pa.binary()
            column, kind = column.cast(binary), binary
    nested = pa.types.is_nested(kind) or pa.types.is_map(kind)
    if not nested:
        try:
            return pc.cast(column, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # binary that is not UTF-8, extension types: below, one value at a time
    texts: list[str | None] = []
    for value in column.to_pylist():
        if isinstance(value, bytes):
            texts.append(value.decode("utf-8", errors="replace"))
        else:
            texts.append(_json_text(value) if nested else None if value is None else str(value))
    return pa.array(texts, type=pa.string())


def batch_frame(batch: pa.RecordBatch, names: list[str]) -> pl.DataFrame:
    """A record batch as a frame of nullable strings named ``names`` ("" → null)."""
    table = pa.table([column_text(c) for c in batch.columns], names=names)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names)


class ParquetSource(TableSource):
    """A Parquet file read as one table."""

    def __init__(self, path: Path, *, batch_rows: int) -> None:
        super().__init__(path, None)
        self.batch_rows = batch_rows

    def batches(self) -> Iterator[TableBatch]:
        offset = 0
        try:
            with arrow_file(self.path) as handle, pq.ParquetFile(handle) as parquet:
                names = unique_headers(parquet.schema_arrow.names)
                for batch in parquet.iter_batches(batch_size=self.batch_rows):
                    yield TableBatch(None, offset, batch_frame(batch, names))
                    offset += batch.num_rows
        except (pa.ArrowException, OSError, UnicodeDecodeError):  # a name not UTF-8
            raise unreadable(self.path, "Parquet 文件已损坏", "corrupt Parquet file") from None
        if offset == 0:
            yield TableBatch(None, 0, pl.DataFrame(schema=dict.fromkeys(names, pl.String)))


def open_parquet(path: Path, *, batch_rows: int = 65536) -> ParquetSource:
    """Open a Parquet file; refuse empty, corrupt or column-less files at once."""
    if path.stat().st_size == 0:
        raise unreadable(path, "空文件", "empty file")
    try:
        with arrow_file(path) as handle, pq.ParquetFile(handle) as parquet:
            width = len(parquet.schema_arrow)
    except (pa.ArrowException, OSError, UnicodeDecodeError):  # a column name not UTF-8
        raise unreadable(path, "Parquet 文件已损坏", "corrupt Parquet file") from None
    if width == 0:
        raise unreadable(path, "没有列", "no columns")
    return ParquetSource(path, batch_rows=batch_rows)
