from __future__ import annotations

import polars as pl
import pytest

from baomi.engine.recognizers.cn.organization import OrganizationRecognizer

R = OrganizationRecognizer()


@pytest.mark.parametrize(
    ("cell", "pattern"),
    [
        ("北京某某科技有限公司", "legal_suffix"),
        ("某某股份有限公司（上海分公司）", "legal_suffix"),
        ("某某集团", "legal_suffix"),
        ("某某律师事务所", "legal_suffix"),
        ("某某市第一人民医院", "legal_suffix"),
        ("某某银行朝阳支行", "legal_suffix"),
        ("老王五金店", "business_suffix"),
        ("某某设计工作室", "business_suffix"),
        ("公司", None),  # a suffix alone
        ("张伟", None),
        ("有限公司的客户", None),
    ],
)
def test_organization_cells(cell: str, pattern: str | None) -> None:
    found = R.analyze_cell(cell)
    if pattern is None:
        assert found == []
        return
    (f,) = found
    assert (f.start, f.end) == (0, len(cell))
    assert f.explanation.pattern == pattern


def test_vectorised_validation_agrees_with_per_value() -> None:
    values = [
        "北京某某科技有限公司",
        "某某集团",
        "老王五金店",
        "公司",
        "张伟",
        "某某（北京）有限公司",
    ]
    vectorised = R.validate_series(pl.Series(values)).to_list()
    assert vectorised == [R.validate(v) for v in values]
    assert vectorised[0] is True and vectorised[2] is None
