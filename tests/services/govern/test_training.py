"""Training: the scheduling arithmetic (first due date, the yearly renewal at its exact
boundary), scoring at the pass mark, assignments by department and role, the dashboard, the
calendar items, certificates and their verification, and who may do what."""

from __future__ import annotations

import datetime as _dt

import pytest
from sqlalchemy import select

from baomi import clock
from baomi.errors import InputError, NotFoundError, PermissionDeniedError
from baomi.services import accounts
from baomi.services.comply.reports.render import render_pdf
from baomi.services.govern import calendar
from baomi.services.govern import training as t
from baomi.services.govern.training import Status
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow

ADMIN = Actor("admin", Role.ADMIN)
SELLER = Actor("seller.a", Role.SELLER)
TODAY = clock.today()  # China's date, as the service's (from 16:00 UTC a day after UTC's)


def _answers(course_id: str, right: int) -> list[int]:
    """``right`` right answers, then wrong ones."""
    questions = t.course(course_id).questions
    return [
        q.answer if n < right else (q.answer + 1) % len(q.options) for n, q in enumerate(questions)
    ]


def _user(vault: Vault, name: str, role: str, department: str | None) -> Actor:
    accounts.create_user(
        vault, actor=ADMIN, username=name, display_name=name, role=role, department=department
    )
    return Actor(name, Role(role))


# --- courses ------------------------------------------------------------------------------------


def test_every_topic_has_a_course_of_three_to_five_questions() -> None:
    found = t.courses()
    assert {c.topic for c in found.values()} == set(t.TOPICS)
    for c in found.values():
        assert 3 <= len(c.questions) <= 5
        assert c.lesson_zh.strip() and c.lesson_en.strip()
        assert all(0 <= q.answer < len(q.options) for q in c.questions)


def test_an_unknown_course_is_refused() -> None:
    with pytest.raises(InputError):
        t.course("no-such-course")


# --- arithmetic -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (_dt.date(2025, 3, 1), 12, _dt.date(2026, 3, 1)),
        (_dt.date(2024, 2, 29), 12, _dt.date(2025, 2, 28)),  # no 29 February next year
        (_dt.date(2025, 1, 31), 1, _dt.date(2025, 2, 28)),
        (_dt.date(2025, 12, 15), 1, _dt.date(2026, 1, 15)),
    ],
)
def test_add_months(day: _dt.date, months: int, expected: _dt.date) -> None:
    assert t.add_months(day, months) == expected


def _duty(last_passed: _dt.date | None) -> t.Duty:
    return t.duty(
        username="u",
        department="hr",
        role="seller",
        course_id="awareness",
        assigned_on=_dt.date(2025, 3, 1),
        due_days=30,
        last_passed=last_passed,
        months=t.renewal_months(),
    )


def test_the_renewal_interval_is_the_rules_data() -> None:
    assert t.renewal_months() == t.rule().param("training_every_months") == 12
    assert t.rule().id == "S35-11.6" and t.rule().confirmed


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (_dt.date(2025, 3, 30), Status.OPEN),  # one day before the due date
        (_dt.date(2025, 3, 31), Status.OPEN),  # on it: due today, not yet overdue
        (_dt.date(2025, 4, 1), Status.OVERDUE),  # the day after
    ],
)
def test_first_due_date_is_the_assignment_plus_its_days(today: _dt.date, status: Status) -> None:
    d = _duty(None)
    assert d.due == _dt.date(2025, 3, 31)
    assert d.status(today) is status


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (_dt.date(2026, 3, 9), Status.DONE),  # one day before the pass is a year old
        (_dt.date(2026, 3, 10), Status.OPEN),  # exactly a year: owed again, due today
        (_dt.date(2026, 3, 11), Status.OVERDUE),  # one day after
    ],
)
def test_a_pass_is_renewed_yearly_at_the_exact_boundary(today: _dt.date, status: Status) -> None:
    d = _duty(_dt.date(2025, 3, 10))
    assert d.due == _dt.date(2026, 3, 10)
    assert d.status(today) is status


@pytest.mark.parametrize(("points", "passed"), [(79, False), (80, True), (81, True)])
def test_pass_mark_boundary(points: int, passed: bool) -> None:
    assert t.passes(points, 80) is passed


def test_score_rounds_down() -> None:
    assert t.score(2, 3) == 66 and t.score(3, 4) == 75 and t.score(0, 0) == 0


# --- taking a course ------------------------------------------------------------------------------


def test_one_below_the_pass_mark_fails_and_at_it_passes(vault: Vault) -> None:
    spec = t.course("cases")  # 4 questions, pass mark 75
    assert spec.pass_mark == 75 and len(spec.questions) == 4
    below = t.take(vault, actor=SELLER, course_id="cases", answers=_answers("cases", 2))
    assert (below.score, below.passed, below.code) == (50, False, None)
    at = t.take(vault, actor=SELLER, course_id="cases", answers=_answers("cases", 3))
    assert (at.score, at.passed) == (75, True)
    assert at.code and len(at.code) == 64
    assert at.right == (True, True, True, False)
    mine = t.my_attempts(vault, actor=SELLER)
    assert {a.id for a in mine} == {below.id, at.id}


def test_answers_must_cover_every_question(vault: Vault) -> None:
    with pytest.raises(InputError):
        t.take(vault, actor=SELLER, course_id="law", answers=[0, 0])
    with pytest.raises(InputError):
        t.take(vault, actor=SELLER, course_id="law", answers=[0, 0, 9])


def test_certificate_and_its_verification(vault: Vault) -> None:
    info = t.take(vault, actor=SELLER, course_id="law", answers=_answers("law", 3))
    assert info.code is not None
    assert t.verify(vault, actor=ADMIN, code=info.code.upper()) == info
    forged = ("0" if info.code[0] != "0" else "1") + info.code[1:]
    assert t.verify(vault, actor=ADMIN, code=forged) is None
    report = t.certificate_report(vault, actor=SELLER, attempt_id=info.id)
    text = repr(report)
    assert info.code in text and "S35-11.6" in text
    assert render_pdf(report).startswith(b"%PDF")


def test_a_failed_attempt_has_no_certificate(vault: Vault) -> None:
    info = t.take(vault, actor=SELLER, course_id="law", answers=_answers("law", 1))
    with pytest.raises(InputError):
        t.certificate_report(vault, actor=SELLER, attempt_id=info.id)


def test_another_users_attempt_answers_as_one_that_does_not_exist(vault: Vault) -> None:
    """Counsel may take courses but not read governance: another user's attempt id was a
    recorded 403 where an unknown id said "没有该答题记录", so ids could be probed. Both answer
    alike now (404), each refusal recorded; governance readers still open anyone's."""
    info = t.take(vault, actor=SELLER, course_id="law", answers=_answers("law", 3))
    counsel = Actor("c2", Role.COUNSEL)
    said = set()
    for asked in (info.id, "0" * 32):
        before = _denials(vault)
        with pytest.raises(NotFoundError) as err:
            t.attempt(vault, actor=counsel, attempt_id=asked)
        said.add(str(err.value))
        assert _denials(vault) == before + 1
        with pytest.raises(NotFoundError):
            t.certificate_report(vault, actor=counsel, attempt_id=asked)
    assert said == {"没有该答题记录"}
    assert t.attempt(vault, actor=SELLER, attempt_id=info.id) == info  # one's own
    assert t.attempt(vault, actor=ADMIN, attempt_id=info.id) == info


def _denials(vault: Vault) -> int:
    with vault.reading() as s:
        found = select(AuditEventRow).where(AuditEventRow.action == "access.denied")
        return len(s.execute(found).all())


# --- assignments, dashboard, calendar ------------------------------------------------------------


def test_assignment_by_department_or_role(vault: Vault) -> None:
    hr = _user(vault, "hr.one", "seller", "hr")
    legal_counsel = _user(vault, "counsel.one", "counsel", "legal")
    _user(vault, "tech.one", "seller", "technology")
    later = TODAY + _dt.timedelta(days=10)
    t.assign(vault, actor=ADMIN, course_id="awareness", department="hr", assigned_on=later)
    t.assign(vault, actor=ADMIN, course_id="law", role="counsel", due_days=5, assigned_on=later)
    mine = {d.course: d for d in t.my_duties(vault, actor=hr)}
    assert list(mine) == ["awareness"]
    assert mine["awareness"].due == later + _dt.timedelta(days=30)  # the course's default
    assert [d.course for d in t.my_duties(vault, actor=legal_counsel)] == ["law"]
    assert t.my_duties(vault, actor=Actor("tech.one", Role.SELLER)) == []


def test_an_old_assignment_counts_from_the_users_account(vault: Vault) -> None:
    t.assign(
        vault, actor=ADMIN, course_id="skills", department="hr", assigned_on=_dt.date(2020, 1, 1)
    )
    newcomer = _user(vault, "hr.new", "seller", "hr")
    (d,) = t.my_duties(vault, actor=newcomer)
    assert d.assigned_on == TODAY and d.status(TODAY) is Status.OPEN


def test_dashboard_summary_and_calendar(vault: Vault) -> None:
    a = _user(vault, "hr.a", "seller", "hr")
    _user(vault, "hr.b", "seller", "hr")
    past = TODAY - _dt.timedelta(days=100)
    t.assign(vault, actor=ADMIN, course_id="incidents", department="hr", assigned_on=past)
    # both accounts are new, so the assignment counts from today: nobody is overdue yet
    t.take(vault, actor=a, course_id="incidents", answers=_answers("incidents", 3))
    (row,) = t.dashboard(vault, actor=ADMIN)
    assert (row.department, row.course, row.assigned, row.done, row.overdue) == (
        "hr",
        "incidents",
        2,
        1,
        0,
    )
    assert row.rate == 0.5
    later = TODAY + _dt.timedelta(days=31)
    (late,) = t.dashboard(vault, actor=ADMIN, today=later)
    assert late.overdue == 1 and late.done == 1
    assert t.summary(vault, later) == {
        "training_assigned": 2,
        "training_done": 1,
        "training_overdue": 1,
        "training_completion_rate": 0.5,
    }
    items = {i.ref: i for i in calendar.collect(vault, later)}
    assert items["incidents:hr.b"].state(later) is calendar.State.OVERDUE
    assert items["incidents:hr.a"].due == t.add_months(TODAY, 12)
    assert items["incidents:hr.a"].rule == "S35-11.6"
    csv_bytes = t.dashboard_csv(t.dashboard(vault, actor=ADMIN))
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and "人力资源".encode() in csv_bytes


def test_assignment_input_is_checked(vault: Vault) -> None:
    with pytest.raises(InputError):
        t.assign(vault, actor=ADMIN, course_id="awareness")  # neither department nor role
    with pytest.raises(InputError):
        t.assign(vault, actor=ADMIN, course_id="awareness", role="buyer")
    with pytest.raises(InputError):
        t.assign(vault, actor=ADMIN, course_id="awareness", department="sales")
    for days, ok in ((0, False), (1, True), (t.MAX_DUE_DAYS, True), (t.MAX_DUE_DAYS + 1, False)):
        if ok:
            t.assign(vault, actor=ADMIN, course_id="awareness", role="seller", due_days=days)
        else:
            with pytest.raises(InputError):
                t.assign(vault, actor=ADMIN, course_id="awareness", role="seller", due_days=days)
    first = t.assignments(vault, actor=ADMIN)[0]
    t.unassign(vault, actor=ADMIN, assignment_id=first.id)
    assert first.id not in {a.id for a in t.assignments(vault, actor=ADMIN)}


# --- permissions ------------------------------------------------------------------------------------


def test_permissions(vault: Vault) -> None:
    buyer = Actor("b", Role.BUYER)
    counsel = Actor("c", Role.COUNSEL)
    auditor = Actor("au", Role.AUDITOR)
    with pytest.raises(PermissionDeniedError):
        t.take(vault, actor=buyer, course_id="law", answers=_answers("law", 3))
    with pytest.raises(PermissionDeniedError):
        t.course_list(actor=buyer)
    info = t.take(vault, actor=counsel, course_id="law", answers=_answers("law", 3))
    with pytest.raises(PermissionDeniedError):
        t.dashboard(vault, actor=counsel)
    with pytest.raises(PermissionDeniedError):
        t.attempt(vault, actor=Actor("c2", Role.COUNSEL), attempt_id=info.id)
    assert t.attempt(vault, actor=auditor, attempt_id=info.id).username == "c"
    t.dashboard(vault, actor=auditor)
    with pytest.raises(PermissionDeniedError):
        t.assign(vault, actor=auditor, course_id="law", role="seller")
    with pytest.raises(PermissionDeniedError):
        t.verify(vault, actor=counsel, code=info.code or "")


def test_an_assignment_by_role_skips_accounts_seated_only_on_the_buyers_side(
    vault: Vault,
) -> None:
    """An auditor the buyer brought is not the company's staff: "every auditor" put the company's
    training on them, and its reminders, and their names on the company's completion board."""
    from baomi.services import deals
    from baomi.services.dataroom import rooms
    from baomi.services.dataroom.demo import DEMO_USCC
    from baomi.services.dataroom.rooms import Side

    ours = _user(vault, "aud.ours", "auditor", None)
    _user(vault, "aud.buyer", "auditor", None)
    deals.create(vault, actor=ADMIN, name="d1")
    rooms.open_room(vault, actor=ADMIN, deal_ref="d1", target_name="甲", target_uscc=DEMO_USCC)
    rooms.add_member(
        vault, actor=ADMIN, deal_ref="d1", username="aud.buyer", side=Side.BUYER, role=Role.AUDITOR
    )
    rooms.add_member(
        vault, actor=ADMIN, deal_ref="d1", username="aud.ours", side=Side.SELLER, role=Role.AUDITOR
    )
    t.assign(vault, actor=ADMIN, course_id="law", role="auditor")
    assert [d.course for d in t.my_duties(vault, actor=ours)] == ["law"]
    buyer_side = Actor("aud.buyer", Role.AUDITOR, seats=frozenset({"buyer"}))
    with pytest.raises(PermissionDeniedError):  # nor may it take the company's training
        t.my_duties(vault, actor=buyer_side)
    assert {d.username for d in t._duties(vault)} == {"aud.ours"}
