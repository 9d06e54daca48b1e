"""Emergency drills (GB/T 35273 §10.1: at least once a year): scheduled with a scenario,
participants and target times per step of the plan; run as a timed exercise of the playbook;
results, gaps (steps over their target) and improvement actions with owners and due dates.

A drill is overdue when the last completed one ended more than the policy's interval ago
(``S35-10.1`` ``drill_interval_days``), or none was ever completed and the first scheduled date
has passed.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import one_of, tr
from baomi.services import audit
from baomi.services.comply.rulebook import rules
from baomi.services.govern import departments
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.respond import playbook
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Drill, DrillAction


@dataclass(frozen=True)
class StepResult:
    step: str
    title: str
    target_minutes: float | None
    minutes: float | None
    #: over its target (a gap)
    gap: bool


@dataclass(frozen=True)
class ActionInfo:
    id: str
    text: str
    owner: str
    due: str
    done_at: str | None
    overdue: bool


@dataclass(frozen=True)
class DrillInfo:
    id: str
    scenario: str
    participants: str
    scheduled_for: str
    started_at: str | None
    ended_at: str | None
    findings: str
    steps: tuple[StepResult, ...]
    actions: tuple[ActionInfo, ...]

    @property
    def gaps(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.gap)


@dataclass(frozen=True)
class DrillStatus:
    """Whether the organisation is due a drill under its policy."""

    last_completed: str | None
    next_due: str | None
    overdue: bool
    interval_days: int
    rule: str


def _ts(value: str) -> _dt.datetime:
    when = _dt.datetime.fromisoformat(value)
    return clock.aware(when)  # typed without an offset: a time in China


def _info(session: Session, row: Drill, at: _dt.datetime) -> DrillInfo:
    targets = json.loads(row.targets)
    timings = json.loads(row.timings)
    steps = []
    for spec in playbook.steps():
        t = timings.get(spec.step, {})
        minutes = None
        if t.get("start") and t.get("end"):
            minutes = round((_ts(t["end"]) - _ts(t["start"])).total_seconds() / 60, 2)
        target = targets.get(spec.step)
        gap = minutes is not None and target is not None and minutes > float(target)
        steps.append(StepResult(spec.step, spec.title, target, minutes, gap))
    actions = tuple(
        ActionInfo(
            a.id,
            a.text,
            a.owner,
            a.due,
            a.done_at,
            # a date typed for an action is China's: overdue from the next day there
            a.done_at is None
            and _dt.date.fromisoformat(a.due) < at.astimezone(clock.CHINA_TIME).date(),
        )
        for a in session.execute(
            select(DrillAction).where(DrillAction.drill_id == row.id).order_by(DrillAction.due)
        ).scalars()
    )
    return DrillInfo(
        row.id,
        row.scenario,
        row.participants,
        row.scheduled_for,
        row.started_at,
        row.ended_at,
        row.findings,
        tuple(steps),
        actions,
    )


def _row(session: Session, drill_id: str) -> Drill:
    row = session.get(Drill, drill_id)
    if row is None:
        raise InputError(tr("没有该演练", "no such drill"))
    return row


def _record(session: Session, vault: Vault, actor: Actor, drill_id: str, **details: object) -> None:
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.DRILL_UPDATE,
        obj=f"drill:{drill_id}",
        details=details,
    )


def schedule(
    vault: Vault,
    *,
    actor: Actor,
    scenario: str,
    scheduled_for: str,
    participants: str = "",
    targets: dict[str, float] | None = None,
) -> DrillInfo:
    """Plan a drill on a date with target minutes per step of the plan."""
    authorize(actor, Action.DRILL_EDIT)
    if not scenario.strip() or len(scenario) > 4000 or len(participants) > 2000:
        raise InputError(tr("场景必填（最多 4000 字）", "a scenario of 1-4000 characters"))
    try:
        when = _ts(scheduled_for)
    except ValueError:
        raise InputError(
            tr(
                "计划日期须为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM",
                "the planned date must be a date YYYY-MM-DD or YYYY-MM-DD HH:MM",
            )
        ) from None
    known = {s.step for s in playbook.steps()}
    targets = targets or {}
    if set(targets) - known or any(v <= 0 for v in targets.values()):
        raise InputError(tr("目标时间须为预案步骤的正数分钟", "targets: positive minutes per step"))
    drill_id = new_id()
    with vault.transaction() as session:
        row = Drill(
            id=drill_id,
            scenario=scenario.strip(),
            participants=participants.strip(),
            scheduled_for=when.isoformat(),
            targets=json.dumps(targets),
            timings="{}",
            findings="",
            created_at=now(),
            created_by=actor.name,
        )
        session.add(row)
        session.flush()
        _record(session, vault, actor, drill_id, scheduled=when.isoformat())
        return _info(session, row, clock.now())


def time_step(
    vault: Vault, *, actor: Actor, drill_id: str, step: str, event: str, at: str | None = None
) -> DrillInfo:
    """Record the start or end of one step of the exercise (``event``: ``start`` | ``end``)."""
    authorize(actor, Action.DRILL_EDIT)
    playbook.spec(step)
    if event not in ("start", "end"):
        raise InputError(
            one_of("事件", "event", [("start", tr("开始", "start")), ("end", tr("结束", "end"))])
        )
    when = at or now()
    with vault.transaction() as session:
        row = _row(session, drill_id)
        if row.ended_at is not None:
            raise InputError(tr("演练已结束", "the drill has ended"))
        timings = json.loads(row.timings)
        entry = timings.setdefault(step, {})
        if event in entry:  # a step is timed once: again would rewrite what was measured
            raise InputError(
                tr(
                    f"该步骤已记录{'开始' if event == 'start' else '结束'}",
                    f"the step's {event} is recorded already",
                )
            )
        if event == "end" and "start" not in entry:
            raise InputError(tr("该步骤尚未开始", "the step has not started"))
        if event == "end" and _ts(when) < _ts(entry["start"]):
            raise InputError(tr("结束早于开始", "the end is before the start"))
        entry[event] = when
        row.timings = json.dumps(timings)
        row.started_at = row.started_at or when
        _record(session, vault, actor, drill_id, step=step, event=event)
        return _info(session, row, clock.now())


def finish(
    vault: Vault, *, actor: Actor, drill_id: str, findings: str = "", at: str | None = None
) -> DrillInfo:
    """End the exercise and record what was found."""
    authorize(actor, Action.DRILL_EDIT)
    if len(findings) > 20_000:
        raise InputError(tr("记录过长", "findings too long"))
    with vault.transaction() as session:
        row = _row(session, drill_id)
        if row.started_at is None:
            raise InputError(tr("演练尚未开始", "the drill has not started"))
        if row.ended_at is not None:
            raise InputError(tr("演练已结束", "the drill has ended"))
        row.ended_at = at or now()
        row.findings = findings
        info = _info(session, row, clock.now())
        _record(session, vault, actor, drill_id, ended=row.ended_at, gaps=len(info.gaps))
        return info


def add_action(
    vault: Vault, *, actor: Actor, drill_id: str, text: str, owner: str, due: str
) -> DrillInfo:
    """An improvement action from the drill, owned by a department, due on a date."""
    authorize(actor, Action.DRILL_EDIT)
    if owner not in playbook.DEPARTMENTS:
        departments.check(owner)  # the refusal that names the departments
    try:
        _dt.date.fromisoformat(due)
    except ValueError:
        raise InputError(
            tr("截止日期须为 YYYY-MM-DD", "the due date must be a date YYYY-MM-DD")
        ) from None
    if not text.strip() or len(text) > 2000:
        raise InputError(tr("措施必填（最多 2000 字）", "an action of 1-2000 characters"))
    with vault.transaction() as session:
        row = _row(session, drill_id)
        session.add(
            DrillAction(id=new_id(), drill_id=drill_id, text=text.strip(), owner=owner, due=due)
        )
        session.flush()
        _record(session, vault, actor, drill_id, action_owner=owner, due=due)
        return _info(session, row, clock.now())


def complete_action(vault: Vault, *, actor: Actor, action_id: str) -> None:
    authorize(actor, Action.DRILL_EDIT)
    with vault.transaction() as session:
        row = session.get(DrillAction, action_id)
        if row is None:
            raise InputError(tr("没有该措施", "no such action"))
        row.done_at = row.done_at or now()
        _record(session, vault, actor, row.drill_id, action_done=action_id)


def drills(vault: Vault, *, actor: Actor) -> list[DrillInfo]:
    """Every drill, newest scheduled first."""
    authorize(actor, Action.DRILL_VIEW)
    at = clock.now()
    with vault.reading() as session:
        rows = session.execute(select(Drill).order_by(Drill.scheduled_for.desc())).scalars()
        return [_info(session, r, at) for r in rows]


def status(vault: Vault, *, actor: Actor, at: _dt.datetime | None = None) -> DrillStatus:
    """When the next drill is due under the policy and whether it is overdue."""
    authorize(actor, Action.DRILL_VIEW)
    at = at or clock.now()
    rule = rules()["S35-10.1"]
    interval = int(rule.param("drill_interval_days"))
    with vault.reading() as session:
        done = [
            _ts(r.ended_at)
            for r in session.execute(select(Drill).where(Drill.ended_at.is_not(None))).scalars()
            if r.ended_at
        ]
        planned = [_ts(r.scheduled_for) for r in session.execute(select(Drill)).scalars()]
    if done:
        last = max(done)
        due = last + _dt.timedelta(days=interval)
        return DrillStatus(last.isoformat(), due.isoformat(), at > due, interval, rule.label())
    first = min(planned) if planned else None
    return DrillStatus(
        None,
        first.isoformat() if first else None,
        first is None or at > first,
        interval,
        rule.label(),
    )
