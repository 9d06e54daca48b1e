"""Documents in a room: upload checked and scanned; the seller gets originals; a buyer only a
protected copy of granted folders, which traces back to that buyer."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from baomi.engine.protect.trace import trace
from baomi.errors import NotFoundError, PermissionDeniedError
from baomi.services import accounts, deals
from baomi.services.dataroom import documents, grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.packages import records_dir, room_protector
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.dataroom.uploads import UploadError
from baomi.services.permissions import Actor, Role
from tests.services.dataroom.test_rooms import VALID_USCC
from tests.vault_support import (
    bank_card,
    database_url,
    key_file,
    mobile,
    resident_id,
    settings,
    vault,
)

__all__ = ["database_url", "key_file", "settings", "vault"]

BROKER = Actor("broker", Role.BROKER)
ADMIN = Actor("admin", Role.ADMIN)
DEAL = "转让-002"


def grant_buyers(vault: Any, level: Level, folder: str = "/") -> str:
    """The buyer's side may see (or download) ``folder`` for a week."""
    return grants.set_grant(
        vault, actor=BROKER, deal_ref=DEAL, side=Side.BUYER, folder=folder, level=level, days=7
    )


def _csv(rows: int = 40) -> bytes:
    lines = ["姓名,身份证号,手机,银行卡"]
    surnames = "赵钱孙李周吴郑王冯陈"
    for i in range(1, rows + 1):
        lines.append(
            f"{surnames[i % 10]}小{'明红刚丽'[i % 4]},{resident_id(i)},{mobile(i)},{bank_card(i)}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def room(vault: Any) -> dict[str, rooms.Seat]:
    deals.create(vault, actor=Actor("ops", Role.OPERATOR), name=DEAL)
    rooms.open_room(
        vault, actor=BROKER, deal_ref=DEAL, target_name="示例有限公司", target_uscc=VALID_USCC
    )
    seats = {}
    for name, side, role in (
        ("seller.a", Side.SELLER, Role.SELLER),
        ("buyer.a", Side.BUYER, Role.BUYER),
        ("buyer.b", Side.BUYER, Role.BUYER),
    ):
        user, _ = accounts.create_user(
            vault, actor=ADMIN, username=name, display_name=name, role=role.value
        )
        rooms.add_member(vault, actor=BROKER, deal_ref=DEAL, username=name, side=side, role=role)
        seats[name] = rooms.seat(vault, user, DEAL)
    ndas.publish_nda(vault, actor=BROKER, deal_ref=DEAL, discloser="卖方", recipient="买方")
    for name in ("buyer.a", "buyer.b"):
        nda = ndas.current_nda(vault, seats[name], DEAL)
        assert nda is not None
        ndas.accept_nda(vault, seats[name], DEAL, text_sha256=nda[2], name=name)
    rooms.set_stage(vault, actor=BROKER, deal_ref=DEAL, stage=Stage.DUE_DILIGENCE)
    return seats


def test_upload_scans_and_lists_with_the_inventory(vault: Any, room: dict[str, rooms.Seat]) -> None:
    (entry,) = documents.upload(
        vault, room["seller.a"], DEAL, [("名单.csv", _csv())], folder="客户"
    )
    assert entry.name == "客户/名单.csv" and entry.folder == "客户"
    assert entry.entities["CN_RESIDENT_ID"] == 40 and entry.individuals == 40
    listed = documents.documents(vault, room["seller.a"], DEAL)
    assert [e.name for e in listed] == ["客户/名单.csv"] and not listed[0].protected


def test_buyers_cannot_upload_and_bad_uploads_store_nothing(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    with pytest.raises(PermissionDeniedError):
        documents.upload(vault, room["buyer.a"], DEAL, [("a.csv", _csv())])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ok.csv", _csv(2))
        z.writestr("../evil.csv", _csv(2))
    with pytest.raises(UploadError):
        documents.upload(vault, room["seller.a"], DEAL, [("pack.zip", buf.getvalue())])
    assert documents.documents(vault, room["seller.a"], DEAL) == []
    documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(2))])
    with pytest.raises(UploadError):  # the same name again: nothing replaced
        documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(3))])


def test_buyer_gets_only_granted_folders_and_only_protected_copies(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    original = _csv()
    (entry,) = documents.upload(
        vault, room["seller.a"], DEAL, [("名单.csv", original)], folder="客户"
    )
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    assert documents.documents(vault, room["buyer.a"], DEAL) == []
    grant_buyers(vault, Level.VIEW, folder="客户")
    (seen,) = documents.documents(vault, room["buyer.a"], DEAL)
    assert seen.protected
    with pytest.raises(PermissionDeniedError):  # view only
        documents.download(vault, room["buyer.a"], DEAL, entry.id, protect=protector)
    grant_buyers(vault, Level.DOWNLOAD, folder="客户")
    got = documents.download(vault, room["buyer.a"], DEAL, entry.id, protect=protector)
    assert got.protected and got.package_id
    text = got.content.decode("utf-8")
    for i in (1, 17, 40):
        assert resident_id(i) not in text and mobile(i) not in text and bank_card(i) not in text
    seller = documents.download(vault, room["seller.a"], DEAL, entry.id, protect=protector)
    assert seller.content == original and not seller.protected


def test_a_leaked_buyer_copy_traces_to_that_buyer(
    vault: Any, room: dict[str, rooms.Seat], tmp_path: Path
) -> None:
    (entry,) = documents.upload(
        vault, room["seller.a"], DEAL, [("名单.csv", _csv())], folder="客户"
    )
    grant_buyers(vault, Level.DOWNLOAD, folder="/")
    deal_id = rooms.deal_id(vault, DEAL)
    protector = room_protector(vault, deal_id)
    copies = {
        who: documents.download(vault, room[who], DEAL, entry.id, protect=protector).content
        for who in ("buyer.a", "buyer.b")
    }
    assert copies["buyer.a"] != copies["buyer.b"]
    leak = tmp_path / "leak.csv"
    leak.write_bytes(copies["buyer.b"])
    assert trace(leak, records_dir(vault, deal_id)).recipient == "buyer.b"


def test_unknown_document_is_a_clear_error(vault: Any, room: dict[str, rooms.Seat]) -> None:
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    with pytest.raises(NotFoundError):
        documents.download(vault, room["seller.a"], DEAL, "nope", protect=protector)


def test_a_new_policy_remakes_the_copies(vault: Any, room: dict[str, rooms.Seat]) -> None:
    from baomi.engine.protect.policy import DEFAULT_POLICY
    from baomi.errors import PolicyError

    (entry,) = documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(5))])
    grant_buyers(vault, Level.DOWNLOAD, folder="/")
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    first = documents.download(vault, room["buyer.a"], DEAL, entry.id, protect=protector)
    with pytest.raises(PolicyError):
        rooms.set_policy(vault, actor=BROKER, deal_ref=DEAL, policy_text="entities: [")
    with pytest.raises(PermissionDeniedError):
        rooms.set_policy(
            vault, actor=room["buyer.a"].actor, deal_ref=DEAL, policy_text=DEFAULT_POLICY
        )
    rooms.set_policy(vault, actor=BROKER, deal_ref=DEAL, policy_text=DEFAULT_POLICY)
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    again = documents.download(vault, room["buyer.a"], DEAL, entry.id, protect=protector)
    assert again.package_id != first.package_id


def test_an_auditor_lists_documents_as_the_table_says_but_downloads_nothing(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    """doc.view includes auditors; the listing used to ask the command line's deal.show too,
    which does not, so a seated auditor was refused the list the role table allows."""
    documents.upload(vault, room["seller.a"], DEAL, [("名单.csv", _csv(3))], folder="客户")
    user, _ = accounts.create_user(
        vault, actor=ADMIN, username="audit.a", display_name="audit.a", role="auditor"
    )
    rooms.add_member(
        vault, actor=BROKER, deal_ref=DEAL, username="audit.a", side=Side.SELLER, role=Role.AUDITOR
    )
    auditor = rooms.seat(vault, user, DEAL)
    (listed,) = documents.documents(vault, auditor, DEAL)
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    for doc in (listed.id, "no-such-id"):  # refused before it learns whether an id exists
        with pytest.raises(PermissionDeniedError):
            documents.download(vault, auditor, DEAL, doc, protect=protector)


def test_a_buyers_listing_reads_the_grants_once(vault: Any, room: dict[str, rooms.Seat]) -> None:
    """The listing checked each document's folder against the grants in a read of its own (four
    statements a document); the number of statements no longer grows with the documents."""
    from sqlalchemy import event

    grants.set_grant(
        vault, actor=BROKER, deal_ref=DEAL, side=Side.BUYER, folder="/", level=Level.VIEW, days=5
    )
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def listing_cost() -> int:
        statements.clear()
        event.listen(vault.engine, "before_cursor_execute", count)
        try:
            documents.documents(vault, room["buyer.a"], DEAL)
        finally:
            event.remove(vault.engine, "before_cursor_execute", count)
        return len(statements)

    documents.upload(vault, room["seller.a"], DEAL, [("a.csv", _csv(2))], folder="甲")
    one = listing_cost()
    files = [(f"{i}.csv", _csv(2)) for i in range(6)]
    documents.upload(vault, room["seller.a"], DEAL, files, folder="乙/丙")
    assert len(documents.documents(vault, room["buyer.a"], DEAL)) == 7
    assert listing_cost() == one


def test_an_auditor_on_the_sellers_side_previews_a_protected_copy(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    """Minimum necessary (PIPL-6): an auditor reviews the log and the process, not the people,
    so an auditor seated on the seller's side gets protected copies as a recipient side does;
    the seller's own staff still get the original."""
    documents.upload(vault, room["seller.a"], DEAL, [("名单.csv", _csv(5))], folder="客户")
    user, _ = accounts.create_user(
        vault, actor=ADMIN, username="audit.a", display_name="audit.a", role=Role.AUDITOR.value
    )
    rooms.add_member(
        vault, actor=BROKER, deal_ref=DEAL, username="audit.a", side=Side.SELLER, role=Role.AUDITOR
    )
    auditor = rooms.seat(vault, user, DEAL)
    (listed,) = documents.documents(vault, auditor, DEAL)
    assert listed.protected
    protector = room_protector(vault, rooms.deal_id(vault, DEAL))
    shown = documents.preview(vault, auditor, DEAL, listed.id, protect=protector)
    cells = " ".join(" ".join(row) for row in shown.rows)
    assert shown.protected and resident_id(1) not in cells and mobile(1) not in cells
    own = documents.preview(vault, room["seller.a"], DEAL, listed.id, protect=protector)
    assert not own.protected and resident_id(1) in " ".join(" ".join(r) for r in own.rows)


def test_a_file_nothing_can_be_read_from_is_refused_at_upload(
    vault: Any, room: dict[str, rooms.Seat]
) -> None:
    """A damaged workbook was taken in as "已上传并扫描" with no findings; only its preview and
    the buyer's download failed later. Nothing can be protected from it, so it is refused when
    uploaded, naming the file and why, and nothing of that upload is stored."""
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    damaged = good.getvalue()[:-30]  # a zip's signature, its end cut off
    with pytest.raises(UploadError) as refused:
        documents.upload(
            vault, room["seller.a"], DEAL, [("a.csv", _csv(2)), ("名单.xlsx", damaged)]
        )
    assert "名单.xlsx" in str(refused.value) and "无法读取" in str(refused.value)
    assert documents.documents(vault, room["seller.a"], DEAL) == []
