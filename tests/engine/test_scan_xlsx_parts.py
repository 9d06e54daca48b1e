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

from baomi.engine.scan import ScanOptions, scan_paths
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


def linked_customers(path: Path, rng: random.Random, n: int = 6) -> dict[str, list[str]]:
    """A customer list whose cells link to themselves as Excel and CRM exports write them —
    each e-mail to ``mailto:`` + itself, each mobile to ``tel:`` + itself (showing it, with it
    as the screen tip), each web address to ``http://`` + itself — but for row 2's e-mail,
    whose link goes to another address. Generated values only: returned by kind."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    values = {
        "mobile": [make_mobile(rng) for _ in range(n)],
        "email": [f"kehu{i}{rng.randint(100, 999)}@example.com" for i in range(n)],
        "other": [f"daili{rng.randint(100, 999)}@example.org"],
    }
    values["web"] = [f"crm.example.com/c?phone={m}" for m in values["mobile"]]
    rows = [
        [f"K{i:03d}", values["email"][i], values["mobile"][i], values["web"][i]] for i in range(n)
    ]
    wb, ws = customer_sheet(["编号", "邮箱", "手机", "主页"], *rows)
    for i in range(n):
        r = i + 2
        email = values["other"][0] if i == 2 else values["email"][i]
        ws[f"B{r}"].hyperlink = f"mailto:{email}"
        m = values["mobile"][i]
        ws[f"C{r}"].hyperlink = Hyperlink(ref=f"C{r}", target=f"tel:{m}", display=m, tooltip=m)
        ws[f"D{r}"].hyperlink = f"http://{values['web'][i]}"
    wb.save(path)
    return values


def _unlinked(src: Path, dst: Path) -> None:
    """``src`` saved to ``dst`` without its hyperlinks."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                cell.hyperlink = None
    wb.save(dst)


def test_a_link_that_restates_its_cell_is_counted_once(tmp_path: Path) -> None:
    """Excel links a typed e-mail address to ``mailto:`` + itself and CRM exports link a phone
    to ``tel:`` + itself: since the scan reads links, each such e-mail counted twice and each
    phone four times (the cell, the link's address, the text it shows, its screen tip), so a
    1,000-row e-mail column read "邮箱 2,000 处". A link that only restates its cell is the
    cell's PI in the cell's place: counted once. A link to another address is PI of its own
    and still counted; distinct values and individuals do not change."""
    root = tmp_path / "data"
    root.mkdir()
    values = linked_customers(root / "客户.xlsx", random.Random(34))
    n = len(values["email"])
    plain = tmp_path / "plain"
    plain.mkdir()
    _unlinked(root / "客户.xlsx", plain / "客户.xlsx")

    result = scan(root, tmp_path / "out")
    unlinked = scan(plain, tmp_path / "out-plain")

    s, u = result.inventory.summary, unlinked.inventory.summary
    # the cells' own PI, and the one link to another address
    assert s.entities == {**u.entities, "EMAIL": u.entities["EMAIL"] + 1}
    assert u.entities["EMAIL"] == n and u.entities["CN_MOBILE"] == 2 * n  # 手机 and 主页
    assert s.findings == u.findings + 1
    assert s.distinct == {**u.distinct, "EMAIL": n + 1}
    assert s.estimated_individuals == u.estimated_individuals
    columns = {c.name: c for c in result.inventory.files[0].columns}
    assert columns["邮箱"].entities == {"EMAIL": n}
    assert columns["手机"].entities == {"CN_MOBILE": n}
    assert columns["链接：邮箱"].entities == {"EMAIL": 1}
    assert not {"链接：手机", "链接文字：手机", "链接提示：手机", "链接：主页"} & set(columns)
    found = findings(tmp_path / "out")
    assert len(found) == s.findings
    links = [(f["row"], f["column"], f["entity"]) for f in found if "链接" in f["column"]]
    assert links == [(2, "链接：邮箱", "EMAIL")]
    # the rows' own findings are the unlinked workbook's
    assert [f for f in found if "链接" not in f["column"]] == findings(tmp_path / "out-plain")


def _dashed(mobile: str) -> str:
    return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"


def wordy_links(path: Path, rng: random.Random, n: int = 6) -> dict[str, list[str]]:
    """A customer list whose links say more than their cells but name no one else: a phone's
    link to ``tel:+86-…;ext=1`` with the tip ``拨打 <the phone>`` (or shown as ``点击拨打：
    138-…``), an e-mail's link to ``mailto:<it>?subject=合同`` with the tip ``发邮件给 <it>``.
    Generated values only: returned by kind."""
    from openpyxl.worksheet.hyperlink import Hyperlink

    values = {
        "mobile": [make_mobile(rng) for _ in range(n)],
        "email": [f"kehu{i}{rng.randint(100, 999)}@example.com" for i in range(n)],
    }
    rows = [[f"K{i:03d}", values["mobile"][i], values["email"][i]] for i in range(n)]
    wb, ws = customer_sheet(["编号", "手机", "邮箱"], *rows)
    for i in range(n):
        r, m, e = i + 2, values["mobile"][i], values["email"][i]
        ws[f"B{r}"].hyperlink = Hyperlink(
            ref=f"B{r}",
            target=f"tel:+86-{_dashed(m)};ext=1",
            display=f"点击拨打：{_dashed(m)}" if i % 2 else None,
            tooltip=f"拨打 {m}",
        )
        ws[f"C{r}"].hyperlink = Hyperlink(
            ref=f"C{r}", target=f"mailto:{e}?subject=合同", tooltip=f"发邮件给 {e}"
        )
    wb.save(path)
    return values


def test_a_link_text_that_names_only_its_cell_is_counted_once(tmp_path: Path) -> None:
    """A link whose text says more than its cell (``拨打 138…``, ``mailto:…?subject=合同``,
    ``tel:+86-138-…;ext=1``) but whose PI is only the cell's own counted the cell's
    identifier two or three times more: the inventory read "手机 3 处" for one phone. Its
    findings of the cell's entity and value are the cell's identifier restated: counted once,
    in the cell — the inventory and the findings are the unlinked workbook's."""
    root, plain = tmp_path / "data", tmp_path / "plain"
    root.mkdir()
    plain.mkdir()
    values = wordy_links(root / "客户.xlsx", random.Random(41))
    _unlinked(root / "客户.xlsx", plain / "客户.xlsx")

    result = scan(root, tmp_path / "out")
    unlinked = scan(plain, tmp_path / "out-plain")

    s, u = result.inventory.summary, unlinked.inventory.summary
    n = len(values["mobile"])
    assert u.entities == {"CN_MOBILE": n, "EMAIL": n}
    assert s.entities == u.entities
    assert s.findings == u.findings
    assert s.distinct == u.distinct
    assert s.estimated_individuals == u.estimated_individuals
    assert result.inventory.files[0].columns == unlinked.inventory.files[0].columns
    assert findings(tmp_path / "out") == findings(tmp_path / "out-plain")


def others_in_links(path: Path, rng: random.Random) -> dict[str, str]:
    """:func:`wordy_links` with two links that name someone else beside the cell's own
    identifier: row 1's e-mail link copies another address (``?cc=``), row 3's phone has
    another phone in its tip. Returns those texts and the other values."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.hyperlink import Hyperlink

    values = wordy_links(path, rng)
    other_mail = f"daili{rng.randint(100, 999)}@example.org"
    other_mobile = make_mobile(rng)
    wb = load_workbook(path)
    ws = wb["客户"]
    m, e = values["mobile"][3], values["email"][1]
    cc = f"mailto:{e}?cc={other_mail}&subject=合同"
    ws["C3"].hyperlink = Hyperlink(ref="C3", target=cc)
    tip = f"拨打 {m}，不通再拨 {other_mobile}"
    ws["B5"].hyperlink = Hyperlink(ref="B5", target=f"tel:{m};ext=2", tooltip=tip)
    wb.save(path)
    return {"cc": cc, "tip": tip, "mail": other_mail, "mobile": other_mobile}


def test_another_identifier_in_a_link_text_still_counts(tmp_path: Path) -> None:
    """A link text that names someone else beside its cell's own identifier — a copy to
    another address (``mailto:<the cell>?cc=<another>``), another phone in the tip — counts
    that identifier, located in the link text as before; the cell's own is not counted
    again."""
    root = tmp_path / "data"
    root.mkdir()
    other = others_in_links(root / "客户.xlsx", random.Random(42))

    result = scan(root, tmp_path / "out")

    n = 6
    assert result.inventory.summary.entities == {"CN_MOBILE": n + 1, "EMAIL": n + 1}
    assert result.inventory.summary.distinct == {"CN_MOBILE": n + 1, "EMAIL": n + 1}
    assert result.inventory.summary.estimated_individuals == n  # each on a customer's row
    columns = {c.name: c for c in result.inventory.files[0].columns}
    assert columns["链接：邮箱"].entities == {"EMAIL": 1}
    assert columns["链接提示：手机"].entities == {"CN_MOBILE": 1}
    assert not {"链接：手机", "链接文字：手机", "链接提示：邮箱"} & set(columns)
    links = [
        (f["row"], f["column"], f["entity"], f["start"], f["end"])
        for f in findings(tmp_path / "out")
        if "链接" in f["column"]
    ]
    mail, tip = other["cc"].index(other["mail"]), other["tip"].index(other["mobile"])
    assert links == [
        (1, "链接：邮箱", "EMAIL", mail, mail + len(other["mail"])),
        (3, "链接提示：手机", "CN_MOBILE", tip, tip + len(other["mobile"])),
    ]
    text = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8")
    text += (tmp_path / "out" / "inventory.json").read_text(encoding="utf-8")
    assert [v for v in (other["mail"], other["mobile"]) if v in text] == []


def test_where_the_partitions_are_cut_does_not_change_what_links_count(tmp_path: Path) -> None:
    """The links' texts and the cells they are on are compared row by row, wherever the
    rows' and the links' partitions are cut."""
    root = tmp_path / "data"
    root.mkdir()
    others_in_links(root / "客户.xlsx", random.Random(43))

    whole = scan(root, tmp_path / "whole")
    cut = scan_paths(
        [root], out_dir=tmp_path / "cut", options=ScanOptions(batch_rows=2, prose=False)
    )

    assert findings(tmp_path / "cut") == findings(tmp_path / "whole")
    assert cut.inventory.summary == whole.inventory.summary
    assert cut.inventory.files == whole.inventory.files
