"""The facts baomi checks itself change when the system changes (computed on every read), and
each threshold is tested at its exact boundary."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from sqlalchemy import text

from baomi.errors import IntegrityError, PermissionDeniedError
from baomi.i18n import set_language
from baomi.services import backup, deals, keys
from baomi.services.comply import facts
from baomi.services.comply.facts import Fact, Status, k_status, reid_status
from baomi.services.dataroom import grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.dataroom.rooms import Level, Side
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.settings import Settings
from tests.services.fakes import add_files
from tests.services.test_audit import _drop_append_only
from tests.vault_support import admin, operator

OPS = operator()
UTC = _dt.UTC


def _facts(vault: Vault, at: _dt.datetime | None = None, **kw: object) -> dict[str, Fact]:
    found = facts.deal_facts(vault, actor=OPS, deal_ref="d", at=at, **kw)  # type: ignore[arg-type]
    return {f.id: f for f in found}


def _room(vault: Vault) -> None:
    deals.create(vault, actor=OPS, name="d")
    rooms.open_room(vault, actor=admin(), deal_ref="d", target_name="示例", target_uscc=DEMO_USCC)


def test_every_fact_says_when_and_where_it_comes_from(vault: Vault) -> None:
    deals.create(vault, actor=OPS, name="d")
    found = _facts(vault)
    assert {"encryption_at_rest", "master_key", "backup_verified", "audit_chain"} <= set(found)
    for f in found.values():
        assert f.checked_at and f.source and f.rule and f.status in Status
    # the incident register: none yet
    assert found["incidents_open"].status is Status.OK
    assert found["incidents_open"].data["open"] == 0
    untracked = _facts(vault, incidents=facts.incidents_not_tracked)
    assert untracked["incidents_open"].status is Status.UNKNOWN
    two = _facts(vault, incidents=lambda v, d: 2)
    assert (
        two["incidents_open"].status is Status.PROBLEM and two["incidents_open"].data["open"] == 2
    )


def test_an_open_incident_in_the_register_is_a_problem_until_closed(vault: Vault) -> None:
    from baomi.services.respond import incidents

    deals.create(vault, actor=OPS, name="d")
    info = incidents.report(vault, actor=OPS, title="名单外泄", deal_ref="d", individuals=3)
    assert _facts(vault)["incidents_open"].data["open"] == 1
    assert _facts(vault)["incidents_open"].status is Status.PROBLEM
    incidents.mark(vault, actor=OPS, incident_id=info.id, clock=incidents.Clock.REGULATOR)
    incidents.mark(vault, actor=OPS, incident_id=info.id, clock=incidents.Clock.INDIVIDUALS)
    incidents.set_status(vault, actor=OPS, incident_id=info.id, status=incidents.Status.CLOSED)
    assert _facts(vault)["incidents_open"].status is Status.OK


def test_the_buyer_sees_no_facts(vault: Vault) -> None:
    deals.create(vault, actor=OPS, name="d")
    with pytest.raises(PermissionDeniedError):
        facts.deal_facts(vault, actor=Actor("b", Role.BUYER), deal_ref="d")


def test_encryption_at_rest_is_checked_per_document(vault: Vault, tmp_path: Path) -> None:
    deals.create(vault, actor=OPS, name="d")
    (tmp_path / "a.csv").write_text("身份证号\nx\n", encoding="utf-8")
    [obj] = add_files(vault, "d", [tmp_path / "a.csv"])
    fact = _facts(vault)["encryption_at_rest"]
    assert fact.status is Status.OK and fact.data["sealed"] == 1 == fact.data["documents"]
    deal_id = deals.list_deals(vault, actor=OPS)[0].id
    vault.blobs.path(deal_id, obj.id).write_bytes((tmp_path / "a.csv").read_bytes())  # in clear
    assert _facts(vault)["encryption_at_rest"].status is Status.PROBLEM


@pytest.mark.parametrize(
    ("days", "status"), [(364, Status.OK), (365, Status.ATTENTION), (366, Status.ATTENTION)]
)
def test_master_key_age_against_the_organisations_policy(
    vault: Vault, days: int, status: Status
) -> None:
    deals.create(vault, actor=OPS, name="d")
    created = _dt.datetime.fromisoformat(vault.load_keystore()["created_at"])
    fact = _facts(vault, at=created + _dt.timedelta(days=days))["master_key"]
    assert fact.status is status and fact.data["age_days"] == days
    assert (fact.rule == "ORG-KEY-ROTATE" and "not law" in fact.source) or "非法律" in fact.source


def test_rotating_the_master_key_resets_its_age(
    vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    deals.create(vault, actor=OPS, name="d")
    later = _dt.datetime.now(UTC) + _dt.timedelta(days=400)
    assert _facts(vault, at=later)["master_key"].status is Status.ATTENTION
    keys.rotate(settings, actor=admin(), new_key_file=tmp_path / "next.key")
    fact = _facts(vault, at=_dt.datetime.now(UTC) + _dt.timedelta(days=1))["master_key"]
    assert fact.status is Status.OK and fact.data["age_days"] in (0, 1)
    assert fact.data["generation"] == 2 and fact.data["rotated_at"]


def test_a_verified_backup_is_read_from_the_audit_log(vault: Vault, tmp_path: Path) -> None:
    deals.create(vault, actor=OPS, name="d")
    assert _facts(vault)["backup_verified"].status is Status.PROBLEM
    bk = tmp_path / "b.bak"
    report = backup.create(vault, actor=OPS, out=bk)
    assert _facts(vault)["backup_verified"].status is Status.PROBLEM  # made, never verified
    backup.verify(vault, bk, actor=OPS)
    created = _dt.datetime.fromisoformat(report.created_at)
    for days, status in ((6, Status.OK), (7, Status.ATTENTION), (8, Status.ATTENTION)):
        fact = _facts(vault, at=created + _dt.timedelta(days=days))["backup_verified"]
        assert fact.status is status, days
        assert fact.data["backup_id"] == report.backup_id
    bad = tmp_path / "bad.bak"
    bad.write_bytes(bk.read_bytes()[:-10])
    with pytest.raises(IntegrityError):
        backup.verify(vault, bad, actor=OPS)
    assert _facts(vault)["backup_verified"].status is Status.PROBLEM  # the later one failed


def test_a_broken_audit_chain_is_a_problem(vault: Vault) -> None:
    deals.create(vault, actor=OPS, name="d")
    assert _facts(vault)["audit_chain"].status is Status.OK
    _drop_append_only(vault)  # what an attacker with database access does first
    with vault.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    fact = _facts(vault)["audit_chain"]
    assert fact.status is Status.PROBLEM and fact.data["first_bad"] == 1


def test_grants_revoked_or_expired_leave_the_live_list(vault: Vault) -> None:
    _room(vault)
    grant = grants.set_grant(
        vault, actor=admin(), deal_ref="d", side=Side.BUYER, folder="/", level=Level.VIEW, days=30
    )
    found = _facts(vault)
    assert [g["id"] for g in found["grants_live"].data["grants"]] == [grant]
    # the side, folder and level in words, never their codes
    assert found["grants_live"].value.startswith("1 项：买方 · 整个数据室 · 查看 · 至 ")
    set_language("en")
    try:
        assert _facts(vault)["grants_live"].value.startswith(
            "1: buyer · the whole room · view · until "
        )
    finally:
        set_language(None)
    assert found["grants_expired"].status is Status.OK
    later = _facts(vault, at=_dt.datetime.now(UTC) + _dt.timedelta(days=31))
    assert [g["id"] for g in later["grants_expired"].data["grants"]] == [grant]
    assert later["grants_expired"].status is Status.ATTENTION
    assert later["grants_live"].data["grants"] == []
    grants.revoke_grant(vault, actor=admin(), deal_ref="d", grant_id=grant)
    assert _facts(vault)["grants_live"].data["grants"] == []
    assert (
        _facts(vault, at=_dt.datetime.now(UTC) + _dt.timedelta(days=31))["grants_expired"].status
        is Status.OK
    )


def test_every_recipient_member_must_accept_the_nda(vault: Vault) -> None:
    from baomi.services import accounts

    _room(vault)
    assert _facts(vault)["nda_accepted"].status is Status.OK  # nobody on the recipient side
    user, link = accounts.create_user(
        vault, actor=admin(), username="buyer1", display_name="b", role="buyer"
    )
    accounts.complete_setup(vault, token=link, password="correct horse battery staple")
    rooms.add_member(
        vault, actor=admin(), deal_ref="d", username="buyer1", side=Side.BUYER, role=Role.BUYER
    )
    assert _facts(vault)["nda_accepted"].status is Status.PROBLEM  # no NDA published
    ndas.publish_nda(vault, actor=admin(), deal_ref="d", discloser="卖方", recipient="买方")
    fact = _facts(vault)["nda_accepted"]
    assert fact.status is Status.ATTENTION and fact.data["accepted"] == 0
    seat = rooms.seat(vault, user, "d")
    current = ndas.current_nda(vault, seat, "d")
    assert current is not None
    ndas.accept_nda(vault, seat, "d", text_sha256=current[2], name="买方代表")
    assert _facts(vault)["nda_accepted"].status is Status.OK


@pytest.mark.parametrize(
    ("k", "target", "status"),
    [(4, 5, Status.PROBLEM), (5, 5, Status.OK), (6, 5, Status.OK), (None, 5, Status.UNKNOWN)],
)
def test_k_reached_against_the_target(k: int | None, target: int, status: Status) -> None:
    assert k_status(k, target) is status


@pytest.mark.parametrize(
    ("average", "status"), [(0.32, Status.OK), (0.33, Status.OK), (0.34, Status.PROBLEM)]
)
def test_average_risk_at_the_s379_b2_boundary(average: float, status: Status) -> None:
    assert reid_status(0.2, average) is status


@pytest.mark.parametrize(
    ("maximum", "status"), [(0.49, Status.OK), (0.5, Status.OK), (0.51, Status.ATTENTION)]
)
def test_maximum_risk_at_the_s379_b2_boundary(maximum: float, status: Status) -> None:
    assert reid_status(maximum, 0.1) is status


def test_packages_k_and_risk_come_from_the_rooms_records(vault: Vault, tmp_path: Path) -> None:
    import csv
    import random

    from baomi.engine.protect.keys import KeyProvider
    from baomi.engine.protect.package import ProtectOptions, protect_paths
    from baomi.engine.protect.policy import load_policy_text
    from baomi.services.dataroom.packages import records_dir

    deals.create(vault, actor=OPS, name="d")
    assert _facts(vault)["packages_k"].status is Status.UNKNOWN
    deal_id = deals.list_deals(vault, actor=OPS)[0].id
    rng = random.Random(3)
    (tmp_path / "in").mkdir()
    with (tmp_path / "in" / "p.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["年龄", "性别"])
        for _ in range(120):
            w.writerow([rng.randint(20, 70), rng.choice("男女")])
    protect_paths(
        [tmp_path / "in"],
        load_policy_text("quasi_identifiers:\n  columns: [年龄, 性别]\n  k: 5\n"),
        tmp_path / "out",
        keys=KeyProvider(b"k" * 32),
        options=ProtectOptions(recipient="买方", manifests_dir=records_dir(vault, deal_id)),
    )
    found = _facts(vault)
    assert found["packages_k"].status is Status.OK and found["packages_k"].data["k_min"] >= 5
    assert found["packages_risk"].data["max_risk"] <= 0.2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_facts_text_has_no_markup_the_pdf_would_print(vault: Vault, lang: str) -> None:
    """The risk report's PDF printed the sources' Markdown backticks (`baomi audit verify`)."""
    set_language(lang)
    deals.create(vault, actor=OPS, name="d")
    for f in facts.deal_facts(vault, actor=OPS, deal_ref="d"):
        for text_ in (f.label, f.value, f.source):
            assert "`" not in text_, (f.id, text_)
