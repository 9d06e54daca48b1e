"""Generalisation hierarchies: ARX's CSV format and built-in ones for numbers, dates, addresses.

ARX format: one row per original value, ``;``-separated levels from the value itself (level 0)
to the most general (usually ``*``). Built-in hierarchies are derived from the values of a
column when a policy declares a quasi-identifier without a hierarchy file: numbers → ranges,
dates → month → year → decade, addresses → district → city → province (GB/T 2260 divisions),
anything else → ``*``. GB/T 37964-2019 Annex A: generalisation (rounding, top/bottom coding).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from baomi.engine import divisions
from baomi.errors import InputError
from baomi.i18n import os_reason, tr

SUPPRESSED = "*"
_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?\s*$")
_DATE8 = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")


def parse_date(value: str) -> _dt.date | None:
    """A date written as ``1990-05-17``, ``1990/5/17``, ``1990年5月17日`` or ``19900517``."""
    m = _DATE.match(value) or _DATE8.match(value)
    if m is None:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def number_range(x: float, width: int) -> str:
    """``30-39`` for integers with width 10; ``[2.5, 5.0)`` style for fractions."""
    lo = (x // width) * width
    if float(x).is_integer():
        return f"{int(lo)}-{int(lo) + width - 1}"
    return f"[{lo:g}, {lo + width:g})"


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Levels of generalisation per original value; ``height`` counts the levels incl. 0."""

    name: str
    rows: dict[str, tuple[str, ...]]
    height: int

    @classmethod
    def from_rows(cls, name: str, rows: Iterable[Sequence[str]]) -> Hierarchy:
        table: dict[str, tuple[str, ...]] = {}
        height = 0
        for row in rows:
            cells = tuple(c.strip() for c in row)
            if not cells or (not cells[0] and len(cells) == 1):
                continue
            height = max(height, len(cells))
            table[cells[0]] = cells
        if not table:
            raise InputError(f"hierarchy {name}: no rows")
        # pad short rows with the most general value so every value has every level
        padded = {k: v + (v[-1],) * (height - len(v)) for k, v in table.items()}
        return cls(name, padded, height)

    @classmethod
    def from_csv(cls, path: str | Path, base_dir: str | Path = ".") -> Hierarchy:
        p = Path(path)
        if not p.is_absolute():
            p = Path(base_dir) / p
        try:
            text = p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            reason = os_reason(exc)
            raise InputError(
                tr(
                    f"无法读取层级文件 {p.name}：{reason}",
                    f"cannot read the hierarchy file {p.name}: {reason}",
                )
            ) from None
        return cls.from_rows(p.name, (line.split(";") for line in text.splitlines() if line))

    def generalize(self, value: str, level: int) -> str:
        """``value`` at ``level`` (0 = unchanged); a value missing from the table → ``*``."""
        if level <= 0:
            return value
        row = self.rows.get(value.strip())
        if row is None:
            return SUPPRESSED
        return row[min(level, self.height - 1)]

    def extend(self, values: Iterable[str]) -> Hierarchy:
        """The same hierarchy with missing values mapped to ``*`` above level 0."""
        missing = [v for v in values if v not in self.rows]
        if not missing:
            return self
        rows = dict(self.rows)
        for v in missing:
            rows[v] = (v,) + (SUPPRESSED,) * (self.height - 1)
        return Hierarchy(self.name, rows, self.height)


def _numeric_rows(values: Sequence[str]) -> list[tuple[str, ...]]:
    nums = [float(v) for v in values]
    span = (max(nums) - min(nums)) if nums else 0
    widths = [w for w in (5, 10, 20, 50, 100, 1000, 10000, 100000) if w <= max(span, 5)]
    widths = widths[:4] or [5]
    return [
        (v, *(number_range(x, w) for w in widths), SUPPRESSED)
        for v, x in zip(values, nums, strict=True)
    ]


def _date_rows(values: Sequence[str]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for v in values:
        d = parse_date(v)
        assert d is not None
        decade = d.year - d.year % 10
        rows.append(
            (v, f"{d.year}-{d.month:02d}", str(d.year), f"{decade}-{decade + 9}", SUPPRESSED)
        )
    return rows


def _address_rows(values: Sequence[str]) -> list[tuple[str, ...]] | None:
    rows: list[tuple[str, ...]] = []
    for v in values:
        div = divisions.parse(v)
        if div is None:
            return None
        district = div.province + div.city + div.district
        rows.append((v, district, div.province + div.city, div.province, SUPPRESSED))
    return rows


def build_hierarchy(name: str, values: Iterable[str]) -> Hierarchy:
    """A hierarchy for a column without a file, chosen by the shape of its values."""
    distinct = sorted({v.strip() for v in values if v is not None and v.strip()})
    rows: list[tuple[str, ...]] | None = None
    if distinct and all(_NUMBER.match(v) for v in distinct):
        rows = _numeric_rows(distinct)
    elif distinct and all(parse_date(v) for v in distinct):
        rows = _date_rows(distinct)
    elif distinct and sum(len(v) > 4 for v in distinct) > len(distinct) / 2:
        rows = _address_rows(distinct)
    if rows is None:
        rows = [(v, SUPPRESSED) for v in distinct]
    rows.append(("", *([""] * (len(rows[0]) - 1 if rows else 1))))  # empty stays empty
    return Hierarchy.from_rows(name, rows)
