"""A Word document's hyperlink addresses read as extra rows (``链接``): the ``mailto:`` behind
联系客户 counts, an address the text shows counts once, a bookmark is no address."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.shared import OxmlElement, qn

from baomi.engine.contracts.codec import to_dict
from baomi.engine.readers import open_source
from baomi.engine.readers.doc import _field_codes
from baomi.engine.readers.docx import open_docx
from baomi.engine.readers.word_links import LABEL, field_addresses, unshown
from baomi.engine.scan.run import scan_paths
from baomi.errors import UnreadableFileError
from tests.engine.readers.fixtures.make_legacy import linked_document, wrapped

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS = "mailto:kehu.zhang@example.com"


def _links(source: object) -> list[tuple[int, str]]:
    return [(e.row, e.text) for e in source.extras() if e.column == LABEL]  # type: ignore[attr-defined]


def _page(source: object) -> str:
    return next(t for _, t in _links(source) if t.startswith("https://"))


def test_a_docx_links_addresses_follow_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    linked_document().save(path)
    source = open_docx(path)
    last = max(e.row for e in source.extras() if e.column != LABEL)
    links = _links(source)
    # Word's own mailto: + the address the paragraph shows is counted in the paragraph
    assert [t for _, t in links] == [ADDRESS, _page(source)]
    assert "tel=13912340000" in _page(source)
    assert all(row > last for row, _ in links) and links[1][0] == links[0][0] + 1
    assert source.errors == []


def test_a_doc_reads_its_hyperlink_fields() -> None:
    """``links.doc``: the same letter saved by LibreOffice as Word 97, its links
    ``HYPERLINK`` fields."""
    source = open_source(FIXTURES / "links.doc")
    texts = [u.text for u in source.units()]
    assert texts[0] == "请联系客户"  # the field's result, not its code
    assert [t for _, t in _links(source)] == [ADDRESS, _page(source)]


def _field_paragraph(document: object, code: str, shown: str, *, simple: bool) -> None:
    paragraph = document.add_paragraph("见")  # type: ignore[attr-defined]
    if simple:
        paragraph._p.append(wrapped("w:fldSimple", {"w:instr": code}, shown))
        return
    parts = [("begin", None), (None, code[:12]), (None, code[12:]), ("separate", None)]
    for kind, instr in [*parts, (None, None), ("end", None)]:
        run = OxmlElement("w:r")
        if kind:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run.append(mark)
        elif instr is not None:
            element = OxmlElement("w:instrText")
            element.text = instr  # a field's code split over runs, as Word writes it
            run.append(element)
        else:
            element = OxmlElement("w:t")
            element.text = shown
            run.append(element)
        paragraph._p.append(run)


@pytest.mark.parametrize("simple", [False, True], ids=["complex-field", "simple-field"])
def test_a_docx_link_written_as_a_field_is_read(tmp_path: Path, simple: bool) -> None:
    document = docx.Document()
    _field_paragraph(document, f' HYPERLINK "{ADDRESS}" \\o "提示" ', "联系客户", simple=simple)
    _field_paragraph(document, ' HYPERLINK \\l "top" ', "回到顶部", simple=simple)
    path = tmp_path / "fields.docx"
    document.save(path)
    source = open_docx(path)
    assert [u.text for u in source.units()] == ["见联系客户", "见回到顶部"]
    assert [t for _, t in _links(source)] == [ADDRESS]


def test_a_docx_with_corrupt_relationships_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    linked_document().save(path)
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/_rels/document.xml.rels":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(UnreadableFileError):  # python-docx cannot open it: refused as broken
        open_docx(broken)


@pytest.mark.parametrize(
    ("addresses", "shown", "read"),
    [
        (["mailto:a@b.cn"], "邮箱 a@b.cn", []),
        (["mailto:a@b.cn?subject=%E8%AE%A2%E5%8D%95"], "邮箱 a@b.cn", ["?subject=订单"]),
        (["mailto:a@b.cn", "MAILTO:a@b.cn"], "联系我们", ["mailto:a@b.cn", "MAILTO:a@b.cn"]),
        (["tel:13800001111", "tel:13800001111"], "电话", ["tel:13800001111"]),
        (["#top", "  ", "https://x.cn/?p=1"], "", ["https://x.cn/?p=1"]),
        (["https://x.cn/"], "见 https://x.cn/ 页面", []),
    ],
)
def test_what_the_text_shows_is_read_once(
    addresses: list[str], shown: str, read: list[str]
) -> None:
    assert unshown(addresses, shown) == read


@pytest.mark.parametrize(
    ("code", "addresses"),
    [
        (' HYPERLINK "mailto:a@b.cn" ', ["mailto:a@b.cn"]),
        (' HYPERLINK \\o "tip" "https://x.cn" \\t "_blank"', ["https://x.cn"]),
        (' hyperlink "tel:138" ', ["tel:138"]),
        (' HYPERLINK \\l "bookmark" ', []),
        (" PAGE ", []),
    ],
)
def test_field_addresses(code: str, addresses: list[str]) -> None:
    assert field_addresses(code) == addresses


def test_field_codes_of_nested_fields_are_their_own() -> None:
    text = '见\x13 HYPERLINK "mailto:a@b.cn" \x14a\x15，\x13 IF \x13 PAGE \x14 1\x15 = 1 \x14是\x15'
    assert _field_codes(text) == [' HYPERLINK "mailto:a@b.cn" ', " PAGE ", " IF  = 1 "]
    assert _field_codes("no fields") == []


def test_the_scan_counts_what_only_a_link_holds(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    linked_document().save(root / "letter.docx")
    (record,) = to_dict(scan_paths([root]).inventory)["files"]
    # two addresses (the one behind 联系客户 and the one shown, once), the page's ID and phone
    assert record["entities"] == {"EMAIL": 2, "CN_RESIDENT_ID": 1, "CN_MOBILE": 1}
