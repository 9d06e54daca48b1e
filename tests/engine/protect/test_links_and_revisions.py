"""Personal information in the parts of an XLSX or DOCX file that are not plain cell values or
plain runs: hyperlinks (Excel and Word turn a typed e-mail address into a ``mailto:`` link),
tracked changes, content controls and smart tags. A QA pass found each in the package as it was.

Generated data only (``conftest``: check digits computed)."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path
from typing import Any

from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.readers import open_source

from .conftest import make_id, make_mobile, protect_verified

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REV = 'w:author="审阅" w:date="2024-01-01T00:00:00Z"'


def protect(src: Path, out: Path):  # type: ignore[no-untyped-def]
    return protect_verified(src, out)


def zipped_text(path: Path) -> str:
    """Every part of a zipped file as text, to look for a value anywhere in it."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def _sheet(*rows: list[Any]) -> tuple[Any, Any]:
    """A new workbook and its sheet holding ``rows``."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    return wb, ws


def test_xlsx_hyperlink_targets_are_protected(tmp_path: Path) -> None:
    """A cell's hyperlink (``mailto:``, ``tel:``, a CRM address with the phone in its query)
    and its tooltip are protected as the cell is: the target sat in the sheet's relationships
    in clear while the cell showed the masked value."""
    import openpyxl
    from openpyxl.worksheet.hyperlink import Hyperlink

    rng = random.Random(61)
    mobiles = [make_mobile(rng) for _ in range(3)]
    emails = [f"kehu{rng.randint(1000, 9999)}@example.com" for _ in range(2)]
    src = tmp_path / "in"
    src.mkdir()
    wb, ws = _sheet(
        ["姓名", "邮箱", "手机", "详情"],
        ["王伟", emails[0], mobiles[0], "查看"],
        ["李娜", emails[1], mobiles[1], "查看"],
    )
    ws["B2"].hyperlink = f"mailto:{emails[0]}"
    ws["B3"].hyperlink = Hyperlink(ref="B3", target=f"mailto:{emails[1]}", tooltip=emails[1])
    ws["C2"].hyperlink = f"tel:{mobiles[0]}"
    ws["D2"].hyperlink = f"https://crm.example.com/customer?phone={mobiles[2]}"
    wb.save(src / "客户.xlsx")

    result = protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "客户.xlsx")
    assert [v for v in mobiles + emails if v in text] == []
    out = openpyxl.load_workbook(tmp_path / "out" / "客户.xlsx").active
    assert out is not None
    # still links, to the masked values (the mask keeps the domain and the last digits)
    assert out["B2"].hyperlink.target.startswith("mailto:")
    assert out["B2"].hyperlink.target.endswith("@example.com")
    assert out["C2"].hyperlink.target.startswith("tel:")
    assert mobiles[0][-4:] in out["C2"].hyperlink.target
    assert out["D2"].hyperlink.target.startswith("https://crm.example.com/customer?phone=")
    # four links, one tooltip changed beside the cells
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"客户.xlsx": 5}


def test_a_link_that_restates_its_cell_is_protected_with_it(tmp_path: Path) -> None:
    """The scan counts a link that only restates its cell (``mailto:`` + the cell's e-mail,
    ``tel:`` + its phone, showing it) once, in the cell, and writes no finding for the link
    (docs/scan.md): protect still rewrites the link's address, text and tip with the cell —
    the package holds none of the values and ``--verify`` passes — and the protected link
    still restates its protected cell. The link to another address is protected too."""
    import openpyxl

    from baomi.engine.readers import xlsx_parts as xp
    from tests.engine.test_scan_xlsx_parts import linked_customers

    src = tmp_path / "in"
    src.mkdir()
    values = linked_customers(src / "客户.xlsx", random.Random(71))

    protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "客户.xlsx")
    assert [v for kind in values.values() for v in kind if v in text] == []
    ws = openpyxl.load_workbook(tmp_path / "out" / "客户.xlsx").active
    assert ws is not None
    for r in range(2, len(values["email"]) + 2):
        for col in "BCD":
            cell = ws[f"{col}{r}"]
            shown = strip_marks(cell.value)
            link = cell.hyperlink
            assert link is not None and link.target != f"mailto:{values['email'][r - 2]}"
            assert xp.restates(link.target, shown) is (f"{col}{r}" != "B4")
            for other in (link.display, link.tooltip):
                assert other is None or xp.restates(other, shown)


def _docx_with(tmp_path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    import docx

    src = tmp_path / "in"
    src.mkdir()
    d = docx.Document()
    build(d)
    d.save(src / "合同.docx")
    return src


def test_docx_hyperlink_text_and_address_are_protected(tmp_path: Path) -> None:
    """Word makes a typed e-mail address a hyperlink: its text (inside ``w:hyperlink``, not a
    direct run of the paragraph) and its address (the part's relationships) reached the
    package as they were, and ``--verify`` refused the package."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    rng = random.Random(62)
    email = f"kehu{rng.randint(100, 999)}@example.com"
    mobile = make_mobile(rng)

    def build(d) -> None:  # type: ignore[no-untyped-def]
        p = d.add_paragraph("乙方邮箱：")
        rid = d.part.relate_to(f"mailto:{email}", RT.HYPERLINK, is_external=True)
        p._p.append(
            parse_xml(
                f'<w:hyperlink {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                f'2006/relationships" r:id="{rid}"><w:r><w:t>{email}</w:t></w:r></w:hyperlink>'
            )
        )
        p.add_run(f"，电话{mobile}。")

    src = _docx_with(tmp_path, build)

    result = protect(src, tmp_path / "out")

    assert result.leaks == []
    text = zipped_text(tmp_path / "out" / "合同.docx")
    assert email not in text and mobile not in text
    # the text after the link is where it was: the edits used the paragraph's own offsets
    units = [strip_marks(u.text) for u in open_source(tmp_path / "out" / "合同.docx").units()]
    assert re.search(r"：k\*+@example\.com，电话", units[0]), units[0]


def test_docx_tracked_changes_content_controls_and_smart_tags(tmp_path: Path) -> None:
    """A negotiated contract's tracked insertion and deletion, a template's content controls
    (inline and around a paragraph) and a smart tag hold runs that are not direct children of
    the paragraph: the scan read none of them and protect left them in clear, with ``--verify``
    passing."""
    from docx.oxml import parse_xml

    rng = random.Random(63)
    mobiles = [make_mobile(rng) for _ in range(5)]
    rid = make_id(rng)

    def build(d) -> None:  # type: ignore[no-untyped-def]
        d.element.body.insert(
            0,
            parse_xml(
                f"<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>乙方身份证号{rid}</w:t></w:r>"
                "</w:p></w:sdtContent></w:sdt>"
            ),
        )
        p = d.add_paragraph("联系人改为")
        p._p.append(
            parse_xml(f'<w:ins {W} w:id="1" {REV}><w:r><w:t>手机{mobiles[0]}</w:t></w:r></w:ins>')
        )
        p._p.append(
            parse_xml(
                f'<w:del {W} w:id="2" {REV}><w:r><w:delText>旧手机{mobiles[1]}</w:delText>'
                "</w:r></w:del>"
            )
        )
        q = d.add_paragraph("乙方电话：")
        q._p.append(
            parse_xml(
                f"<w:sdt {W}><w:sdtContent><w:r><w:t>{mobiles[2]}</w:t></w:r>"
                "</w:sdtContent></w:sdt>"
            )
        )
        s = d.add_paragraph("备用：")
        s._p.append(
            parse_xml(
                f'<w:smartTag {W} w:uri="urn:x" w:element="phone"><w:r><w:t>{mobiles[3]}'
                "</w:t></w:r></w:smartTag>"
            )
        )
        s.add_run(f"，家里{mobiles[4]}")

    src = _docx_with(tmp_path, build)

    units = [u.text for u in open_source(src / "合同.docx").units()]
    assert units == [
        f"乙方身份证号{rid}",
        f"联系人改为手机{mobiles[0]}旧手机{mobiles[1]}",
        f"乙方电话：{mobiles[2]}",
        f"备用：{mobiles[3]}，家里{mobiles[4]}",
    ]

    result = protect(src, tmp_path / "out")

    assert result.leaks == []
    text = zipped_text(tmp_path / "out" / "合同.docx")
    assert [v for v in [*mobiles, rid] if v in text] == []
    # the deletion is still a deletion (its text in w:delText, which Word requires there)
    assert "<w:delText>旧手机" in text
    assert text.count("<w:ins ") == 1


WPS = (
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _text_box(text: str, alt: str = "") -> str:
    """A run holding a text box as Word writes one: the DrawingML shape, and a VML copy of the
    same text for older readers (``mc:Fallback``); ``alt``: its alternative text (Word's
    替代文字: a title on the drawing, a description on the drawing and the VML shape)."""
    content = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    described = f'<wp:docPr id="1" name="文本框 1" title="{alt}" descr="{alt}说明"/>' if alt else ""
    vml_alt = f' alt="{alt}说明"' if alt else ""
    return (
        f'<w:r {W} {WPS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f"<wp:anchor>{described}<a:graphic>"
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/'
        f'2010/wordprocessingShape"><wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp>'
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback>"
        f"<w:pict><v:shape{vml_alt}><v:textbox>{content}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def test_docx_text_boxes_are_read_once_and_protected_in_both_copies(tmp_path: Path) -> None:
    """A letterhead or a form's field in a text box: its paragraphs sit inside a run of another
    paragraph, twice (the drawing and its VML fallback). The scan read neither and protect
    left both in clear. They are read once, after every other paragraph (the rows before them
    do not move), and protected in both copies."""
    from docx.oxml import parse_xml

    rng = random.Random(64)
    mobile, other = make_mobile(rng), make_mobile(rng)

    def build(d) -> None:  # type: ignore[no-untyped-def]
        p = d.add_paragraph("甲方：示例有限公司")
        p._p.append(parse_xml(_text_box(f"联系人手机{mobile}")))
        d.add_paragraph(f"备用电话{other}")

    src = _docx_with(tmp_path, build)

    units = [(u.row, u.text) for u in open_source(src / "合同.docx").units()]
    assert units == [(0, "甲方：示例有限公司"), (1, f"备用电话{other}"), (2, f"联系人手机{mobile}")]

    result = protect(src, tmp_path / "out")

    assert result.leaks == []
    text = zipped_text(tmp_path / "out" / "合同.docx")
    assert mobile not in text and other not in text
    assert text.count("<w:txbxContent>") == 2  # both copies kept


def test_docx_alternative_texts_are_read_and_protected(tmp_path: Path) -> None:
    """What a person types as a drawing's alternative text (Word's 替代文字: a text box
    described as 客户欧阳明轩的联系卡, a kept picture as 身份证 <number>) sits in the drawing's
    XML, read by no paragraph: the scan did not count it and protect shipped it. Each distinct
    text is read once (``替代文字``, after the paragraphs) and protected wherever it is."""
    import io

    from docx.oxml import parse_xml
    from PIL import Image

    rng = random.Random(69)
    rid = make_id(rng)
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(picture, format="PNG")

    def build(d) -> None:  # type: ignore[no-untyped-def]
        p = d.add_paragraph("甲方：示例有限公司")
        p._p.append(parse_xml(_text_box("联系卡", alt="客户欧阳明轩的联系卡")))
        d.add_paragraph().add_run().add_picture(picture)
        (pr,) = d.element.body.xpath(".//pic:cNvPr")
        pr.set("descr", f"身份证 {rid}")

    src = _docx_with(tmp_path, build)

    extras = [(e.column, e.text) for e in open_source(src / "合同.docx").extras()]
    assert [t for c, t in extras if c == "替代文字"] == [
        "客户欧阳明轩的联系卡",
        "客户欧阳明轩的联系卡说明",
        f"身份证 {rid}",
    ]

    for images in ("remove", "keep"):
        out = tmp_path / f"out-{images}"
        policy = DEFAULT_POLICY + ("images: keep\n" if images == "keep" else "")
        protect_verified(src, out, load_policy_text(policy))
        text = zipped_text(out / "合同.docx")
        assert "欧阳明轩" not in text and rid not in text, images
        titles = re.findall(r'title="([^"]*)"', text)  # masked where it was
        assert len(titles) == 1 and titles[0].startswith("客户欧*"), titles


def test_docx_footnotes_and_endnotes_are_read_and_protected(tmp_path: Path) -> None:
    """A contract's footnote or endnote ("注：乙方联系人电话…") lives in its own part, which
    python-docx carries through unread: the scan did not read it and protect left it in clear.
    Their paragraphs are read after every other paragraph (footnotes, then endnotes; Word's
    separators are not notes) and protected."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml

    rng = random.Random(65)
    mobile, rid = make_mobile(rng), make_id(rng)

    def notes(kind: str, text: str) -> str:
        separator = f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        note = f'<w:{kind} w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{kind}>'
        return f"<w:{kind}s {W}>{separator}{note}</w:{kind}s>"

    def build(d) -> None:  # type: ignore[no-untyped-def]
        d.add_paragraph("乙方：示例有限公司")
        package = d.part.package
        for kind, ct, rt, text in (
            ("footnote", CT.WML_FOOTNOTES, RT.FOOTNOTES, f"注：乙方联系人电话{mobile}"),
            ("endnote", CT.WML_ENDNOTES, RT.ENDNOTES, f"附：身份证号{rid}"),
        ):
            part = XmlPart(PackURI(f"/word/{kind}s.xml"), ct, parse_xml(notes(kind, text)), package)
            d.part.relate_to(part, rt)

    src = _docx_with(tmp_path, build)

    units = [(u.row, u.text) for u in open_source(src / "合同.docx").units()]
    assert units == [
        (0, "乙方：示例有限公司"),
        (1, f"注：乙方联系人电话{mobile}"),
        (2, f"附：身份证号{rid}"),
    ]

    result = protect(src, tmp_path / "out")

    assert result.leaks == []
    text = zipped_text(tmp_path / "out" / "合同.docx")
    assert mobile not in text and rid not in text
    assert "注：乙方联系人电话" in text and "<w:separator/>" in text


def test_xlsx_data_validation_lists_and_messages_are_protected(tmp_path: Path) -> None:
    """A drop-down list typed into a cell's data validation (the customer's numbers to pick
    from) and its input and error messages are kept in the sheet's XML: protect left them in
    clear while the cells were masked."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    rng = random.Random(66)
    mobiles = [make_mobile(rng) for _ in range(3)]
    src = tmp_path / "in"
    src.mkdir()
    wb, ws = _sheet(["姓名", "回访电话"], ["王伟", mobiles[0]])
    choice = DataValidation(type="list", formula1=f'"{mobiles[0]},{mobiles[1]}"')
    choice.prompt = f"请选择，例如 {mobiles[2]}"
    choice.error = f"只能选 {mobiles[0]} 或 {mobiles[1]}"
    ws.add_data_validation(choice)
    choice.add("B2")
    wb.save(src / "回访.xlsx")

    result = protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "回访.xlsx")
    assert [m for m in mobiles if m in text] == []
    out = openpyxl.load_workbook(tmp_path / "out" / "回访.xlsx").active
    assert out is not None
    (kept,) = out.data_validations.dataValidation
    assert kept.type == "list" and kept.formula1.startswith('"') and "B2" in str(kept.sqref)
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"回访.xlsx": 3}


def test_names_in_a_data_validation_list_are_protected(tmp_path: Path) -> None:
    """A drop-down of the people to pick (``"欧阳明轩,司马静怡"``): the scan counts the names
    under ``数据验证：公式1`` and protect searched the list for identifiers only, so the
    names were shipped; a list of references stays as it was."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    names = ("欧阳明轩", "司马静怡", "诸葛文博")
    src = tmp_path / "in"
    src.mkdir()
    wb, ws = _sheet(["编号", "负责人"], ["A1", "王伟"])
    people = DataValidation(type="list", formula1='"' + ",".join(names) + '"')
    cells = DataValidation(type="list", formula1="$A$1:$A$9")
    for rule, where in ((people, "B2"), (cells, "A2")):
        ws.add_data_validation(rule)
        rule.add(where)
    wb.save(src / "分配.xlsx")

    protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "分配.xlsx")
    out = openpyxl.load_workbook(tmp_path / "out" / "分配.xlsx").active
    assert out is not None
    formulas = sorted(v.formula1 for v in out.data_validations.dataValidation)
    assert [n for n in names if n in text or n in formulas[0]] == []
    assert formulas[0].startswith('"') and formulas[0].count(",") == 2
    assert formulas[1] == "$A$1:$A$9"


def test_docx_tracked_change_authors_are_left_out(tmp_path: Path) -> None:
    """Who made each tracked change (``w:author`` on insertions, deletions and formatting
    changes, and Word's list of reviewers ``word/people.xml``) is a person, as a comment's
    author is, and was shipped as it was: it is left out, the changes kept."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml

    w15 = "http://schemas.microsoft.com/office/word/2012/wordml"

    def build(d) -> None:  # type: ignore[no-untyped-def]
        p = d.add_paragraph("价款为")
        p._p.append(
            parse_xml(
                f'<w:ins {W} w:id="1" w:author="律师王建华" w:date="2024-01-01T00:00:00Z">'
                "<w:r><w:t>一百万元</w:t></w:r></w:ins>"
            )
        )
        people = (
            f'<w15:people xmlns:w15="{w15}"><w15:person w15:author="律师王建华">'
            '<w15:presenceInfo w15:providerId="None" w15:userId="律师王建华"/>'
            "</w15:person></w15:people>"
        )
        part = XmlPart(
            PackURI("/word/people.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml",
            parse_xml(people),
            d.part.package,
        )
        d.part.relate_to(part, "http://schemas.microsoft.com/office/2011/relationships/people")

    src = _docx_with(tmp_path, build)
    assert "王建华" in zipped_text(src / "合同.docx")

    protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "合同.docx")
    assert "王建华" not in text
    assert "<w:ins " in text and "一百万元" in text


def test_verify_finds_an_identifier_left_anywhere_inside_the_file(tmp_path: Path) -> None:
    """``--verify`` re-read the cells, paragraphs and the parts the scan reads, and passed
    packages whose pivot caches, hyperlinks or tracked changes still held a customer's mobile
    (this QA pass). An identifier protect removed elsewhere, left in any XML part of the
    workbook or Word file — here a string inside a defined name's formula, a corner protect
    does not write (it protects constants only) — now fails the package, named ``(xml)``."""
    import pytest
    from openpyxl.workbook.defined_name import DefinedName

    from baomi.engine.protect.options import VerifyError

    rng = random.Random(67)
    mobile = make_mobile(rng)
    src = tmp_path / "in"
    src.mkdir()
    wb, _ = _sheet(["姓名", "手机"], ["王伟", mobile])
    formula = f'IF(TRUE,"{mobile}","")'
    wb.defined_names["回访号码"] = DefinedName("回访号码", attr_text=formula)
    wb.save(src / "客户.xlsx")

    with pytest.raises(VerifyError) as failed:
        protect(src, tmp_path / "out")

    assert failed.value.leaks == [
        {"file": "客户.xlsx", "sheet": None, "column": "(xml)", "count": 1}
    ]
    assert not (tmp_path / "out").exists()


def _field(paragraph: Any, code: list[str], shown: str) -> None:
    """A complex field appended to ``paragraph``: its code in one run per piece of
    ``code``, then ``shown`` as its result."""
    from docx.oxml import parse_xml

    runs = [
        '<w:fldChar w:fldCharType="begin"/>',
        *(f'<w:instrText xml:space="preserve">{piece}</w:instrText>' for piece in code),
        '<w:fldChar w:fldCharType="separate"/>',
        f"<w:t>{shown}</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ]
    for xml in runs:
        paragraph._p.append(parse_xml(f"<w:r {W}>{xml}</w:r>"))


def test_docx_hyperlink_fields_are_protected(tmp_path: Path) -> None:
    """A hyperlink written as a field (``HYPERLINK "mailto:…"`` in ``w:instrText``, as other
    editors and converted files write links) kept the address in the field code, which no
    paragraph's text holds: the address is protected as a relationship's is."""

    rng = random.Random(68)
    email = f"kehu{rng.randint(100, 999)}@example.com"

    def build(d) -> None:  # type: ignore[no-untyped-def]
        _field(d.add_paragraph("邮箱："), [f' HYPERLINK "mailto:{email}" '], email)

    src = _docx_with(tmp_path, build)

    result = protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "合同.docx")
    assert email not in text
    assert 'HYPERLINK "mailto:k' in text  # still a link field
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"合同.docx": 1}


def test_a_link_text_that_names_only_its_cell_is_protected(tmp_path: Path) -> None:
    """The scan counts a tip ``拨打 <the cell's phone>`` or an address ``mailto:<the cell's
    e-mail>?subject=…`` once, in the cell (docs/readers.md): protect still rewrites the
    link's address, text and tip, and ``--verify`` passes on the package."""
    import openpyxl

    from tests.engine.test_scan_xlsx_parts import wordy_links

    src = tmp_path / "in"
    src.mkdir()
    values = wordy_links(src / "客户.xlsx", random.Random(72))

    protect(src, tmp_path / "out")

    text = zipped_text(tmp_path / "out" / "客户.xlsx")
    dashed = [f"{m[:3]}-{m[3:7]}-{m[7:]}" for m in values["mobile"]]
    assert [v for v in values["mobile"] + values["email"] + dashed if v in text] == []
    ws = openpyxl.load_workbook(tmp_path / "out" / "客户.xlsx").active
    assert ws is not None
    for r in range(2, len(values["mobile"]) + 2):
        phone, mail = ws[f"B{r}"].hyperlink, ws[f"C{r}"].hyperlink
        assert phone.target.startswith("tel:") and phone.tooltip.startswith("拨打 ")
        assert mail.target.startswith("mailto:") and mail.target.endswith("?subject=合同")
        assert mail.tooltip.startswith("发邮件给 ")


def test_the_same_digits_inside_another_number_are_no_leftover(tmp_path: Path) -> None:
    """A customer's mobile, masked in its cell, and a figure whose digits hold the same run —
    after a decimal point, or inside a longer number — are not the identifier left over: the
    search of the file's XML refused the package (Apache POI's test workbooks: a resident ID
    in one cell, `1.234567890123450` in the next). A real leftover still fails it (above)."""
    rng = random.Random(68)
    mobile = make_mobile(rng)
    src = tmp_path / "in"
    src.mkdir()
    wb, _ = _sheet(["姓名", "手机", "比率", "编号"], ["王伟", mobile, f"0.{mobile}", f"9{mobile}0"])
    wb.save(src / "客户.xlsx")
    result = protect(src, tmp_path / "out")  # --verify
    (entry,) = result.manifest.files
    assert entry.path == "客户.xlsx"


def test_names_in_a_links_address_are_protected(tmp_path: Path) -> None:
    """A CRM link with the customer's name in its query (``?name=张伟明``): the scan reads the
    address as text and counts the names, and protect searched it for identifiers only, so
    the names reached the package with ``--verify`` passing. Both kinds of file, and a link
    written as a field."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    names = ("欧阳明轩", "司马静怡", "诸葛文博")
    address = f"https://crm.example.com/c?name={names[0]}&note=客户{names[1]}的订单"

    def build(d) -> None:  # type: ignore[no-untyped-def]
        p = d.add_paragraph("请看")
        rid = d.part.relate_to(address, RT.HYPERLINK, is_external=True)
        p._p.append(
            parse_xml(
                f'<w:hyperlink {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                f'2006/relationships" r:id="{rid}"><w:r><w:t>客户页面</w:t></w:r></w:hyperlink>'
            )
        )
        # the code split over two runs, as Word may write it
        code = [' HYPERLINK "https://crm.example.com/c?name=', f'{names[2]}" ']
        _field(d.add_paragraph("或"), code, "另一页")

    src = _docx_with(tmp_path, build)
    wb, ws = _sheet(["编号", "备注"], ["A1", "见页面"])
    ws["B2"].hyperlink = address
    wb.save(src / "客户.xlsx")

    protect(src, tmp_path / "out")

    for name in ("客户.xlsx", "合同.docx"):
        text = zipped_text(tmp_path / "out" / name)
        assert [n for n in names if n in text] == [], name
        assert "https://crm.example.com/c?name=" in text  # still the link, the name masked
