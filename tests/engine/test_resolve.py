"""Overlapping findings resolved per cell (:func:`baomi.engine.batch._resolve`) as the rule
says — the best kept, what overlaps it dropped, again — checked against that rule written
plainly, on random spans: many cells of a few findings, and one cell of thousands (a long
line, resolved per cluster of overlaps rather than round by round over the whole cell)."""

from __future__ import annotations

import random

import polars as pl
import pytest

from baomi.engine.batch import _SCHEMA, _resolve
from baomi.engine.recognizers.base import SOFT_ENTITIES

ENTITIES = ["CN_MOBILE", "EMAIL", "PERSON_NAME", "ADDRESS", "CN_RESIDENT_ID", "ORGANIZATION"]


def _plain(rows: list[tuple[int, int, int, str, float, int]]) -> list[tuple[int, int, int]]:
    """The rule: per cell, in order of identifiers before soft entities, higher score, longer,
    earlier, registry order — each kept unless it overlaps one kept before."""
    kept: list[tuple[int, int, int]] = []
    by_cell: dict[int, list[tuple[int, int, int, str, float, int]]] = {}
    for row in rows:
        by_cell.setdefault(row[0], []).append(row)
    for idx, found in by_cell.items():
        found.sort(key=lambda r: (r[3] in SOFT_ENTITIES, -r[4], -(r[2] - r[1]), r[1], r[5]))
        chosen: list[tuple[int, int]] = []
        for _, start, end, *_rest in found:
            if all(end <= s or e <= start for s, e in chosen):
                chosen.append((start, end))
        kept += [(idx, s, e) for s, e in chosen]
    return sorted(kept)


def _frame(rows: list[tuple[int, int, int, str, float, int]]) -> pl.DataFrame:
    n = len(rows)
    return pl.DataFrame(
        {
            "idx": [r[0] for r in rows],
            "start": [r[1] for r in rows],
            "end": [r[2] for r in rows],
            "entity": [r[3] for r in rows],
            "score": [r[4] for r in rows],
            "recognizer": ["R"] * n,
            "pattern": ["p"] * n,
            "validation": ["unknown"] * n,
            "context": [None] * n,
            "value": ["v"] * n,
            "rank": [r[5] for r in rows],
        },
        schema=_SCHEMA,
    ).sort("idx", "start")


@pytest.mark.parametrize(("cells", "per_cell", "width"), [(300, 8, 40), (1, 4000, 30_000)])
def test_resolved_as_the_rule_says(cells: int, per_cell: int, width: int) -> None:
    rng = random.Random(cells)
    rows = []
    for idx in range(cells):
        for _ in range(rng.randint(0, per_cell)):
            start = rng.randrange(width)
            end = start + rng.randint(1, 12)
            rows.append(
                (
                    idx,
                    start,
                    end,
                    rng.choice(ENTITIES),
                    rng.choice([0.5, 0.85, 0.99]),
                    rng.randrange(3),
                )
            )
    got = _resolve(_frame(rows)).select("idx", "start", "end").rows()
    assert got == _plain(rows)
    assert got == sorted(got)  # by cell and start
