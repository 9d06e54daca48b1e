"""A column that repeats its values is scanned once per distinct value and the findings
copied to the cells holding it (``baomi.engine.cells.column_findings``): the same findings,
cell by cell and in the same order within a cell, as scanning every cell."""

from __future__ import annotations

import random

import polars as pl
import pytest

from baomi.demo.people import PersonFactory
from baomi.engine import cells as cells_mod
from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.cells import CellRecognizers, column_findings
from baomi.engine.columns import ColumnPlan
from baomi.engine.recognizers.registry import Registry


def _values(seed: int) -> list[str | None]:
    people = PersonFactory(seed)
    persons = [people.person() for _ in range(40)]
    return [
        None,
        "",
        "  ",
        "经理",
        "客户经理，手机13812345678",
        "ＡＢＣ大厦3楼",
        *(p.mobile for p in persons),
        *(p.address for p in persons[:10]),
        *(p.name for p in persons[:10]),
        *(f"{p.name} 电话{p.mobile}" for p in persons[:10]),
        *(p.resident_id for p in persons[:10]),
    ]


def _column(seed: int, n: int) -> pl.Series:
    rng = random.Random(seed)
    values = _values(seed)
    return pl.Series("备注", [rng.choice(values) for _ in range(n)], dtype=pl.String)


def _sorted(found: pl.DataFrame) -> pl.DataFrame:
    return found.with_row_index("_pos").sort("idx", "_pos").drop("_pos")


@pytest.mark.parametrize(
    "plan",
    [
        ColumnPlan(name="备注", mode="text"),
        ColumnPlan(name="职务", mode="skip"),
        ColumnPlan(name="联系电话", mode="entity", entity="CN_MOBILE"),
        ColumnPlan(name="通讯地址", mode="entity", entity="ADDRESS"),
        ColumnPlan(name="客户姓名", mode="entity", entity="PERSON_NAME"),
    ],
)
def test_value_by_value_is_cell_by_cell(plan: ColumnPlan, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = CellRecognizers.of(TextAnalyzer(Registry.default().without_models()))
    column = _column(11, 3 * cells_mod.DISTINCT_SAMPLE)
    by_value = column_findings(plan, column, rec)
    assert by_value.height
    monkeypatch.setattr(cells_mod, "DISTINCT_SHARE", 0.0)  # every cell analysed
    by_cell = column_findings(plan, column, rec)
    # a cell's findings in the same order; cells may come in another order
    assert _sorted(by_value).equals(_sorted(by_cell))


def test_a_column_of_distinct_values_is_scanned_cell_by_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = cells_mod._findings

    def spy(plan: ColumnPlan, cells: pl.Series, rec: CellRecognizers) -> pl.DataFrame:
        calls.append(len(cells))
        return real(plan, cells, rec)

    monkeypatch.setattr(cells_mod, "_findings", spy)
    rec = CellRecognizers.of(TextAnalyzer(Registry.default().without_models()))
    plan = ColumnPlan(name="备注", mode="text")
    n = 2 * cells_mod.DISTINCT_SAMPLE
    column_findings(plan, pl.Series([f"编号{i}" for i in range(n)]), rec)
    column_findings(plan, _column(3, n), rec)
    assert calls[0] == n and calls[1] < n // 10
