"""Names taken from a file's data (column headers, JSON paths, sheet names) as the outputs show
them: an identifier in a name is masked by the display convention (:mod:`baomi.engine.masking`),
never written raw."""

from __future__ import annotations

from collections.abc import Sequence

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
    # right to left within a text, so that earlier offsets stay valid
    for i, start, end, entity in sorted(
        found.select("idx", "start", "end", "entity").iter_rows(), key=lambda f: (f[0], -f[1])
    ):
        text = out[i]
        out[i] = text[:start] + mask_value(text[start:end], entity) + text[end:]
    return out


class Names:
    """The one place where names taken from a file's data — column headers, JSON paths, sheet
    names — become the names the outputs show (inventory.json, findings.jsonl with its
    ``--explain`` pattern and context, the console): an identifier in a name is masked
    (``13812345678.name`` → ``138****5678.name``), never written raw. Two names that mask
    alike stay apart (``name (2)``); each distinct name is analysed once per file."""

    def __init__(self, recognizers: Sequence[Recognizer]) -> None:
        self.recognizers = recognizers
        self.sheets: dict[str | None, str | None] = {}
        self.columns: dict[str | None, dict[str, str]] = {}  # per output sheet: raw → shown
        self.used: dict[str | None, set[str]] = {}

    def _assign(self, table: dict[str, str], used: set[str], raw: list[str]) -> None:
        for name, shown in zip(raw, mask_identifiers(raw, self.recognizers), strict=True):
            base, copy = shown, 1
            while shown in used:
                copy += 1
                shown = f"{base} ({copy})"
            used.add(shown)
            table[name] = shown

    def sheet(self, sheet: str | None) -> str | None:
        if sheet is None:
            return None
        if sheet not in self.sheets:
            table: dict[str, str] = {}
            used = {s for s in self.sheets.values() if s is not None}
            self._assign(table, used, [sheet])
            self.sheets[sheet] = table[sheet]
        return self.sheets[sheet]

    def frame(self, sheet: str | None, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with its columns renamed as shown (``sheet``: the shown sheet name)."""
        table = self.columns.setdefault(sheet, {})
        new = [c for c in frame.columns if c not in table]
        if new:
            self._assign(table, self.used.setdefault(sheet, set()), new)
        if all(table[c] == c for c in frame.columns):
            return frame
        return frame.rename({c: table[c] for c in frame.columns})


__all__ = ["NAME_ENTITIES", "Names", "mask_identifiers"]
