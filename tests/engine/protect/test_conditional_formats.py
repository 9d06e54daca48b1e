"""A conditional format that highlights a customer's row keeps what its rule looks for — a
phone in its formula (``$B2="13812345678"``), an ID in its text (格式 → 文本包含) — and
openpyxl writes it back. The scan did not read it, and ``--verify``'s check of the raw XML
failed every package of such a workbook. Both now treat those texts as cells
(``条件格式：文本``, ``条件格式：公式``); the rule is kept, looking for the masked value."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import Rule
from openpyxl.styles import PatternFill
from openpyxl.styles.differential import DifferentialStyle

from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import make_id, make_mobile, protect_verified


def test_a_conditional_formats_texts_are_scanned_and_protected(tmp_path: Path) -> None:
    rng = random.Random(59)
    mobiles = [make_mobile(rng) for _ in range(2)]
    rid = make_id(rng)
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["身份证", "手机", "金额"])
    ws.append([rid, mobiles[0], 100])
    ws.append([make_id(rng), mobiles[1], 200])
    style = DifferentialStyle(fill=PatternFill(bgColor="FFC7CE"))
    by_text = Rule(type="containsText", operator="containsText", text=rid, dxf=style)
    by_text.formula = [f'NOT(ISERROR(SEARCH("{rid}",A2)))']
    ws.conditional_formatting.add("A2:A3", by_text)
    by_phone = Rule(type="expression", dxf=style, formula=[f'$B2="{mobiles[1]}"'])
    ws.conditional_formatting.add("A2:C3", by_phone)
    ws.conditional_formatting.add("C2:C3", Rule(type="expression", dxf=style, formula=["$C2>150"]))
    src = tmp_path / "in"
    src.mkdir()
    wb.save(src / "客户.xlsx")

    scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=False))
    lines = (tmp_path / "scan" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    found = [(f["column"], f["entity"]) for f in map(json.loads, lines)]
    assert sorted(f for f in found if f[0].startswith("条件格式")) == [
        ("条件格式：公式", "CN_MOBILE"),
        ("条件格式：公式", "CN_RESIDENT_ID"),
        ("条件格式：文本", "CN_RESIDENT_ID"),
    ]

    result = protect_verified(src, tmp_path / "out")  # the raw XML check refused it before
    with zipfile.ZipFile(tmp_path / "out" / "客户.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert rid not in sheet and mobiles[1] not in sheet
    rules = [
        r
        for cf in load_workbook(tmp_path / "out" / "客户.xlsx")["客户"].conditional_formatting
        for r in cf.rules
    ]
    assert rules[0].text.startswith(rid[:6]) and rules[0].formula[0].startswith(
        "NOT(ISERROR(SEARCH("
    )
    assert rules[1].formula[0].startswith('$B2="') and rules[1].formula[0].endswith(
        f'{mobiles[1][-4:]}"'
    )
    assert rules[2].formula == ["$C2>150"]  # nothing to protect
    assert result.manifest.files[0].extras_changed == 3
