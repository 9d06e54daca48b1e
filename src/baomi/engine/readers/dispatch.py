"""``open_source``: pick the reader for a file by its suffix.

``READERS`` is the single source of truth: suffix → ``"module:function"``, imported only when a
file of that kind is opened. Every reader function takes ``(path, *, batch_rows)`` and returns a
``Source``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from baomi.engine.readers.base import Source, unreadable

READERS: dict[str, str] = {
    ".csv": "baomi.engine.readers.csv:open_csv",
    ".tsv": "baomi.engine.readers.csv:open_csv",
    ".xlsx": "baomi.engine.readers.xlsx:open_xlsx",
    ".xlsm": "baomi.engine.readers.xlsx:open_xlsx",
    ".xls": "baomi.engine.readers.xls:open_xls",
    ".json": "baomi.engine.readers.json:open_json",
    ".jsonl": "baomi.engine.readers.json:open_jsonl",
    ".ndjson": "baomi.engine.readers.json:open_jsonl",
    ".parquet": "baomi.engine.readers.parquet:open_parquet",
    ".txt": "baomi.engine.readers.text:open_text",
    ".log": "baomi.engine.readers.text:open_text",
    ".md": "baomi.engine.readers.text:open_text",
    ".docx": "baomi.engine.readers.docx:open_docx",
    ".doc": "baomi.engine.readers.doc:open_doc",
    ".pdf": "baomi.engine.readers.pdf:open_pdf",
}

Opener = Callable[..., Source]


def reader_for(path: Path) -> Opener:
    """The reader function for ``path``'s suffix; ``UnreadableFileError`` when there is none."""
    target = READERS.get(path.suffix.lower())
    if target is None:
        raise unreadable(path, "不支持的文件类型", "unsupported file type")
    module_name, _, function = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise unreadable(
            path, "此类文件的读取器尚不可用", "no reader installed for this file type"
        ) from None
    return cast(Opener, getattr(module, function))


def open_source(path: Path, *, batch_rows: int = 65536) -> Source:
    """Open ``path`` read-only with the reader for its suffix."""
    if batch_rows < 1:
        raise ValueError("batch_rows must be positive")
    opener = reader_for(path)
    if not path.is_file():
        raise unreadable(path, "不是可读的文件", "not a readable file")
    return opener(path, batch_rows=batch_rows)
