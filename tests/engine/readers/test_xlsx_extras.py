"""Excel reader, beside the cells: comments, page headers and footers, document properties —
where each goes, and what a broken or odd part gives (a reason in ``errors``, never a
traceback, the rest read)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment

from baomi.engine.readers import open_source
from baomi.engine.readers import xlsx_extras as ex
from baomi.engine.readers.base import Extra
from tests.engine.test_scan_extras import rewrite_zip

MOBILE = "13912345678"


def read(path: Path) -> tuple[list[Any], list[Extra], list[str]]:
    src = open_source(path)
    batches = list(src.batches())
    extras = list(src.extras())
    return batches, extras, src.errors


def book(path: Path, build: Any) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    build(wb, ws)
    wb.save(path)
    return path


def test_addresses_follow_the_header_row(tmp_path: Path) -> None:
    def build(wb: Workbook, ws: Any) -> None:
        ws["B3"], ws["C3"] = "姓名", "手机"  # the header is Excel row 3
        ws.append([None, "张三", "x"])
        ws["D4"] = "y"  # right of the header: column_4
        ws["C4"].comment = Comment("a", "")
        ws["D4"].comment = Comment("b", "")
        ws["B8"].comment = Comment("c", "")  # below the data (one data row): data row 4
        ws["A1"].comment = Comment("d", "")  # above the header
        ws["C3"].comment = Comment("e", "")  # on the header
        ws.evenFooter.left.text = "f"
        ws.oddHeader.right.text = "g"
        wb.properties.title = "h"
        wb.properties.lastModifiedBy = "i"

    _, extras, errors = read(book(tmp_path / "a.xlsx", build))
    assert not errors
    got = [(e.sheet, e.row, e.column, e.text, e.on_row, e.person) for e in extras]
    assert got == [
        ("客户", 0, "批注：手机", "a", True, False),
        ("客户", 0, "批注：column_4", "b", True, False),
        ("客户", 4, "批注：姓名", "c", True, False),
        # after the rows and their comments: the rows above and on the header, one each
        ("客户", 5, "批注：column_1", "d", False, False),
        ("客户", 6, "批注：手机", "e", False, False),
        # then the page headers and footers, one row each (odd header before even footer)
        ("客户", 7, "页眉：右", "g", False, False),
        ("客户", 8, "偶数页页脚：左", "f", False, False),
        (None, 0, "文档属性：标题", "h", False, False),
        (None, 0, "文档属性：作者", "openpyxl", False, True),
        (None, 0, "文档属性：最后修改者", "i", False, True),
    ]


def test_a_workbook_without_extras_opens_no_comment_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No comments, no headers: only the zip's directory and [Content_Types].xml beside the
    properties; the sheet's XML is not inflated a second time."""
    path = book(tmp_path / "p.xlsx", lambda wb, ws: ws.append(["姓名", "手机"]))
    opened: list[str] = []
    real = zipfile.ZipFile.read

    def spy(self: zipfile.ZipFile, name: Any, pwd: Any = None) -> bytes:
        opened.append(str(name))
        return real(self, name, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "read", spy)
    monkeypatch.setattr(ex, "sheet_tail", lambda *a: pytest.fail("read twice"))
    src = open_source(path)
    list(src.batches())
    opened.clear()
    extras = list(src.extras())
    assert [e.column for e in extras] == ["文档属性：作者"]  # openpyxl's own name
    assert not any("worksheets/sheet" in n for n in opened)


def test_headers_are_read_from_the_zip_when_openpyxl_was_not_watched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def build(wb: Workbook, ws: Any) -> None:
        ws.append(["姓名"])
        ws.oddHeader.center.text = f"电话 {MOBILE}"

    path = book(tmp_path / "h.xlsx", build)
    monkeypatch.setattr(ex, "watch_sheet", lambda sheet: [])
    _, extras, errors = read(path)
    assert [(e.row, e.column, e.text) for e in extras if e.sheet] == [
        (0, "页眉：中", f"电话 {MOBILE}")
    ]
    assert not errors


def test_an_oversized_comment_is_cut_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ex, "MAX_COMMENT_CHARS", 100)

    def build(wb: Workbook, ws: Any) -> None:
        ws.append(["备注"])
        ws.append(["x"])
        ws["A2"].comment = Comment(MOBILE + "好" * 500, "")

    _, extras, errors = read(book(tmp_path / "big.xlsx", build))
    (note,) = [e for e in extras if e.sheet]
    assert note.text.startswith(MOBILE) and len(note.text) == 100
    assert len(errors) == 1 and "A2" in errors[0] and MOBILE not in errors[0]


def test_a_missing_comments_part_is_said_and_the_rest_is_read(tmp_path: Path) -> None:
    def build(wb: Workbook, ws: Any) -> None:
        ws.append(["备注"])
        ws["A1"].comment = Comment("x", "")
        ws.oddFooter.center.text = f"电话 {MOBILE}"

    good = book(tmp_path / "good.xlsx", build)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(broken, "w") as zout:
        for info in zin.infolist():
            if "comments/comment" not in info.filename:
                zout.writestr(info, zin.read(info.filename))
    batches, extras, errors = read(broken)
    assert batches and [e.column for e in extras if e.sheet] == ["页脚：中"]
    assert len(errors) == 1 and ("批注" in errors[0] or "comment" in errors[0])


def test_comments_on_a_chart_sheet_are_said_not_read(tmp_path: Path) -> None:
    def build(wb: Workbook, ws: Any) -> None:
        ws.append(["姓名"])
        wb.create_chartsheet("图表")

    good = book(tmp_path / "c.xlsx", build)
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(good) as zin:
        names = zin.namelist()
    chart = next(n for n in names if n.startswith("xl/chartsheets/sheet"))
    rels = chart.replace("chartsheets/", "chartsheets/_rels/") + ".rels"
    comments = (
        '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<authors><author/></authors><commentList><comment ref="A1" authorId="0"><text><t>{MOBILE}'
        "</t></text></comment></commentList></comments>"
    )
    relation = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="c1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/comments" Target="/xl/comments/chartcomments.xml"/></Relationships>'
    )
    override = (
        '<Override PartName="/xl/comments/chartcomments.xml" ContentType="'
        + ex.COMMENTS_TYPE
        + '"/></Types>'
    )
    rewrite_zip(
        good,
        odd,
        lambda n: n == "[Content_Types].xml",
        lambda data: data.replace(b"</Types>", override.encode()),
    )
    with zipfile.ZipFile(odd, "a") as z:
        z.writestr("xl/comments/chartcomments.xml", comments)
        if rels not in names:
            z.writestr(rels, relation)
    batches, extras, errors = read(odd)
    assert batches and not [e for e in extras if e.sheet]
    assert len(errors) == 1 and "图表" in errors[0] and MOBILE not in errors[0]


def test_broken_properties_are_said_and_the_sheets_extras_kept(tmp_path: Path) -> None:
    def build(wb: Workbook, ws: Any) -> None:
        ws.append(["备注"])
        ws["A1"].comment = Comment("x", "")

    good = book(tmp_path / "good.xlsx", build)
    # openpyxl refuses a workbook whose core properties do not parse; not the extended ones
    broken = rewrite_zip(
        good, tmp_path / "broken.xlsx", lambda n: n == "docProps/app.xml", lambda d: d[:20]
    )
    batches, extras, errors = read(broken)
    assert batches and [e.column for e in extras] == ["批注：备注"]
    assert len(errors) == 1 and ("文档属性" in errors[0] or "properties" in errors[0])


@pytest.mark.filterwarnings("ignore:Cannot parse header or footer")  # openpyxl's, reading rows
def test_a_header_openpyxl_cannot_split_is_read_whole(tmp_path: Path) -> None:
    """A header written without section codes (another tool's) is dropped by openpyxl, and so
    by protect's copy; the file holds it, so the scan reads it whole."""

    def build(wb: Workbook, ws: Any) -> None:
        ws.append(["姓名"])
        ws.oddHeader.center.text = "PLACEHOLDER"

    good = book(tmp_path / "h.xlsx", build)
    odd = rewrite_zip(
        good,
        tmp_path / "odd.xlsx",
        lambda n: n.startswith("xl/worksheets/sheet"),
        lambda d: d.replace(b"&amp;CPLACEHOLDER", f"电话 {MOBILE}".encode()),
    )
    _, extras, errors = read(odd)
    assert [(e.row, e.column, e.text) for e in extras if e.sheet] == [(0, "页眉", f"电话 {MOBILE}")]
    assert not errors
