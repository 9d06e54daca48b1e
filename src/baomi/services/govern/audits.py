"""Internal audits (PIPL-54): audit plans with a scope, a frequency in months and auditors;
findings with a severity; remediation actions owned by a department with a due date; follow-up
notes; closure; and the audit report.

Rules, as data (``services/comply/rules``):

- ``AUD-INDEP`` — the same auditor (an audit lead or institution) may not audit the company more
  than ``max_consecutive`` times in a row. The target of every audit here is the company, so the
  run is counted over all its audits in date order, the new one inserted at its date; the plan
  that would make the run longer is refused. Names compare without case and extra spaces.
- ``AUD-FREQ`` — a processor of the PI of more than ``individuals`` persons audits at least every
  ``every_years`` years: given the number of persons, a longer frequency is refused.

Dates: the next audit is due ``frequency_months`` after the last one was completed (its date),
calendar months clamped to the month's end (31 January + 1 month = 28/29 February), so the
interval is never longer than the frequency.

Who does what (services/permissions.py): the company's staff (``govern.edit``) plan audits and
remediate (actions, done); the auditors (``govern.audit_record``: auditors and the key holders)
record findings and follow-up notes, complete the audit, and close a finding. A finding closes
when it has at least one action and all its actions are done, and only by someone who did none of
them (separation of auditor and remediator roles, S35-7.1): a remediator never verifies their own
work.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
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
from baomi.services.govern import departments, inputs
from baomi.services.govern.calendar import DueItem
from baomi.services.govern.dashboard import Tile
from baomi.services.govern.training import add_months
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import GovernAudit, GovernAuditAction, GovernAuditFinding, GovernAuditNote

#: a plan's frequency, in months, is between these (sanity; the law's limit is AUD-FREQ)
MIN_MONTHS, MAX_MONTHS = 1, 120
_TEXT_MAX = 4000


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return {
            Severity.LOW: tr("低", "Low"),
            Severity.MEDIUM: tr("中", "Medium"),
            Severity.HIGH: tr("高", "High"),
            Severity.CRITICAL: tr("严重", "Critical"),
        }[self]

    @property
    def tone(self) -> Tone:
        return {
            Severity.LOW: Tone.NEUTRAL,
            Severity.MEDIUM: Tone.WARN,
            Severity.HIGH: Tone.BAD,
            Severity.CRITICAL: Tone.BAD,
        }[self]


@dataclass(frozen=True)
class ActionInfo:
    id: str
    finding_id: str
    text: str
    department: str
    due: str
    done_at: str | None
    done_by: str | None
    overdue: bool


@dataclass(frozen=True)
class NoteInfo:
    text: str
    at: str
    by: str


@dataclass(frozen=True)
class FindingInfo:
    id: str
    audit_id: str
    title: str
    detail: str
    severity: Severity
    recorded_at: str
    recorded_by: str
    closed_at: str | None
    closed_by: str | None
    actions: tuple[ActionInfo, ...]
    notes: tuple[NoteInfo, ...]

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class AuditInfo:
    id: str
    scope: str
    frequency_months: int
    planned_for: str
    auditors: tuple[str, ...]
    completed_at: str | None
    conclusion: str
    #: when the next audit of this scope is due (from the completion, else from the plan date)
    next_due: str
    findings: tuple[FindingInfo, ...]

    @property
    def open_findings(self) -> int:
        return sum(1 for f in self.findings if f.open)


# --- arithmetic --------------------------------------------------------------------------------


def next_due(planned_for: _dt.date, completed: _dt.date | None, frequency_months: int) -> _dt.date:
    """When the audit after this one is due: ``frequency_months`` after its completion (or after
    its planned date while it is not completed)."""
    return add_months(completed or planned_for, frequency_months)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def consecutive_run(sequence: list[tuple[str, ...]], index: int, auditor: str) -> int:
    """How many audits in a row, through position ``index`` of ``sequence`` (each audit's
    auditors, in date order), ``auditor`` takes part in (0 if not in the one at ``index``)."""
    key = _key(auditor)

    def has(i: int) -> bool:
        return key in {_key(a) for a in sequence[i]}

    if not has(index):
        return 0
    run, i = 1, index - 1
    while i >= 0 and has(i):
        run, i = run + 1, i - 1
    i = index + 1
    while i < len(sequence) and has(i):
        run, i = run + 1, i + 1
    return run


def _independence() -> Rule:
    return rules()["AUD-INDEP"]


def _frequency_rule() -> Rule:
    return rules()["AUD-FREQ"]


def longest_frequency(individuals: int | None) -> int | None:
    """The longest frequency (months) AUD-FREQ allows a processor of ``individuals`` persons'
    PI, or ``None`` when the rule sets none (「超过」: strictly more than the threshold)."""
    rule = _frequency_rule()
    if individuals is None or individuals <= int(rule.param("individuals")):
        return None
    return int(rule.param("every_years")) * 12


# --- helpers -----------------------------------------------------------------------------------


def _date(value: str, field: str) -> _dt.date:
    return inputs.day(value, field)  # the whole value: "2026-01-01xxx" is no date


def _text(value: str, zh: str, en: str, *, required: bool = True, limit: int = _TEXT_MAX) -> str:
    text = value.strip()
    if (required and not text) or len(text) > limit:
        raise InputError(tr(f"{zh}必填（最多 {limit} 字）", f"{en}: 1-{limit} characters"))
    return text


def severity(value: str) -> Severity:
    try:
        return Severity(value.strip().lower())
    except ValueError:
        raise InputError(
            one_of("严重程度", "severity", ((s.value, s.label) for s in Severity))
        ) from None


def _auditors(names: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        clean = " ".join(name.split())
        if clean and _key(clean) not in {_key(a) for a in out}:
            out.append(clean[:200])
    if not out or len(out) > 20:
        raise InputError(tr("须有 1-20 名审计人员", "1-20 auditors"))
    return tuple(out)


def _record(session: Session, vault: Vault, actor: Actor, audit_id: str, **details: object) -> None:
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.GOVERN_AUDIT_UPDATE,
        obj=f"govern:audit:{audit_id}",
        details=details,
    )


def _audit_row(session: Session, audit_id: str) -> GovernAudit:
    row = session.get(GovernAudit, audit_id)
    if row is None:
        raise InputError(tr("没有该审计", "no such audit"))
    return row


def _finding_row(session: Session, finding_id: str) -> GovernAuditFinding:
    row = session.get(GovernAuditFinding, finding_id)
    if row is None:
        raise InputError(tr("没有该审计发现", "no such finding"))
    return row


def _action_infos(session: Session, finding_id: str, today: _dt.date) -> tuple[ActionInfo, ...]:
    rows = session.execute(
        select(GovernAuditAction)
        .where(GovernAuditAction.finding_id == finding_id)
        .order_by(GovernAuditAction.due, GovernAuditAction.id)
    ).scalars()
    return tuple(
        ActionInfo(
            a.id,
            a.finding_id,
            a.text,
            a.department,
            a.due,
            a.done_at,
            a.done_by,
            a.done_at is None and _dt.date.fromisoformat(a.due) < today,
        )
        for a in rows
    )


def _finding_info(session: Session, row: GovernAuditFinding, today: _dt.date) -> FindingInfo:
    notes = tuple(
        NoteInfo(n.text, n.at, n.by)
        for n in session.execute(
            select(GovernAuditNote)
            .where(GovernAuditNote.finding_id == row.id)
            .order_by(GovernAuditNote.at)
        ).scalars()
    )
    return FindingInfo(
        row.id,
        row.audit_id,
        row.title,
        row.detail,
        Severity(row.severity),
        row.recorded_at,
        row.recorded_by,
        row.closed_at,
        row.closed_by,
        _action_infos(session, row.id, today),
        notes,
    )


def _info(session: Session, row: GovernAudit, today: _dt.date) -> AuditInfo:
    findings = tuple(
        _finding_info(session, f, today)
        for f in session.execute(
            select(GovernAuditFinding)
            .where(GovernAuditFinding.audit_id == row.id)
            .order_by(GovernAuditFinding.recorded_at)
        ).scalars()
    )
    completed = _dt.date.fromisoformat(clock.day(row.completed_at)) if row.completed_at else None
    due = next_due(_dt.date.fromisoformat(row.planned_for), completed, row.frequency_months)
    return AuditInfo(
        row.id,
        row.scope,
        row.frequency_months,
        row.planned_for,
        tuple(json.loads(row.auditors)),
        row.completed_at,
        row.conclusion,
        due.isoformat(),
        findings,
    )


def _ordered(session: Session) -> list[GovernAudit]:
    return list(
        session.execute(
            select(GovernAudit).order_by(GovernAudit.planned_for, GovernAudit.created_at)
        ).scalars()
    )


# --- planning ----------------------------------------------------------------------------------


def check_independence(
    existing: list[tuple[str, tuple[str, ...]]], planned_for: str, auditors: tuple[str, ...]
) -> None:
    """Refuse ``auditors`` on an audit planned for ``planned_for`` when one of them would audit
    more than AUD-INDEP's ``max_consecutive`` times in a row; ``existing`` is every audit's
    (date, auditors) in date order (a new audit goes after those of the same date)."""
    rule = _independence()
    limit = int(rule.param("max_consecutive"))
    index = sum(1 for day, _ in existing if day <= planned_for)
    sequence = [a for _, a in existing]
    sequence.insert(index, auditors)
    for name in auditors:
        run = consecutive_run(sequence, index, name)
        if run > limit:
            raise InputError(
                tr(
                    f"审计人员 {name} 将连续第 {run} 次审计本公司：同一审计人员不得连续 {limit} 次以上"
                    f"（{rule.label()}）",
                    f"auditor {name} would audit the company {run} times in a row: the same "
                    f"auditor may not audit more than {limit} consecutive times ({rule.label()})",
                )
            )


def plan(
    vault: Vault,
    *,
    actor: Actor,
    scope: str,
    frequency_months: int,
    planned_for: str,
    auditors: Iterable[str],
    individuals: int | None = None,
) -> AuditInfo:
    """Plan an audit of ``scope`` on a date by ``auditors``, repeated every
    ``frequency_months``. ``individuals`` (the persons whose PI the company processes), when
    given, caps the frequency under AUD-FREQ."""
    authorize(actor, Action.GOVERN_EDIT)
    scope = _text(scope, "审计范围", "scope")
    if not MIN_MONTHS <= frequency_months <= MAX_MONTHS:
        raise InputError(
            tr(
                f"频率须为 {MIN_MONTHS}-{MAX_MONTHS} 个月",
                f"frequency: {MIN_MONTHS}-{MAX_MONTHS} months",
            )
        )
    longest = longest_frequency(individuals)
    if longest is not None and frequency_months > longest:
        rule = _frequency_rule()
        raise InputError(
            tr(
                f"处理超过 {int(rule.param('individuals')):,} 人个人信息的，至少每 {longest} 个月审计一次"
                f"（{rule.label()}）",
                f"a processor of more than {int(rule.param('individuals')):,} persons' PI audits "
                f"at least every {longest} months ({rule.label()})",
            )
        )
    day = _date(planned_for, tr("计划日期", "the planned date")).isoformat()
    names = _auditors(auditors)
    audit_id = new_id()
    with vault.transaction() as session:
        existing = [(r.planned_for, tuple(json.loads(r.auditors))) for r in _ordered(session)]
        check_independence(existing, day, names)
        row = GovernAudit(
            id=audit_id,
            scope=scope,
            frequency_months=frequency_months,
            planned_for=day,
            auditors=json.dumps(list(names), ensure_ascii=False),
            conclusion="",
            created_at=now(),
            created_by=actor.name,
        )
        session.add(row)
        session.flush()
        _record(
            session,
            vault,
            actor,
            audit_id,
            planned_for=day,
            frequency_months=frequency_months,
            auditors=len(names),
        )
        return _info(session, row, clock.today())


def complete(vault: Vault, *, actor: Actor, audit_id: str, conclusion: str = "") -> AuditInfo:
    """The auditors finished the audit (its findings may still be open), with their conclusion
    (required: a completed audit without one says nothing of what was found)."""
    audit.require(vault, actor, Action.GOVERN_AUDIT_RECORD, obj="govern:audits")
    text = _text(conclusion, "结论", "conclusion", limit=20_000)
    with vault.transaction() as session:
        row = _audit_row(session, audit_id)
        if row.completed_at is not None:
            raise InputError(tr("审计已完成", "the audit is already completed"))
        row.completed_at = now()
        row.conclusion = text
        _record(session, vault, actor, audit_id, completed=clock.day(row.completed_at))
        return _info(session, row, clock.today())


# --- findings and remediation ------------------------------------------------------------------


def record_finding(
    vault: Vault,
    *,
    actor: Actor,
    audit_id: str,
    title: str,
    severity_: str,
    detail: str = "",
) -> FindingInfo:
    """An auditor records what the audit found, with its severity."""
    audit.require(vault, actor, Action.GOVERN_AUDIT_RECORD, obj="govern:audits")
    level = severity(severity_)
    title = _text(title, "发现", "finding", limit=500)
    detail = _text(detail, "说明", "detail", required=False, limit=20_000)
    with vault.transaction() as session:
        _audit_row(session, audit_id)
        row = GovernAuditFinding(
            id=new_id(),
            audit_id=audit_id,
            title=title,
            detail=detail,
            severity=level.value,
            recorded_at=now(),
            recorded_by=actor.name,
        )
        session.add(row)
        session.flush()
        _record(session, vault, actor, audit_id, finding=row.id, severity=level.value)
        return _finding_info(session, row, clock.today())


def _open_finding(session: Session, finding_id: str) -> GovernAuditFinding:
    row = _finding_row(session, finding_id)
    if row.closed_at is not None:
        raise InputError(tr("该审计发现已关闭", "the finding is closed"))
    return row


def add_action(
    vault: Vault, *, actor: Actor, finding_id: str, text: str, department: str, due: str
) -> FindingInfo:
    """A remediation action for an open finding, owned by a department, due on a date."""
    authorize(actor, Action.GOVERN_EDIT)
    text = _text(text, "整改措施", "action", limit=2000)
    dept = departments.check(department)
    day = _date(due, tr("截止日期", "the due date")).isoformat()
    with vault.transaction() as session:
        row = _open_finding(session, finding_id)
        session.add(
            GovernAuditAction(id=new_id(), finding_id=row.id, text=text, department=dept, due=day)
        )
        session.flush()
        _record(session, vault, actor, row.audit_id, finding=row.id, action_for=dept, due=day)
        return _finding_info(session, row, clock.today())


def complete_action(vault: Vault, *, actor: Actor, action_id: str) -> FindingInfo:
    """The owning department has done the action."""
    authorize(actor, Action.GOVERN_EDIT)
    with vault.transaction() as session:
        action = session.get(GovernAuditAction, action_id)
        if action is None:
            raise InputError(tr("没有该整改措施", "no such action"))
        row = _open_finding(session, action.finding_id)
        if action.done_at is None:
            action.done_at, action.done_by = now(), actor.name
            _record(session, vault, actor, row.audit_id, finding=row.id, action_done=action.id)
        return _finding_info(session, row, clock.today())


def add_note(vault: Vault, *, actor: Actor, finding_id: str, text: str) -> FindingInfo:
    """A follow-up note on a finding (what was checked, what remains)."""
    audit.require(vault, actor, Action.GOVERN_AUDIT_RECORD, obj="govern:audits")
    text = _text(text, "跟进记录", "note", limit=4000)
    with vault.transaction() as session:
        row = _finding_row(session, finding_id)
        session.add(
            GovernAuditNote(id=new_id(), finding_id=row.id, text=text, at=now(), by=actor.name)
        )
        session.flush()
        _record(session, vault, actor, row.audit_id, finding=row.id, note=True)
        return _finding_info(session, row, clock.today())


def close_finding(vault: Vault, *, actor: Actor, finding_id: str) -> FindingInfo:
    """Verify and close a finding: it has actions, all are done, and ``actor`` did none."""
    audit.require(vault, actor, Action.GOVERN_AUDIT_RECORD, obj="govern:audits")
    with vault.transaction() as session:
        row = _open_finding(session, finding_id)
        actions = _action_infos(session, row.id, clock.today())
        if not actions:
            raise InputError(
                tr("须先制定整改措施才能关闭", "a finding closes after its remediation actions")
            )
        pending = [a for a in actions if a.done_at is None]
        if pending:
            raise InputError(
                tr(
                    f"还有 {len(pending)} 项整改措施未完成",
                    f"{len(pending)} remediation action(s) not done yet",
                )
            )
        if any(_key(a.done_by or "") == _key(actor.name) for a in actions):
            raise InputError(
                tr(
                    "整改人不能验证自己的整改：须由未参与整改的人员关闭",
                    "whoever remediated may not verify it: someone else closes the finding",
                )
            )
        row.closed_at, row.closed_by = now(), actor.name
        _record(session, vault, actor, row.audit_id, finding=row.id, closed=True)
        return _finding_info(session, row, clock.today())


# --- reading -----------------------------------------------------------------------------------


def audits(vault: Vault, *, actor: Actor, today: _dt.date | None = None) -> list[AuditInfo]:
    """Every audit, latest planned first."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:audits")
    day = today or clock.today()
    with vault.reading() as session:
        return [_info(session, r, day) for r in reversed(_ordered(session))]


def show(vault: Vault, *, actor: Actor, audit_id: str, today: _dt.date | None = None) -> AuditInfo:
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:audits")
    with vault.reading() as session:
        return _info(session, _audit_row(session, audit_id), today or clock.today())


def _all(vault: Vault, today: _dt.date) -> list[AuditInfo]:
    with vault.reading() as session:
        return [_info(session, r, today) for r in _ordered(session)]


def _next_audits(infos: list[AuditInfo]) -> list[AuditInfo]:
    """The audits that set when the next one of their scope is due: per scope, the latest one
    (by plan date) — if completed, the next is due; if not, it is itself due."""
    latest: dict[str, AuditInfo] = {}
    for info in infos:
        latest[_key(info.scope)] = info
    return list(latest.values())


def due_items(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Calendar source: audits not yet completed (by their plan date), the next audit of each
    scope whose latest audit is completed, and open remediation actions (by department)."""
    infos = _all(vault, today)
    rule = rules()["PIPL-54"].id
    items: list[DueItem] = []
    for info in infos:
        link = f"/govern/audits/{info.id}"
        if info.completed_at is None:
            items.append(
                DueItem(
                    "audit",
                    info.id,
                    tr(f"内部审计：{info.scope}", f"Internal audit: {info.scope}"),
                    _dt.date.fromisoformat(info.planned_for),
                    "audit",
                    link=link,
                    rule=rule,
                )
            )
        for finding in info.findings:
            if not finding.open:
                continue
            for action in finding.actions:
                if action.done_at is None:
                    items.append(
                        DueItem(
                            "audit-action",
                            action.id,
                            tr(f"审计整改：{action.text}", f"Audit remediation: {action.text}"),
                            _dt.date.fromisoformat(action.due),
                            action.department,
                            link=link,
                            rule=rule,
                        )
                    )
    for info in _next_audits(infos):
        if info.completed_at is not None:
            items.append(
                DueItem(
                    "audit-next",
                    info.id,
                    tr(f"下次内部审计：{info.scope}", f"Next internal audit: {info.scope}"),
                    _dt.date.fromisoformat(info.next_due),
                    "audit",
                    link="/govern/audits",
                    rule=rule,
                )
            )
    return items


def summary(vault: Vault, today: _dt.date) -> dict[str, int | float]:
    """Counts for the dashboard: open findings (all and by severity), overdue actions, audits
    past their date and not completed."""
    infos = _all(vault, today)
    findings = [f for i in infos for f in i.findings if f.open]
    out: dict[str, int | float] = {"findings_open": len(findings)}
    for level in Severity:
        out[f"findings_open_{level.value}"] = sum(1 for f in findings if f.severity is level)
    out["actions_overdue"] = sum(1 for f in findings for a in f.actions if a.overdue)
    out["audits_overdue"] = sum(
        1 for i in _next_audits(infos) if _dt.date.fromisoformat(_due(i)) < today
    )
    return out


def _due(info: AuditInfo) -> str:
    """When the scope's next audit is due: this one's date until it is completed, then the
    next one's."""
    return info.planned_for if info.completed_at is None else info.next_due


# --- exports and the report --------------------------------------------------------------------


def _finding_status(f: FindingInfo) -> str:
    if not f.open:
        return tr("已关闭", "closed")
    done = sum(1 for a in f.actions if a.done_at)
    return tr(f"未关闭（整改 {done}/{len(f.actions)}）", f"open ({done}/{len(f.actions)} done)")


def _action_state(a: ActionInfo) -> str:
    if a.done_at:
        return tr("已完成", "done")
    return tr("已逾期", "overdue") if a.overdue else tr("进行中", "open")


def findings_table(vault: Vault, *, actor: Actor, today: _dt.date | None = None) -> Table:
    """Every audit's findings, one row each (for CSV/XLSX export)."""
    rows, tones = [], []
    for info in audits(vault, actor=actor, today=today):
        for f in info.findings:
            rows.append(
                (
                    info.planned_for,
                    info.scope,
                    f.title,
                    f.severity.label,
                    _finding_status(f),
                    str(len(f.actions)),
                    clock.day(f.recorded_at),
                    f.recorded_by,
                    clock.day(f.closed_at),
                )
            )
            tones.append(f.severity.tone if f.open else Tone.GOOD)
    return Table(
        columns=(
            tr("审计日期", "Audit date"),
            tr("审计范围", "Scope"),
            tr("发现", "Finding"),
            tr("严重程度", "Severity"),
            tr("状态", "Status"),
            tr("整改措施数", "Actions"),
            tr("记录日期", "Recorded"),
            tr("记录人", "Recorded by"),
            tr("关闭日期", "Closed"),
        ),
        rows=tuple(rows),
        title=tr("内部审计发现", "Internal audit findings"),
        tones=tuple(tones),
    )


def report(vault: Vault, *, actor: Actor, audit_id: str, today: _dt.date | None = None) -> Report:
    """The audit report: the plan, the findings by severity, the remediation and follow-up."""
    info = show(vault, actor=actor, audit_id=audit_id, today=today)
    counts = {s: sum(1 for f in info.findings if f.severity is s) for s in Severity}
    overview = Section(
        heading=tr("审计概况", "The audit"),
        paragraphs=(info.conclusion,) if info.conclusion else (),
        figures=(
            Figure(tr("审计范围", "Scope"), info.scope),
            Figure(tr("审计人员", "Auditors"), "、".join(info.auditors)),
            Figure(tr("计划日期", "Planned for"), info.planned_for),
            Figure(
                tr("完成日期", "Completed"),
                clock.day(info.completed_at) or tr("未完成", "not completed"),
                Tone.GOOD if info.completed_at else Tone.WARN,
            ),
            Figure(
                tr("审计频率", "Frequency"),
                tr(f"每 {info.frequency_months} 个月", f"every {info.frequency_months} months"),
            ),
            Figure(tr("下次审计", "Next audit due"), info.next_due),
        ),
        citations=tuple(Citation.of(rules()[rid]) for rid in ("PIPL-54", "AUD-FREQ", "AUD-INDEP")),
    )
    findings = Section(
        heading=tr("审计发现", "Findings"),
        tables=(
            Table(
                columns=(
                    tr("发现", "Finding"),
                    tr("严重程度", "Severity"),
                    tr("说明", "Detail"),
                    tr("状态", "Status"),
                    tr("记录人", "Recorded by"),
                ),
                rows=tuple(
                    (f.title, f.severity.label, f.detail, _finding_status(f), f.recorded_by)
                    for f in info.findings
                ),
                tones=tuple(f.severity.tone if f.open else Tone.GOOD for f in info.findings),
            ),
        )
        if info.findings
        else (),
        paragraphs=() if info.findings else (tr("本次审计未记录发现。", "No findings recorded."),),
    )
    actions = [(f, a) for f in info.findings for a in f.actions]
    notes = tuple((f.title, n.text, clock.day(n.at), n.by) for f in info.findings for n in f.notes)
    # a table of nothing reads as a table left blank: only the tables that have rows
    tables: list[Table] = []
    if actions:
        tables.append(
            Table(
                columns=(
                    tr("发现", "Finding"),
                    tr("整改措施", "Action"),
                    tr("负责部门", "Department"),
                    tr("截止日期", "Due"),
                    tr("状态", "State"),
                ),
                rows=tuple(
                    (f.title, a.text, departments.label(a.department), a.due, _action_state(a))
                    for f, a in actions
                ),
                tones=tuple(
                    Tone.GOOD if a.done_at else Tone.BAD if a.overdue else Tone.NEUTRAL
                    for _, a in actions
                ),
            )
        )
    if notes:
        tables.append(
            Table(
                columns=(
                    tr("发现", "Finding"),
                    tr("跟进记录", "Note"),
                    tr("时间", "At"),
                    tr("记录人", "By"),
                ),
                rows=notes,
                title=tr("跟进记录", "Follow-up notes"),
            )
        )
    remediation = Section(
        heading=tr("整改与跟进", "Remediation and follow-up"),
        tables=tuple(tables),
        paragraphs=() if actions else (tr("暂无整改措施。", "No remediation actions."),),
    )
    open_count = info.open_findings
    return Report(
        kind="audit",
        title=tr("个人信息保护合规审计报告", "PI protection compliance audit report"),
        subject=f"{info.planned_for}-{info.id[:8]}",
        generated_at=stamp(),
        lang=current_language(),
        sections=(overview, findings, remediation),
        summary=(
            Figure(tr("发现", "Findings"), str(len(info.findings))),
            Figure(
                tr("未关闭", "Open"),
                str(open_count),
                Tone.BAD if open_count else Tone.GOOD,
            ),
            *(
                Figure(s.label, str(counts[s]), s.tone if counts[s] else Tone.NEUTRAL)
                for s in Severity
            ),
        ),
        signatures=(
            Signature(tr("审计负责人", "Lead auditor"), info.auditors[0] if info.auditors else ""),
            Signature(tr("个人信息保护负责人", "PI protection officer")),
        ),
    )


def tiles(vault: Vault, today: _dt.date) -> list[Tile]:
    """The dashboard's audit tile: open findings, the serious ones and overdue actions noted."""
    s = summary(vault, today)
    serious = int(s["findings_open_high"]) + int(s["findings_open_critical"])
    late = int(s["actions_overdue"]) + int(s["audits_overdue"])
    return [
        Tile(
            "audit_findings_open",
            tr("未关闭的审计发现", "Open audit findings"),
            str(s["findings_open"]),
            Tone.BAD if serious or late else (Tone.WARN if s["findings_open"] else Tone.GOOD),
            "/govern/audits",
            tr(
                f"高/严重 {serious}，逾期整改或审计 {late}",
                f"{serious} high or critical, {late} overdue actions or audits",
            ),
        )
    ]
