"""Names as the outputs show them, with no identifier in the clear.

The one place where names are rewritten: :func:`replace_spans` (the identifiers found in a name
replaced) and :class:`UniqueNames` (two names that come out alike kept apart) serve the scan's
names taken from a file's data — column headers, JSON paths, sheet names, masked by the display
convention (:mod:`baomi.engine.masking`, :class:`Names`) — and protect's file and folder names
(replaced by the policy's operators, :mod:`baomi.engine.protect.names`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from baomi.engine.analyzer import DEFAULT_THRESHOLD
from baomi.engine.batch import analyze_column
from baomi.engine.entities import ENTITIES
from baomi.engine.masking import mask_value
from baomi.engine.recognizers.base import Recognizer

MIN_IDENTIFIER_DIGITS = 7
#: Entities masked where they appear in a column name, JSON path or sheet name (:class:`Names`).
NAME_ENTITIES = frozenset(e for e, info in ENTITIES.items() if info.identifier) | {"CN_LANDLINE"}


def mask_identifiers(texts: Sequence[str], recognizers: Sequence[Recognizer]) -> list[str]:
    """``texts`` with every identifier found in them masked by the display convention of the
    ``mask`` operator (``138****5678``, ``110101********1233``, ``z***@example.com``)."""
    out = list(texts)
    # every identifier masked here holds 7 digits or more (a passport: a letter and 7 or 8;
    # full-width digits count) or an @: most names are left at once
    idx = [
        i
        for i, t in enumerate(out)
        if "@" in t or "＠" in t or sum(c.isdigit() for c in t) >= MIN_IDENTIFIER_DIGITS
    ]
    if not idx:
        return out
    found = analyze_column(
        pl.Series([out[i] for i in idx], dtype=pl.String), recognizers, DEFAULT_THRESHOLD
    )
    if found.height == 0:
        return out
    found = found.with_columns(idx=pl.Series(idx, dtype=pl.Int64).gather(found.get_column("idx")))
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for i, start, end, entity in found.select("idx", "start", "end", "entity").iter_rows():
        spans.setdefault(i, []).append((start, end, mask_value(out[i][start:end], entity)))
    for i, edits in spans.items():
        out[i] = replace_spans(out[i], edits)
    return out


def replace_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` span replaced (the spans do not overlap)."""
    parts: list[str] = []
    pos = 0
    for start, end, new in sorted(spans, key=lambda span: span[0]):
        parts += (text[pos:start], new)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


class UniqueNames:
    """Names handed out once each: a name already handed out gets ``mark`` numbered 2, 3 …
    (``" ({})"``: ``name (2)``; ``"~{}"``: ``客户~2.csv``) before its ``suffix``."""

    def __init__(self, mark: str) -> None:
        self.mark = mark
        self.used: set[str] = set()

    def claim(self, name: str, suffix: str = "") -> str:
        stem, shown, copy = name[: len(name) - len(suffix)], name, 1
        while shown in self.used:
            copy += 1
            shown = stem + self.mark.format(copy) + suffix
        self.used.add(shown)
        return shown


class Names:
    """The one place where names taken from a file's data — column headers, JSON paths, sheet
    names — become the names the outputs show (inventory.json, findings.jsonl with its
    ``--explain`` pattern and context, the console): an identifier in a name is masked
    (``13812345678.name`` → ``138****5678.name``), never written raw. Two names that mask
    alike stay apart (``name (2)``); each distinct name is analysed once per file."""

    def __init__(self, recognizers: Sequence[Recognizer]) -> None:
        self.recognizers = recognizers
        self.sheets: dict[str, str] = {}
        self.sheet_names = UniqueNames(" ({})")
        self.columns: dict[str | None, dict[str, str]] = {}  # per output sheet: raw → shown
        self.used: dict[str | None, UniqueNames] = {}

    def _assign(self, table: dict[str, str], used: UniqueNames, raw: list[str]) -> None:
        for name, shown in zip(raw, mask_identifiers(raw, self.recognizers), strict=True):
            table[name] = used.claim(shown)

    def sheet(self, sheet: str | None) -> str | None:
        if sheet is None:
            return None
        if sheet not in self.sheets:
            self._assign(self.sheets, self.sheet_names, [sheet])
        return self.sheets[sheet]

    def frame(self, sheet: str | None, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with its columns renamed as shown (``sheet``: the shown sheet name)."""
        table = self.columns.setdefault(sheet, {})
        new = [c for c in frame.columns if c not in table]
        if new:
            self._assign(table, self.used.setdefault(sheet, UniqueNames(" ({})")), new)
        if all(table[c] == c for c in frame.columns):
            return frame
        return frame.rename({c: table[c] for c in frame.columns})

    def shown(self, sheet: str | None, column: str) -> str | None:
        """The name :meth:`frame` gave ``column`` (a name as its reader gave it) of ``sheet``
        (the shown sheet name); ``None`` when no frame had it."""
        return self.columns.get(sheet, {}).get(column)


__all__ = ["NAME_ENTITIES", "Names", "UniqueNames", "mask_identifiers", "replace_spans"]
