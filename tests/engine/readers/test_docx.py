"""Word reader: paragraphs, then table cells, then headers and footers; broken files refused."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import docx
import pytest

from baomi.engine.readers.docx import OLE_MAGIC, open_docx
from baomi.errors import UnreadableFileError


def _document(path: Path) -> Path:
    doc = docx.Document()
    doc.add_paragraph("股权转让协议")
    doc.add_paragraph("")  # empty paragraphs count for the row number but are not yielded
    doc.add_paragraph("甲方：欧阳晓燕，住所：浙江省杭州市西湖区文三路100号")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(0, 1).text = "马文"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "恒达科技有限公司"
    doc.add_paragraph("乙方：恒达科技有限公司")  # a body paragraph after the table
    section = doc.sections[0]
    section.header.paragraphs[0].text = "机密文件"
    section.footer.paragraphs[0].text = "联系人：沈丽"
    doc.save(str(path))
    return path


def test_units_in_documented_order(tmp_path: Path) -> None:
    source = open_docx(_document(tmp_path / "协议.docx"))
    assert (source.kind, source.encoding) == ("text", None)
    units = [(u.row, u.text) for u in source.units()]
    assert units == [
        (0, "股权转让协议"),
        (2, "甲方：欧阳晓燕，住所：浙江省杭州市西湖区文三路100号"),
        (3, "乙方：恒达科技有限公司"),
        (4, "姓名"),
        (5, "马文"),
        (6, "恒达科技有限公司"),  # the merged cell once
        (7, "机密文件"),
        (8, "联系人：沈丽"),
    ]
    assert [u.row for u in source.units()] == [0, 2, 3, 4, 5, 6, 7, 8]


def test_offsets_are_into_the_paragraph(tmp_path: Path) -> None:
    source = open_docx(_document(tmp_path / "a.docx"))
    unit = next(u for u in source.units() if u.row == 2)
    start = unit.text.index("欧阳晓燕")
    assert (start, unit.text[start : start + 4]) == (3, "欧阳晓燕")


def test_linked_headers_are_read_once(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("第一节")
    doc.sections[0].header.paragraphs[0].text = "页眉"
    doc.add_section()
    doc.add_paragraph("第二节")
    doc.save(str(tmp_path / "s.docx"))
    texts = [u.text for u in open_docx(tmp_path / "s.docx").units()]
    assert texts.count("页眉") == 1


def test_encrypted_docx_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(OLE_MAGIC + bytes(504))  # what Word writes for a password-protected file
    with pytest.raises(UnreadableFileError) as err:
        open_docx(path)
    assert "encrypted" in err.value.reason or "加密" in err.value.reason


@pytest.mark.parametrize("kind", ["random", "empty", "zip-without-document"])
def test_broken_docx_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "broken.docx"
    if kind == "random":
        path.write_bytes(bytes(random.Random(7).getrandbits(8) for _ in range(4096)))
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "not a word document")
    with pytest.raises(UnreadableFileError) as err:
        open_docx(path)
    assert err.value.path == str(path)
    assert err.value.reason


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"',
            b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/maim"',
        ),
        (b"w:body>", b"w:bodx>"),
    ],
    ids=["another-namespace", "no-body"],
)
def test_a_document_part_without_a_document_or_body_is_refused(
    tmp_path: Path, old: bytes, new: bytes
) -> None:
    """A damaged main part whose root is not ``w:document`` (or that has no ``w:body``) is
    opened by python-docx, and reading it raised AttributeError: the whole scan stopped."""
    source = _document(tmp_path / "协议.docx")
    path = tmp_path / "damaged.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                assert old in data
                data = data.replace(old, new)
            zout.writestr(item, data)
    with pytest.raises(UnreadableFileError) as err:
        list(open_docx(path).units())
    assert "已损坏" in err.value.reason


def test_comments_are_read_after_the_headers_and_footers(tmp_path: Path) -> None:
    """A reviewer's comment holding a customer's mobile was not scanned at all: comments are
    units after the headers and footers, so the rows before them do not move."""
    d = docx.Document()
    p = d.add_paragraph("正文")
    d.sections[0].footer.paragraphs[0].text = "页脚"
    d.add_comment(p.runs, text="回电 13812345678", author="审阅人")
    d.save(tmp_path / "c.docx")
    units = [(u.row, u.text) for u in open_docx(tmp_path / "c.docx").units()]
    assert units[0] == (0, "正文") and units[1][1] == "页脚"
    assert units[-1][1] == "回电 13812345678" and units[-1][0] > units[1][0]
    plain = docx.Document()
    plain.add_paragraph("正文")
    plain.save(tmp_path / "p.docx")
    list(open_docx(tmp_path / "p.docx").units())
    with zipfile.ZipFile(tmp_path / "p.docx") as z:  # reading adds no comments part
        assert not any("comments" in n for n in z.namelist())


def test_document_properties_are_extras_after_every_paragraph(tmp_path: Path) -> None:
    """Who wrote the file and what they typed into its properties: one row each after the
    paragraphs and comments, at a fixed place (a property's row does not depend on which
    others are set); the paragraphs' rows do not move."""
    d = docx.Document()
    p = d.add_paragraph("正文")
    d.add_comment(p.runs, text="批注", author="")
    d.core_properties.author = "王建国"
    d.core_properties.title = "回访 13912345678"
    d.core_properties.last_modified_by = ""
    d.core_properties.comments = ""  # python-docx fills it in
    d.save(tmp_path / "p.docx")
    src = open_docx(tmp_path / "p.docx")
    units = list(src.units())
    extras = list(src.extras())
    paragraphs = units[-1].row + 1  # the comment is the last paragraph
    assert [(e.row - paragraphs, e.column, e.text, e.person) for e in extras] == [
        (0, None, "回访 13912345678", False),  # title: place 0
        (2, None, "王建国", True),  # author: place 2
    ]
    assert not src.errors


@pytest.mark.parametrize("declared", [b"PTF-8", b"utf-32"])
def test_a_part_declaring_an_unusable_encoding_is_a_damaged_part(
    tmp_path: Path, declared: bytes
) -> None:
    """The extended properties part of a damaged file declaring ``encoding="PTF-8"`` made the XML
    parser raise LookupError (``utf-32``: ValueError), which no reader expected: the whole
    scan stopped. The part is reported corrupt; the paragraphs are read."""
    source = _document(tmp_path / "协议.docx")
    path = tmp_path / "damaged.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "docProps/app.xml":  # python-docx does not read it
                assert b"encoding='UTF-8'" in data[:60]
                data = data.replace(b"encoding='UTF-8'", b"encoding='" + declared + b"'", 1)
            zout.writestr(item, data)
    src = open_docx(path)
    assert "股权转让协议" in [u.text for u in src.units()]
    list(src.extras())
    assert any("文档属性已损坏" in e for e in src.errors)
