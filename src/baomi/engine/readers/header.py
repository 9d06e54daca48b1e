"""Is the first row of a table its header, or already a record?

Raw exports often have no header row. Taking their first record as the header would lose that
record's PI and turn its values into column names, which reach every output. A first row one of
whose cells is, whole, a *validated* identifier is a record: the readers then name the columns
``column_<n>`` (1-based, as blank headers are named) and read the row as data row 0.

The identifiers (:data:`RECORD_ENTITIES`) are found by the registry's built-in recognizers
(``BUILTIN_RECOGNIZERS``, the one list of them) and accepted only where their check passes — a
header never holds one:

* resident ID — GB 11643-1999 check character, province and birth date;
* mobile — an allocated prefix (PIPL-RULES §6 MOB-1);
* e-mail — RFC 5321 syntax;
* bank card — the Luhn check digit (ISO/IEC 7812-1), and not a valid resident ID.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from baomi.engine.checksums import is_luhn_valid
from baomi.engine.recognizers.base import Recognizer
from baomi.engine.types import Finding, Validation

#: No identifier cell is longer (an e-mail address: 64 + 1 + 255 characters, RFC 5321).
MAX_IDENTIFIER = 320


#: The identifiers whose validated presence makes a first row a record.
RECORD_ENTITIES = frozenset({"CN_RESIDENT_ID", "CN_MOBILE", "EMAIL", "BANK_CARD"})


@cache
def _recognizers() -> tuple[Recognizer, ...]:
    from baomi.engine.recognizers.registry import Registry

    return tuple(Registry.builtins(RECORD_ENTITIES))


def _validated(f: Finding) -> bool:
    if f.entity == "BANK_CARD":
        return is_luhn_valid(f.value)
    if f.entity == "CN_RESIDENT_ID":
        return f.explanation.validation is Validation.CONFIRMED
    return f.explanation.validation is not Validation.REJECTED


def is_record(cells: Sequence[str | None]) -> bool:
    """True when a cell of ``cells`` (a table's first non-empty row) is, whole, a validated
    identifier: the row is a record, and the table has no header row."""
    for cell in cells:
        text = (cell or "").strip()
        if not text or len(text) > MAX_IDENTIFIER:
            continue
        for r in _recognizers():
            if any(f.start == 0 and f.end == len(text) and _validated(f) for f in r.analyze(text)):
                return True
    return False


__all__ = ["is_record"]
