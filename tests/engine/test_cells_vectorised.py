"""The vectorised paths of issue 17 give the same findings, byte for byte, as the value-by-value
ones: a column's address cells classified in Polars (demo addresses, Faker zh_CN addresses with
a space before the postcode and invented cities, and the cells left to Python: ``中国``, a
province short form, divisions alone, full-width forms, blanks at either end, U+001C), and
birth dates validated in Polars."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from faker import Faker

from baomi.demo.people import PersonFactory
from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.cells import CellRecognizers, column_findings
from baomi.engine.columns import ColumnPlan
from baomi.engine.recognizers.base import PatternRecognizer
from baomi.engine.recognizers.cn.address import AddressRecognizer
from baomi.engine.recognizers.generic.date_of_birth import DateOfBirthRecognizer
from baomi.engine.recognizers.registry import Registry

EDGE_CELLS = [
    "中国上海市浦东新区世纪大道100号",
    "广东深圳南山区科技园",
    "北京市朝阳区",
    "上海市浦东新区",
    "浙江省杭州市西湖区文三路４７８号",
    " 江苏省南京市鼓楼区中山路1号",
    "江苏省南京市鼓楼区中山路1号 ",
    "江苏省南京市\x1c鼓楼区中山路1号",
    "人民路12号",
    "人民路12号，三楼",
    "备注：客户住上海市浦东新区",
    "上海",
    "无",
    "ＡＢＣ大厦3楼",
    "湖北省武汉市洪山区珞喻路1037号 430074",
    "四川省成都市",
    "四川省成都市锦江区春熙路",
    "香港特别行政区中西区皇后大道中99号",
]


def _cells(n: int) -> list[str]:
    fake = Faker("zh_CN")
    fake.seed_instance(17)
    people = PersonFactory(17)
    out = [fake.address() for _ in range(n)] + [people.person().address for _ in range(n)]
    return out + EDGE_CELLS


def _findings(cells: list[str], monkeypatch: pytest.MonkeyPatch | None) -> pl.DataFrame:
    if monkeypatch is not None:  # the reference: every cell classified in Python
        monkeypatch.setattr(AddressRecognizer, "classify_series", lambda self, cells: None)
    rec = CellRecognizers.of(TextAnalyzer(Registry.default().without_models()))
    plan = ColumnPlan(name="通讯地址", mode="entity", entity="ADDRESS")
    return column_findings(plan, pl.Series("通讯地址", cells, dtype=pl.String), rec)


def test_vectorised_address_cells_equal_cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    cells = _cells(400)
    fast = _findings(cells, None)
    slow = _findings(cells, monkeypatch)
    assert fast.height > 800
    assert fast.to_dicts() == slow.to_dicts()
    assert fast.write_ndjson() == slow.write_ndjson()


def test_classify_series_agrees_with_classify_where_it_decides() -> None:
    r = AddressRecognizer()
    cells = [c.strip() for c in _cells(200)]
    verdict = r.classify_series(pl.Series(cells, dtype=pl.String))
    assert verdict is not None
    decided = 0
    for cell, row in zip(cells, verdict.iter_rows(named=True), strict=True):
        if row["python"]:
            continue
        decided += 1
        hit = r.classify(cell)
        if hit is None:
            assert row["score"] is None, cell
        else:
            assert (row["score"], row["pattern"]) == (hit[2], hit[3]), cell
            assert hit[:2] == (0, len(cell))
    assert decided > 350


def test_birth_dates_validate_in_polars_as_value_by_value() -> None:
    """The boundaries: 1900-01-01 (in), 1899-12-31 (out), today (in), tomorrow (out), and
    impossible calendar dates; a value not in ``YYYY-MM-DD`` sends the column value by value."""
    today = dt.date.today()
    dates = [
        "1962-02-09",
        "1990-02-30",
        "1899-12-31",
        "1900-01-01",
        "1900-01-02",
        "0000-01-01",
        "2000-00-10",
        "2000-13-01",
        "2024-02-29",
        "2023-02-29",
        (today - dt.timedelta(days=1)).isoformat(),
        today.isoformat(),
        (today + dt.timedelta(days=1)).isoformat(),
    ]
    r = DateOfBirthRecognizer()
    for values in (dates, [*dates, "1990-1-05"]):
        s = pl.Series("v", values)
        fast = r.validate_series(s)
        assert fast.to_list() == PatternRecognizer.validate_series(r, s).to_list()
        assert fast.to_list() == [r.validate(v) for v in values]
    assert r.validate_series(pl.Series("v", dates)).to_list()[1:5] == [False, False, None, None]
