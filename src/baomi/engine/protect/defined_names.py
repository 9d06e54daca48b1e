"""A workbook's defined names, protected (:func:`protect_defined_names`).

A defined name (Formulas → Name Manager) can hold a constant instead of a reference — a
customer's mobile (``"13812345678"``), a person's name (``="张三"``), a list (``{"…","…"}``) —
which openpyxl writes back as it was: ``--verify`` found it and failed the package. Each
string or number literal of a constant (``readers/xlsx_parts.py`` ``constant_literals``) is
protected as a cell's text is, the name as its header (context, as the scan reads it); a
number that no longer reads as one is written as a string. References and formulas
(``Sheet1!$A$1``, ``SUM(…)``) are left as they are.
"""

from __future__ import annotations

import re
from typing import Any

from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.texts import _protect_text, unit_findings
from baomi.engine.readers.xlsx_parts import NAME_COLUMN, constant_literals, literal_text

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _names(wb: Any) -> list[tuple[str, Any]]:
    """(column the scan reads it under, defined name) of each of ``wb``'s defined names: the
    workbook's, then each worksheet's own (``客户!经办``)."""
    found = [(NAME_COLUMN.format(n), d) for n, d in wb.defined_names.items()]
    for ws in wb.worksheets:
        found += [(NAME_COLUMN.format(f"{ws.title}!{n}"), d) for n, d in ws.defined_names.items()]
    return found


def _literal(old: str, new: str) -> str:
    """``new`` written as a literal in ``old``'s place: a number again where it reads as one,
    else a string."""
    if not old.startswith('"') and _NUMBER.fullmatch(new):
        return new
    return '"' + new.replace('"', '""') + '"'


def _protect_value(run: ProtectRun, column: str, value: str) -> str:
    spans = constant_literals(value) or []
    texts = [literal_text(value[a:b]) for a, b in spans]
    found = unit_findings(run, texts, column) if texts else {}
    out, at = [], 0
    for k, (a, b) in enumerate(spans):
        if k not in found:
            continue
        new = _protect_text(run, texts[k], findings=found[k], in_table=True)[0]
        if new != texts[k]:
            out += [value[at:a], _literal(value[a:b], new)]
            at = b
    return "".join(out) + value[at:] if out else value


def protect_defined_names(run: ProtectRun, wb: Any) -> int:
    """Protect the constants of ``wb``'s defined names in place (module docstring); how many
    names changed."""
    changed = 0
    for column, name in _names(wb):
        value = name.attr_text
        if not isinstance(value, str) or constant_literals(value) is None:
            continue
        new = _protect_value(run, column, value)
        if new != value:
            name.attr_text = new
            changed += 1
    return changed
