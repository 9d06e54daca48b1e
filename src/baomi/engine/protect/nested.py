"""A Parquet file's nested columns (structs, lists), protected leaf by leaf
(:func:`protect_nested`; a name under a field that names a person, ``订单[].收货人``, too:
``texts.labelled_findings``); the flat columns are a table's (``tables.py``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from baomi.engine.protect.roundtrip import Document
from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.texts import _protect_text, labelled_findings


def _leaves(value: Any, label: str, found: dict[str, list[tuple[Any, Any]]]) -> None:
    """Put in ``found`` (label → (container, key)) the text and whole-number leaves of a
    nested Parquet value: a struct's fields under ``label.field``, a list's items under
    ``label[]``."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        below = f"{label}.{key}" if isinstance(value, dict) else f"{label}[]"
        if isinstance(item, dict | list):
            _leaves(item, below, found)
        elif isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool)):
            found.setdefault(below, []).append((value, key))


def protect_nested(run: ProtectRun, doc: Document) -> int:
    """Protect the nested columns of a Parquet file (structs, lists: the scan reads each
    value as JSON text) leaf by leaf, each text under its path (``联系.手机``,
    ``历史号码[]``) as a column's cell; a number leaf that holds an identifier cannot hold
    the masked form and is left out (null). How many leaves changed."""
    original: pl.DataFrame = doc.state
    changed = 0
    for name, kind in original.schema.items():
        if not isinstance(kind, pl.List | pl.Struct | pl.Array):
            continue
        values = original[name].to_list()
        found: dict[str, list[tuple[Any, Any]]] = {}
        for value in values:
            if value is not None:
                _leaves(value, name, found)
        touched = 0
        for label, slots in found.items():
            texts = [str(c[k]) for c, k in slots]
            for i, findings in labelled_findings(run, texts, label).items():
                new = _protect_text(run, texts[i], findings=findings, in_table=True)[0]
                if new != texts[i]:
                    container, key = slots[i]
                    container[key] = new if isinstance(container[key], str) else None
                    touched += 1
        if touched:
            original = original.with_columns(pl.Series(name, values, dtype=kind))
            changed += touched
    doc.state = original
    return changed
