"""Visible marks: every page of a PDF, the header of a DOCX; broken files are never handed out."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
import weasyprint
from pypdf import PdfReader

from baomi.errors import InputError
from baomi.services.dataroom import documents, marks, rooms
from baomi.services.dataroom.packages import room_protector
from baomi.services.dataroom.rooms import Level
from tests.services.dataroom.test_documents import DEAL, grant_buyers, room
from tests.vault_support import database_url, key_file, mobile, settings, vault

__all__ = ["database_url", "key_file", "room", "settings", "vault"]


def _pdf(pages: int = 2) -> bytes:
    body = "".join(
        f'<p style="page-break-after: always">第 {i + 1} 页 合同正文</p>' for i in range(pages)
    )
    return weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def _docx() -> bytes:
    d = docx.Document()
    d.add_paragraph(f"联系人手机 {mobile(3)}")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_watermark_is_on_every_page() -> None:
    marked = marks.watermark_pdf(
        _pdf(3), marks.mark_text("buyer.a", "buyer", "2026-12-04T10:00:00")
    )
    reader = PdfReader(io.BytesIO(marked))
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert "buyer.a" in page.extract_text()


def test_the_marks_time_is_chinas_with_its_zone() -> None:
    """A download at 01:30 in Beijing was marked with the UTC time, 8 hours earlier and on the
    day before, with no zone: a leaked copy's mark is evidence, read outside the system."""
    text = marks.mark_text("buyer.a", "buyer", "2026-12-05T17:30:00+00:00")
    assert text.endswith("2026-12-06 01:30 UTC+8")


@pytest.mark.parametrize("data", [b"%PDF-1.7 broken", b"%PDF-"])
def test_a_broken_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(InputError):
        marks.watermark_pdf(data, "x")


def test_buyer_downloads_are_marked(vault: Any, room: dict[str, rooms.Seat]) -> None:
    original = _pdf()
    added = documents.upload(
        vault, room["seller.a"], DEAL, [("合同.pdf", original), ("说明.docx", _docx())]
    )
    grant_buyers(vault, Level.DOWNLOAD, folder="/")
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    by_name = {d.name: d.id for d in added}
    pdf = documents.download(vault, room["buyer.a"], DEAL, by_name["合同.pdf"], protect=protector)
    assert all("buyer.a" in p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    doc = documents.download(vault, room["buyer.a"], DEAL, by_name["说明.docx"], protect=protector)
    opened = docx.Document(io.BytesIO(doc.content))
    assert "buyer.a" in opened.sections[0].header.paragraphs[0].text
    assert mobile(3) not in "\n".join(p.text for p in opened.paragraphs)  # and de-identified
    own = documents.download(vault, room["seller.a"], DEAL, by_name["合同.pdf"], protect=protector)
    assert own.content == original  # the seller's side: the original, unmarked


def test_a_legacy_workbook_reaches_the_buyer_as_a_protected_xlsx(
    vault: Any, room: dict[str, rooms.Seat], tmp_path: Any
) -> None:
    """The seller uploads a legacy ``.xls`` (it was refused as an unsupported type); the buyer
    downloads its de-identified copy, an ``.xlsx`` named so; the seller, the original."""
    from openpyxl import load_workbook

    from tests.engine.readers.test_xls import legacy

    path = legacy(tmp_path / "老客户.xls", {"客户": [["姓名", "手机"], ["张伟", mobile(5)]]})
    original = path.read_bytes()
    (added,) = documents.upload(vault, room["seller.a"], DEAL, [("老客户.xls", original)])
    assert added.entities.get("CN_MOBILE") == 1
    grant_buyers(vault, Level.DOWNLOAD, folder="/")
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    got = documents.download(vault, room["buyer.a"], DEAL, added.id, protect=protector)
    assert (got.name, got.protected) == ("老客户.xlsx", True)
    cells = [str(v) for row in load_workbook(io.BytesIO(got.content)).active.values for v in row]
    assert "手机" in cells and mobile(5) not in "\n".join(cells)
    own = documents.download(vault, room["seller.a"], DEAL, added.id, protect=protector)
    assert (own.name, own.content) == ("老客户.xls", original)


def test_a_legacy_word_document_reaches_the_buyer_as_a_marked_protected_docx(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    from tests.engine.readers.test_doc import CONTRACT

    original = CONTRACT.read_bytes()
    (added,) = documents.upload(vault, room["seller.a"], DEAL, [("合同.doc", original)])
    assert added.entities.get("CN_MOBILE", 0) >= 5
    grant_buyers(vault, Level.DOWNLOAD, folder="/")
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    got = documents.download(vault, room["buyer.a"], DEAL, added.id, protect=protector)
    assert got.name == "合同.docx"
    opened = docx.Document(io.BytesIO(got.content))
    assert "buyer.a" in opened.sections[0].header.paragraphs[0].text  # marked as a .docx is
    assert "13800001111" not in "\n".join(p.text for p in opened.paragraphs)
    own = documents.download(vault, room["seller.a"], DEAL, added.id, protect=protector)
    assert (own.name, own.content) == ("合同.doc", original)
