"""Provision records (NDS-12): recorded by the data room's first download of a copy, by protect
runs for a deal and by hand; kept 3 years, through the deal's destruction; counted once per
person across the company's deals for the cross-border route (XB-CNT)."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from baomi.engine.checksums import uscc_check_char
from baomi.engine.scan.linkage import people_in
from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts, deals, destruction
from baomi.services.comply import crossborder, provisions
from baomi.services.comply.crossborder import Outcome
from baomi.services.comply.profile import Location, TransferType, set_profile
from baomi.services.comply.provisions import Source
from baomi.services.dataroom import documents, grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.dataroom.stages import Stage
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow, Provision
from tests.vault_support import bank_card, mobile, resident_id

ADMIN = Actor("admin", Role.ADMIN)
OPERATOR = Actor("ops", Role.OPERATOR)
USCC_A = "91350100M000100Y4" + uscc_check_char("91350100M000100Y4")
USCC_B = "91110000M000200Y4" + uscc_check_char("91110000M000200Y4")


def customers(first: int, last: int, *, cards: bool = False) -> bytes:
    """Generated customers ``first``..``last`` (same number, same person in every file)."""
    head = "姓名,手机,身份证号" + (",银行卡" if cards else "")
    rows = [
        f"客户{i},{mobile(i)},{resident_id(i)}" + (f",{bank_card(i)}" if cards else "")
        for i in range(first, last + 1)
    ]
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


def fake_protect(src: Path, out: Path, recipient: str) -> tuple[Path, str]:
    out.mkdir(parents=True)
    made = out / "copy.csv"
    made.write_bytes(b"protected")
    return made, f"pkg-{recipient}"


def open_deal(vault: Vault, name: str, uscc: str, *, region: str = "HK") -> rooms.Seat:
    """A deal with its room in due diligence, a seller's document folder granted to the
    buyers, and a buyer who accepted the NDA; returns the buyer's seat."""
    deals.create(vault, actor=OPERATOR, name=name)
    rooms.open_room(
        vault,
        actor=ADMIN,
        deal_ref=name,
        target_name="示例有限公司",
        target_uscc=uscc,
        recipient_region=region,
    )
    username = f"buyer.{name}"
    user, _ = accounts.create_user(
        vault, actor=ADMIN, username=username, display_name=username, role="buyer"
    )
    rooms.add_member(
        vault, actor=ADMIN, deal_ref=name, username=username, side=Side.BUYER, role=Role.BUYER
    )
    ndas.publish_nda(vault, actor=ADMIN, deal_ref=name, discloser="卖方", recipient="买方")
    seat = rooms.seat(vault, user, name)
    nda = ndas.current_nda(vault, seat, name)
    assert nda is not None
    ndas.accept_nda(vault, seat, name, text_sha256=nda[2], name=username)
    rooms.set_stage(vault, actor=ADMIN, deal_ref=name, stage=Stage.DUE_DILIGENCE)
    grants.set_grant(
        vault, actor=ADMIN, deal_ref=name, side=Side.BUYER, folder="/", level=Level.DOWNLOAD,
        days=7,
    )  # fmt: skip
    return seat


def upload(vault: Vault, deal: str, name: str, content: bytes) -> str:
    (entry,) = documents.upload(
        vault, rooms.Seat(ADMIN, None), deal, [(name, content)], scanner=lambda _: {}
    )
    return entry.id


def download(vault: Vault, seat: rooms.Seat, deal: str, doc: str) -> None:
    documents.download(vault, seat, deal, doc, protect=fake_protect)


def count_rows(vault: Vault) -> int:
    with vault.reading() as session:
        return int(session.execute(select(func.count()).select_from(Provision)).scalar_one())


def test_a_first_download_records_one_provision_and_a_second_none(vault: Vault) -> None:
    buyer = open_deal(vault, "d1", USCC_A)
    doc = upload(vault, "d1", "客户.csv", customers(1, 30, cards=True))
    download(vault, buyer, "d1", doc)
    download(vault, buyer, "d1", doc)  # the same copy again: no second provision
    (p,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    assert p.source is Source.DATAROOM and p.recipient_user == "buyer.d1"
    assert p.individuals == 30 and p.sensitive_individuals == 30  # ID numbers, cards
    assert p.region is Location.HONG_KONG and p.abroad and p.deduplicated
    assert p.package_id == "pkg-buyer.d1"
    assert p.keep_until == provisions.keep_until(p.provided_on)
    assert count_rows(vault) == 1


def test_the_profile_names_the_recipient_region_and_purpose(vault: Vault) -> None:
    buyer = open_deal(vault, "d1", USCC_A, region="CN")
    set_profile(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        transfer_type=TransferType.EQUITY,
        recipient_name="境外买方有限公司",
        recipient_location=Location.MAINLAND,
        remote_access_abroad=True,
        purpose="股权收购尽职调查",
    )
    doc = upload(vault, "d1", "客户.csv", customers(1, 5))
    download(vault, buyer, "d1", doc)
    (p,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    assert p.recipient == "境外买方有限公司" and p.purpose == "股权收购尽职调查"
    assert p.region is Location.MAINLAND and p.remote_access and p.abroad  # XB-DEF
    assert p.individuals == 5 and p.sensitive_individuals == 5  # resident IDs


def test_downloads_before_the_profile_take_its_facts_when_it_is_first_set(
    vault: Vault,
) -> None:
    """A QA pass: the buyer downloaded before anyone filled in the transfer profile, so the
    record took the room's default region (mainland); the profile then said Hong Kong, but the
    record stayed mainland and the cross-border count stayed 0 — an export the page called
    exempt. The first profile now gives the records made from the room's default its facts;
    a later change of the profile leaves records made under a profile as they were."""
    buyer = open_deal(vault, "d1", USCC_A, region="CN")
    doc = upload(vault, "d1", "客户.csv", customers(1, 12))
    download(vault, buyer, "d1", doc)
    (before,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    assert before.region is Location.MAINLAND and not before.abroad
    set_profile(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        transfer_type=TransferType.EQUITY,
        recipient_name="香港买方有限公司",
        recipient_location=Location.HONG_KONG,
    )
    (after,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    assert after.region is Location.HONG_KONG and after.abroad
    assert after.recipient == "香港买方有限公司" and after.recipient_user == "buyer.d1"
    assert (after.individuals, after.provided_at) == (before.individuals, before.provided_at)
    with vault.reading() as session:
        details = session.execute(
            select(AuditEventRow.details).where(AuditEventRow.action == "profile.set")
        ).scalar_one()
    assert json.loads(details)["provisions_updated"] == 1
    assert crossborder.assess(vault, actor=OPERATOR, deal_ref="d1").totals.individuals == 12
    # a correction of the profile later does not rewrite what was recorded under it
    set_profile(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        transfer_type=TransferType.EQUITY,
        recipient_location=Location.MAINLAND,
    )
    (kept,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    assert kept.region is Location.HONG_KONG


def test_the_same_customers_in_two_deals_of_one_company_count_once(vault: Vault) -> None:
    b1 = open_deal(vault, "d1", USCC_A)
    b2 = open_deal(vault, "d2", USCC_A)
    other = open_deal(vault, "d3", USCC_B)
    download(vault, b1, "d1", upload(vault, "d1", "a.csv", customers(1, 40)))
    # customers 31..60 (31..40 were provided in d1 already)
    download(vault, b2, "d2", upload(vault, "d2", "b.csv", customers(31, 60)))
    download(vault, other, "d3", upload(vault, "d3", "c.csv", customers(1, 100)))
    cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d2")
    assert cb.totals.individuals == 60 and cb.totals.sensitive_individuals == 60
    assert set(cb.totals.deals) == {
        rooms.deal_id(vault, "d1"),
        rooms.deal_id(vault, "d2"),
    }  # not d3: another company
    assert cb.totals.not_deduplicated == 0
    assert cb.route.outcome is Outcome.STANDARD_CONTRACT  # sensitive PI, even a little
    other_cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d3")
    assert other_cb.totals.individuals == 100


def test_the_same_document_to_two_buyers_is_found_once(vault: Vault) -> None:
    b1 = open_deal(vault, "d1", USCC_A)
    user, _ = accounts.create_user(
        vault, actor=ADMIN, username="buyer.two", display_name="b2", role="buyer"
    )
    rooms.add_member(
        vault, actor=ADMIN, deal_ref="d1", username="buyer.two", side=Side.BUYER, role=Role.BUYER
    )
    b2 = rooms.seat(vault, user, "d1")
    nda = ndas.current_nda(vault, b2, "d1")
    assert nda is not None
    ndas.accept_nda(vault, b2, "d1", text_sha256=nda[2], name="b2")
    doc = upload(vault, "d1", "a.csv", customers(1, 20))
    calls: list[int] = []

    def linker(paths: Any, key: bytes) -> Any:
        calls.append(1)
        return people_in(paths, key)

    for seat in (b1, b2):
        documents.download(vault, seat, "d1", doc, protect=fake_protect, linker=linker)
    assert len(calls) == 1  # one content, one reading
    assert len(provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")) == 2
    cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d1")
    assert cb.totals.individuals == 20


def test_manual_entries_count_as_given_and_say_so(vault: Vault) -> None:
    open_deal(vault, "d1", USCC_A)
    p = provisions.add_manual(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        recipient="海外顾问",
        region=Location.ABROAD,
        individuals=99_999,
        sensitive=0,
        purpose="估值",
    )
    assert p.source is Source.MANUAL and not p.deduplicated
    cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d1", planned=(1, 0))
    assert cb.totals.individuals == 99_999 and cb.totals.not_deduplicated == 1
    assert cb.route.outcome is Outcome.EXEMPT
    # what if this deal's planned provision (one more person) is added
    assert cb.what_if.individuals == 100_000
    assert cb.what_if.outcome is Outcome.STANDARD_CONTRACT
    for bad in (
        {"individuals": -1, "sensitive": 0},
        {"individuals": 1, "sensitive": 2},
    ):
        with pytest.raises(InputError):
            provisions.add_manual(
                vault, actor=OPERATOR, deal_ref="d1", recipient="x", region=Location.ABROAD,
                purpose="", **bad,
            )  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        provisions.add_manual(
            vault, actor=Actor("b", Role.BUYER), deal_ref="d1", recipient="x",
            region=Location.ABROAD, individuals=1, sensitive=0, purpose="",
        )  # fmt: skip


def test_mainland_provisions_do_not_count(vault: Vault) -> None:
    open_deal(vault, "d1", USCC_A)
    provisions.add_manual(
        vault, actor=OPERATOR, deal_ref="d1", recipient="境内买方", region=Location.MAINLAND,
        individuals=500_000, sensitive=5, purpose="",
    )  # fmt: skip
    cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d1", planned=(0, 0))
    assert cb.totals.individuals == 0 and cb.totals.provisions == ()


def test_the_year_starts_on_1_january(vault: Vault) -> None:
    open_deal(vault, "d1", USCC_A)
    year = provisions.today_in_china().year - 1

    def add(day: _dt.date, n: int) -> None:
        provisions.add_manual(
            vault, actor=OPERATOR, deal_ref="d1", recipient="海外", region=Location.ABROAD,
            individuals=n, sensitive=0, purpose="", provided_on=day,
        )  # fmt: skip

    add(_dt.date(year - 1, 12, 31), 50_000)  # the year before: not counted
    add(_dt.date(year, 1, 1), 60_000)  # the first day: counted
    add(_dt.date(year, 12, 31), 40_000)  # the last day: counted
    cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d1", year=year, planned=(0, 0))
    assert cb.totals.individuals == 100_000
    assert cb.route.outcome is Outcome.STANDARD_CONTRACT
    before = crossborder.assess(vault, actor=OPERATOR, deal_ref="d1", year=year - 1, planned=(0, 0))
    assert before.totals.individuals == 50_000 and before.route.outcome is Outcome.EXEMPT


def test_the_date_in_china_decides_the_year() -> None:
    assert provisions.china_date("2026-12-31T15:59:59+00:00") == "2026-12-31"
    assert provisions.china_date("2026-12-31T16:00:00+00:00") == "2027-01-01"


def test_records_are_kept_three_years_and_survive_destruction(vault: Vault) -> None:
    buyer = open_deal(vault, "d1", USCC_A)
    download(vault, buyer, "d1", upload(vault, "d1", "a.csv", customers(1, 10)))
    (p,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    provided = _dt.date.fromisoformat(p.provided_on)
    assert p.keep_until == provided.replace(year=provided.year + 3).isoformat()
    destruction.destroy(vault, actor=OPERATOR, deal_ref="d1", out=None)
    (kept,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    assert kept == p
    cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d1", planned=(0, 0))
    assert cb.totals.individuals == 10  # the hashes outlive the deal's key
    last_day = _dt.date.fromisoformat(p.keep_until) - _dt.timedelta(days=1)
    with pytest.raises(InputError, match="3"):
        provisions.delete(vault, actor=OPERATOR, deal_ref="d1", provision_id=p.id, today=last_day)
    provisions.delete(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        provision_id=p.id,
        today=_dt.date.fromisoformat(p.keep_until),
    )
    assert provisions.provisions(vault, actor=OPERATOR, deal_ref="d1") == []


def test_keep_until_of_29_february() -> None:
    assert provisions.keep_until("2028-02-29") == "2031-03-01"
    assert provisions.keep_until("2026-12-04") == "2029-12-04"


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("CN", Location.MAINLAND),
        ("", Location.MAINLAND),
        ("HK", Location.HONG_KONG),
        ("香港", Location.HONG_KONG),
        ("MO", Location.MACAO),
        ("TW", Location.TAIWAN),
        ("US", Location.ABROAD),
    ],
)
def test_room_regions(text: str, location: Location) -> None:
    assert provisions.region_of(text) is location


def test_a_download_whose_people_cannot_be_found_counts_from_the_inventory(
    vault: Vault,
) -> None:
    buyer = open_deal(vault, "d1", USCC_A)
    (entry,) = documents.upload(
        vault, rooms.Seat(ADMIN, None), "d1", [("a.csv", customers(1, 7))]
    )  # scanned: the inventory counts 7

    def broken(paths: Any, key: bytes) -> Any:
        raise RuntimeError("reader crashed")

    documents.download(vault, buyer, "d1", entry.id, protect=fake_protect, linker=broken)
    (p,) = provisions.provisions(vault, actor=OPERATOR, deal_ref="d1")
    assert p.individuals == 7 and not p.deduplicated


def test_a_protect_run_for_a_deal_is_its_provision(vault: Vault, tmp_path: Path) -> None:
    from baomi.engine.protect.keys import KeyProvider
    from baomi.engine.protect.options import ProtectOptions
    from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
    from baomi.services import protect

    open_deal(vault, "d1", USCC_A)
    src = tmp_path / "seller"
    src.mkdir()
    (src / "客户.csv").write_bytes(customers(1, 12))
    policy = load_policy_text(DEFAULT_POLICY, source="test")
    keys = KeyProvider(bytes(32))

    def run(actor: Actor, out: str, recipient: str | None = "买方A") -> Any:
        return protect.protect_for_deal(
            [src], policy, tmp_path / out, actor=actor, vault=vault, deal_ref="d1", keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=tmp_path / "m"),
        )  # fmt: skip

    with pytest.raises(PermissionDeniedError):
        run(Actor("b", Role.BUYER), "o1")
    with pytest.raises(InputError):
        run(OPERATOR, "o2", recipient=None)
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()
    result, record = run(OPERATOR, "o3")
    assert record.source is Source.PROTECT and record.recipient == "买方A"
    assert record.package_id == result.manifest.package_id
    assert record.individuals == 12 and record.sensitive_individuals == 12 and record.abroad
