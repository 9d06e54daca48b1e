"""One line of ``findings.jsonl`` (DESIGN.md "Scan output"): where a finding is, never its value.

:class:`baomi.engine.types.Finding` is the in-memory finding, with the canonical value; this
record is what the scan writes: a file, a position, an entity and a score. Its version is the
inventory's (``inventory.json`` ``version``), written beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from baomi.engine.contracts.layout import FLATTEN, OMIT_NONE


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingExplanation:
    """Why the span was flagged (``--explain``); ``context`` is null when no word helped."""

    recognizer: str
    pattern: str
    validation: str
    context: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingRecord:
    """``row``: 0-based data row, line, paragraph, page or record; ``column``: the header or JSON
    path (null in text); ``sheet``: the Excel sheet (else null); ``start``/``end``: character
    offsets in the original cell or line, end exclusive; ``key``: a database row's primary key
    (``{"id": 42}``, ``row`` being the row's position in key order), written last and left out
    for files, for a table without a primary key and when a key column holds PI."""

    file: str
    sheet: str | None
    row: int
    column: str | None
    start: int
    end: int
    entity: str
    score: float
    #: Written as four more keys after ``score`` with ``--explain``, absent otherwise.
    explanation: FindingExplanation | None = field(default=None, metadata=FLATTEN)
    key: Mapping[str, int | str] | None = field(default=None, metadata=OMIT_NONE)


#: The keys of a finding, in the order written (DESIGN.md); ``--explain``'s and a database
#: row's ``key`` come after them.
FINDING_KEYS: tuple[str, ...] = tuple(
    f.name for f in fields(FindingRecord) if f.name not in ("explanation", "key")
)
#: The keys ``--explain`` adds after them.
EXPLAIN_KEYS: tuple[str, ...] = tuple(f.name for f in fields(FindingExplanation))
