"""Customer satisfaction surveys about information protection (issue 15): a survey builder
(scale 1-5, single-choice and free-text questions), a public link that needs no sign-in and asks
for no personal information, the responses, their aggregate results with charts, a published
aggregate-only summary, and improvement actions from the results (owning department and due
date: calendar items).

Free text is scanned with the scan's recognizers before it is stored: a telephone number, ID
number, e-mail address … typed into an answer is kept masked only (``138****5678``). The public
page says so. The limits (lengths, counts, the public rate limit, the smallest published sample)
are data: ``surveys.yaml``.
"""

from __future__ import annotations

import datetime as _dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import current_language, one_of, tr
from baomi.services import audit
from baomi.services.comply.reports.model import (
    Chart,
    ChartKind,
    Figure,
    Report,
    Section,
    Table,
    Tone,
    stamp,
)
from baomi.services.govern import departments, inputs
from baomi.services.govern.calendar import DueItem
from baomi.services.govern.dashboard import Tile
from baomi.services.permissions import Action, Actor, Role, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Survey, SurveyAction, SurveyQuestion, SurveyResponse

#: the actor the audit log names for an anonymous response
PUBLIC = Actor("public survey page", Role.BUYER)
SCALE = (1, 2, 3, 4, 5)


@cache
def limits() -> dict[str, int]:
    """The limits of ``surveys.yaml``."""
    text = (files("baomi.services.govern") / "surveys.yaml").read_text(encoding="utf-8")
    return {str(k): int(v) for k, v in yaml.safe_load(text).items()}


def limit(name: str) -> int:
    return limits()[name]


class Kind(StrEnum):
    SCALE = "scale"
    CHOICE = "choice"
    TEXT = "text"

    @property
    def label(self) -> str:
        return {
            Kind.SCALE: tr("评分（1-5）", "scale (1-5)"),
            Kind.CHOICE: tr("单选", "single choice"),
            Kind.TEXT: tr("文字", "free text"),
        }[self]


class Status(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            Status.DRAFT: tr("草稿", "draft"),
            Status.OPEN: tr("收集中", "open"),
            Status.CLOSED: tr("已关闭", "closed"),
        }[self]


@dataclass(frozen=True)
class QuestionInfo:
    id: str
    position: int
    kind: Kind
    text: str
    options: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class ActionInfo:
    id: str
    text: str
    department: str
    due: str
    done_at: str | None
    overdue: bool


@dataclass(frozen=True)
class SurveyInfo:
    id: str
    title: str
    intro: str
    token: str
    status: Status
    published: bool
    opened_at: str | None
    closed_at: str | None
    created_at: str
    responses: int
    questions: tuple[QuestionInfo, ...]
    actions: tuple[ActionInfo, ...]


@dataclass(frozen=True)
class PublicSurvey:
    """What the public page shows: no ids beyond the questions', nothing of the results."""

    title: str
    intro: str
    open: bool
    questions: tuple[QuestionInfo, ...]


@dataclass(frozen=True)
class QuestionResult:
    question: QuestionInfo
    answered: int
    #: scale: value → count (1..5); choice: option → count; text: empty
    counts: tuple[tuple[str, int], ...]
    #: the mean of a scale question (``None``: no answer or not a scale)
    mean: float | None
    #: the masked free texts (staff only; never on the published summary)
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Results:
    survey_id: str
    title: str
    responses: int
    questions: tuple[QuestionResult, ...]
    #: the mean of every scale answer (overall satisfaction), if any
    overall: float | None


# --- helpers ----------------------------------------------------------------------------------


def _row(session: Session, survey_id: str) -> Survey:
    row = session.get(Survey, survey_id)
    if row is None:
        raise InputError(tr("没有该问卷", "no such survey"))
    return row


def _questions(session: Session, survey_id: str) -> tuple[QuestionInfo, ...]:
    rows = session.execute(
        select(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey_id)
        .order_by(SurveyQuestion.position)
    ).scalars()
    return tuple(
        QuestionInfo(
            q.id, q.position, Kind(q.kind), q.text, tuple(json.loads(q.options)), q.required
        )
        for q in rows
    )


def _actions(session: Session, survey_id: str | None, today: _dt.date) -> tuple[ActionInfo, ...]:
    query = select(SurveyAction).order_by(SurveyAction.due, SurveyAction.id)
    if survey_id is not None:
        query = query.where(SurveyAction.survey_id == survey_id)
    return tuple(
        ActionInfo(
            a.id,
            a.text,
            a.department,
            a.due,
            a.done_at,
            a.done_at is None and _dt.date.fromisoformat(a.due) < today,
        )
        for a in session.execute(query).scalars()
    )


def _count(session: Session, survey_id: str) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id)
        ).scalar_one()
    )


def _info(session: Session, row: Survey) -> SurveyInfo:
    return SurveyInfo(
        row.id,
        row.title,
        row.intro,
        row.token,
        Status(row.status),
        row.published,
        row.opened_at,
        row.closed_at,
        row.created_at,
        _count(session, row.id),
        _questions(session, row.id),
        _actions(session, row.id, clock.today()),
    )


def _record(
    session: Session, vault: Vault, actor: Actor, survey_id: str, **details: object
) -> None:
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.SURVEY_UPDATE,
        obj=f"survey:{survey_id}",
        details=details,
    )


# --- the builder (GOVERN_EDIT) -----------------------------------------------------------------


def create(vault: Vault, *, actor: Actor, title: str, intro: str = "") -> SurveyInfo:
    """A new survey in draft, with its public link's token."""
    authorize(actor, Action.GOVERN_EDIT)
    name = inputs.text(title, tr("标题", "title"), limit("max_title_chars"))
    text = inputs.text(intro, tr("说明", "intro"), limit("max_intro_chars"), required=False)
    survey_id = new_id()
    with vault.transaction() as session:
        row = Survey(
            id=survey_id,
            title=name,
            intro=text,
            token=secrets.token_urlsafe(18),
            status=Status.DRAFT.value,
            published=False,
            created_at=now(),
            created_by=actor.name,
        )
        session.add(row)
        session.flush()
        _record(session, vault, actor, survey_id, created=True)
        return _info(session, row)


def add_question(
    vault: Vault,
    *,
    actor: Actor,
    survey_id: str,
    kind: Kind | str,
    text: str,
    options: tuple[str, ...] | list[str] = (),
    required: bool = False,
) -> SurveyInfo:
    """Add a question to a survey still in draft (a survey once opened keeps its questions, so
    every response answers the same ones)."""
    authorize(actor, Action.GOVERN_EDIT)
    try:
        chosen = Kind(kind)
    except ValueError:
        raise InputError(one_of("题型", "kind", ((k.value, k.label) for k in Kind))) from None
    wording = inputs.text(text, tr("题目", "question"), limit("max_question_chars"))
    opts = [
        inputs.text(o, tr("选项", "option"), limit("max_option_chars"))
        for o in options
        if o.strip()
    ]
    if chosen is Kind.CHOICE and not 2 <= len(opts) <= limit("max_options"):
        raise InputError(
            tr(
                f"单选题须有 2-{limit('max_options')} 个选项",
                f"a choice question has 2-{limit('max_options')} options",
            )
        )
    if len(set(opts)) != len(opts):
        raise InputError(tr("选项重复", "duplicate options"))
    if chosen is not Kind.CHOICE:
        opts = []
    with vault.transaction() as session:
        row = _row(session, survey_id)
        if row.status != Status.DRAFT:
            raise InputError(
                tr("问卷已开放，不能再改题目", "the survey is open: questions are fixed")
            )
        count = len(_questions(session, survey_id))
        if count >= limit("max_questions"):
            raise InputError(
                tr(
                    f"最多 {limit('max_questions')} 题",
                    f"at most {limit('max_questions')} questions",
                )
            )
        session.add(
            SurveyQuestion(
                id=new_id(),
                survey_id=survey_id,
                position=count + 1,
                kind=chosen.value,
                text=wording,
                options=json.dumps(opts, ensure_ascii=False),
                required=required,
            )
        )
        session.flush()
        _record(session, vault, actor, survey_id, question=chosen.value)
        return _info(session, row)


def set_status(vault: Vault, *, actor: Actor, survey_id: str, status: Status | str) -> SurveyInfo:
    """Open a draft (it needs a question) or close an open survey; a closed survey stays
    closed."""
    authorize(actor, Action.GOVERN_EDIT)
    try:
        wanted = Status(status)
    except ValueError:
        raise InputError(
            one_of("状态", "status", ((s.value, s.label) for s in (Status.OPEN, Status.CLOSED)))
        ) from None
    with vault.transaction() as session:
        row = _row(session, survey_id)
        current = Status(row.status)
        if wanted is Status.OPEN and current is Status.DRAFT:
            if not _questions(session, survey_id):
                raise InputError(tr("问卷还没有题目", "the survey has no question"))
            row.opened_at = now()
        elif wanted is Status.CLOSED and current is Status.OPEN:
            row.closed_at = now()
        elif wanted is not current:
            raise InputError(
                tr(
                    f"不能从{current.label}改为{wanted.label}",
                    f"cannot go from {current} to {wanted}",
                )
            )
        row.status = wanted.value
        _record(session, vault, actor, survey_id, status=wanted.value)
        return _info(session, row)


def set_published(vault: Vault, *, actor: Actor, survey_id: str, published: bool) -> SurveyInfo:
    """Switch the public aggregate-only summary page on or off."""
    authorize(actor, Action.GOVERN_EDIT)
    with vault.transaction() as session:
        row = _row(session, survey_id)
        row.published = published
        _record(session, vault, actor, survey_id, published=published)
        return _info(session, row)


def add_action(
    vault: Vault, *, actor: Actor, survey_id: str, text: str, department: str, due: str
) -> SurveyInfo:
    """An improvement action from the results, owned by a department, due on a date."""
    authorize(actor, Action.GOVERN_EDIT)
    dept = departments.check(department)
    day = inputs.day(due, tr("截止日期", "the due date")).isoformat()
    wording = inputs.text(text, tr("措施", "action"), 2000)
    with vault.transaction() as session:
        row = _row(session, survey_id)
        session.add(
            SurveyAction(
                id=new_id(),
                survey_id=survey_id,
                text=wording,
                department=dept,
                due=day,
                created_at=now(),
                created_by=actor.name,
            )
        )
        session.flush()
        _record(session, vault, actor, survey_id, action_department=dept, due=day)
        return _info(session, row)


def complete_action(vault: Vault, *, actor: Actor, action_id: str) -> SurveyInfo:
    authorize(actor, Action.GOVERN_EDIT)
    with vault.transaction() as session:
        action = session.get(SurveyAction, action_id)
        if action is None:
            raise InputError(tr("没有该措施", "no such action"))
        action.done_at = action.done_at or now()
        _record(session, vault, actor, action.survey_id, action_done=action_id)
        return _info(session, _row(session, action.survey_id))


# --- reading (GOVERN_VIEW) ---------------------------------------------------------------------


def surveys(vault: Vault, *, actor: Actor) -> list[SurveyInfo]:
    """Every survey, newest first."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:surveys")
    with vault.reading() as session:
        rows = session.execute(
            select(Survey).order_by(Survey.created_at.desc(), Survey.id)
        ).scalars()
        return [_info(session, r) for r in rows]


def get(vault: Vault, *, actor: Actor, survey_id: str) -> SurveyInfo:
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:surveys")
    with vault.reading() as session:
        return _info(session, _row(session, survey_id))


def _answers(session: Session, survey_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(SurveyResponse.answers)
        .where(SurveyResponse.survey_id == survey_id)
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    ).scalars()
    return [json.loads(a) for a in rows]


def _aggregate(
    survey_id: str, title: str, questions: tuple[QuestionInfo, ...], answers: list[dict[str, Any]]
) -> Results:
    out = []
    every_scale: list[int] = []
    for q in questions:
        given = [a[q.id] for a in answers if a.get(q.id) not in (None, "")]
        if q.kind is Kind.SCALE:
            values = [int(v) for v in given]
            every_scale += values
            counts = tuple((str(v), values.count(v)) for v in SCALE)
            mean = round(sum(values) / len(values), 2) if values else None
            out.append(QuestionResult(q, len(values), counts, mean))
        elif q.kind is Kind.CHOICE:
            out.append(
                QuestionResult(q, len(given), tuple((o, given.count(o)) for o in q.options), None)
            )
        else:
            out.append(QuestionResult(q, len(given), (), None, tuple(str(t) for t in given)))
    overall = round(sum(every_scale) / len(every_scale), 2) if every_scale else None
    return Results(survey_id, title, len(answers), tuple(out), overall)


def results(vault: Vault, *, actor: Actor, survey_id: str) -> Results:
    """The aggregate results, with the (masked) free texts, for the staff."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:surveys")
    with vault.reading() as session:
        row = _row(session, survey_id)
        return _aggregate(row.id, row.title, _questions(session, row.id), _answers(session, row.id))


def responses(
    vault: Vault, *, actor: Actor, survey_id: str
) -> tuple[SurveyInfo, list[dict[str, Any]], list[str]]:
    """Every response (for the export): the survey, the answers per response, their times."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:surveys")
    with vault.reading() as session:
        row = _row(session, survey_id)
        rows = session.execute(
            select(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id)
            .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
        ).scalars()
        answers, times = [], []
        for r in rows:
            answers.append(json.loads(r.answers))
            times.append(r.submitted_at)
        return _info(session, row), answers, times


# --- the public side (no sign-in) ---------------------------------------------------------------


def _by_token(session: Session, token: str) -> Survey:
    row = (
        session.execute(select(Survey).where(Survey.token == token[:64])).scalar_one_or_none()
        if token
        else None
    )
    if row is None or row.status == Status.DRAFT:
        raise LookupError(token)
    return row


def public_form(vault: Vault, *, token: str) -> PublicSurvey:
    """The public form of the survey the link names (:class:`LookupError` if none is, or it is
    still a draft)."""
    with vault.reading() as session:
        row = _by_token(session, token)
        return PublicSurvey(
            row.title, row.intro, row.status == Status.OPEN, _questions(session, row.id)
        )


def _mask(text: str) -> str:
    """``text`` with every identifier the scan's recognizers find masked."""
    from baomi.services.redaction import mask_text

    return mask_text(text)


def _check_answers(
    questions: tuple[QuestionInfo, ...], answers: Mapping[str, str]
) -> tuple[dict[str, Any], int]:
    known = {q.id: q for q in questions}
    unknown = set(answers) - set(known)
    if unknown:
        raise InputError(tr("含有未知的题目", "unknown question in the answers"))
    out: dict[str, Any] = {}
    masked = 0
    for q in questions:
        raw = answers.get(q.id, "")
        value = raw.strip() if isinstance(raw, str) else raw
        if value in ("", None):
            if q.required:
                raise InputError(tr(f"请回答第 {q.position} 题", f"answer question {q.position}"))
            continue
        if not isinstance(value, str):
            raise InputError(tr("答案须为文字", "an answer is text"))
        if q.kind is Kind.SCALE:
            if value not in {str(v) for v in SCALE}:
                raise InputError(tr(f"第 {q.position} 题须为 1-5", f"question {q.position}: 1-5"))
            out[q.id] = int(value)
        elif q.kind is Kind.CHOICE:
            if value not in q.options:
                raise InputError(
                    tr(f"第 {q.position} 题须选一个选项", f"question {q.position}: pick an option")
                )
            out[q.id] = value
        else:
            text = inputs.text(
                value, tr(f"第 {q.position} 题", f"question {q.position}"), limit("max_text_chars")
            )
            shown = _mask(text)
            masked += shown != text
            out[q.id] = shown
    if not out:
        raise InputError(tr("请至少回答一题", "answer at least one question"))
    return out, masked


def submit(vault: Vault, *, token: str, answers: Mapping[str, str]) -> None:
    """An anonymous response from the public page: checked against the survey's questions
    (unknown, missing required or oversized answers are refused), free text masked, stored;
    the audit log records the count of answers and of masked texts, never the answers."""
    with vault.reading() as session:
        row = _by_token(session, token)
        if row.status != Status.OPEN:
            raise InputError(tr("问卷已关闭", "the survey is closed"))
        survey_id = row.id
        questions = _questions(session, survey_id)
    checked, masked = _check_answers(questions, answers)
    with vault.transaction() as session:
        if _row(session, survey_id).status != Status.OPEN:
            raise InputError(tr("问卷已关闭", "the survey is closed"))
        session.add(
            SurveyResponse(
                id=new_id(),
                survey_id=survey_id,
                answers=json.dumps(checked, ensure_ascii=False, sort_keys=True),
                masked=masked,
                submitted_at=now(),
            )
        )
        audit.record(
            session,
            vault,
            actor=PUBLIC,
            action=AuditAction.SURVEY_RESPONSE,
            obj=f"survey:{survey_id}",
            details={"answers": len(checked), "masked": masked},
        )


def published_summary(vault: Vault, *, token: str) -> Results | None:
    """The public aggregate-only summary of a published survey (:class:`LookupError` if the
    link names none or it is not published); no free text; ``None`` while there are fewer than
    ``min_published_responses`` responses (a small sample could single out a respondent)."""
    with vault.reading() as session:
        row = _by_token(session, token)
        if not row.published:
            raise LookupError(token)
        questions = tuple(q for q in _questions(session, row.id) if q.kind is not Kind.TEXT)
        answers = _answers(session, row.id)
    if len(answers) < limit("min_published_responses"):
        return None
    return _aggregate(row.id, row.title, questions, answers)


# --- the calendar and the dashboard -----------------------------------------------------------


def due_items(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Every improvement action from a survey (done or not) as a calendar item."""
    with vault.reading() as session:
        rows = session.execute(select(SurveyAction, Survey.title).join(Survey)).all()
        return [
            DueItem(
                kind="survey",
                ref=a.id,
                title=tr(f"问卷改进措施：{a.text[:80]}", f"Survey action: {a.text[:80]}"),
                due=_dt.date.fromisoformat(a.due),
                department=a.department,
                link=f"/govern/surveys/{a.survey_id}",
                done=a.done_at is not None,
            )
            for a, _title in rows
        ]


def summary(vault: Vault, today: _dt.date) -> dict[str, int | float]:
    """Counts for the dashboard: open surveys, responses, the overall satisfaction (mean of every
    scale answer, 0 if none), improvement actions open and overdue."""
    with vault.reading() as session:
        rows = list(session.execute(select(Survey)).scalars())
        actions = _actions(session, None, today)
        scale_ids = set(
            session.execute(
                select(SurveyQuestion.id).where(SurveyQuestion.kind == Kind.SCALE.value)
            ).scalars()
        )
        values: list[int] = []
        total = 0
        for row in rows:
            for a in _answers(session, row.id):
                total += 1
                values += [int(v) for k, v in a.items() if k in scale_ids]
    return {
        "surveys_open": sum(r.status == Status.OPEN for r in rows),
        "responses": total,
        "satisfaction": round(sum(values) / len(values), 2) if values else 0.0,
        "actions_open": sum(a.done_at is None for a in actions),
        "actions_overdue": sum(a.overdue for a in actions),
    }


# --- reports and exports ------------------------------------------------------------------------


def report(res: Results, *, public: bool = False) -> Report:
    """The results as a report: per question the answers counted, a bar chart, the mean of a
    scale; the free texts (masked) for the staff only."""
    sections = []
    for r in res.questions:
        q = r.question
        figures = [Figure(tr("作答数", "answered"), str(r.answered))]
        if r.mean is not None:
            figures.append(Figure(tr("平均分（1-5）", "mean (1-5)"), f"{r.mean:.2f}"))
        charts: tuple[Chart, ...] = ()
        tables: tuple[Table, ...] = ()
        if r.counts:
            charts = (
                Chart(
                    ChartKind.BAR,
                    f"{q.position}. {q.text}"[:80],
                    labels=tuple(k for k, _ in r.counts),
                    values=tuple(float(n) for _, n in r.counts),
                ),
            )
        if r.texts and not public:
            tables = (
                Table(
                    (tr("回答（已遮盖标识）", "answer (identifiers masked)"),),
                    tuple((t,) for t in r.texts),
                ),
            )
        sections.append(
            Section(
                f"{q.position}. {q.text}",
                paragraphs=(q.kind.label,),
                figures=tuple(figures),
                tables=tables,
                charts=charts,
            )
        )
    summary_figs = [Figure(tr("回复数", "responses"), str(res.responses))]
    if res.overall is not None:
        summary_figs.append(
            Figure(tr("总体满意度（1-5）", "overall satisfaction (1-5)"), f"{res.overall:.2f}")
        )
    return Report(
        kind="survey",
        title=res.title,
        subject=tr(
            "客户满意度调查（个人信息保护）",
            "customer satisfaction survey (information protection)",
        ),
        generated_at=stamp(),
        lang=current_language(),
        sections=tuple(sections),
        summary=tuple(summary_figs),
    )


def responses_table(vault: Vault, *, actor: Actor, survey_id: str) -> Table:
    """Every response as one row (time, then one column per question)."""
    info, answers, times = responses(vault, actor=actor, survey_id=survey_id)
    columns = (tr("提交时间", "submitted"), *(f"{q.position}. {q.text}" for q in info.questions))
    rows = tuple(
        (when, *(str(a.get(q.id, "")) for q in info.questions))
        for when, a in zip(times, answers, strict=True)
    )
    return Table(columns, rows, title=info.title)


def surveys_table(vault: Vault, *, actor: Actor) -> Table:
    """Every survey as one row (for the CSV/XLSX export), its actions counted."""
    items = surveys(vault, actor=actor)
    columns = (
        tr("问卷", "survey"),
        tr("状态", "state"),
        tr("回复", "responses"),
        tr("公开摘要", "published"),
        tr("开放于", "opened"),
        tr("关闭于", "closed"),
        tr("未完成措施", "open actions"),
        tr("逾期措施", "overdue actions"),
    )
    rows = tuple(
        (
            s.title,
            s.status.label,
            str(s.responses),
            tr("是", "yes") if s.published else tr("否", "no"),
            clock.day(s.opened_at),
            clock.day(s.closed_at),
            str(sum(a.done_at is None for a in s.actions)),
            str(sum(a.overdue for a in s.actions)),
        )
        for s in items
    )
    return Table(columns, rows, title=tr("客户满意度调查", "Customer surveys"))


def tiles(vault: Vault, today: _dt.date) -> list[Tile]:
    """The dashboard's survey tile: the customers' satisfaction (1–5) and the responses."""
    s = summary(vault, today)
    score, n = float(s["satisfaction"]), int(s["responses"])
    tone = (
        Tone.NEUTRAL
        if not n
        else (Tone.GOOD if score >= 4 else Tone.WARN if score >= 3 else Tone.BAD)
    )
    return [
        Tile(
            "satisfaction",
            tr("客户满意度（1–5）", "Customer satisfaction (1–5)"),
            f"{score:.1f}" if n else "—",
            Tone.BAD if s["actions_overdue"] else tone,
            "/govern/surveys",
            tr(
                f"{n} 份答卷，{s['actions_open']} 项改进措施未完成",
                f"{n} responses, {s['actions_open']} improvement actions open",
            ),
        )
    ]
