"""The compliance checklist of a target company: six areas, items with evidence, owner, status
and due date, a score and its trend.

The default items are data (``checklist.yaml``), each citing the rules it comes from (PIPL-51's
measures, PIPL-54 audits, GB/T 35273 §11.6 yearly training, §11.7 audit logs …); they are copied
into a company's checklist the first time it is opened, and people may add items of their own.

**Score.** An area's score is *done ÷ applicable*: items marked "not applicable" are left out,
"in progress" counts as not done. The overall score is the weighted mean of the area scores, with
the weights in ``checklist.yaml``, over the areas that have an applicable item. With no
applicable item at all there is no score (``None``), not 0 or 100.

**Overdue.** An item is overdue when it is neither done nor not applicable and its due date is
before today (China Standard Time): due today is not yet overdue.

**Trend.** Every change of an item (and the first opening) takes a snapshot of the scores in the
same transaction; the trend is the snapshots in the order taken (``seq``).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from baomi.engine.audit_chain import AuditAction
from baomi.errors import ConfigError, InputError, NotFoundError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.rulebook import rules
from baomi.services.comply.scope import (
    Choice,
    FileInfo,
    Target,
    add_file,
    choices,
    data_file,
    files_of,
    owner_of,
    require_own,
    target,
    today,
)
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import ChecklistItem, ChecklistSnapshot

MAX_TITLE = 400
MAX_OWNER = 200
MAX_NOTES = 4000


class Area(StrEnum):
    POLICY = "policy"
    TECHNICAL = "technical"
    MANAGEMENT = "management"
    STAFF = "staff"
    EXTERNAL = "external"
    AUDIT = "audit"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return tr(*_STATUS_LABELS[self])


_STATUS_LABELS = {
    Status.NOT_STARTED: ("未开始", "not started"),
    Status.IN_PROGRESS: ("进行中", "in progress"),
    Status.DONE: ("已完成", "done"),
    Status.NOT_APPLICABLE: ("不适用", "not applicable"),
}


@dataclass(frozen=True)
class AreaDef:
    area: Area
    weight: float
    label: Choice

    @property
    def title(self) -> str:
        return self.label.title


@dataclass(frozen=True)
class ItemDef:
    key: str
    area: Area
    rules: tuple[str, ...]
    clause: str
    title_zh: str
    title_en: str
    #: the clause in English (the same as ``clause`` when it is a code such as ``PIPL-21``)
    clause_en: str = ""

    def clause_shown(self) -> str:
        return tr(self.clause, self.clause_en or self.clause)


@dataclass(frozen=True)
class Defaults:
    areas: tuple[AreaDef, ...]
    items: tuple[ItemDef, ...]

    def area(self, area: Area) -> AreaDef:
        return next(a for a in self.areas if a.area is area)

    @property
    def weights(self) -> dict[Area, float]:
        return {a.area: a.weight for a in self.areas}


def _zh(text: Any) -> str:
    return str(text["zh"]) if isinstance(text, dict) else str(text)


def _en(text: Any) -> str:
    return str(text["en"]) if isinstance(text, dict) else str(text)


def _parse_defaults(doc: Any) -> Defaults:
    try:
        areas = tuple(
            AreaDef(Area(c.key), float(a["weight"]), c)
            for a, c in zip(doc["areas"], choices(doc["areas"]), strict=True)
        )
        items = tuple(
            ItemDef(
                str(i["key"]),
                Area(i["area"]),
                tuple(str(r) for r in i["rules"]),
                _zh(i["clause"]),
                i["title"]["zh"],
                i["title"]["en"],
                _en(i["clause"]),
            )
            for i in doc["items"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"checklist.yaml: {exc!r}") from None
    if {a.area for a in areas} != set(Area) or any(a.weight < 0 for a in areas):
        raise ConfigError("checklist.yaml: every area once, with a weight ≥ 0")
    book = rules()
    for item in items:
        for rule_id in item.rules:
            book[rule_id]  # raises ConfigError for a rule that is not in the rule book
    if len({i.key for i in items}) != len(items):
        raise ConfigError("checklist.yaml: an item key is used twice")
    return Defaults(areas, items)


@cache
def defaults() -> Defaults:
    """The default areas (with their weights) and items, from ``checklist.yaml``."""
    return _parse_defaults(data_file("checklist.yaml"))


# --- pure rules ------------------------------------------------------------------------------


def is_overdue(status: Status, due: _dt.date | None, on: _dt.date) -> bool:
    """Neither done nor not applicable, and due before ``on`` (due ``on`` itself is not late)."""
    if due is None or status in (Status.DONE, Status.NOT_APPLICABLE):
        return False
    return due < on


@dataclass(frozen=True)
class AreaScore:
    area: Area
    done: int
    applicable: int
    items: int

    @property
    def score(self) -> float | None:
        """done ÷ applicable, ``None`` when nothing in the area applies."""
        return self.done / self.applicable if self.applicable else None


@dataclass(frozen=True)
class Score:
    areas: tuple[AreaScore, ...]
    overall: float | None

    @property
    def done(self) -> int:
        return sum(a.done for a in self.areas)

    @property
    def applicable(self) -> int:
        return sum(a.applicable for a in self.areas)


def score(statuses: Iterable[tuple[Area, Status]], weights: Mapping[Area, float]) -> Score:
    """Per area done ÷ applicable; overall the weighted mean over areas with applicable items."""
    done = dict.fromkeys(Area, 0)
    applicable = dict.fromkeys(Area, 0)
    items = dict.fromkeys(Area, 0)
    for area, status in statuses:
        items[area] += 1
        if status is not Status.NOT_APPLICABLE:
            applicable[area] += 1
            done[area] += status is Status.DONE
    areas = tuple(AreaScore(a, done[a], applicable[a], items[a]) for a in Area)
    weighted = [(weights.get(a.area, 0.0), a.score) for a in areas if a.score is not None]
    total = sum(w for w, _ in weighted)
    overall = sum(w * s for w, s in weighted) / total if total > 0 else None
    return Score(areas, overall)


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str
    key: str
    area: Area
    title_zh: str
    title_en: str
    rules: tuple[str, ...]
    clause: str
    status: Status
    owner: str
    due: _dt.date | None
    notes: str
    overdue: bool
    evidence: tuple[FileInfo, ...]
    updated_at: str
    updated_by: str

    @property
    def title(self) -> str:
        return tr(self.title_zh, self.title_en or self.title_zh)


@dataclass(frozen=True)
class TrendPoint:
    seq: int
    taken_at: str
    score: float | None


@dataclass(frozen=True)
class Checklist:
    uscc: str
    deal_id: str | None
    deal_name: str | None
    today: _dt.date
    items: tuple[Item, ...]
    score: Score
    trend: tuple[TrendPoint, ...]

    def area_items(self, area: Area) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.area is area)

    @property
    def overdue(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.overdue)


def _rows(session: Session, uscc: str) -> list[ChecklistItem]:
    return list(
        session.execute(
            select(ChecklistItem)
            .where(ChecklistItem.uscc == uscc)
            .order_by(ChecklistItem.position, ChecklistItem.id)
        ).scalars()
    )


def _score_rows(rows: Iterable[ChecklistItem]) -> Score:
    return score(((Area(r.area), Status(r.status)) for r in rows), defaults().weights)


def scores(vault: Vault) -> dict[str, Score]:
    """Every company's current checklist score, by USCC (for the governance dashboard; a
    company whose checklist was never opened has none)."""
    with vault.reading() as session:
        usccs = session.execute(select(ChecklistItem.uscc).distinct()).scalars().all()
        return {u: _score_rows(_rows(session, u)) for u in sorted(usccs)}


def _snapshot(session: Session, uscc: str) -> None:
    """Record the current scores (call after the change and its audit event: the audit chain's
    lock makes ``seq`` unique)."""
    session.flush()
    current = _score_rows(_rows(session, uscc))
    last = session.execute(
        select(func.max(ChecklistSnapshot.seq)).where(ChecklistSnapshot.uscc == uscc)
    ).scalar()
    session.add(
        ChecklistSnapshot(
            id=new_id(),
            uscc=uscc,
            seq=(last or 0) + 1,
            taken_at=now(),
            score_bp=None if current.overall is None else round(current.overall * 10_000),
            done=current.done,
            applicable=current.applicable,
            areas=json.dumps({a.area.value: [a.done, a.applicable] for a in current.areas}),
        )
    )


def _view(session: Session, vault: Vault, found: Target, on: _dt.date) -> Checklist:
    rows = _rows(session, found.uscc)
    evidence = files_of(session, vault, found.uscc, [f"item:{r.id}" for r in rows])
    items = []
    builtin = {d.key: d for d in defaults().items}
    for r in rows:
        status = Status(r.status)
        known = builtin.get(r.key)
        # a built-in item's clause as the page's language says it (unless someone changed it)
        clause = known.clause_shown() if known and known.clause == r.clause else r.clause
        due = _dt.date.fromisoformat(r.due) if r.due else None
        items.append(
            Item(
                r.id,
                r.key,
                Area(r.area),
                r.title_zh,
                r.title_en,
                tuple(x for x in r.rules.split(",") if x),
                clause,
                status,
                r.owner,
                due,
                r.notes,
                is_overdue(status, due, on),
                tuple(evidence[f"item:{r.id}"]),
                r.updated_at,
                r.updated_by,
            )
        )
    snaps = session.execute(
        select(ChecklistSnapshot)
        .where(ChecklistSnapshot.uscc == found.uscc)
        .order_by(ChecklistSnapshot.seq)
    ).scalars()
    trend = tuple(
        TrendPoint(s.seq, s.taken_at, None if s.score_bp is None else s.score_bp / 10_000)
        for s in snaps
    )
    return Checklist(
        found.uscc,
        found.deal_id,
        found.deal_name,
        on,
        tuple(items),
        _score_rows(rows),
        trend,
    )


def _seed(session: Session, vault: Vault, actor: Actor, uscc: str) -> None:
    """Copy the default items into the company's checklist (first opening)."""
    stamp = now()
    for position, d in enumerate(defaults().items):
        session.add(
            ChecklistItem(
                id=new_id(),
                uscc=uscc,
                key=d.key,
                area=d.area.value,
                title_zh=d.title_zh,
                title_en=d.title_en,
                rules=",".join(d.rules),
                clause=d.clause,
                position=position,
                status=Status.NOT_STARTED.value,
                owner="",
                due=None,
                notes="",
                updated_at=stamp,
                updated_by=actor.name,
            )
        )
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.CHECKLIST_OPEN,
        obj=f"company:{uscc}",
        details={"items": len(defaults().items)},
    )
    _snapshot(session, uscc)


def checklist(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str | None = None,
    uscc: str | None = None,
    on: _dt.date | None = None,
) -> Checklist:
    """The company's checklist (of ``deal_ref``'s target, or ``uscc``), filled with the default
    items the first time it is opened."""
    found = target(vault, actor, Action.COMPLY_VIEW, deal_ref=deal_ref, uscc=uscc)
    with vault.reading() as session:
        empty = not _rows(session, found.uscc)
    if empty:
        with vault.transaction() as session:
            if not _rows(session, found.uscc):  # nobody filled it meanwhile
                _seed(session, vault, actor, found.uscc)
    with vault.reading() as session:
        return _view(session, vault, found, on or today())


def _find_item(session: Session, uscc: str, ref: str) -> ChecklistItem | None:
    return session.execute(
        select(ChecklistItem).where(
            ChecklistItem.uscc == uscc, (ChecklistItem.id == ref) | (ChecklistItem.key == ref)
        )
    ).scalar()


def _no_item() -> NotFoundError:
    """What an item that is not on the company's checklist answers (an unknown id or key,
    another company's item): the same words, nothing typed echoed (404)."""
    return NotFoundError(tr("清单中没有该条目", "no such checklist item"))


def _own_item(vault: Vault, actor: Actor, found: Target, ref: str) -> None:
    """Another company's item answers as an unknown one, the refusal recorded."""
    require_own(
        vault,
        actor,
        Action.COMPLY_EDIT,
        found,
        kind="item",
        lookup=lambda s: owner_of(_find_item(s, found.uscc, ref) or s.get(ChecklistItem, ref)),
        missing=_no_item(),
    )


def _item(session: Session, uscc: str, ref: str) -> ChecklistItem:
    row = _find_item(session, uscc, ref)
    if row is None:
        raise _no_item()
    return row


def _check_text(owner: str | None, notes: str | None) -> None:
    if owner is not None and len(owner) > MAX_OWNER:
        raise InputError(tr("负责人过长", "owner too long"))
    if notes is not None and len(notes) > MAX_NOTES:
        raise InputError(
            tr(f"备注过长（最多 {MAX_NOTES} 字）", f"notes too long (max {MAX_NOTES})")
        )


def _edit_target(vault: Vault, actor: Actor, deal_ref: str | None, uscc: str | None) -> Target:
    """Check the edit permission and make sure the checklist exists (seeded)."""
    found = target(vault, actor, Action.COMPLY_EDIT, deal_ref=deal_ref, uscc=uscc)
    with vault.transaction() as session:
        if not _rows(session, found.uscc):
            _seed(session, vault, actor, found.uscc)
    return found


def _one(session: Session, vault: Vault, found: Target, item_id: str) -> Item:
    view = _view(session, vault, found, today())
    return next(i for i in view.items if i.id == item_id)


def set_item(
    vault: Vault,
    *,
    actor: Actor,
    item: str,
    deal_ref: str | None = None,
    uscc: str | None = None,
    status: Status | None = None,
    owner: str | None = None,
    due: _dt.date | None = None,
    clear_due: bool = False,
    notes: str | None = None,
) -> Item:
    """Change an item (by id or key): only what is given changes; a snapshot of the scores is
    taken in the same transaction."""
    _check_text(owner, notes)
    found = _edit_target(vault, actor, deal_ref, uscc)
    _own_item(vault, actor, found, item)
    with vault.transaction() as session:
        row = _item(session, found.uscc, item)
        changed: list[str] = []
        if status is not None and status.value != row.status:
            row.status = status.value
            changed.append("status")
        if owner is not None and owner.strip() != row.owner:
            row.owner = owner.strip()
            changed.append("owner")
        new_due = None if clear_due else (due.isoformat() if due else row.due)
        if new_due != row.due:
            row.due = new_due
            changed.append("due")
        if notes is not None and notes != row.notes:
            row.notes = notes
            changed.append("notes")
        if changed:
            row.updated_at, row.updated_by = now(), actor.name
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.CHECKLIST_ITEM_SET,
                obj=f"checklist-item:{row.id}",
                details={
                    "company": found.uscc,
                    "key": row.key,
                    "changed": changed,
                    "status": row.status,
                    "due": row.due,
                },
            )
            _snapshot(session, found.uscc)
        session.flush()
        return _one(session, vault, found, row.id)


def add_item(
    vault: Vault,
    *,
    actor: Actor,
    area: Area,
    title_zh: str,
    title_en: str = "",
    deal_ref: str | None = None,
    uscc: str | None = None,
    clause: str = "",
    owner: str = "",
    due: _dt.date | None = None,
    notes: str = "",
) -> Item:
    """Add an item of the company's own to an area."""
    title_zh, title_en = title_zh.strip(), title_en.strip()
    if not title_zh or len(title_zh) > MAX_TITLE or len(title_en) > MAX_TITLE:
        raise InputError(tr("条目名称为空或过长", "the item's title is empty or too long"))
    if len(clause) > 200:
        raise InputError(tr("依据过长", "clause too long"))
    _check_text(owner, notes)
    found = _edit_target(vault, actor, deal_ref, uscc)
    item_id = new_id()
    with vault.transaction() as session:
        last = session.execute(
            select(func.max(ChecklistItem.position)).where(ChecklistItem.uscc == found.uscc)
        ).scalar()
        session.add(
            ChecklistItem(
                id=item_id,
                uscc=found.uscc,
                key=f"custom.{item_id[:12]}",
                area=area.value,
                title_zh=title_zh,
                title_en=title_en,
                rules="",
                clause=clause.strip(),
                position=(last or 0) + 1,
                status=Status.NOT_STARTED.value,
                owner=owner.strip(),
                due=due.isoformat() if due else None,
                notes=notes,
                updated_at=now(),
                updated_by=actor.name,
            )
        )
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.CHECKLIST_ITEM_ADD,
            obj=f"checklist-item:{item_id}",
            details={"company": found.uscc, "area": area.value},
        )
        _snapshot(session, found.uscc)
        session.flush()
        return _one(session, vault, found, item_id)


def add_evidence(
    vault: Vault,
    *,
    actor: Actor,
    item: str,
    name: str,
    content: bytes,
    deal_ref: str | None = None,
    uscc: str | None = None,
) -> FileInfo:
    """Attach an evidence file to an item, sealed; audited (size and hash, not the name)."""
    found = _edit_target(vault, actor, deal_ref, uscc)
    _own_item(vault, actor, found, item)
    with vault.transaction() as session:
        row = _item(session, found.uscc, item)
        return add_file(
            session,
            vault,
            actor=actor,
            uscc=found.uscc,
            owner=f"item:{row.id}",
            name=name,
            content=content,
        )
