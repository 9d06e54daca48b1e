"""Governance is the company's: an auditor seated on the buyer's side only does not read it.

``govern.view`` is open to auditors, so an auditor account the buyer brought into a room (seated
on the buyer's side and nowhere else) read the company's internal audits and findings, each
employee's training record, its policies and surveys: not minimum necessary (PIPL-6). The rule
(``permissions.COMPANY_ONLY``) refuses it on every area, recorded as ``access.denied``; an
auditor seated on the seller's or the platform's side of any room, or in no room, still reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from baomi.errors import PermissionDeniedError
from baomi.services.govern import audits, calendar, dashboard, policies, raci, surveys, training
from baomi.services.govern.demo import ensure_demo_governance
from baomi.services.permissions import Action as A
from baomi.services.permissions import Actor, Role, allowed
from baomi.services.vault import Vault
from tests.vault_support import denials

OPERATOR = Actor("op", Role.OPERATOR)
BUYER_SIDE = Actor("buyer.auditor", Role.AUDITOR, frozenset(), seats=frozenset({"buyer"}))
READERS = {
    "seller side": Actor("aud.s", Role.AUDITOR, frozenset(), seats=frozenset({"seller"})),
    "both sides": Actor("aud.b", Role.AUDITOR, frozenset(), seats=frozenset({"buyer", "seller"})),
    "platform side": Actor("aud.p", Role.AUDITOR, frozenset(), seats=frozenset({"platform"})),
    "no room": Actor("aud.n", Role.AUDITOR, frozenset()),
}


@pytest.fixture
def ids(vault: Vault) -> dict[str, str]:
    ensure_demo_governance(vault)
    audit = audits.audits(vault, actor=OPERATOR)[0]
    return {
        "audit": audit.id,
        "policy": policies.policies(vault, actor=OPERATOR)[0].id,
        "survey": surveys.surveys(vault, actor=OPERATOR)[0].id,
    }


def _reads(vault: Vault, ids: dict[str, str]) -> dict[str, Callable[[Actor], Any]]:
    """Each governance read, by area (pages, API and exports call these)."""
    return {
        "dashboard": lambda a: dashboard.dashboard(vault, actor=a),
        "calendar": lambda a: calendar.calendar(vault, actor=a),
        "audits": lambda a: audits.audits(vault, actor=a),
        "audit": lambda a: audits.show(vault, actor=a, audit_id=ids["audit"]),
        "audit report": lambda a: audits.report(vault, actor=a, audit_id=ids["audit"]),
        "findings export": lambda a: audits.findings_table(vault, actor=a),
        "training dashboard": lambda a: training.dashboard(vault, actor=a),
        "assignments": lambda a: training.assignments(vault, actor=a),
        "certificate check": lambda a: training.verify(vault, actor=a, code="0" * 16),
        "policies": lambda a: policies.policies(vault, actor=a),
        "policy": lambda a: policies.get(vault, actor=a, policy_id=ids["policy"]),
        "policies export": lambda a: policies.table(vault, actor=a),
        "surveys": lambda a: surveys.surveys(vault, actor=a),
        "survey": lambda a: surveys.get(vault, actor=a, survey_id=ids["survey"]),
        "survey results": lambda a: surveys.results(vault, actor=a, survey_id=ids["survey"]),
        "survey responses": lambda a: surveys.responses(vault, actor=a, survey_id=ids["survey"]),
        "raci": lambda a: raci.matrix(vault, actor=a),
    }


def test_the_buyer_sides_auditor_is_refused_every_area_and_each_refusal_recorded(
    vault: Vault, ids: dict[str, str]
) -> None:
    for area, read in _reads(vault, ids).items():
        before = len(denials(vault))
        with pytest.raises(PermissionDeniedError) as caught:
            read(BUYER_SIDE)
        assert "买方" in str(caught.value) and "查看治理" in str(caught.value), area
        denied = denials(vault)
        assert len(denied) == before + 1, area
        assert '"govern.view"' in denied[-1].details and denied[-1].actor == "buyer.auditor"


def test_the_buyer_sides_auditor_records_no_finding(vault: Vault, ids: dict[str, str]) -> None:
    before = len(denials(vault))
    with pytest.raises(PermissionDeniedError):
        audits.record_finding(
            vault, actor=BUYER_SIDE, audit_id=ids["audit"], title="x", severity_="low"
        )
    assert len(denials(vault)) == before + 1


@pytest.mark.parametrize("who", sorted(READERS))
def test_an_auditor_of_the_company_or_the_platform_still_reads(
    vault: Vault, ids: dict[str, str], who: str
) -> None:
    for read in _reads(vault, ids).values():
        read(READERS[who])


def test_the_rule_is_the_tables_so_pages_offer_no_link() -> None:
    assert not allowed(BUYER_SIDE, A.GOVERN_VIEW)
    assert allowed(READERS["seller side"], A.GOVERN_VIEW)
    # what the buyer's side may still do: its notifications
    assert allowed(BUYER_SIDE, A.NOTIFICATION_READ)


def test_the_companys_training_is_not_for_the_buyer_side(vault: Vault) -> None:
    """Training is the company's governance for its own people (GB/T 35273 §11.6): an auditor
    or counsel the buyer brought could open the courses and take a quiz of their own accord,
    leaving an attempt and a certificate in the company's records. Refused now, as the
    assignments and the department reminders already left them out."""
    counsel = Actor("buyer.counsel", Role.COUNSEL, frozenset(), seats=frozenset({"buyer"}))
    answers = [q.answer for q in training.course("law").questions]
    for actor in (BUYER_SIDE, counsel):
        assert not allowed(actor, A.TRAINING_TAKE)
        for act in (
            lambda a: training.course_list(actor=a),
            lambda a: training.show_course(actor=a, course_id="law"),
            lambda a: training.my_duties(vault, actor=a),
            lambda a: training.my_attempts(vault, actor=a),
            lambda a: training.take(vault, actor=a, course_id="law", answers=answers),
        ):
            with pytest.raises(PermissionDeniedError) as caught:
                act(actor)
            assert "仅在买方就座" in str(caught.value) and "参加培训" in str(caught.value)
    seller_counsel = Actor("seller.counsel", Role.COUNSEL, frozenset(), seats=frozenset({"seller"}))
    for actor in (*READERS.values(), seller_counsel):
        assert training.take(vault, actor=actor, course_id="law", answers=answers).passed


def test_the_companys_drills_are_not_the_buyer_sides_either(vault: Vault) -> None:
    """Emergency drills are the company's too (who took part, what went wrong), and the start
    page already kept their link from the buyer's side; the drills service still answered a
    buyer-side auditor or counsel."""
    from baomi.services.respond import drills

    counsel = Actor("buyer.counsel", Role.COUNSEL, frozenset(), seats=frozenset({"buyer"}))
    for actor in (BUYER_SIDE, counsel):
        for read in (drills.status, drills.drills):
            with pytest.raises(PermissionDeniedError) as caught:
                read(vault, actor=actor)
            assert "买方" in str(caught.value)
    seller_counsel = Actor("seller.counsel", Role.COUNSEL, frozenset(), seats=frozenset({"seller"}))
    for actor in (READERS["seller side"], READERS["no room"], seller_counsel):
        drills.status(vault, actor=actor)
        drills.drills(vault, actor=actor)


def test_a_department_reminder_skips_an_account_seated_only_on_the_buyers_side(
    vault: Vault,
) -> None:
    """Reminders go to an item's department; a buyer-side account put in that department would
    have received the titles of the company's overdue audits and reviews."""
    from baomi.services import accounts, deals
    from baomi.services.dataroom import rooms
    from baomi.services.dataroom.demo import DEMO_USCC
    from baomi.services.dataroom.rooms import Side

    admin = Actor("admin", Role.ADMIN)
    for name in ("staff.a", "buyer.aud"):
        accounts.create_user(
            vault, actor=admin, username=name, display_name=name, role="auditor",
            department="audit",
        )  # fmt: skip
    deals.create(vault, actor=admin, name="d1")
    rooms.open_room(vault, actor=admin, deal_ref="d1", target_name="甲", target_uscc=DEMO_USCC)
    rooms.add_member(
        vault, actor=admin, deal_ref="d1", username="buyer.aud", side=Side.BUYER,
        role=Role.AUDITOR,
    )  # fmt: skip
    assert accounts.members_of(vault, "audit") == ["staff.a"]
