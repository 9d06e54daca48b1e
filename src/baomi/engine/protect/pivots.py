"""A workbook's pivot caches, protected (:func:`protect_pivot_caches`).

A pivot table keeps a copy of its source data in the workbook (``xl/pivotCache/``): every
distinct value of each field (``sharedItems``) and the records, with who last refreshed it.
openpyxl carries the caches through as they were, so a package whose sheets were masked still
held each customer's name and mobile there. Each cache field's texts are protected as a column
of that name (its header as context); a number that holds an identifier (a mobile typed as a
number) becomes its masked text, the field's number range (``minValue``/``maxValue``, which
would show it) dropped. Indices stay as they are, so the pivot table still reads its cache.
"""

from __future__ import annotations

from typing import Any

from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.texts import _protect_text, unit_findings


def _caches(wb: Any) -> list[Any]:
    """The workbook's pivot caches, each once (pivot tables may share one)."""
    seen: dict[int, Any] = {}
    for ws in wb.worksheets:
        for pivot in getattr(ws, "_pivots", ()):
            if pivot.cache is not None:
                seen.setdefault(id(pivot.cache), pivot.cache)
    return list(seen.values())


def _written(value: Any) -> str:
    """A cache number as Excel writes it (``13812345678``, ``1.5``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _items(cache: Any, field: int) -> list[tuple[Any, int]]:
    """(container, index) of each text or number value of cache field ``field``: its shared
    items, then the records' inline values (a record holds one value per field, in order)."""
    found: list[tuple[Any, int]] = []
    shared = cache.cacheFields[field].sharedItems
    if shared is not None:
        found += [(shared, i) for i in range(len(shared._fields))]
    records = getattr(cache, "records", None)
    for record in getattr(records, "r", None) or ():
        if field < len(record._fields):
            found.append((record, field))
    return [
        (c, i)
        for c, i in found
        if type(c._fields[i]).__name__ in ("Text", "Number") and c._fields[i].v is not None
    ]


def _protect_field(run: ProtectRun, cache: Any, field: int) -> int:
    from openpyxl.pivot.fields import Number, Text

    items = _items(cache, field)
    if not items:
        return 0
    texts = [v if isinstance(v := c._fields[i].v, str) else _written(v) for c, i in items]
    found = unit_findings(run, texts, cache.cacheFields[field].name)
    changed = 0
    numbers_changed = False
    for k, findings in found.items():
        new = _protect_text(run, texts[k], findings=findings, in_table=True)[0]
        if new == texts[k]:
            continue
        container, i = items[k]
        item = container._fields[i]
        if isinstance(item, Number):
            numbers_changed = True
            item = Text(v=new)
        else:
            item.v = new
        fields = list(container._fields)
        fields[i] = item
        container._fields = fields
        changed += 1
    shared = cache.cacheFields[field].sharedItems
    if numbers_changed and shared is not None:
        shared.minValue = shared.maxValue = None
        shared.containsString = True
        left = any(isinstance(x, Number) for x in shared._fields)
        shared.containsMixedTypes = True if left else None
        shared.containsNumber = shared.containsInteger = True if left else None
        shared.containsSemiMixedTypes = None
    return changed


def protect_pivot_caches(run: ProtectRun, wb: Any) -> int:
    """Protect every pivot cache of ``wb`` in place (module docstring); how many values
    changed. Who last refreshed a cache is a person, and is left out (not counted)."""
    changed = 0
    for cache in _caches(wb):
        cache.refreshedBy = None
        for field in range(len(cache.cacheFields)):
            changed += _protect_field(run, cache, field)
    return changed
