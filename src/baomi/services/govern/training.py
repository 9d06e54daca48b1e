"""Training (issue 15; GB/T 35273 §11.6 — at least yearly): courses on six topics, assigned by
department and role, each with a lesson and a quiz; a certificate for a pass; the completion
dashboard and the overdue reminders on the company's calendar.

- Courses are data: one YAML file per course in ``courses/`` (a lesson and 3–5 questions in
  Chinese and English, a pass mark in percent, the days an assignment gives to finish it).
- An assignment names a course and a department or a role (or both: either matches); every user
  (not disabled) of that department or role owes the course. It is due ``due_days`` after the
  assignment — or after the user's account was created, if later.
- A pass is valid for ``training_every_months`` (rule ``S35-11.6``); from the day it expires the
  course is owed again, and overdue the day after. A user is *done* with a course while a pass
  is valid, *overdue* after the due date, otherwise *open*.
- Answers are checked here, never in a page; every attempt is kept with its score and the pass
  mark it was held to. A pass carries a certificate whose verification code is an HMAC (the
  vault's key) over the attempt, so :func:`verify` tells a real one from a made-up one.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy import select

from baomi import clock
from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import ConfigError, InputError, NotFoundError
from baomi.i18n import current_language, one_of, tr
from baomi.services import audit
from baomi.services.comply.reports.model import (
    Citation,
    Figure,
    Report,
    Section,
    Signature,
    Table,
    Tone,
    stamp,
)
from baomi.services.comply.rulebook import Rule, rules
from baomi.services.govern import departments, exports
from baomi.services.govern.calendar import DueItem
from baomi.services.govern.dashboard import Tile
from baomi.services.permissions import (
    PERMISSIONS,
    ROLE_LABELS,
    Action,
    Actor,
    Role,
    allowed,
    authorize,
)
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Member, TrainingAssignment, TrainingAttempt, User

#: The six topics of issue 15: code → (Chinese, English).
TOPICS: dict[str, tuple[str, str]] = {
    "awareness": ("意识教育", "awareness"),
    "skills": ("保护技能", "skills"),
    "cases": ("泄露案例", "case studies"),
    "incidents": ("事件处置", "incident handling"),
    "law": ("法律法规", "laws and regulations"),
    "continuing": ("持续教育", "continuing education"),
}
#: the rule that sets the yearly renewal
RULE = "S35-11.6"
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
MAX_DUE_DAYS = 366
#: the department bucket of users who have none
NO_DEPARTMENT = "-"


# --- courses (data) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    text_zh: str
    text_en: str
    #: (Chinese, English) per option
    options: tuple[tuple[str, str], ...]
    #: the right option's number (0-based); never sent to a page
    answer: int

    @property
    def text(self) -> str:
        return tr(self.text_zh, self.text_en)

    def option_texts(self) -> tuple[str, ...]:
        return tuple(tr(zh, en) for zh, en in self.options)


@dataclass(frozen=True)
class Course:
    id: str
    topic: str
    title_zh: str
    title_en: str
    #: percent of right answers needed to pass
    pass_mark: int
    #: days an assignment gives to finish it
    due_days: int
    lesson_zh: str
    lesson_en: str
    questions: tuple[Question, ...]

    @property
    def title(self) -> str:
        return tr(self.title_zh, self.title_en)

    @property
    def topic_label(self) -> str:
        return tr(*TOPICS[self.topic])

    @property
    def lesson(self) -> tuple[str, ...]:
        """The lesson's paragraphs in the reader's language."""
        text = tr(self.lesson_zh, self.lesson_en)
        return tuple(p.strip() for p in text.split("\n") if p.strip())


def _pair(value: Any, where: str) -> tuple[str, str]:
    if not isinstance(value, dict) or not value.get("zh") or not value.get("en"):
        raise ConfigError(f"{where}: needs zh and en")
    return str(value["zh"]), str(value["en"])


def _course(doc: Any, origin: str) -> Course:
    if not isinstance(doc, dict):
        raise ConfigError(f"{origin}: expected a mapping")
    try:
        raw_questions = list(doc["questions"])
        questions = []
        for n, q in enumerate(raw_questions, 1):
            options = tuple(_pair(o, f"{origin} q{n} option") for o in q["options"])
            answer = int(q["answer"])
            if len(options) < 2 or not 0 <= answer < len(options):
                raise ConfigError(f"{origin} q{n}: 2+ options and an answer among them")
            questions.append(Question(*_pair(q["text"], f"{origin} q{n}"), options, answer))
        course = Course(
            id=str(doc["id"]),
            topic=str(doc["topic"]),
            title_zh=_pair(doc["title"], origin)[0],
            title_en=_pair(doc["title"], origin)[1],
            pass_mark=int(doc["pass_mark"]),
            due_days=int(doc["due_days"]),
            lesson_zh=_pair(doc["lesson"], origin)[0],
            lesson_en=_pair(doc["lesson"], origin)[1],
            questions=tuple(questions),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    if course.topic not in TOPICS:
        raise ConfigError(f"{origin}: topic one of {', '.join(TOPICS)}")
    if not MIN_QUESTIONS <= len(course.questions) <= MAX_QUESTIONS:
        raise ConfigError(f"{origin}: {MIN_QUESTIONS}-{MAX_QUESTIONS} questions")
    if not 0 < course.pass_mark <= 100 or not 0 < course.due_days <= MAX_DUE_DAYS:
        raise ConfigError(f"{origin}: pass_mark 1-100, due_days 1-{MAX_DUE_DAYS}")
    return course


@cache
def courses() -> dict[str, Course]:
    """Every course, by id (the files of ``courses/``, in topic order)."""
    found: dict[str, Course] = {}
    folder = files("baomi.services.govern").joinpath("courses")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        course = _course(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name)
        if course.id in found:
            raise ConfigError(f"{entry.name}: course {course.id} twice")
        found[course.id] = course
    order = list(TOPICS)
    return dict(sorted(found.items(), key=lambda kv: (order.index(kv[1].topic), kv[0])))


def course(course_id: str) -> Course:
    try:
        return courses()[course_id]
    except KeyError:
        raise InputError(tr(f"没有课程 {course_id}", f"no course {course_id}")) from None


# --- scheduling arithmetic --------------------------------------------------------------------


def rule() -> Rule:
    return rules()[RULE]


def renewal_months() -> int:
    """How long a pass is valid (``S35-11.6``: at least yearly training)."""
    return int(rule().param("training_every_months"))


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months (the 29th of February → the 28th)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (_dt.date(year + month // 12, month % 12 + 1, 1) - _dt.timedelta(days=1)).day
    return _dt.date(year, month, min(day.day, last))


def score(correct: int, total: int) -> int:
    """The score in percent, rounded down (so it never passes on rounding)."""
    return correct * 100 // total if total else 0


def passes(points: int, pass_mark: int) -> bool:
    return points >= pass_mark


class Status(StrEnum):
    DONE = "done"
    OPEN = "open"
    OVERDUE = "overdue"


def status_label(value: Status | str) -> str:
    return {
        Status.DONE: tr("已完成", "done"),
        Status.OPEN: tr("待完成", "open"),
        Status.OVERDUE: tr("已逾期", "overdue"),
    }[Status(value)]


@dataclass(frozen=True)
class Duty:
    """A course one user owes: when it is due and their last pass."""

    username: str
    department: str | None
    role: str
    course: str
    #: when the user was first asked for it (the assignment, or the account if later)
    assigned_on: _dt.date
    #: the first due date if never passed, else the day the last pass expires
    due: _dt.date
    last_passed: _dt.date | None

    def status(self, today: _dt.date) -> Status:
        if self.last_passed is not None and today < self.due:
            return Status.DONE
        if today > self.due:
            return Status.OVERDUE
        return Status.OPEN


def duty(
    *,
    username: str,
    department: str | None,
    role: str,
    course_id: str,
    assigned_on: _dt.date,
    due_days: int,
    last_passed: _dt.date | None,
    months: int,
) -> Duty:
    """The arithmetic: first due ``assigned_on + due_days``; after a pass, the pass plus
    ``months`` (the yearly renewal)."""
    due = (
        add_months(last_passed, months)
        if last_passed is not None
        else assigned_on + _dt.timedelta(days=due_days)
    )
    return Duty(username, department, role, course_id, assigned_on, due, last_passed)


def _day(value: str) -> _dt.date:
    return _dt.date.fromisoformat(clock.day(value))


def _duties(vault: Vault, usernames: Iterable[str] | None = None) -> list[Duty]:
    """Every (user, course) owed: the earliest-due matching assignment counts."""
    months = renewal_months()
    wanted = set(usernames) if usernames is not None else None
    with vault.reading() as session:
        users = [
            u
            for u in session.execute(select(User).where(User.disabled.is_(False))).scalars()
            if wanted is None or u.username in wanted
        ]
        rows = list(session.execute(select(TrainingAssignment)).scalars())
        seats: dict[str, set[str]] = defaultdict(set)
        for user_id, side in session.execute(select(Member.user_id, Member.side)):
            seats[user_id].add(side)
        # only those who may take the company's training owe it: not the buyer, nor an account
        # the buyer brought (seated on the buyer's side only: permissions.COMPANY_ONLY)
        users = [
            u
            for u in users
            if allowed(
                Actor(u.username, Role(u.role), seats=frozenset(seats[u.id])),
                Action.TRAINING_TAKE,
            )
        ]
        passed: dict[tuple[str, str], _dt.date] = {}
        won = select(TrainingAttempt).where(TrainingAttempt.passed.is_(True))
        for row in session.execute(won).scalars():
            key = (row.username, row.course)
            when = _day(row.taken_at)
            passed[key] = max(when, passed.get(key, when))
    out: list[Duty] = []
    for user in users:
        best: dict[str, Duty] = {}
        for a in rows:
            if a.course not in courses():
                continue
            if not (
                (a.department is not None and a.department == user.department)
                or (a.role is not None and a.role == user.role)
            ):
                continue
            start = max(_day(a.assigned_on), _day(user.created_at))
            d = duty(
                username=user.username,
                department=user.department,
                role=user.role,
                course_id=a.course,
                assigned_on=start,
                due_days=a.due_days,
                last_passed=passed.get((user.username, a.course)),
                months=months,
            )
            if a.course not in best or d.due < best[a.course].due:
                best[a.course] = d
        out.extend(best.values())
    order = list(courses())
    return sorted(out, key=lambda d: (d.username, order.index(d.course)))


# --- taking a course --------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptInfo:
    id: str
    course: str
    username: str
    correct: int
    total: int
    score: int
    pass_mark: int
    passed: bool
    taken_at: str
    #: the certificate's verification code (passed attempts only)
    code: str | None
    #: per question: whether the answer was right
    right: tuple[bool, ...]


def _code(vault: Vault, row: TrainingAttempt) -> str:
    key = crypto.hkdf(vault.platform_key("index"), "baomi training certificate")
    fields = (row.id, row.username, row.course, str(row.score), str(row.pass_mark), row.taken_at)
    return crypto.keyed_hash(key, "|".join(fields))


def _info(row: TrainingAttempt) -> AttemptInfo:
    answers = json.loads(row.answers)
    known = courses().get(row.course)
    right = (
        tuple(a == q.answer for a, q in zip(answers, known.questions, strict=False))
        if known
        else ()
    )
    return AttemptInfo(
        row.id,
        row.course,
        row.username,
        row.correct,
        row.total,
        row.score,
        row.pass_mark,
        row.passed,
        row.taken_at,
        row.code,
        right,
    )


def course_list(*, actor: Actor) -> list[Course]:
    """Every course (their lessons and questions, never the answers' numbers to a page)."""
    authorize(actor, Action.TRAINING_TAKE)
    return list(courses().values())


def show_course(*, actor: Actor, course_id: str) -> Course:
    authorize(actor, Action.TRAINING_TAKE)
    return course(course_id)


def my_duties(vault: Vault, *, actor: Actor) -> list[Duty]:
    """The courses the acting user owes (by their department and role)."""
    authorize(actor, Action.TRAINING_TAKE)
    return _duties(vault, [actor.name])


def my_attempts(vault: Vault, *, actor: Actor) -> list[AttemptInfo]:
    """The acting user's attempts, newest first."""
    authorize(actor, Action.TRAINING_TAKE)
    with vault.reading() as session:
        rows = session.execute(
            select(TrainingAttempt)
            .where(TrainingAttempt.username == actor.name)
            .order_by(TrainingAttempt.taken_at.desc())
        ).scalars()
        return [_info(r) for r in rows]


def take(
    vault: Vault, *, actor: Actor, course_id: str, answers: list[int], at: str | None = None
) -> AttemptInfo:
    """Answer a course's quiz (one option number per question): scored here, recorded, and a
    certificate's code issued when the score reaches the course's pass mark."""
    authorize(actor, Action.TRAINING_TAKE)
    spec = course(course_id)
    if len(answers) != len(spec.questions) or any(
        not 0 <= a < len(q.options) for a, q in zip(answers, spec.questions, strict=True)
    ):
        raise InputError(
            tr(
                f"请回答全部 {len(spec.questions)} 道题",
                f"answer all {len(spec.questions)} questions",
            )
        )
    correct = sum(a == q.answer for a, q in zip(answers, spec.questions, strict=True))
    points = score(correct, len(spec.questions))
    with vault.transaction() as session:
        row = TrainingAttempt(
            id=new_id(),
            course=spec.id,
            username=actor.name,
            answers=json.dumps(answers),
            correct=correct,
            total=len(spec.questions),
            score=points,
            pass_mark=spec.pass_mark,
            passed=passes(points, spec.pass_mark),
            taken_at=at or now(),
        )
        if row.passed:
            row.code = _code(vault, row)
        session.add(row)
        session.flush()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.TRAINING_ATTEMPT,
            obj=f"training:{spec.id}",
            details={"score": points, "pass_mark": spec.pass_mark, "passed": row.passed},
        )
        return _info(row)


def attempt(vault: Vault, *, actor: Actor, attempt_id: str) -> AttemptInfo:
    """One attempt: the user's own, or anyone's for those who read governance. Someone else's
    answers, to a user who may not read governance, as an attempt that does not exist (404, the
    refusal recorded), so attempt ids cannot be probed."""
    authorize(actor, Action.TRAINING_TAKE)
    missing = NotFoundError(tr("没有该答题记录", "no such attempt"))
    with vault.reading() as session:
        row = session.get(TrainingAttempt, attempt_id)
        info = None if row is None else _info(row)
    if info is not None and (info.username == actor.name or allowed(actor, Action.GOVERN_VIEW)):
        return info
    if allowed(actor, Action.GOVERN_VIEW):  # reads every attempt: a wrong id hides nothing
        raise missing
    audit.refuse_unseen(
        vault,
        actor,
        Action.GOVERN_VIEW,
        obj=f"training-attempt:{attempt_id}" if info is not None else "training-attempt:-",
        reason="another user's attempt" if info is not None else "no such attempt",
        missing=missing,
    )


def verify(vault: Vault, *, actor: Actor, code: str) -> AttemptInfo | None:
    """The passed attempt a certificate's code belongs to, if the code is genuine."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:training")
    value = code.strip().lower()
    with vault.reading() as session:
        row = session.execute(select(TrainingAttempt).where(TrainingAttempt.code == value)).scalar()
        if (
            row is None
            or not row.passed
            or not crypto.constant_time_equal(_code(vault, row), value)
        ):
            return None
        return _info(row)


def certificate_report(
    vault: Vault, *, actor: Actor, attempt_id: str, generated_at: str | None = None
) -> Report:
    """The certificate of a passed attempt (HTML and PDF through the reports' renderers)."""
    info = attempt(vault, actor=actor, attempt_id=attempt_id)
    if not info.passed or info.code is None:
        raise InputError(tr("未通过的测验没有证书", "only a passed quiz has a certificate"))
    spec = course(info.course)
    with vault.reading() as session:
        user = session.execute(select(User).where(User.username == info.username)).scalar()
        name = user.display_name if user is not None else info.username
    next_due = add_months(_day(info.taken_at), renewal_months())
    r = rule()
    fields = (
        (tr("学员", "trainee"), f"{name}（{info.username}）"),
        (tr("课程", "course"), spec.title),
        (tr("主题", "topic"), spec.topic_label),
        (tr("得分", "score"), f"{info.score}%（{info.correct}/{info.total}）"),
        (tr("及格线", "pass mark"), f"{info.pass_mark}%"),
        (tr("完成时间", "completed"), stamp(info.taken_at)),
        (tr("下次培训截止", "next training due"), next_due.isoformat()),
        (tr("验证码", "verification code"), info.code),
    )
    return Report(
        kind="training-certificate",
        title=tr("个人信息保护培训证书", "Certificate of personal information protection training"),
        subject=spec.title,
        generated_at=generated_at or stamp(),
        lang=current_language(),
        summary=(
            Figure(tr("学员", "trainee"), name),
            Figure(tr("课程", "course"), spec.title),
            Figure(tr("得分", "score"), f"{info.score}%", Tone.GOOD),
            Figure(tr("下次培训截止", "next training due"), next_due.isoformat()),
        ),
        sections=(
            Section(
                tr("证书", "Certificate"),
                paragraphs=(
                    tr(
                        f"兹证明 {name} 已完成课程《{spec.title_zh}》并通过测验。",
                        f"This certifies that {name} completed the course "
                        f"“{spec.title_en}” and passed its quiz.",
                    ),
                ),
                tables=(Table((tr("字段", "field"), tr("内容", "value")), fields),),
                citations=(Citation.of(r),),
            ),
            Section(
                tr("如何验证", "How to verify"),
                paragraphs=(
                    tr(
                        "验证码是保险库密钥对本次答题记录（编号、学员、课程、得分、及格线、时间）计算的 HMAC；"
                        f"在 /govern/training/verify/{info.code} 或 baomi govern training verify 中核对。",
                        "The verification code is an HMAC, under the vault's key, of this "
                        "attempt (id, trainee, course, score, pass mark, time); check it at "
                        f"/govern/training/verify/{info.code} or with baomi govern training "
                        "verify.",
                    ),
                    tr(
                        f"依据 {r.label()}，培训至少每年一次：须在 {next_due.isoformat()} 前（含当日）完成下一次培训。",
                        f"Under {r.label()} training is at least yearly: the next one is due by "
                        f"{next_due.isoformat()}.",
                    ),
                ),
            ),
        ),
        signatures=(Signature(tr("个人信息保护负责人", "PI protection officer")),),
    )


# --- assignments ------------------------------------------------------------------------------

#: the roles a course can be assigned to (those who may take training)
ASSIGNABLE_ROLES = tuple(r.value for r in Role if r in PERMISSIONS[Action.TRAINING_TAKE])


@dataclass(frozen=True)
class AssignmentInfo:
    id: str
    course: str
    department: str | None
    role: str | None
    due_days: int
    assigned_on: str
    created_by: str


def _assignment(row: TrainingAssignment) -> AssignmentInfo:
    return AssignmentInfo(
        row.id,
        row.course,
        row.department,
        row.role,
        row.due_days,
        row.assigned_on,
        row.created_by,
    )


def assign(
    vault: Vault,
    *,
    actor: Actor,
    course_id: str,
    department: str | None = None,
    role: str | None = None,
    due_days: int | None = None,
    assigned_on: _dt.date | None = None,
) -> AssignmentInfo:
    """Assign a course to a department, a role or both (either matches); due ``due_days`` later
    (the course's default if not given)."""
    authorize(actor, Action.GOVERN_EDIT)
    spec = course(course_id)
    dept = departments.check(department) if department else None
    if role and role not in ASSIGNABLE_ROLES:
        raise InputError(
            one_of("角色", "role", ((r, tr(*ROLE_LABELS[r])) for r in ASSIGNABLE_ROLES))
        )
    if dept is None and not role:
        raise InputError(tr("请指定部门或角色", "name a department or a role"))
    days = spec.due_days if due_days is None else due_days
    if not 0 < days <= MAX_DUE_DAYS:
        raise InputError(tr(f"期限须为 1–{MAX_DUE_DAYS} 天", f"days: 1-{MAX_DUE_DAYS}"))
    day = assigned_on or clock.today()
    with vault.transaction() as session:
        row = TrainingAssignment(
            id=new_id(),
            course=spec.id,
            department=dept,
            role=role or None,
            due_days=days,
            assigned_on=day.isoformat(),
            created_at=now(),
            created_by=actor.name,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.TRAINING_ASSIGN,
            obj=f"training:{spec.id}",
            details={"department": dept, "role": role or None, "due_days": days},
        )
        return _assignment(row)


def unassign(vault: Vault, *, actor: Actor, assignment_id: str) -> None:
    """Withdraw an assignment (attempts and certificates stay)."""
    authorize(actor, Action.GOVERN_EDIT)
    with vault.transaction() as session:
        row = session.get(TrainingAssignment, assignment_id)
        if row is None:
            raise InputError(tr("没有该分配", "no such assignment"))
        session.delete(row)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.TRAINING_UNASSIGN,
            obj=f"training:{row.course}",
            details={"assignment": assignment_id},
        )


def assignments(vault: Vault, *, actor: Actor) -> list[AssignmentInfo]:
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:training")
    with vault.reading() as session:
        rows = session.execute(
            select(TrainingAssignment).order_by(
                TrainingAssignment.assigned_on.desc(), TrainingAssignment.course
            )
        ).scalars()
        return [_assignment(r) for r in rows]


# --- dashboard, calendar, summary -------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    department: str
    course: str
    assigned: int
    done: int
    overdue: int

    @property
    def rate(self) -> float:
        """Share done, 0–1 (1 when nobody is assigned)."""
        return round(self.done / self.assigned, 4) if self.assigned else 1.0


def _rows(duties: list[Duty], today: _dt.date) -> list[DashboardRow]:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for d in duties:
        c = counts[(d.department or NO_DEPARTMENT, d.course)]
        state = d.status(today)
        c[0] += 1
        c[1] += state is Status.DONE
        c[2] += state is Status.OVERDUE
    order = list(courses())
    dept_order = [*departments.DEPARTMENTS, NO_DEPARTMENT]
    keys = sorted(counts, key=lambda k: (dept_order.index(k[0]), order.index(k[1])))
    return [DashboardRow(k[0], k[1], *counts[k]) for k in keys]


def dashboard(vault: Vault, *, actor: Actor, today: _dt.date | None = None) -> list[DashboardRow]:
    """Per department and course: assigned, done, overdue and the completion rate."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:training")
    return _rows(_duties(vault), today or clock.today())


def department_name(code: str) -> str:
    return tr("未分配部门", "no department") if code == NO_DEPARTMENT else departments.label(code)


def dashboard_table(rows: list[DashboardRow]) -> Table:
    """The dashboard as a table in the reader's language (pages, CLI, CSV and XLSX)."""
    return Table(
        (
            tr("部门", "department"),
            tr("课程", "course"),
            tr("应完成", "assigned"),
            tr("已完成", "done"),
            tr("已逾期", "overdue"),
            tr("完成率", "rate"),
        ),
        tuple(
            (
                department_name(r.department),
                course(r.course).title,
                str(r.assigned),
                str(r.done),
                str(r.overdue),
                f"{r.rate * 100:.0f}%",
            )
            for r in rows
        ),
        tr("培训完成情况", "Training completion"),
        tuple(
            Tone.BAD if r.overdue else Tone.GOOD if r.done == r.assigned else Tone.NEUTRAL
            for r in rows
        ),
    )


def dashboard_report(rows: list[DashboardRow], *, today: _dt.date) -> Report:
    """The dashboard as a report (for the XLSX download)."""
    total = sum(r.assigned for r in rows)
    done = sum(r.done for r in rows)
    return Report(
        kind="training",
        title=tr("培训完成情况", "Training completion"),
        subject=today.isoformat(),
        generated_at=stamp(),
        lang=current_language(),
        summary=(
            Figure(tr("应完成", "assigned"), str(total)),
            Figure(tr("已完成", "done"), str(done)),
            Figure(tr("已逾期", "overdue"), str(sum(r.overdue for r in rows))),
        ),
        sections=(
            Section(
                tr("按部门和课程", "By department and course"),
                tables=(dashboard_table(rows),),
                citations=(Citation.of(rule()),),
            ),
        ),
    )


def assignments_table(rows: list[AssignmentInfo]) -> Table:
    """The assignments as a table in the reader's language (the list's CSV and XLSX)."""
    return Table(
        (
            tr("课程", "course"),
            tr("部门", "department"),
            tr("角色", "role"),
            tr("期限（天）", "days"),
            tr("分配日期", "assigned on"),
            tr("分配人", "assigned by"),
        ),
        tuple(
            (
                course(a.course).title,
                departments.label(a.department) if a.department else "",
                a.role or "",
                str(a.due_days),
                a.assigned_on,
                a.created_by,
            )
            for a in rows
        ),
        title=tr("培训分配", "Training assignments"),
    )


def dashboard_csv(rows: list[DashboardRow]) -> bytes:
    """The dashboard as CSV, UTF-8 with a BOM (so spreadsheet programs read the Chinese)."""
    return exports.csv_bytes(dashboard_table(rows))


def due_items(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Every course a user owes, for the calendar: due on the first due date or the day the
    last pass expires; overdue after it (the reminders)."""
    r = rule()
    items = []
    for d in _duties(vault):
        spec = course(d.course)
        items.append(
            DueItem(
                kind="training",
                ref=f"{d.course}:{d.username}",
                title=tr(f"培训：{spec.title_zh}", f"Training: {spec.title_en}"),
                due=d.due,
                department=d.department,
                owner=d.username,
                link=f"/govern/training/{d.course}",
                rule=r.id,
            )
        )
    return items


def summary(vault: Vault, today: _dt.date) -> dict[str, int | float]:
    """Counts for the company dashboard (no permission check: the dashboard checks)."""
    rows = _rows(_duties(vault), today)
    assigned = sum(r.assigned for r in rows)
    done = sum(r.done for r in rows)
    return {
        "training_assigned": assigned,
        "training_done": done,
        "training_overdue": sum(r.overdue for r in rows),
        "training_completion_rate": round(done / assigned, 4) if assigned else 1.0,
    }


def can_manage(actor: Actor) -> tuple[bool, bool]:
    """(reads the dashboard, edits assignments) — for the page's links and forms."""
    return allowed(actor, Action.GOVERN_VIEW), allowed(actor, Action.GOVERN_EDIT)


def tiles(vault: Vault, today: _dt.date) -> list[Tile]:
    """The dashboard's training tile: completion, with the overdue count."""
    s = summary(vault, today)
    rate, overdue = float(s["training_completion_rate"]), int(s["training_overdue"])
    return [
        Tile(
            "training_completion",
            tr("培训完成率", "Training completion"),
            f"{rate:.0%}",
            Tone.BAD if overdue else (Tone.GOOD if rate >= 1 else Tone.WARN),
            "/govern/training",
            tr(
                f"已完成 {s['training_done']}/{s['training_assigned']}，逾期 {overdue}",
                f"{s['training_done']}/{s['training_assigned']} done, {overdue} overdue",
            ),
        )
    ]
