"""A defined name's constant (a customer's mobile as ``"13812345678"``, a person's name as
``="张三"``) was copied into the package as it was: ``--verify`` found it and failed the
package. Constants are protected as cells are now; references and formulas stay. Generated
data only."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from .conftest import make_mobile, protect_verified


def test_defined_name_constants_are_protected_and_references_kept(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    rng = random.Random(31)
    m = [make_mobile(rng) for _ in range(4)]
    src = tmp_path / "in"
    src.mkdir()
    wb = openpyxl.Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["姓名", "手机"])
    ws.append(["王伟", m[0]])
    constants = {
        "回访号码": f'"{m[1]}"',
        "热线": m[2],  # a number
        "备选": f'{{"{m[3]}","无"}}',  # an array
        "区域": "客户!$A$1:$B$2",
        "合计": "COUNTA(客户!$A:$A)",
    }
    for name, value in constants.items():
        wb.defined_names[name] = DefinedName(name, attr_text=value)
    ws.defined_names["经办"] = DefinedName("经办", attr_text=f'="{m[0]}"')
    wb.save(src / "客户.xlsx")

    result = protect_verified(src, tmp_path / "out")

    out = openpyxl.load_workbook(tmp_path / "out" / "客户.xlsx")
    got = {n: d.attr_text for n, d in out.defined_names.items()}
    assert [v for v in m if any(v in t for t in got.values())] == []
    assert got["区域"] == "客户!$A$1:$B$2" and got["合计"] == "COUNTA(客户!$A:$A)"
    masked = got["回访号码"]
    assert masked.startswith('"') and masked.endswith('"') and m[1][-4:] in masked
    assert got["热线"].startswith('"') and "*" in got["热线"]  # masked: no longer a number
    assert got["备选"].startswith('{"') and got["备选"].endswith(',"无"}')
    local = out["客户"].defined_names["经办"].attr_text
    assert local.startswith('="') and m[0] not in local
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"客户.xlsx": 4}


def test_embedded_objects_are_left_out_and_named_in_the_manifest(tmp_path: Path) -> None:
    """An embedded Word file or workbook (``xl/embeddings/``) is neither scanned nor
    protected: the package leaves it out (openpyxl writes no embedded object) and the
    manifest names it, so nobody takes the workbook for whole."""
    import json
    import zipfile

    import openpyxl

    src = tmp_path / "in"
    src.mkdir()
    wb = openpyxl.Workbook()
    wb.active.append(["姓名"])  # type: ignore[union-attr]
    wb.save(src / "附件.xlsx")
    part = "xl/embeddings/Microsoft_Word_Document1.docx"
    with zipfile.ZipFile(src / "附件.xlsx", "a") as z:
        z.writestr(part, b"PK\x05\x06" + b"\0" * 18)

    result = protect_verified(src, tmp_path / "out")

    (entry,) = result.manifest.files
    assert entry.embedded_left_out == (part,)
    with zipfile.ZipFile(tmp_path / "out" / "附件.xlsx") as z:
        assert not [n for n in z.namelist() if "embeddings" in n]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][0]["embedded_left_out"] == [part]
