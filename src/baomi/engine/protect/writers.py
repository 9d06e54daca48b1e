"""Round-trip documents: read a file into tables or text units, write it back in the same
format and encoding with only the protected values changed.

Tables: CSV/TSV (encoding, BOM, delimiter, quote and line ending kept), XLSX (cells edited in
place: formatting, widths and other sheets kept), JSON / JSON Lines (records flattened to dotted
paths, untouched values keep their JSON type), Parquet (untouched columns keep their type).
Text: TXT (line endings kept) and DOCX (runs edited in place: formatting kept; body paragraphs,
table cells, headers and footers in document order, as the readers number them).

This module is the entry point (``load``, the savers by format); the document and its encoding
helpers are in ``roundtrip.py``, the formats in ``table_formats.py`` and ``text_formats.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from baomi.engine.protect import table_formats, text_formats
from baomi.engine.protect.roundtrip import (
    CONVERTED,
    INPUT_SUFFIXES,
    SAVERS,
    SUFFIXES,
    TABLE_SUFFIXES,
    TEXT_SUFFIXES,
    Document,
    Table,
    encode_text,
    output_encoding,
)
from baomi.engine.protect.text_formats import replace_in_runs
from baomi.engine.readers.base import unreadable
from baomi.engine.readers.xlsx_extras import read_size_codes

__all__ = [
    "CONVERTED",
    "INPUT_SUFFIXES",
    "SUFFIXES",
    "TABLE_SUFFIXES",
    "TEXT_SUFFIXES",
    "Document",
    "Table",
    "encode_text",
    "load",
    "output_encoding",
    "replace_in_runs",
]


def _fmt(path: Path) -> str:
    suffix = path.suffix.lower()
    return {
        ".csv": "csv",
        ".tsv": "csv",
        ".xlsx": "xlsx",
        ".xls": "xls",
        ".json": "json",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".parquet": "parquet",
        ".docx": "docx",
        ".doc": "doc",
    }.get(suffix, "txt")


def load(path: Path) -> Document:
    """Read ``path`` for protection (read-only; the input is never modified)."""
    fmt = _fmt(path)
    if path.stat().st_size == 0:  # as the scan says it, whatever the format would make of it
        raise unreadable(path, "空文件", "empty file")
    if fmt == "xlsx":
        read_size_codes()  # a page header's font size, read as the scan reads it
    return _LOADERS[fmt](path, fmt)


_LOADERS: dict[str, Callable[[Path, str], Document]] = {
    "csv": table_formats.load_csv,
    "xlsx": table_formats.load_xlsx,
    "xls": table_formats.load_xls,  # written as an .xlsx (Document.source_format)
    "json": table_formats.load_json,
    "jsonl": table_formats.load_json,
    "parquet": table_formats.load_parquet,
    "txt": text_formats.load_txt,
    "docx": text_formats.load_docx,
    "doc": text_formats.load_doc,  # written as a .docx (Document.source_format)
}
_SAVERS = SAVERS  # one dict: Document.save looks a format up there
_SAVERS.update(
    {
        "csv": table_formats.save_csv,
        "xlsx": table_formats.save_xlsx,
        "json": table_formats.save_json,
        "jsonl": table_formats.save_json,
        "parquet": table_formats.save_parquet,
        "txt": text_formats.save_txt,
        "docx": text_formats.save_docx,
    }
)
