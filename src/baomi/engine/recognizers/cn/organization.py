"""单位名称 — an organisation's name in a table column (column-only until the prose model).

Shape: a name (at least two characters) ending in an organisational suffix, optionally
followed by a branch in parentheses (``某某科技有限公司（北京分公司）``):

* legal forms under the Company Law and related rules — ``股份有限公司 有限责任公司 有限公司
  公司 集团 合伙企业 合作社 事务所`` — and other registered bodies (``医院 学校 大学 银行 支行
  协会 研究院 …``): score 0.9;
* small businesses whose names are looser — ``厂 店 工作室 中心 商行 门市部 经营部 诊所``:
  score 0.7.

An organisation's name is not PI, but a 个体工商户 or a one-person 工作室 may name a natural
person (PIPL-RULES USCC-A); the inventory reports the column so a reviewer can decide.
"""

from __future__ import annotations

import re
from typing import ClassVar

import polars as pl

from baomi.engine.recognizers.cn.cell import CellRecognizer

_BRANCH = r"(?:[(（][^()（）]{1,20}[)）])?"
_STRONG = (
    "股份有限公司|有限责任公司|有限公司|公司|集团|合伙企业|合作社|事务所|医院|卫生院|学校|"
    "大学|学院|中学|小学|幼儿园|银行|支行|分行|信用社|协会|研究院|研究所|基金会|委员会"
)
_WEAK = "工厂|厂|商店|店|工作室|中心|商行|门市部|经营部|诊所|药房|酒店|餐厅|超市"
_STRONG_RX = re.compile(f".{{2,}}(?:{_STRONG}){_BRANCH}")
_WEAK_RX = re.compile(f".{{2,}}(?:{_WEAK}){_BRANCH}")
_STRONG_SCORE = 0.9
_WEAK_SCORE = 0.7


class OrganizationRecognizer(CellRecognizer):
    entity = "ORGANIZATION"
    header_hints: ClassVar[tuple[str, ...]] = (
        "公司",
        "单位",
        "企业",
        "机构",
        "商户",
        "客户名称",
        "company",
        "organization",
        "organisation",
        "employer",
        "merchant",
    )
    context: ClassVar[tuple[str, ...]] = ("公司", "单位", "company")
    prefilter = f"(?:{_STRONG}|{_WEAK})"
    fast_cell_regex = r"^[\p{Han}A-Za-z0-9()（）]{3,60}$"

    def classify(self, cell: str) -> tuple[int, int, float, str] | None:
        if _STRONG_RX.fullmatch(cell):
            return 0, len(cell), _STRONG_SCORE, "legal_suffix"
        if _WEAK_RX.fullmatch(cell):
            return 0, len(cell), _WEAK_SCORE, "business_suffix"
        return None

    def validate_series(self, values: pl.Series) -> pl.Series:
        """The legal-form suffix test as one Polars expression (True, or null)."""
        ok = pl.col("v").str.contains(f"^.{{2,}}(?:{_STRONG}){_BRANCH}$").fill_null(False)
        return self.confirmed_where(values, ok)
