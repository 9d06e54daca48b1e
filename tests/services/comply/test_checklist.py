from __future__ import annotations

import datetime as _dt
import json

import pytest
from sqlalchemy import select

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import audit, deals
from baomi.services.comply import checklist as cl
from baomi.services.comply import scope
from baomi.services.comply.checklist import Area, Status
from baomi.services.comply.rulebook import rules
from baomi.services.dataroom import rooms
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow, ComplyFile

OPERATOR = Actor("op", Role.OPERATOR)
AUDITOR = Actor("aud", Role.AUDITOR)
BUYER = Actor("buyer", Role.BUYER)
OTHER_USCC = "91350100M000100Y43"
WEIGHTS = dict.fromkeys(Area, 1.0)


def _room(vault: Vault, name: str = "d1", uscc: str = DEMO_USCC) -> str:
    deal = deals.create(vault, actor=OPERATOR, name=name)
    rooms.open_room(
        vault, actor=Actor("sys", Role.ADMIN), deal_ref=name, target_name="示例", target_uscc=uscc
    )
    return deal.id


# --- the score at its boundaries ---------------------------------------------------------------


def test_all_not_applicable_has_no_score_not_zero_or_full() -> None:
    s = cl.score([(a, Status.NOT_APPLICABLE) for a in Area], WEIGHTS)
    assert s.overall is None
    assert all(a.score is None and a.applicable == 0 and a.items == 1 for a in s.areas)


def test_none_done_scores_zero_and_all_done_scores_one() -> None:
    assert cl.score([(a, Status.IN_PROGRESS) for a in Area], WEIGHTS).overall == 0
    assert cl.score([(a, Status.DONE) for a in Area], WEIGHTS).overall == 1


def test_not_applicable_items_leave_the_denominator() -> None:
    s = cl.score([(Area.POLICY, Status.DONE), (Area.POLICY, Status.NOT_APPLICABLE)], WEIGHTS)
    policy = s.areas[0]
    assert (policy.done, policy.applicable, policy.score) == (1, 1, 1.0)
    assert s.overall == 1  # areas without applicable items do not count


def test_overall_is_the_weighted_mean_of_areas_with_applicable_items() -> None:
    weights = WEIGHTS | {Area.POLICY: 3.0}
    s = cl.score([(Area.POLICY, Status.DONE), (Area.STAFF, Status.NOT_STARTED)], weights)
    assert s.overall == pytest.approx(3 / 4)


# --- overdue: due today is not late, due yesterday is ------------------------------------------


@pytest.mark.parametrize(
    ("days_before_today", "status", "overdue"),
    [
        (-1, Status.NOT_STARTED, False),  # due tomorrow
        (0, Status.NOT_STARTED, False),  # due today
        (1, Status.NOT_STARTED, True),  # due yesterday
        (1, Status.IN_PROGRESS, True),
        (1, Status.DONE, False),
        (1, Status.NOT_APPLICABLE, False),
    ],
)
def test_overdue_by_date(days_before_today: int, status: Status, overdue: bool) -> None:
    today = _dt.date(2026, 12, 4)
    due = today - _dt.timedelta(days=days_before_today)
    assert cl.is_overdue(status, due, today) is overdue


def test_no_due_date_is_never_overdue() -> None:
    assert not cl.is_overdue(Status.NOT_STARTED, None, _dt.date(2026, 12, 4))


# --- the default set ---------------------------------------------------------------------------


def test_default_items_cover_six_areas_and_cite_known_rules() -> None:
    d = cl.defaults()
    assert {i.area for i in d.items} == set(Area)
    book = rules()
    cited = {r for i in d.items for r in i.rules}
    assert {"PIPL-51", "PIPL-54", "S35-11.6", "S35-11.7", "PIPL-21", "NDS-12"} <= cited
    assert all(r in book for r in cited)
    assert {i.clause for i in d.items} >= {f"PIPL-51({n})" for n in (1, 2, 3, 5)}


# --- the service --------------------------------------------------------------------------------


def test_first_opening_fills_the_defaults_once_and_takes_a_snapshot(vault: Vault) -> None:
    _room(vault)
    first = cl.checklist(vault, actor=OPERATOR, deal_ref="d1")
    assert len(first.items) == len(cl.defaults().items)
    assert first.uscc == DEMO_USCC and first.score.overall == 0
    again = cl.checklist(vault, actor=OPERATOR, uscc=DEMO_USCC)
    assert [i.id for i in again.items] == [i.id for i in first.items]
    assert len(again.trend) == 1


def test_a_deal_shows_its_company_checklist(vault: Vault) -> None:
    _room(vault, "d1")
    _room(vault, "d2")  # same company
    cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item="staff.training", status=Status.DONE)
    other = cl.checklist(vault, actor=OPERATOR, deal_ref="d2")
    assert next(i for i in other.items if i.key == "staff.training").status is Status.DONE


def test_changes_take_snapshots_in_order(vault: Vault) -> None:
    _room(vault)
    cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item="policy.rules", status=Status.DONE)
    cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item="policy.rules", owner="法务部")
    cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item="policy.rules", owner="法务部")  # same
    cl.set_item(
        vault, actor=OPERATOR, deal_ref="d1", item="policy.classification", status=Status.DONE
    )
    trend = cl.checklist(vault, actor=OPERATOR, deal_ref="d1").trend
    assert [p.seq for p in trend] == [1, 2, 3, 4]  # opening, then one per change
    assert [p.taken_at for p in trend] == sorted(p.taken_at for p in trend)
    scores = [p.score for p in trend]
    assert scores[0] == 0 and scores[1] == scores[2]  # the owner changed, the score did not
    assert scores[3] == pytest.approx(2 / 3 / 6, abs=1e-4)  # policy 2 of 3, six equal weights


def test_set_item_changes_only_what_is_given_and_is_audited(vault: Vault) -> None:
    _room(vault)
    due = _dt.date(2026, 1, 1)
    item = cl.set_item(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        item="staff.training",
        status=Status.IN_PROGRESS,
        owner="人事部",
        due=due,
        notes="年度培训",
    )
    assert (item.status, item.owner, item.due, item.notes) == (
        Status.IN_PROGRESS,
        "人事部",
        due,
        "年度培训",
    )
    assert item.overdue  # 2026-01-01 is in the past
    item = cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item=item.id, status=Status.DONE)
    assert item.owner == "人事部" and item.due == due and not item.overdue
    item = cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item=item.id, clear_due=True)
    assert item.due is None
    with vault.reading() as session:
        events = session.execute(
            select(AuditEventRow).where(AuditEventRow.action == "checklist.item_set")
        ).scalars()
        details = [json.loads(e.details) for e in events]
    assert [d["changed"] for d in details] == [
        ["status", "owner", "due", "notes"],
        ["status"],
        ["due"],
    ]
    assert all("人事部" not in json.dumps(d, ensure_ascii=False) for d in details)


def test_overdue_items_stand_out_in_the_view(vault: Vault) -> None:
    _room(vault)
    day = _dt.date(2026, 12, 4)
    cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item="policy.rules", due=day)
    cl.set_item(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        item="policy.incident_plan",
        due=day - _dt.timedelta(1),
    )
    view = cl.checklist(vault, actor=OPERATOR, deal_ref="d1", on=day)
    assert [i.key for i in view.overdue] == ["policy.incident_plan"]


def test_items_can_be_added(vault: Vault) -> None:
    _room(vault)
    item = cl.add_item(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        area=Area.STAFF,
        title_zh="新员工入职培训",
        title_en="Induction training",
        due=_dt.date(2030, 1, 1),
    )
    assert item.key.startswith("custom.") and item.area is Area.STAFF
    view = cl.checklist(vault, actor=OPERATOR, deal_ref="d1")
    assert view.items[-1].id == item.id
    with pytest.raises(InputError):
        cl.add_item(vault, actor=OPERATOR, deal_ref="d1", area=Area.STAFF, title_zh="  ")


def test_evidence_is_sealed_and_reading_it_is_audited(vault: Vault) -> None:
    _room(vault)
    content = "培训签到表：第一期".encode()
    info = cl.add_evidence(
        vault,
        actor=OPERATOR,
        deal_ref="d1",
        item="staff.training",
        name="签到表.txt",
        content=content,
    )
    with vault.reading() as session:
        row = session.get(ComplyFile, info.id)
        assert row is not None
        assert content not in row.content_sealed and "签到表".encode() not in row.name_sealed
    view = cl.checklist(vault, actor=AUDITOR, deal_ref="d1")
    assert [e.name for e in next(i for i in view.items if i.key == "staff.training").evidence] == [
        "签到表.txt"
    ]
    assert scope.read_file(vault, actor=AUDITOR, deal_ref="d1", file_id=info.id) == (
        "签到表.txt",
        content,
    )
    assert audit.verify(vault, actor=OPERATOR).ok
    with vault.reading() as session:
        actions = [e.action for e in session.execute(select(AuditEventRow)).scalars()]
    assert "comply.file_add" in actions and "comply.file_view" in actions


def test_evidence_of_another_company_is_not_reachable(vault: Vault) -> None:
    _room(vault, "d1")
    _room(vault, "d2", OTHER_USCC)
    info = cl.add_evidence(
        vault, actor=OPERATOR, deal_ref="d1", item="policy.rules", name="a.txt", content=b"x"
    )
    with pytest.raises(InputError):
        scope.read_file(vault, actor=OPERATOR, deal_ref="d2", file_id=info.id)


def test_auditors_read_but_do_not_change_buyers_see_nothing(vault: Vault) -> None:
    _room(vault)
    cl.checklist(vault, actor=AUDITOR, deal_ref="d1")
    with pytest.raises(PermissionDeniedError):
        cl.set_item(vault, actor=AUDITOR, deal_ref="d1", item="policy.rules", status=Status.DONE)
    with pytest.raises(PermissionDeniedError):
        cl.checklist(vault, actor=BUYER, deal_ref="d1")


def test_a_scoped_actor_reaches_a_company_only_through_its_own_deals(vault: Vault) -> None:
    deal_id = _room(vault, "d1")
    _room(vault, "d2", OTHER_USCC)
    seller = Actor("s", Role.SELLER, frozenset({deal_id}))
    assert cl.checklist(vault, actor=seller, uscc=DEMO_USCC).uscc == DEMO_USCC
    with pytest.raises(PermissionDeniedError):
        cl.checklist(vault, actor=seller, uscc=OTHER_USCC)
    with pytest.raises(PermissionDeniedError):
        cl.checklist(vault, actor=seller, deal_ref="d2")


def test_a_deal_without_a_room_or_a_bad_code_is_refused(vault: Vault) -> None:
    deals.create(vault, actor=OPERATOR, name="bare")
    with pytest.raises(InputError):
        cl.checklist(vault, actor=OPERATOR, deal_ref="bare")
    with pytest.raises(InputError):
        cl.checklist(vault, actor=OPERATOR, uscc=DEMO_USCC[:-1] + "0")


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_a_file_may_be_as_large_as_the_limit(extra: int, ok: bool) -> None:
    content = b"x" * (scope.MAX_FILE_BYTES + extra)
    if ok:
        assert scope.check_file("a.pdf", content) == "a.pdf"
    else:
        with pytest.raises(InputError):
            scope.check_file("a.pdf", content)


def test_a_file_name_keeps_only_its_last_part_and_an_empty_file_is_refused() -> None:
    assert scope.check_file("../../etc/证据.txt", b"x") == "证据.txt"
    with pytest.raises(InputError):
        scope.check_file("a.txt", b"")
