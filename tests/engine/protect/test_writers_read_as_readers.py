"""Protect's round-trip loader reads a JSON document as the scan's reader does: the same
records, the same paths (``data[*].phone`` for a wrapped list) and the same texts, in the same
row order — one flattening, so the columns the scan reports are the columns protect edits."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from baomi.engine.protect.writers import load
from baomi.engine.readers import open_source

DOCUMENTS = {
    "array.json": '[{"name": "张伟", "buyer": {"phone": "13812345678"}, "items": [{"n": 1}]},'
    ' {"name": null, "ok": true, "price": 1.50}]',
    "wrapped.json": '{"code": 0, "data": {"list": [{"phone": "13812345678"}, {"phone": "1"}],'
    ' "total": 2}}',
    "object.json": '{"a": {"b": [1, 2]}, "c": ""}',
    "scalars.json": '[1, "x", [2, 3], {"k": "v"}]',
    "lines.jsonl": '{"a": 1}\n\n{"a": 2, "b": {"c": "d"}}\n[5]\n',
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_loader_flattens_as_the_reader(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(DOCUMENTS[name], encoding="utf-8")
    batches = list(open_source(path).batches())
    read = pl.concat([b.frame for b in batches], how="diagonal_relaxed")
    loaded = load(path).tables[0].frame
    assert loaded.columns == read.columns
    assert loaded.equals(read)


def test_an_unchanged_document_is_written_back_as_it_was(tmp_path: Path) -> None:
    # not array.json: a float is written back as Python prints it (1.50 → 1.5), a known limit
    for name, text in DOCUMENTS.items():
        if name == "array.json":
            continue
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        doc = load(path)
        doc.save(tmp_path / f"out-{name}")
        assert load(tmp_path / f"out-{name}").tables[0].frame.equals(doc.tables[0].frame)


def test_protect_edits_every_paragraph_the_docx_reader_reads(tmp_path: Path) -> None:
    """A first-page header is read by the scan; protect edits it too (it once walked only the
    default headers and footers, so PI there passed unprotected)."""
    import docx

    from baomi.engine.protect.fingerprint import strip_marks
    from baomi.engine.protect.keys import KeyProvider
    from baomi.engine.protect.package import ProtectOptions, protect_paths
    from baomi.engine.protect.policy import load_policy_text

    document = docx.Document()
    document.add_paragraph("正文")
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "联系电话13812345678"
    (tmp_path / "in").mkdir()
    document.save(str(tmp_path / "in" / "c.docx"))
    read = [u.text for u in open_source(tmp_path / "in" / "c.docx").units()]
    assert read == ["正文", "联系电话13812345678"]
    assert load(tmp_path / "in" / "c.docx").units == read
    protect_paths(
        [tmp_path / "in"],
        load_policy_text("entities:\n  CN_MOBILE: {operator: mask}\n"),
        tmp_path / "out",
        keys=KeyProvider(b"package-test-key-0123456789abcd"),
        options=ProtectOptions(recipient="甲"),
    )
    out = docx.Document(str(tmp_path / "out" / "c.docx"))
    assert strip_marks(out.sections[0].first_page_header.paragraphs[0].text).replace(" ", "") in (
        "联系电话138****5678",
        "联系电话138-****-5678",
    )


def test_text_lines_are_the_readers_lines(tmp_path: Path) -> None:
    """Lines end at \\n, \\r\\n or \\r for both (str.splitlines also cuts at a form feed or
    U+2028, which shifted protect's line numbers against the scan's)."""
    path = tmp_path / "t.txt"
    text = "第一行\r\n分页\f之后\n段\u2028落\r末行\r\n\n"
    path.write_bytes(text.encode("utf-8"))
    read = [u.text for u in open_source(path).units()]
    doc = load(path)
    assert doc.units == read == ["第一行", "分页\f之后", "段\u2028落", "末行", ""]
    doc.save(tmp_path / "out.txt")
    assert (tmp_path / "out.txt").read_bytes() == path.read_bytes()


def test_table_columns_are_named_as_the_readers_name_them(tmp_path: Path) -> None:
    """A blank header is column_<n> and a repeated one "手机 (2)" for both (protect named them
    "" and "手机_duplicated_0"), so a column rule names what the inventory shows; the header
    row is written back as it was."""
    from openpyxl import Workbook

    text = "姓名,,手机,手机\n张伟,x,13812345678,13912345678\n"
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", None, "手机", "手机"])
    sheet.append(["张伟", "x", "13812345678", "13912345678"])
    book.save(tmp_path / "d.xlsx")
    for name in ("d.csv", "d.xlsx"):
        read = next(iter(open_source(tmp_path / name).batches())).frame
        loaded = load(tmp_path / name).tables[0].frame
        assert loaded.columns == read.columns == ["姓名", "column_2", "手机", "手机 (2)"]
        assert loaded.equals(read)
    doc = load(tmp_path / "d.csv")
    doc.save(tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == text
