"""The incident register: what leaked, how many people it touches, its grade, and the clocks the
law starts at discovery.

- Grade (INC-G1..G4, :mod:`baomi.services.comply.grading`): especially major ≥ 100,000,000
  individuals, major ≥ 10,000,000, relatively major ≥ 1,000,000 ("以上" includes the number);
  below that — which still means immediate notice under PIPL-57 (INC-A).
- Clocks: the regulator and the individuals are notified *immediately* (PIPL-57; individuals not
  when the measures effectively avoid harm); relatively major and above are reported to the
  provincial authority within 4 hours (1 hour for critical infrastructure, INC-4); a full report
  within 30 days after handling ends (INC-8). Thresholds and hours come from the rule book.
- Affected individuals are computed from the linked documents' inventories, or entered.
- Leak attribution: a leaked sample is traced against the deal's package records and the
  recipient recorded.

Titles and descriptions are sealed with the platform's field key (they may name customers), the
identifiers the scan's recognizers find in them masked first (:func:`baomi.services.redaction.mask_text`).
Incidents stored before that carry no ``masked`` marker (migration 0019); :func:`remask` masks and
re-seals them (``baomi incident remask``).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.engine.protect.trace import NoTraceRecordsError, trace
from baomi.errors import InputError, NotFoundError, UnreadableFileError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.comply.data import summarize
from baomi.services.comply.grading import Grade, grade
from baomi.services.comply.rulebook import RuleBook, rules
from baomi.services.dataroom.packages import records_dir
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize, sees
from baomi.services.redaction import mask_text
from baomi.services.respond import playbook
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Incident, IncidentStep

#: The most people an incident can affect (the API's bound; a database integer holds it).
MAX_INDIVIDUALS = 10**12


class Status(StrEnum):
    OPEN = "open"
    HANDLED = "handled"  # handling ended; the summary report clock runs
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            Status.OPEN: tr("处置中", "open"),
            Status.HANDLED: tr("处置结束", "handled"),
            Status.CLOSED: tr("已关闭", "closed"),
        }[self]


class Source(StrEnum):
    STAFF = "staff"
    RECIPIENT = "recipient"  # a data-room party reported it
    CUSTOMER = "customer"
    REGULATOR = "regulator"
    EXTERNAL = "external"  # found outside (web, press, researcher)
    MONITORING = "monitoring"

    @property
    def label(self) -> str:
        return {
            Source.STAFF: tr("员工发现", "staff"),
            Source.RECIPIENT: tr("交易方报告", "a party of the deal"),
            Source.CUSTOMER: tr("客户反映", "a customer"),
            Source.REGULATOR: tr("监管通报", "the regulator"),
            Source.EXTERNAL: tr("外部发现", "found outside"),
            Source.MONITORING: tr("监测告警", "monitoring"),
        }[self]


class Clock(StrEnum):
    REGULATOR = "regulator"
    INDIVIDUALS = "individuals"
    PROVINCIAL = "provincial"
    SUMMARY = "summary"


_CLOCK_FIELD = {
    Clock.REGULATOR: "regulator_notified_at",
    Clock.INDIVIDUALS: "individuals_notified_at",
    Clock.PROVINCIAL: "provincial_reported_at",
    Clock.SUMMARY: "summary_reported_at",
}


@dataclass(frozen=True)
class Deadline:
    clock: Clock
    title: str
    rule: str
    #: when it is due; for an "immediately" duty, the discovery time
    due: _dt.datetime
    immediate: bool
    done_at: str | None
    overdue: bool
    #: seconds left (negative: overdue by); None once done
    remaining: float | None


@dataclass(frozen=True)
class Step:
    step: str
    title: str
    owner: str
    checklist: tuple[tuple[str, str, bool], ...]  # (key, text, ticked)
    started_at: str | None
    done_at: str | None
    done_by: str | None
    seconds: float | None


@dataclass(frozen=True)
class IncidentInfo:
    id: str
    deal_id: str | None
    title: str
    description: str
    source: Source
    discovered_at: str
    ciio: bool
    individuals: int
    sensitive_individuals: int
    counted_from: str
    objects: tuple[str, ...]
    grade: Grade
    status: Status
    harm_avoided: bool
    times: dict[str, str | None]
    attributed_recipient: str | None
    attributed_package: str | None
    attributed_confidence: float | None
    steps: tuple[Step, ...]


# --- rules -----------------------------------------------------------------------------------


def _parse(ts: str) -> _dt.datetime:
    when = _dt.datetime.fromisoformat(ts)
    return clock.aware(when)  # typed without an offset: a time in China


def deadlines(
    info: IncidentInfo, at: _dt.datetime | None = None, book: RuleBook | None = None
) -> list[Deadline]:
    """The incident's clocks at ``at`` (now): what is due, when, and whether it is overdue.

    An "immediately" duty is due at discovery: until it is done it stands out as overdue.
    A dated duty is overdue strictly after its due time.
    """
    book = book or rules()
    at = at or _dt.datetime.now(_dt.UTC)
    found = _parse(info.discovered_at)
    out: list[Deadline] = []

    def add(clock: Clock, title: str, rule: str, due: _dt.datetime, immediate: bool) -> None:
        done = info.times.get(_CLOCK_FIELD[clock])
        remaining = None if done else (due - at).total_seconds()
        overdue = done is None and (at > due if not immediate else at >= due)
        out.append(Deadline(clock, title, rule, due, immediate, done, overdue, remaining))

    pipl57 = book["PIPL-57"].label()
    add(
        Clock.REGULATOR,
        tr("通知监管部门（立即）", "notify the regulator (immediately)"),
        pipl57,
        found,
        True,
    )
    if not info.harm_avoided:
        add(
            Clock.INDIVIDUALS,
            tr("通知受影响的个人（立即）", "notify the individuals (immediately)"),
            pipl57,
            found,
            True,
        )
    inc4 = book["INC-4"]
    if info.grade.rank >= Grade(str(inc4.param("reportable_from"))).rank:
        hours = int(inc4.param("hours_ciio" if info.ciio else "hours_other"))
        add(
            Clock.PROVINCIAL,
            tr(
                f"向省级网信部门报告（{hours} 小时内）",
                f"report to the provincial authority ({hours} h)",
            ),
            inc4.label(),
            found + _dt.timedelta(hours=hours),
            False,
        )
        ended = info.times.get("handling_ended_at")
        if ended:
            days = int(book["INC-8"].param("days"))
            add(
                Clock.SUMMARY,
                tr(
                    f"处置结束后 {days} 日内提交总结报告",
                    f"full report within {days} days after handling",
                ),
                book["INC-8"].label(),
                _parse(ended) + _dt.timedelta(days=days),
                False,
            )
    return out


# --- storage ---------------------------------------------------------------------------------


def _aad(incident_id: str, part: str) -> bytes:
    return crypto.aad("incident", id=incident_id, part=part)


def _seal(key: bytes, incident_id: str, part: str, text: str) -> bytes:
    """An incident's ``title`` or ``description`` sealed, bound to the incident and the part."""
    return crypto.seal(key, text.encode(), _aad(incident_id, part))


def _open(key: bytes, incident_id: str, part: str, sealed: bytes) -> str:
    return crypto.open_sealed(key, sealed, _aad(incident_id, part)).decode()


def _info(vault: Vault, session: Session, row: Incident) -> IncidentInfo:
    key = vault.platform_key("fields")
    step_rows = (
        session.execute(
            select(IncidentStep)
            .where(IncidentStep.incident_id == row.id)
            .order_by(IncidentStep.position)
        )
        .scalars()
        .all()
    )
    steps = []
    for s in step_rows:
        spec = playbook.spec(s.step)
        ticked = set(json.loads(s.ticked))
        steps.append(
            Step(
                s.step,
                spec.title,
                s.owner,
                tuple((i.key, i.text, i.key in ticked) for i in spec.checklist),
                s.started_at,
                s.done_at,
                s.done_by,
                s.seconds,
            )
        )
    return IncidentInfo(
        id=row.id,
        deal_id=row.deal_id,
        title=_open(key, row.id, "title", row.title_sealed),
        description=_open(key, row.id, "description", row.description_sealed),
        source=Source(row.source),
        discovered_at=row.discovered_at,
        ciio=row.ciio,
        individuals=row.individuals,
        sensitive_individuals=row.sensitive_individuals,
        counted_from=row.counted_from,
        objects=tuple(json.loads(row.objects)),
        grade=grade(row.individuals),
        status=Status(row.status),
        harm_avoided=row.harm_avoided,
        times={f: getattr(row, f) for f in (*_CLOCK_FIELD.values(), "handling_ended_at")},
        attributed_recipient=row.attributed_recipient,
        attributed_package=row.attributed_package,
        attributed_confidence=row.attributed_confidence,
        steps=tuple(steps),
    )


#: The fewest first characters of an id that name an incident (the register shows 8).
MIN_ID_PREFIX = 6


def full_id(vault: Vault, given: str) -> str:
    """The id of the one incident whose id starts with ``given`` (``given`` itself when it is
    whole, too short, or names none: the use case then says there is no such incident)."""
    given = given.strip()
    if len(given) < MIN_ID_PREFIX:
        return given
    with vault.reading() as session:
        ids = (
            session.execute(
                select(Incident.id).where(Incident.id.startswith(given, autoescape=True)).limit(2)
            )
            .scalars()
            .all()
        )
    if len(ids) > 1:
        raise InputError(
            tr("该编号前缀对应多个事件，请写全", "that prefix names several incidents: give more")
        )
    return ids[0] if ids else given


def _missing() -> NotFoundError:
    """What an incident id that names none answers — and one the actor may not see (404)."""
    return NotFoundError(tr("没有该事件", "no such incident"))


def _row(session: Session, incident_id: str) -> Incident:
    row = session.get(Incident, incident_id)
    if row is None:
        raise _missing()
    return row


def _counts(vault: Vault, deal_id: str, object_ids: list[str]) -> tuple[int, int]:
    objs = {o.id: o for o in deals.objects(vault, deal_id)}
    missing = [o for o in object_ids if o not in objs]
    if missing:
        raise InputError(
            tr(f"交易中没有文件 {missing[0]}", f"the deal has no document {missing[0]}")
        )
    summary = summarize(deal_id, [objs[o].inventory for o in object_ids])
    return summary.individuals, summary.sensitive_individuals


def _timestamp(value: str | None) -> str:
    if value is None:
        return now()
    try:
        when = _parse(value)
    except ValueError:
        raise InputError(
            tr("时间须为 YYYY-MM-DD HH:MM", "a time must be YYYY-MM-DD HH:MM")
        ) from None
    if when > clock.now() + _dt.timedelta(minutes=5):
        raise InputError(tr("时间不能在将来", "the time cannot be in the future"))
    return when.isoformat()


def report(
    vault: Vault,
    *,
    actor: Actor,
    title: str,
    description: str = "",
    source: Source = Source.STAFF,
    discovered_at: str | None = None,
    deal_ref: str | None = None,
    objects: list[str] | None = None,
    individuals: int | None = None,
    sensitive_individuals: int | None = None,
    ciio: bool = False,
) -> IncidentInfo:
    """Register an incident; affected individuals are computed from the linked documents'
    inventories unless given."""
    deal_id = None
    if deal_ref is not None:
        with vault.reading() as session:
            deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.INCIDENT_EDIT, deal_id)
    if not title.strip() or len(title) > 200 or len(description) > 20_000:
        raise InputError(
            tr("标题必填（最多 200 字），描述最多 20000 字", "title 1–200, description ≤ 20000")
        )
    object_ids = list(dict.fromkeys(objects or []))
    if object_ids and deal_id is None:
        raise InputError(tr("关联文件须指定交易", "linking documents needs a deal"))
    counted_from = "manual"
    if individuals is None and object_ids and deal_id is not None:
        individuals, sensitive_individuals = _counts(vault, deal_id, object_ids)
        counted_from = "inventory"
    individuals = individuals or 0
    sensitive_individuals = sensitive_individuals or 0
    if individuals < 0 or sensitive_individuals < 0 or sensitive_individuals > individuals:
        raise InputError(tr("人数无效", "invalid counts"))
    if individuals > MAX_INDIVIDUALS:
        raise InputError(
            tr(
                f"影响人数不能超过 {MAX_INDIVIDUALS:,}",
                f"the individuals affected cannot exceed {MAX_INDIVIDUALS:,}",
            )
        )
    found = _timestamp(discovered_at)
    # everyone with incident.view reads these and none needs a customer's identifier from them
    # (PIPL-6): what the scan's recognizers find is masked before the text is sealed
    title, description = mask_text(title), mask_text(description)
    incident_id = new_id()
    key = vault.platform_key("fields")
    with vault.transaction() as session:
        session.add(
            Incident(
                id=incident_id,
                deal_id=deal_id,
                title_sealed=_seal(key, incident_id, "title", title.strip()),
                description_sealed=_seal(key, incident_id, "description", description),
                source=source.value,
                discovered_at=found,
                ciio=ciio,
                individuals=individuals,
                sensitive_individuals=sensitive_individuals,
                counted_from=counted_from,
                objects=json.dumps(object_ids),
                created_at=now(),
                created_by=actor.name,
                masked=True,
            )
        )
        for position, spec in enumerate(playbook.steps()):
            session.add(
                IncidentStep(
                    id=new_id(),
                    incident_id=incident_id,
                    position=position,
                    step=spec.step,
                    owner=spec.owner,
                )
            )
        session.flush()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.INCIDENT_REPORT,
            obj=f"incident:{incident_id}",
            details={
                "deal": deal_id,
                "individuals": individuals,
                "sensitive": sensitive_individuals,
                "grade": grade(individuals).value,
                "counted_from": counted_from,
            },
        )
        return _info(vault, session, _row(session, incident_id))


def _unmasked_ids(vault: Vault, actor: Actor) -> list[str]:
    """The incidents within ``actor``'s deals stored before titles and descriptions were masked
    (no ``masked`` marker, migration 0019), oldest first."""
    with vault.reading() as session:
        rows = session.execute(
            select(Incident.id, Incident.deal_id)
            .where(Incident.masked.is_(False))
            .order_by(Incident.created_at, Incident.id)
        ).all()
    return [incident_id for incident_id, deal_id in rows if sees(actor, deal_id)]


def unmasked(vault: Vault, *, actor: Actor) -> int:
    """How many incidents ``actor`` may handle still hold their title and description as typed
    (stored before masking): what :func:`remask` would mask."""
    authorize(actor, Action.INCIDENT_EDIT)
    return len(_unmasked_ids(vault, actor))


def remask(vault: Vault, *, actor: Actor) -> int:
    """Bring the incidents stored before masking up to date: each title and description is
    opened, masked as :func:`report` masks a new one (:func:`~baomi.services.redaction.
    mask_text`), sealed again and marked, with an ``incident.update`` event (``remasked``, the
    fields changed; no value) in the same transaction. Returns how many were brought up to
    date; a second run finds none. The refusal of a role that may not handle incidents is
    recorded."""
    audit.require(vault, actor, Action.INCIDENT_EDIT, obj="incident:-")
    key = vault.platform_key("fields")
    done = 0
    for incident_id in _unmasked_ids(vault, actor):
        with vault.reading() as session:
            row = _row(session, incident_id)
            typed = {
                part: _open(key, incident_id, part, sealed)
                for part, sealed in (
                    ("title", row.title_sealed),
                    ("description", row.description_sealed),
                )
            }
        # the recognizers and the prose model run outside the write transaction
        masked = {part: mask_text(text) for part, text in typed.items()}
        with vault.transaction() as session:
            row = _row(session, incident_id)
            if row.masked:  # another run got there first
                continue
            row.title_sealed = _seal(key, incident_id, "title", masked["title"])
            row.description_sealed = _seal(key, incident_id, "description", masked["description"])
            row.masked = True
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.INCIDENT_UPDATE,
                obj=f"incident:{incident_id}",
                details={"remasked": sorted(p for p in typed if masked[p] != typed[p])},
            )
        done += 1
    return done


def _scope(
    vault: Vault, actor: Actor, action: Action, incident_id: str, deal_ref: str | None
) -> None:
    """Authorize ``action`` on the incident (in ``deal_ref`` if given). An incident of another
    deal, or outside the actor's deals, answers as one that does not exist (404, no id), and
    for a scoped actor either is a recorded refusal, as a room one is not in."""
    audit.require_seen(
        vault,
        actor,
        action,
        kind="incident",
        lookup=lambda session: session.get(Incident, incident_id),
        deal_ref=deal_ref,
        missing=_missing(),
    )


def get(
    vault: Vault, *, actor: Actor, incident_id: str, deal_ref: str | None = None
) -> IncidentInfo:
    _scope(vault, actor, Action.INCIDENT_VIEW, incident_id, deal_ref)
    with vault.reading() as session:
        return _info(vault, session, _row(session, incident_id))


def register(vault: Vault, *, actor: Actor, deal_ref: str | None = None) -> list[IncidentInfo]:
    """The incidents (of one deal, or all the actor may see), newest first."""
    deal_id = None
    if deal_ref is not None:
        with vault.reading() as session:
            deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.INCIDENT_VIEW, deal_id)
    with vault.reading() as session:
        q = select(Incident).order_by(Incident.discovered_at.desc(), Incident.id)
        if deal_id is not None:
            q = q.where(Incident.deal_id == deal_id)
        rows = session.execute(q).scalars().all()
        return [_info(vault, session, r) for r in rows if sees(actor, r.deal_id)]


def open_count(vault: Vault) -> int:
    """Incidents not closed (for the risk assessment's facts; no permission needed for a count)."""
    with vault.reading() as session:
        return len(
            session.execute(select(Incident.id).where(Incident.status != Status.CLOSED.value))
            .scalars()
            .all()
        )


def mark(
    vault: Vault,
    *,
    actor: Actor,
    incident_id: str,
    deal_ref: str | None = None,
    clock: Clock,
    at: str | None = None,
) -> IncidentInfo:
    """Record that a duty was done (a notice sent, a report filed) at ``at`` (now)."""
    _scope(vault, actor, Action.INCIDENT_EDIT, incident_id, deal_ref)
    when = _timestamp(at)
    with vault.transaction() as session:
        row = _row(session, incident_id)
        if clock is Clock.SUMMARY and row.handling_ended_at is None:
            raise InputError(tr("处置尚未结束", "handling has not ended yet"))
        if _parse(when) < _parse(row.discovered_at):
            raise InputError(tr("时间早于发现时间", "the time is before the discovery"))
        if getattr(row, _CLOCK_FIELD[clock]) is not None:
            # when a duty was done is the record that it was done in time: not rewritten
            raise InputError(tr("该项已记录为完成", "that duty is recorded as done already"))
        setattr(row, _CLOCK_FIELD[clock], when)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.INCIDENT_UPDATE,
            obj=f"incident:{incident_id}",
            details={"clock": clock.value, "at": when},
        )
        return _info(vault, session, row)


def set_status(
    vault: Vault,
    *,
    actor: Actor,
    incident_id: str,
    status: Status,
    harm_avoided: bool | None = None,
    at: str | None = None,
    deal_ref: str | None = None,
) -> IncidentInfo:
    """Move the incident on: ``handled`` starts the 30-day summary clock (INC-8); ``closed``
    needs every required duty done."""
    _scope(vault, actor, Action.INCIDENT_EDIT, incident_id, deal_ref)
    when = _timestamp(at)
    with vault.transaction() as session:
        row = _row(session, incident_id)
        if harm_avoided is not None:
            row.harm_avoided = harm_avoided
        if status is Status.HANDLED and row.handling_ended_at is None:
            row.handling_ended_at = when
        if status is Status.CLOSED:
            pending = [d.title for d in deadlines(_info(vault, session, row)) if d.done_at is None]
            if pending:
                raise InputError(
                    tr(f"尚未完成：{'；'.join(pending)}", f"still to do: {'; '.join(pending)}")
                )
            if row.handling_ended_at is None:
                row.handling_ended_at = when
        row.status = status.value
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.INCIDENT_UPDATE,
            obj=f"incident:{incident_id}",
            details={"status": status.value, "harm_avoided": row.harm_avoided},
        )
        return _info(vault, session, row)


def step(
    vault: Vault,
    *,
    actor: Actor,
    incident_id: str,
    step_name: str,
    tick: list[str] | None = None,
    done: bool = False,
    seconds: float | None = None,
    deal_ref: str | None = None,
) -> IncidentInfo:
    """Tick checklist items of a playbook step; ``done`` finishes it (started when first
    touched)."""
    _scope(vault, actor, Action.INCIDENT_EDIT, incident_id, deal_ref)
    spec = playbook.spec(step_name)
    known = {i.key for i in spec.checklist}
    unknown = set(tick or []) - known
    if unknown:
        raise InputError(
            tr(f"没有检查项 {sorted(unknown)}", f"no checklist item {sorted(unknown)}")
        )
    with vault.transaction() as session:
        row = session.execute(
            select(IncidentStep).where(
                IncidentStep.incident_id == incident_id, IncidentStep.step == step_name
            )
        ).scalar_one()
        ticked = set(json.loads(row.ticked)) | set(tick or [])
        row.ticked = json.dumps(sorted(ticked))
        row.started_at = row.started_at or now()
        if seconds is not None:
            row.seconds = seconds
        if done and row.done_at is None:
            row.done_at, row.done_by = now(), actor.name
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.INCIDENT_UPDATE,
            obj=f"incident:{incident_id}",
            details={"step": step_name, "ticked": sorted(ticked), "done": row.done_at is not None},
        )
        return _info(vault, session, _row(session, incident_id))


def attribute(
    vault: Vault, *, actor: Actor, incident_id: str, deal_ref: str | None = None, sample: Path
) -> IncidentInfo:
    """Trace a leaked sample against the deal's packages and record whose package it came from
    (or that the evidence names nobody)."""
    _scope(vault, actor, Action.INCIDENT_EDIT, incident_id, deal_ref)
    with vault.reading() as session:
        deal_id = _row(session, incident_id).deal_id
    if deal_id is None:
        raise InputError(
            tr("事件未关联交易，无法追踪", "the incident has no deal to trace against")
        )
    try:
        result = trace(sample, records_dir(vault, deal_id))
    except NoTraceRecordsError:  # the engine names the folder: a server's path, not the user's
        raise InputError(
            tr(
                "本交易还没有交付过数据包，没有可比对的追踪记录",
                "the deal has delivered no package yet: there are no trace records to compare",
            )
        ) from None
    except UnreadableFileError as exc:  # the sample's copy has a temporary name
        raise InputError(tr("样本：", "the sample: ") + exc.reason) from None
    with vault.transaction() as session:
        row = _row(session, incident_id)
        row.attributed_recipient = result.recipient
        row.attributed_package = result.package_id
        row.attributed_confidence = result.confidence if result.recipient else None
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.INCIDENT_ATTRIBUTE,
            obj=f"incident:{incident_id}",
            details={
                "package": result.package_id,
                "attributed": result.recipient is not None,
                "cells": result.cells,
                "marks": result.marks_seen,
            },
        )
        return _info(vault, session, row)


@dataclass(frozen=True)
class RestoreResult:
    backup_id: str
    documents: int
    seconds: float


def restore_step(
    vault: Vault,
    *,
    actor: Actor,
    incident_id: str,
    backup_path: Path,
    deal_ref: str | None = None,
) -> tuple[IncidentInfo, RestoreResult]:
    """The playbook's restore step as an exercise: verify the backup, restore it into a scratch
    home that is deleted afterwards, and record how long it took (the recovery time the plan
    promises). Needs the backup's key holders (``backup.verify``) besides ``incident.edit``."""
    import shutil
    import tempfile
    import time

    from baomi.services import backup
    from baomi.services.permissions import Role
    from baomi.services.vault import open_vault

    _scope(vault, actor, Action.INCIDENT_EDIT, incident_id, deal_ref)
    authorize(actor, Action.BACKUP_VERIFY)
    started = time.perf_counter()
    report = backup.verify(vault, backup_path, actor=actor)
    scratch = Path(tempfile.mkdtemp(prefix="baomi-restore-"))
    try:
        settings = vault.settings.model_copy(
            update={
                "home": scratch,
                "database_url": None,
                "keystore": vault.settings.keystore_path.resolve(),
            }
        )
        target = open_vault(settings)
        try:
            # the scratch home exists for this exercise only and is deleted below
            restored = backup.restore(
                target, actor=Actor(f"{actor.name} (drill)", Role.ADMIN), path=backup_path
            )
        finally:
            target.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.perf_counter() - started
    info = step(
        vault,
        actor=actor,
        incident_id=incident_id,
        step_name="restore",
        tick=["verify_backup", "restore_scratch"],
        seconds=round(seconds, 3),
        deal_ref=deal_ref,
    )
    return info, RestoreResult(report.backup_id, restored.files, round(seconds, 3))
