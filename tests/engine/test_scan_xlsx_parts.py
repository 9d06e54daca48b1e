"""The scan's inventory counted no PI that sat only in a workbook's hyperlinks, data
validations, charts, pivot caches or defined names, though protect rewrites them and
``--verify`` checks them: a customer's mobile in a ``tel:`` link was in the file and not in
``inventory.json``. They are found now, addressed as docs/readers.md says, and counted; a
file without them keeps its output. Generated data only."""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests.engine.protect.conftest import customer_sheet, make_mobile
from tests.engine.protect.test_pivot_caches import pivot_workbook
from tests.engine.test_scan_extras import findings, plain_workbook, scan


def test_pi_only_in_links_validations_pivots_and_names_is_counted(tmp_path: Path) -> None:
    rng = random.Random(21)
    m = [make_mobile(rng) for _ in range(6)]
    root = tmp_path / "data"
    root.mkdir()
    wb, ws = customer_sheet(["姓名", "联系"], ["张三", "电话"])
    ws["B2"].hyperlink = f"tel:{m[0]}"
    rule = DataValidation(type="list", formula1=f'"{m[1]},{m[2]}"')
    ws.add_data_validation(rule)
    rule.add("B2")
    wb.defined_names["回访号码"] = DefinedName("回访号码", attr_text=f'"{m[3]}"')
    wb.save(root / "客户.xlsx")
    pivot_workbook(root / "统计.xlsx", ["王五", "赵六"], m[4:6], ["甲", "乙"])

    result = scan(root, tmp_path / "out")

    found = findings(tmp_path / "out")
    at = {(f["file"], f["sheet"], f["row"], f["column"]): f for f in found}
    link = at[("客户.xlsx", "客户", 0, "链接：联系")]
    assert (link["entity"], link["start"], link["end"]) == ("CN_MOBILE", 4, 15)
    assert at[("客户.xlsx", "客户", 1, "数据验证：公式1")]["entity"] == "CN_MOBILE"
    name = at[("客户.xlsx", None, 0, "定义名称：回访号码")]
    assert (name["entity"], name["start"], name["end"]) == ("CN_MOBILE", 1, 12)
    assert at[("统计.xlsx", None, 1, "数据透视表缓存：手机")]["entity"] == "CN_MOBILE"
    text = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8")
    text += (tmp_path / "out" / "inventory.json").read_text(encoding="utf-8")
    assert [v for v in m if v in text] == []
    files = {f.path: f for f in result.inventory.files}
    # 客户.xlsx: four mobiles, none of them in a cell; 统计.xlsx: two in cells, two in its cache
    assert sum(c.entities.get("CN_MOBILE", 0) for c in files["客户.xlsx"].columns) == 4
    assert result.inventory.summary.entities["CN_MOBILE"] == 4 + 2 + 2
    columns = {(c.sheet, c.name): c for c in files["客户.xlsx"].columns}
    assert columns[("客户", "链接：联系")].entities == {"CN_MOBILE": 1}
    assert columns[(None, "定义名称：回访号码")].entities == {"CN_MOBILE": 1}
    assert files["客户.xlsx"].rows == 1


def test_a_workbook_without_those_parts_gives_the_same_findings(tmp_path: Path) -> None:
    """The links' findings come after the rows' own: the rows' findings are the plain
    workbook's, in the same order."""
    for name in ("plain", "linked"):
        root = tmp_path / name
        root.mkdir()
        plain_workbook(root / "客户.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "linked" / "客户.xlsx")
    wb["客户"]["B2"].hyperlink = "tel:13912345678"
    wb.save(tmp_path / "linked" / "客户.xlsx")
    for name in ("plain", "linked"):
        scan(tmp_path / name, tmp_path / f"out-{name}")
    plain = findings(tmp_path / "out-plain")
    linked = findings(tmp_path / "out-linked")
    assert plain and linked[: len(plain)] == plain
    assert [f["column"] for f in linked[len(plain) :]] == ["链接：手机"]
