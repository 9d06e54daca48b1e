"""JSON and JSON Lines readers: records flattened to dotted paths, read as tables.

Records:

- ``.json`` whose top level is an array: each item is a record (``row`` = its index). The array
  is parsed incrementally (one item at a time), so its size is bounded only by the largest item.
- ``.json`` whose top level is anything else (an object, a scalar): the whole document is one
  record (``row`` 0), read into memory at once. An object wrapping a list of records
  (``{"data": [...]}``) is therefore one wide record with paths ``data[0].phone``, ...
- ``.jsonl``/``.ndjson``: one record per non-empty line, read line by line; a line that is not
  JSON is skipped and counted in ``skipped_rows``; ``row`` counts the records that parsed.

Each record becomes one table row: nested keys are joined with ``.``, list items get ``[i]``
(``buyer.phone``, ``items[0].name``); a record that is not an object is put under ``value``.
Scalars become text as written (numbers keep their literal: ``1``, ``1.50``, ``1e3``), booleans
``true``/``false``; ``null``, ``""`` and missing paths are null. A batch's columns are the paths
seen in its records, in first-seen order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from baomi.engine.readers.base import TableBatch, TableSource, unreadable
from baomi.engine.readers.encoding import detect_file_encoding

CHUNK_CHARS = 1024 * 1024
_WHITESPACE = " \t\r\n"
_NUMBER_START = "-0123456789"
_NUMBER_CHARS = "0123456789.eE+-"


def _decoder() -> json.JSONDecoder:
    """A decoder that keeps every number as its literal text."""
    return json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str)


def flatten(value: Any, path: str, out: dict[str, str | None]) -> dict[str, str | None]:
    """Add the scalars of ``value`` to ``out`` under dotted/indexed paths below ``path``."""
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            flatten(item, f"{path}[{index}]", out)
    elif isinstance(value, bool):
        out[path] = "true" if value else "false"
    elif value is None or value == "":
        out[path] = None
    else:
        out[path] = str(value)
    return out


def record_row(record: Any) -> dict[str, str | None]:
    """One record as ``{path: text}``; a non-object record goes under ``value``."""
    return flatten(record, "" if isinstance(record, dict) else "value", {})


def rows_frame(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    """A frame whose columns are the union of the rows' paths (missing → null).

    Rows without any path (``{}``, ``[]``) have no cells; a batch made only of them has no
    columns (and so no rows) and is not yielded.
    """
    columns = dict.fromkeys(key for row in rows for key in row)
    return pl.DataFrame(
        {c: pl.Series(c, [row.get(c) for row in rows], dtype=pl.String) for c in columns}
    )


class _JsonTable(TableSource):
    """Common batching of the two JSON readers: subclasses yield the records."""

    def __init__(self, path: Path, encoding: str, *, batch_rows: int) -> None:
        super().__init__(path, encoding)
        self.batch_rows = batch_rows

    def records(self, handle: IO[str]) -> Iterator[Any]:
        raise NotImplementedError

    def batches(self) -> Iterator[TableBatch]:
        self.skipped_rows = 0
        offset, rows, found = 0, [], False
        try:
            with self.path.open(encoding=self.encoding, errors="strict", newline="") as handle:
                for record in self.records(handle):
                    rows.append(record_row(record))
                    if len(rows) == self.batch_rows:
                        frame = rows_frame(rows)
                        if frame.width:
                            found = True
                            yield TableBatch(None, offset, frame)
                        offset, rows = offset + len(rows), []
        except (UnicodeError, RecursionError):
            raise unreadable(
                self.path, "内容无法解码或嵌套过深", "undecodable or too deeply nested"
            ) from None
        frame = rows_frame(rows)
        if frame.width:
            yield TableBatch(None, offset, frame)
        elif not found:
            raise unreadable(self.path, "没有可读的记录", "no readable records")


class JsonSource(_JsonTable):
    """A ``.json`` document: array items, or the whole document as one record."""

    def records(self, handle: IO[str]) -> Iterator[Any]:
        decoder = _decoder()
        buffer = ""
        while not buffer and (chunk := handle.read(CHUNK_CHARS)):
            buffer = chunk.lstrip(_WHITESPACE + "\ufeff")
        if not buffer.startswith("["):
            try:
                yield decoder.decode(buffer + handle.read())
            except json.JSONDecodeError:
                raise self._broken() from None
            return
        yield from self._array_items(handle, decoder, buffer)

    def _array_items(
        self, handle: IO[str], decoder: json.JSONDecoder, buffer: str
    ) -> Iterator[Any]:
        """The items of a top-level array, parsed one by one from a growing buffer."""
        position, expect_item, eof = 1, True, False

        def more() -> bool:
            nonlocal buffer, position, eof
            chunk = handle.read(max(CHUNK_CHARS, len(buffer) - position))  # doubling: linear
            eof = not chunk
            buffer, position = buffer[position:] + chunk, 0
            return not eof

        while True:
            while position < len(buffer) and buffer[position] in _WHITESPACE:
                position += 1
            if position == len(buffer):
                if not more():
                    raise self._broken()
                continue
            char = buffer[position]
            if char == "]":  # a trailing comma before it is tolerated
                break
            if not expect_item:
                if char != ",":
                    raise self._broken()
                position, expect_item = position + 1, True
                continue
            try:
                item, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                if more():
                    continue
                raise self._broken() from None
            if char in _NUMBER_START and not buffer[end:].strip(_NUMBER_CHARS) and not eof:
                more()  # the number may go on in the next chunk ("6." + "5"): parse it again
                continue
            yield item
            position, expect_item = end, False
        if handle.read(CHUNK_CHARS).strip(_WHITESPACE) or buffer[position + 1 :].strip(_WHITESPACE):
            raise self._broken()

    def _broken(self) -> Exception:
        return unreadable(self.path, "JSON 格式错误", "malformed JSON")


class JsonLinesSource(_JsonTable):
    """A JSON Lines file: one record per non-empty line, broken lines skipped and counted."""

    def records(self, handle: IO[str]) -> Iterator[Any]:
        decoder = _decoder()
        for line in handle:
            text = line.strip(_WHITESPACE + "\ufeff")
            if not text:
                continue
            try:
                yield decoder.decode(text)
            except json.JSONDecodeError:
                self.skipped_rows += 1


def open_json(path: Path, *, batch_rows: int = 65536) -> JsonSource:
    """Open a ``.json`` file (its encoding detected; empty or binary files refused)."""
    encoding, _ = detect_file_encoding(path)
    return JsonSource(path, encoding, batch_rows=batch_rows)


def open_jsonl(path: Path, *, batch_rows: int = 65536) -> JsonLinesSource:
    """Open a ``.jsonl``/``.ndjson`` file (its encoding detected; empty or binary files refused)."""
    encoding, _ = detect_file_encoding(path)
    return JsonLinesSource(path, encoding, batch_rows=batch_rows)
