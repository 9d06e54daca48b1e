"""JSON and JSON Lines readers: records flattened to dotted paths, read as tables.

Records:

- ``.json`` whose top level is an array: each item is a record (``row`` = its index). The array
  is parsed incrementally (one item at a time), so its size is bounded only by the largest item.
- ``.json`` whose top level is an object wrapping a list of records — an API export such as
  ``{"data": [...]}`` or ``{"code": 0, "data": {"list": [...], "total": 2}}``: the items of the
  longest list of objects reached through object keys only are the records (``row`` = the
  index in that list). Paths stay absolute, the list's index written ``[*]``: the cell
  ``data.list[*].phone`` of row 17 is ``data.list[17].phone``. The other fields of the
  document (``code``, ``data.total``) are cells of row 0 under their own paths (no ``[*]``):
  a path without ``[*]`` names one place in the document whatever the row.
- ``.json`` whose top level is anything else (an object without such a list, a scalar): the
  whole document is one record (``row`` 0). Objects are read into memory at once.
- ``.jsonl``/``.ndjson``: one record per non-empty line, read line by line; a line that is not
  JSON is skipped and counted in ``skipped_rows`` but keeps its number: ``row`` counts the
  non-empty lines, so a finding's ``row`` is its record's place in the file.

Malformed JSON raises ``UnreadableFileError`` naming the line and column (1-based) where parsing
stopped; records read before that point are yielded first. Bytes further on than the sample the
encoding was detected on that do not decode (a GBK value in a UTF-8 export) are read as U+FFFD,
and the records holding them counted in ``undecodable_rows``: nothing after them is lost (protect
reads and writes them the same way).

Each record becomes one table row: nested keys are joined with ``.``, list items get ``[i]``
(``buyer.phone``, ``items[0].name``); a record that is not an object is put under ``value``.
Scalars become text as written (numbers keep their literal: ``1``, ``1.50``, ``1e3``), booleans
``true``/``false``; ``null``, ``""`` and missing paths are null. A batch's columns are the paths
seen in its records, in first-seen order.

The same records, paths and texts are what protect edits (:mod:`baomi.engine.protect.writers`
reads a document with :func:`literal_decoder`, :func:`record_list`, :func:`wrapped_records`,
:func:`record_row` and :func:`rows_frame`), so a column the scan reports is the column protect
protects and ``--verify`` re-reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from baomi.engine.readers.base import TableBatch, TableSource, unreadable
from baomi.engine.readers.encoding import detect_file_encoding
from baomi.errors import UnreadableFileError

CHUNK_CHARS = 1024 * 1024
_WHITESPACE = " \t\r\n"
_NUMBER_START = "-0123456789"
_NUMBER_CHARS = "0123456789.eE+-"


def literal_decoder() -> json.JSONDecoder:
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
    if isinstance(record, _Flat):
        return record
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


#: Yielded by a reader for a record it could not parse: the next record keeps its number.
_GAP = object()


class _JsonTable(TableSource):
    """Common batching of the two JSON readers: subclasses yield the records."""

    nested = True

    def __init__(self, path: Path, encoding: str, *, batch_rows: int) -> None:
        super().__init__(path, encoding)
        self.batch_rows = batch_rows

    def records(self, handle: IO[str]) -> Iterator[Any]:
        raise NotImplementedError

    def batches(self) -> Iterator[TableBatch]:
        self.reset()
        offset, found = 0, False
        rows: list[dict[str, str | None]] = []
        failure: UnreadableFileError | None = None
        done = 0  # records (and broken lines) taken
        # Bytes past the sample the encoding was detected on that do not decode: the file is
        # read again with U+FFFD in their place, on from the first record not taken, and the
        # records holding them counted in ``undecodable_rows`` (as the text reader does).
        for errors in ("strict", "replace"):
            try:
                with self.path.open(encoding=self.encoding, errors=errors, newline="") as handle:
                    for k, record in enumerate(self.records(handle)):
                        if k < done:
                            continue
                        done = k + 1
                        if record is _GAP:  # a broken line keeps its record number
                            self.skipped_rows += 1
                            frame = rows_frame(rows)
                            if frame.width:
                                found = True
                                yield TableBatch(None, offset, frame)
                            offset, rows = offset + len(rows) + 1, []
                            continue
                        row = record_row(record)
                        if errors == "replace" and replaced_record(row):
                            self.undecodable_rows += 1
                        rows.append(row)
                        if len(rows) == self.batch_rows:
                            frame = rows_frame(rows)
                            if frame.width:
                                found = True
                                yield TableBatch(None, offset, frame)
                            offset, rows = offset + len(rows), []
                break
            except UnicodeError:
                continue
            except UnreadableFileError as exc:
                failure = exc
            except RecursionError:
                failure = unreadable(self.path, "JSON 嵌套过深", "JSON nested too deeply")
            break
        frame = rows_frame(rows)  # the records read before a failure are not lost
        if frame.width:
            found = True
            yield TableBatch(None, offset, frame)
        if failure is not None:
            raise failure
        if not found:
            raise unreadable(self.path, "没有可读的记录", "no readable records")


def replaced_record(row: dict[str, str | None]) -> bool:
    """Whether a record's keys or texts hold U+FFFD (a byte that did not decode)."""
    return any("\ufffd" in k or (v is not None and "\ufffd" in v) for k, v in row.items())


class _Position:
    """Line and column (1-based) of the first character of a buffer sliding over the file."""

    def __init__(self) -> None:
        self.line, self.column = 1, 1

    def advance(self, passed: str) -> None:
        newlines = passed.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(passed) - passed.rfind("\n")
        else:
            self.column += len(passed)

    def of(self, buffer: str, index: int) -> tuple[int, int]:
        before = buffer[:index]
        newlines = before.count("\n")
        if newlines:
            return self.line + newlines, index - before.rfind("\n")
        return self.line, self.column + index


class JsonSource(_JsonTable):
    """A ``.json`` document: array items, the records of a wrapper object, or one record."""

    def records(self, handle: IO[str]) -> Iterator[Any]:
        decoder = literal_decoder()
        where = _Position()
        buffer = ""
        while not buffer and (chunk := handle.read(CHUNK_CHARS)):
            buffer = chunk.lstrip(_WHITESPACE + "\ufeff")
            where.advance(chunk[: len(chunk) - len(buffer)])
        if not buffer.startswith("["):
            try:
                document = decoder.decode(buffer + handle.read())
            except json.JSONDecodeError as exc:
                if exc.lineno == 1:
                    raise self._broken(where.line, where.column + exc.colno - 1) from None
                raise self._broken(where.line + exc.lineno - 1, exc.colno) from None
            yield from wrapped_records(document)
            return
        yield from self._array_items(handle, decoder, buffer, where)

    def _array_items(
        self, handle: IO[str], decoder: json.JSONDecoder, buffer: str, where: _Position
    ) -> Iterator[Any]:
        """The items of a top-level array, parsed one by one from a growing buffer."""
        position, expect_item, eof = 1, True, False

        def more() -> bool:
            nonlocal buffer, position, eof
            chunk = handle.read(max(CHUNK_CHARS, len(buffer) - position))  # doubling: linear
            eof = not chunk
            where.advance(buffer[:position])
            buffer, position = buffer[position:] + chunk, 0
            return not eof

        while True:
            while position < len(buffer) and buffer[position] in _WHITESPACE:
                position += 1
            if position == len(buffer):
                if not more():
                    raise self._broken(*where.of(buffer, len(buffer)))
                continue
            char = buffer[position]
            if char == "]":  # a trailing comma before it is tolerated
                break
            if not expect_item:
                if char != ",":
                    raise self._broken(*where.of(buffer, position))
                position, expect_item = position + 1, True
                continue
            try:
                item, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as exc:
                failed_at = exc.pos - position  # where in the buffer once more() moved it
                if more():
                    continue
                raise self._broken(*where.of(buffer, failed_at)) from None
            if char in _NUMBER_START and not buffer[end:].strip(_NUMBER_CHARS) and not eof:
                more()  # the number may go on in the next chunk ("6." + "5"): parse it again
                continue
            yield item
            position, expect_item = end, False
        rest = buffer[position + 1 :] + handle.read(CHUNK_CHARS)
        if rest.strip(_WHITESPACE):
            extra = len(rest) - len(rest.lstrip(_WHITESPACE))
            raise self._broken(*where.of(buffer[: position + 1] + rest, position + 1 + extra))

    def _broken(self, line: int, column: int) -> UnreadableFileError:
        return unreadable(
            self.path,
            f"JSON 格式错误（第 {line} 行第 {column} 列）",
            f"malformed JSON (line {line}, column {column})",
        )


def wrapped_records(document: Any) -> Iterator[Any]:
    """The records of a parsed ``.json`` document that is not an array.

    An object wrapping a list of records (see the module docstring) gives one record per item,
    keyed by absolute paths with ``[*]`` for the list index; the rest of the document joins the
    first record. Anything else is one record.
    """
    found = record_list(document)
    if found is None:
        yield document
        return
    path, items = found
    envelope = _without(document, path)
    prefix = ".".join(path) + "[*]"
    for index, item in enumerate(items):
        row = flatten(item, prefix, {})
        if index == 0 and envelope:
            flatten(envelope, "", row)
        yield _Flat(row)


class _Flat(dict[str, str | None]):
    """A record already flattened to ``{path: text}`` (``record_row`` keeps it as it is)."""


def record_list(document: Any) -> tuple[list[str], list[Any]] | None:
    """The key path to the longest non-empty list of objects reached through objects only."""
    best: tuple[list[str], list[Any]] | None = None
    stack: list[tuple[list[str], Any]] = [([], document)] if isinstance(document, dict) else []
    while stack:
        path, node = stack.pop()
        for key, value in node.items():
            if isinstance(value, dict):
                stack.append(([*path, str(key)], value))
            elif (
                isinstance(value, list)
                and value
                and all(isinstance(v, dict) for v in value)
                and (best is None or len(value) > len(best[1]))
            ):
                best = ([*path, str(key)], value)
    return best


def _without(document: dict[str, Any], path: list[str]) -> dict[str, Any]:
    """``document`` without the list at ``path`` (copies only the objects along the path)."""
    head, *rest = path
    copy = dict(document)
    if rest:
        copy[head] = _without(copy[head], rest)
    else:
        del copy[head]
    return copy


class JsonLinesSource(_JsonTable):
    """A JSON Lines file: one record per non-empty line, broken lines skipped and counted."""

    def records(self, handle: IO[str]) -> Iterator[Any]:
        decoder = literal_decoder()
        for line in handle:
            text = line.strip(_WHITESPACE + "\ufeff")
            if not text:
                continue
            try:
                yield decoder.decode(text)
            except json.JSONDecodeError:
                yield _GAP  # counted by the caller


def open_json(path: Path, *, batch_rows: int = 65536) -> JsonSource:
    """Open a ``.json`` file (its encoding detected; empty or binary files refused)."""
    encoding, _ = detect_file_encoding(path)
    return JsonSource(path, encoding, batch_rows=batch_rows)


def open_jsonl(path: Path, *, batch_rows: int = 65536) -> JsonLinesSource:
    """Open a ``.jsonl``/``.ndjson`` file (its encoding detected; empty or binary files refused)."""
    encoding, _ = detect_file_encoding(path)
    return JsonLinesSource(path, encoding, batch_rows=batch_rows)
