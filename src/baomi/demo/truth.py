"""Ground truth for a generated data set: every PI span, in the shape of ``findings.jsonl``.

Span conventions (what a detector must report to match exactly):

* ``row``/``column``/``sheet`` follow DESIGN.md "Scan output": 0-based data row (header
  excluded) for tables, 0-based line for text, 0-based paragraph for .docx (body paragraphs,
  then table cells), record index and dotted path (``buyer.phone``) for JSON lines.
* ``start``/``end`` are offsets in the original cell or line, end exclusive.
* ``CN_MOBILE`` covers the number as written, including a ``+86-``/``(+86)`` prefix, spaces
  and dashes; ``BANK_CARD`` includes the spaces of a grouped number.
* ``PERSON_NAME``, ``ADDRESS`` and ``ORGANIZATION`` cover the whole name, address or company
  name (an address from the province to the room number).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ENTITIES: tuple[str, ...] = (
    "CN_RESIDENT_ID",
    "CN_MOBILE",
    "EMAIL",
    "BANK_CARD",
    "PERSON_NAME",
    "ADDRESS",
    "ORGANIZATION",
)


@dataclass(frozen=True, slots=True, order=True)
class TruthSpan:
    """One piece of PI in a generated file, keyed like a finding."""

    file: str
    sheet: str | None
    row: int
    column: str | None
    start: int
    end: int
    entity: str

    def key(self) -> tuple[str, str | None, int, str | None, int, int, str]:
        return (self.file, self.sheet, self.row, self.column, self.start, self.end, self.entity)


@dataclass(frozen=True, slots=True)
class ColumnFact:
    """A column that matters without identifiers: a decoy or a sensitive category."""

    file: str
    sheet: str | None
    column: str
    kind: str  # "decoy" or a GB/T 35273 category such as 健康生理信息
    note: str = ""


@dataclass(frozen=True, slots=True)
class DemoTruth:
    """What :func:`baomi.demo.generate_demo` wrote and where every piece of PI is."""

    root: Path
    seed: int
    rows: int
    files: tuple[str, ...]
    spans: tuple[TruthSpan, ...]
    columns: tuple[ColumnFact, ...] = ()
    individuals: int = 0  # distinct generated people whose PI appears anywhere (two guardians
    # of one name with no identifier are two here, one to any reader of the file: docs/scan.md)
    minors_under_14: int = 0  # health-survey respondents under 14 (PIPL-28, PIPL-31)
    encodings: dict[str, str] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        """Spans per entity."""
        return Counter(s.entity for s in self.spans)

    def spans_in(self, file: str) -> list[TruthSpan]:
        return [s for s in self.spans if s.file == file]

    def write_jsonl(self, path: Path) -> None:
        """One JSON object per span (the ``findings.jsonl`` keys, without ``score``)."""
        with path.open("w", encoding="utf-8") as f:
            for s in self.spans:
                f.write(json.dumps(asdict(s), ensure_ascii=False) + "\n")


class SpanText:
    """Builds a string piece by piece, recording the offsets of the PI pieces."""

    __slots__ = ("_len", "_parts", "others", "spans")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.spans: list[tuple[int, int, str]] = []
        #: the keys of people other than the text's subject that it names (a receiver)
        self.others: list[int] = []

    def add(self, text: str) -> SpanText:
        self._parts.append(text)
        self._len += len(text)
        return self

    def pi(self, text: str, entity: str) -> SpanText:
        self.spans.append((self._len, self._len + len(text), entity))
        return self.add(text)

    @property
    def text(self) -> str:
        return "".join(self._parts)
