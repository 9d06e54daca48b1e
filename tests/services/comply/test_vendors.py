from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import backup, deals
from baomi.services.comply import scope
from baomi.services.comply import vendors as vd
from baomi.services.comply.vendors import Ending, FilePurpose, Kind, VendorInput
from baomi.services.dataroom import rooms
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from baomi.storage.models import AuditEventRow, Vendor
from tests.services.test_backup import _restore_settings

OPERATOR = Actor("op", Role.OPERATOR)
AUDITOR = Actor("aud", Role.AUDITOR)
TODAY = _dt.date(2026, 12, 4)
CONTACT = "王经理 13900000001"


def _room(vault: Vault, name: str = "d1") -> None:
    deals.create(vault, actor=OPERATOR, name=name)
    rooms.open_room(
        vault,
        actor=Actor("sys", Role.ADMIN),
        deal_ref=name,
        target_name="示例",
        target_uscc=DEMO_USCC,
    )


def _all_keys() -> tuple[tuple[str, ...], tuple[str, ...]]:
    cfg = vd.config()
    return tuple(c.key for c in cfg.criteria), tuple(c.key for c in cfg.contract)


# --- the risk score ------------------------------------------------------------------------------


def test_a_party_meeting_everything_has_no_risk_and_one_with_nothing_the_cap() -> None:
    criteria, contract = _all_keys()
    assert (
        vd.risk_score(criteria=criteria, contract=contract, nda_signed=True, quality=5, security=5)
        == 0
    )
    assert (
        vd.risk_score(criteria=(), contract=(), nda_signed=False, quality=None, security=None)
        == 100
    )


def test_each_term_adds_its_weight() -> None:
    w = vd.config().risk
    criteria, contract = _all_keys()
    full = {
        "criteria": criteria,
        "contract": contract,
        "nda_signed": True,
        "quality": 5,
        "security": 5,
    }
    assert vd.risk_score(**full | {"contract": contract[1:]}) == w.contract_missing  # type: ignore[arg-type]
    assert vd.risk_score(**full | {"criteria": criteria[1:]}) == w.criterion_missing  # type: ignore[arg-type]
    assert vd.risk_score(**full | {"nda_signed": False}) == w.no_nda  # type: ignore[arg-type]
    assert vd.risk_score(**full | {"quality": 4}) == w.quality  # type: ignore[arg-type]
    assert vd.risk_score(**full | {"security": 3}) == 2 * w.security  # type: ignore[arg-type]


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_risk_bands_at_their_marks(offset: int) -> None:
    w = vd.config().risk
    assert vd.risk_band(w.medium + offset) == ("low" if offset < 0 else "medium")
    assert vd.risk_band(w.high + offset) == ("medium" if offset < 0 else "high")


# --- reminders at the window's edge -------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_to_end", "soon"),
    [(-1, False), (0, True), (29, True), (30, True), (31, False)],
)
def test_ending_soon_window_includes_exactly_n_days_before_the_end(
    days_to_end: int, soon: bool
) -> None:
    end = TODAY + _dt.timedelta(days=days_to_end)
    assert vd.ending_soon(end, TODAY, 30) is soon


@pytest.mark.parametrize(("days_to_end", "late"), [(-1, True), (0, False), (1, False)])
def test_ended_unconfirmed_from_the_day_after_the_end(days_to_end: int, late: bool) -> None:
    end = TODAY + _dt.timedelta(days=days_to_end)
    assert vd.ended_unconfirmed(end, TODAY, closed=False) is late
    assert not vd.ended_unconfirmed(end, TODAY, closed=True)


def test_reminders_list_ending_soon_and_ended_without_confirmation(vault: Vault) -> None:
    _room(vault)
    days = vd.config().reminder_days

    def add(name: str, end_in: int) -> str:
        data = VendorInput(name, Kind.SERVICE_PROVIDER, contract_end=TODAY + _dt.timedelta(end_in))
        return vd.save_vendor(vault, actor=OPERATOR, deal_ref="d1", data=data).id

    at_edge = add("边界服务商", days)
    add("稍远服务商", days + 1)
    late = add("已到期服务商", -1)
    closed = add("已关闭服务商", -5)
    vd.close_vendor(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        vendor_id=closed,
        ending=Ending.DELETED,
        confirmed_by="李",
    )
    due = vd.reminders(vault, actor=OPERATOR, deal_ref="d1", on=TODAY)
    assert [v.id for v in due.ending_soon] == [at_edge]
    assert [v.id for v in due.ended_unconfirmed] == [late]
    wider = vd.reminders(vault, actor=OPERATOR, on=TODAY, days=days + 1)  # every company
    assert len(wider.ending_soon) == 2


# --- the register --------------------------------------------------------------------------------


def test_add_a_party_with_its_contract_and_nda(vault: Vault) -> None:
    _room(vault)
    criteria, contract = _all_keys()
    info = vd.save_vendor(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        data=VendorInput(
            "云存储服务商",
            Kind.SERVICE_PROVIDER,
            contact=CONTACT,
            criteria=criteria,
            nda_signed=True,
            nda_date=_dt.date(2026, 1, 5),
            contract=contract[:-1],
            quality=4,
            security=5,
            contract_start=_dt.date(2026, 1, 1),
            contract_end=_dt.date(2027, 1, 1),
        ),
    )
    assert info.missing_contract == ("no_subentrustment",)
    assert info.risk == vd.config().risk.contract_missing + vd.config().risk.quality
    assert info.band == "low" and info.contact == CONTACT
    # the contact may name a person: sealed at rest, and not in the audit event
    with vault.reading() as session:
        row = session.get(Vendor, info.id)
        assert row is not None and row.contact_sealed is not None
        assert CONTACT.encode() not in row.contact_sealed
        events = [e.details for e in session.execute(select(AuditEventRow)).scalars()]
    assert not any("13900000001" in d for d in events)
    listed = vd.vendors(vault, actor=AUDITOR, uscc=DEMO_USCC)
    assert [v.id for v in listed] == [info.id]


def test_the_buyer_entry_links_to_its_deal(vault: Vault) -> None:
    _room(vault)
    info = vd.save_vendor(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        data=VendorInput("买方公司", Kind.BUYER, buyer_of="d1"),
    )
    assert info.deal_name == "d1"
    with pytest.raises(InputError):
        vd.save_vendor(
            vault,
            actor=OPERATOR,
            deal_ref="d1",
            data=VendorInput("顾问", Kind.ADVISER, buyer_of="d1"),
        )


@pytest.mark.parametrize(("rating", "ok"), [(0, False), (1, True), (5, True), (6, False)])
def test_ratings_are_one_to_five(vault: Vault, rating: int, ok: bool) -> None:
    _room(vault)
    data = VendorInput("x", Kind.OTHER, quality=rating, security=rating)
    if ok:
        assert vd.save_vendor(vault, actor=OPERATOR, deal_ref="d1", data=data).quality == rating
    else:
        with pytest.raises(InputError):
            vd.save_vendor(vault, actor=OPERATOR, deal_ref="d1", data=data)


def test_closing_requires_the_return_or_delete_confirmation(vault: Vault) -> None:
    _room(vault)
    party = vd.save_vendor(
        vault, actor=OPERATOR, deal_ref="d1", data=VendorInput("顾问所", Kind.ADVISER)
    )
    for ending, who in ((None, "李"), (Ending.DELETED, " ")):
        with pytest.raises(InputError):
            vd.close_vendor(
                vault,
                actor=OPERATOR,
                deal_ref="d1",
                vendor_id=party.id,
                ending=ending,
                confirmed_by=who,
            )
    assert vd.vendors(vault, actor=OPERATOR, deal_ref="d1")[0].closed_at is None
    closed = vd.close_vendor(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        vendor_id=party.id,
        ending=Ending.RETURNED,
        confirmed_by="李律师",
        confirmed_on=TODAY,
        evidence=("返还确认.pdf", b"%PDF-1.4 confirmation"),
    )
    assert closed.closed_at and closed.ending is Ending.RETURNED and closed.confirmed_on == TODAY
    (proof,) = closed.files[FilePurpose.RETURN.value]
    assert (
        scope.read_file(vault, actor=AUDITOR, deal_ref="d1", file_id=proof.id)[0] == "返还确认.pdf"
    )
    with pytest.raises(InputError):  # closed once, and stays closed
        vd.close_vendor(
            vault,
            actor=OPERATOR,
            deal_ref="d1",
            vendor_id=party.id,
            ending=Ending.DELETED,
            confirmed_by="李",
        )
    with vault.reading() as session:
        event = session.execute(
            select(AuditEventRow).where(AuditEventRow.action == "vendor.close")
        ).scalar_one()
    assert json.loads(event.details)["ending"] == "returned"


def test_files_and_changes_of_a_party(vault: Vault) -> None:
    _room(vault)
    party = vd.save_vendor(vault, actor=OPERATOR, deal_ref="d1", data=VendorInput("甲", Kind.OTHER))
    vd.attach(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        vendor_id=party.id,
        purpose=FilePurpose.NDA,
        name="保密协议.pdf",
        content=b"nda",
    )
    changed = vd.save_vendor(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        vendor_id=party.id,
        data=VendorInput("甲", Kind.OTHER, nda_signed=True),
    )
    assert changed.nda_signed and [f.name for f in changed.files["nda"]] == ["保密协议.pdf"]


def test_auditors_read_the_register_and_change_nothing(vault: Vault) -> None:
    _room(vault)
    vd.vendors(vault, actor=AUDITOR, deal_ref="d1")
    vd.reminders(vault, actor=AUDITOR, deal_ref="d1")
    with pytest.raises(PermissionDeniedError):
        vd.save_vendor(vault, actor=AUDITOR, deal_ref="d1", data=VendorInput("x", Kind.OTHER))
    scoped = Actor("s", Role.SELLER, frozenset({"some-deal"}))
    with pytest.raises(PermissionDeniedError):
        vd.reminders(vault, actor=scoped)  # every company: not for an actor limited to deals


def test_the_register_and_its_sealed_files_survive_a_backup(
    vault: Vault, settings: Settings, tmp_path: Path, second_database_url: str | None
) -> None:
    _room(vault)
    party = vd.save_vendor(
        vault, actor=OPERATOR, deal_ref="d1", data=VendorInput("甲", Kind.ADVISER, contact=CONTACT)
    )
    proof = vd.attach(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        vendor_id=party.id,
        purpose=FilePurpose.CONTRACT,
        name="合同.pdf",
        content=b"%PDF contract",
    )
    out = tmp_path / "backup.bk"
    backup.create(vault, actor=OPERATOR, out=out)
    with open_vault(_restore_settings(settings, tmp_path, second_database_url)) as restored:
        backup.restore(restored, actor=Actor("admin", Role.ADMIN), path=out)
        (again,) = vd.vendors(restored, actor=OPERATOR, uscc=DEMO_USCC)
        assert again.contact == CONTACT
        got = scope.read_file(restored, actor=OPERATOR, uscc=DEMO_USCC, file_id=proof.id)
        assert got == ("合同.pdf", b"%PDF contract")


def test_a_return_or_deletion_is_not_confirmed_for_a_day_to_come(vault: Vault) -> None:
    """A deletion was accepted as confirmed on 2027-01-01, a day that had not come."""
    from baomi import clock

    _room(vault)
    party = vd.save_vendor(
        vault, actor=OPERATOR, deal_ref="d1", data=VendorInput("顾问所", Kind.ADVISER)
    )
    with pytest.raises(InputError):
        vd.close_vendor(
            vault,
            actor=OPERATOR,
            deal_ref="d1",
            vendor_id=party.id,
            ending=Ending.DELETED,
            confirmed_by="李律师",
            confirmed_on=clock.today() + _dt.timedelta(days=1),
        )
    assert vd.vendors(vault, actor=OPERATOR, deal_ref="d1")[0].closed_at is None


def test_the_same_party_cannot_be_registered_twice_for_a_company(vault: Vault) -> None:
    _room(vault)
    first = vd.save_vendor(
        vault, actor=OPERATOR, deal_ref="d1", data=VendorInput("云存储服务商", Kind.ADVISER)
    )
    for again in ("云存储服务商", " 云存储服务商 ", "云存储服务商\u3000"):
        with pytest.raises(InputError, match="已在登记册中"):
            vd.save_vendor(
                vault, actor=OPERATOR, deal_ref="d1", data=VendorInput(again, Kind.ADVISER)
            )
    # renaming another party to the same name is refused too; changing the party itself is not
    other = vd.save_vendor(
        vault, actor=OPERATOR, deal_ref="d1", data=VendorInput("律师事务所", Kind.ADVISER)
    )
    with pytest.raises(InputError, match="已在登记册中"):
        vd.save_vendor(
            vault,
            actor=OPERATOR,
            deal_ref="d1",
            vendor_id=other.id,
            data=VendorInput("云存储服务商", Kind.ADVISER),
        )
    vd.save_vendor(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        vendor_id=first.id,
        data=VendorInput("云存储服务商", Kind.SERVICE_PROVIDER),
    )
    # once a party's engagement is closed, a new one may be registered under its name
    vd.close_vendor(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        vendor_id=first.id,
        ending=Ending.DELETED,
        confirmed_by="李",
    )
    vd.save_vendor(
        vault, actor=OPERATOR, deal_ref="d1", data=VendorInput("云存储服务商", Kind.ADVISER)
    )
