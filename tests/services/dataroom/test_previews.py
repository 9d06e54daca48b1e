"""Previews: a table's page of rows, text lines, a PDF page as an image; the buyer's side sees
the protected copy, made once per user (the same package on the next view and the download)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import deals
from baomi.services.dataroom import copies, documents, rooms
from baomi.services.dataroom.packages import room_protector
from baomi.services.dataroom.rooms import Level
from tests.services.dataroom.test_documents import DEAL, _csv, grant_buyers, room
from tests.services.dataroom.test_marks import _pdf
from tests.vault_support import database_url, key_file, resident_id, settings, vault

__all__ = ["database_url", "key_file", "room", "settings", "vault"]


def _setup(vault: Any, room: dict[str, rooms.Seat]) -> dict[str, str]:
    added = documents.upload(
        vault,
        room["seller.a"],
        DEAL,
        [
            ("名单.csv", _csv(120)),
            ("说明.txt", "\n".join(f"第{i}行" for i in range(150)).encode()),
            ("合同.pdf", _pdf(2)),
        ],
    )
    grant_buyers(vault, Level.VIEW, folder="/")
    return {d.name: d.id for d in added}


def test_table_pages_for_seller_and_buyer(vault: Any, room: dict[str, rooms.Seat]) -> None:
    ids = _setup(vault, room)
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    own = documents.preview(vault, room["seller.a"], DEAL, ids["名单.csv"], protect=protector)
    assert own.kind == "table" and own.columns[:2] == ["姓名", "身份证号"] and len(own.rows) == 50
    assert own.rows[0][1] == resident_id(1) and not own.protected
    last = documents.preview(
        vault, room["seller.a"], DEAL, ids["名单.csv"], protect=protector, page=2
    )
    assert len(last.rows) == 20 and last.rows[-1][1] == resident_id(120)
    seen = documents.preview(vault, room["buyer.a"], DEAL, ids["名单.csv"], protect=protector)
    assert seen.protected and len(seen.rows) == 50
    assert all(resident_id(i) not in str(seen.rows) for i in range(1, 51))
    again = documents.preview(
        vault, room["buyer.a"], DEAL, ids["名单.csv"], protect=protector, page=1
    )
    assert again.rows[0] != seen.rows[0]  # the next page of the same copy
    assert copies.copies(vault, room["seller.a"], DEAL) == []  # previewed only: no copy held


def test_text_and_pdf_pages(vault: Any, room: dict[str, rooms.Seat]) -> None:
    ids = _setup(vault, room)
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    text = documents.preview(
        vault, room["buyer.a"], DEAL, ids["说明.txt"], protect=protector, page=1
    )
    assert text.kind == "text" and len(text.lines) == 50 and text.lines[0].startswith("第100行")
    pdf = documents.preview(
        vault, room["buyer.a"], DEAL, ids["合同.pdf"], protect=protector, page=1
    )
    assert pdf.kind == "image" and pdf.pages == 2 and pdf.image_png is not None
    assert pdf.image_png.startswith(b"\x89PNG")
    with pytest.raises(InputError):
        documents.preview(vault, room["buyer.a"], DEAL, ids["合同.pdf"], protect=protector, page=2)


def test_preview_needs_a_view_grant(vault: Any, room: dict[str, rooms.Seat]) -> None:
    (doc,) = documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(2))], folder="私密")
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    with pytest.raises(PermissionDeniedError):  # no grant at all
        documents.preview(vault, room["buyer.a"], DEAL, doc.id, protect=protector)
    grant_buyers(vault, Level.VIEW, folder="公开")
    with pytest.raises(PermissionDeniedError):  # a grant for another folder only
        documents.preview(vault, room["buyer.a"], DEAL, doc.id, protect=protector)


def test_download_after_preview_is_the_same_copy(vault: Any, room: dict[str, rooms.Seat]) -> None:
    ids = _setup(vault, room)
    grant_buyers(vault, Level.DOWNLOAD, folder="/")
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    documents.preview(vault, room["buyer.a"], DEAL, ids["名单.csv"], protect=protector)
    one = documents.download(vault, room["buyer.a"], DEAL, ids["名单.csv"], protect=protector)
    two = documents.download(vault, room["buyer.a"], DEAL, ids["名单.csv"], protect=protector)
    assert one.content == two.content and one.package_id == two.package_id
    (held,) = copies.copies(vault, room["seller.a"], DEAL)
    assert held.package_id == one.package_id and held.provided_at is not None


def test_a_file_that_cannot_be_read_is_named_by_its_own_name(
    vault: Any, room: dict[str, rooms.Seat], tmp_path: Path
) -> None:
    """A workbook that is not one (a zip's signature, then nothing) was taken by the upload;
    its preview said "/tmp/baomi-preview-6iehc4xu/preview.xlsx: Excel 文件已损坏（不是 zip）" to
    the seller — the server's temporary path, not the document. It names the document. (The
    upload refuses such a file now; the command line's ``deal add`` still stores one.)"""
    (tmp_path / "坏表.xlsx").write_bytes(b"PK\x03\x04garbage")
    (doc,) = deals.add(
        vault, actor=room["seller.a"].actor, deal_ref=DEAL, paths=[tmp_path / "坏表.xlsx"]
    )
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    with pytest.raises(InputError) as refused:
        documents.preview(vault, room["seller.a"], DEAL, doc.id, protect=protector)
    said = str(refused.value)
    assert said.startswith("坏表.xlsx: ") and "preview" not in said and "/tmp" not in said
