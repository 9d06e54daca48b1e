"""Legacy Office files in the package: an .xls written as an .xlsx with its values, comments
and links protected as a workbook's, a .doc as a .docx of its paragraphs, the manifest saying
so; a file that has the name already keeps it."""

from __future__ import annotations

import random
import re
import shutil
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.renderings import conventional
from baomi.engine.scan import ScanOptions, scan_paths
from tests.engine.protect.conftest import make_id, make_mobile
from tests.engine.protect.test_package import run
from tests.engine.readers.test_xls import FIXTURES, legacy
from tests.engine.readers.test_xlsx import workbook


def _customers(rng: random.Random, n: int = 8) -> list[list[object]]:
    rows: list[list[object]] = [["姓名", "手机", "身份证号", "开户日期", "备注"]]
    for i in range(n):
        rows.append([f"客户{i}", make_mobile(rng), make_id(rng), date(2024, 1, i + 1), "=先付款"])
    return rows


def _cells(path: Path) -> list[str]:
    book = load_workbook(path)
    out = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                out += [str(cell.value or ""), cell.comment.text if cell.comment else ""]
                out.append(cell.hyperlink.target or "" if cell.hyperlink else "")
    return out


def test_a_legacy_workbook_is_written_as_an_xlsx_with_its_pi_protected(tmp_path: Path) -> None:
    rng = random.Random(11)
    rows = _customers(rng)
    src = tmp_path / "in"
    src.mkdir()
    legacy(src / "老客户.xls", {"客户": rows})
    before = (src / "老客户.xls").read_bytes()
    result = run(src, tmp_path / "out", verify=True)
    assert (src / "老客户.xls").read_bytes() == before  # the original is never modified
    assert result.left_out == [] and result.unsupported == []
    out = tmp_path / "out" / "老客户.xlsx"
    assert not (tmp_path / "out" / "老客户.xls").exists()
    (entry,) = result.manifest.files
    assert (entry.path, entry.format, entry.converted_from) == ("老客户.xlsx", "xlsx", "xls")
    sheet = load_workbook(out)["客户"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(rows) - 1
    for original, written in zip(rows[1:], values, strict=True):
        mobile = str(original[1])
        assert conventional(strip_marks(str(written[1]))) == mobile[:3] + "****" + mobile[-4:]
        assert str(original[2]) not in str(written[2])
        assert written[3].date() == original[3]  # type: ignore[union-attr]  # still a date
        assert written[4] == "=先付款"  # a text that starts with '=' is no formula
    assert sheet.cell(row=2, column=4).number_format == "yyyy-mm-dd"
    text = "\n".join(_cells(out))
    for original in rows[1:]:
        assert str(original[1]) not in text and str(original[2]) not in text


def test_comments_and_links_of_a_legacy_workbook_are_protected(tmp_path: Path) -> None:
    """The fixture's comment holds a mobile, another a resident ID, a link another person's
    e-mail address: none is left in the copy, and a scan of it finds nothing to report."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(FIXTURES / "notes_links.xls", src / "客户.xls")
    result = run(src, tmp_path / "out", verify=True)
    (entry,) = result.manifest.files
    assert entry.extras_changed and entry.extras_changed >= 3
    text = "\n".join(_cells(tmp_path / "out" / "客户.xlsx"))
    for raw in ("13700003333", "other@example.org", "13800001111", "110105198503120"):
        assert raw not in text
    assert "备用手机" in text  # the comment is kept, its identifier masked
    options = ScanOptions(prose=False)
    scanned = scan_paths([src], out_dir=tmp_path / "scan-in", options=options).inventory
    again = scan_paths([tmp_path / "out"], out_dir=tmp_path / "scan-out", options=options)
    identifiers = {"CN_MOBILE", "CN_RESIDENT_ID", "EMAIL"}
    assert identifiers <= set(scanned.summary.entities)
    assert not identifiers & set(again.inventory.summary.entities)


def test_a_file_with_the_name_already_keeps_it(tmp_path: Path) -> None:
    rng = random.Random(12)
    src = tmp_path / "in"
    src.mkdir()
    legacy(src / "客户.xls", {"客户": _customers(rng, 3)})
    workbook(src / "客户.xlsx", {"客户": _customers(rng, 2)})
    result = run(src, tmp_path / "out")
    names = {f.path: f.converted_from for f in result.manifest.files}
    assert names == {"客户.xlsx": None, "客户~2.xlsx": "xls"}
    assert load_workbook(tmp_path / "out" / "客户~2.xlsx")["客户"].max_row == 4


def test_a_legacy_workbook_the_scan_cannot_read_is_named_unreadable(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    legacy(src / "好.xls", {"客户": _customers(random.Random(13), 2)})
    (src / "坏.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600)
    result = run(src, tmp_path / "out")
    assert [f.path for f in result.manifest.files] == ["好.xlsx"]
    assert [u["path"] for u in result.unreadable] == ["坏.xls"]
    assert "损坏" in result.unreadable[0]["reason"]


def test_a_web_page_saved_as_xls_is_written_as_an_xlsx_of_its_tables(tmp_path: Path) -> None:
    from tests.engine.readers.test_xls import PAGE

    src = tmp_path / "in"
    src.mkdir()
    (src / "导出.xls").write_bytes(PAGE.encode("gb18030"))
    result = run(src, tmp_path / "out", verify=True)
    (entry,) = result.manifest.files
    assert (entry.path, entry.converted_from) == ("导出.xlsx", "html")
    book = load_workbook(tmp_path / "out" / "导出.xlsx")
    assert book.sheetnames == ["表1", "表2"]
    assert book["表1"]["A2"].value == "姓名" and book["表2"]["A1"].value == "订单号"
    text = "\n".join(_cells(tmp_path / "out" / "导出.xlsx"))
    for raw in ("13800001111", "13900002222", "13700003333", "13600004444", "13500005555"):
        assert raw not in text


def test_a_legacy_word_document_is_written_as_a_docx_of_its_paragraphs(tmp_path: Path) -> None:
    """The fixture (``readers/fixtures/make_legacy.py``): identifiers in the body, a table, the
    page header and a comment, the title property. Each paragraph the scan reads is in the
    copy, in its order, protected; the properties are not carried."""
    import docx

    from baomi.engine.readers.doc import paragraphs
    from tests.engine.readers.test_doc import CONTRACT, resident_id

    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(CONTRACT, src / "合同.doc")
    result = run(src, tmp_path / "out", verify=True)
    (entry,) = result.manifest.files
    assert (entry.path, entry.format, entry.converted_from) == ("合同.docx", "docx", "doc")
    copy = docx.Document(str(tmp_path / "out" / "合同.docx"))
    texts = [strip_marks(p.text) for p in copy.paragraphs]
    assert len(texts) == len(paragraphs(CONTRACT)) == entry.units
    assert texts[2:4] == ["姓名", "手机"] and texts[8].startswith("第二行\n换行 ")
    whole = "\n".join(texts) + (copy.core_properties.title or "") + copy.core_properties.author
    raws = [resident_id(), "13800001111", "13700003333", "13600004444", "13500005555"]
    for raw in [*raws, "13400006666", "13900002222", "13800009999", "王经理"]:
        assert raw not in whole
    assert re.search(r"138\D{0,2}\*{4}\D{0,2}1111", texts[0])  # masked, in any rendering


def test_a_docx_saved_as_doc_is_protected_as_a_docx(tmp_path: Path) -> None:
    import docx

    src = tmp_path / "in"
    src.mkdir()
    document = docx.Document()
    document.add_paragraph("联系人手机 13800001111")
    document.save(str(src / "说明.doc"))
    result = run(src, tmp_path / "out", verify=True)
    (entry,) = result.manifest.files
    assert (entry.path, entry.converted_from) == ("说明.docx", "doc")
    text = docx.Document(str(tmp_path / "out" / "说明.docx")).paragraphs[0].text
    assert "13800001111" not in text and "联系人手机" in text
