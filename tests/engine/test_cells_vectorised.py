"""The vectorised classification of a column's cells (issue 17) gives the same findings, byte
for byte, as classifying cell by cell: demo addresses, Faker zh_CN addresses (a space before
the postcode, invented cities), and the cells left to Python (``中国``, a province short form,
divisions alone, full-width forms, blanks at either end, U+001C)."""

from __future__ import annotations

import polars as pl
import pytest
from faker import Faker

from baomi.demo.people import PersonFactory
from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.cells import CellRecognizers, column_findings
from baomi.engine.columns import ColumnPlan
from baomi.engine.recognizers.cn.address import AddressRecognizer
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
