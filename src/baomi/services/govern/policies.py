"""Policy documents under periodic review (issue 15): each policy has an owning department
(and optionally a person), a review interval and the next review date — a calendar item that
stands out once overdue; its text or file is kept in numbered versions, sealed with the
platform's field key and identified by SHA-256 (checked again whenever it is read); a review
records its outcome and moves the next review date on by the interval.

The review policy (default, least and most interval, file size and kinds) is data:
``policies.yaml``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import PurePosixPath
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError, IntegrityError
from baomi.i18n import tr
from baomi.services import accounts, audit
from baomi.services.comply.reports.model import Table, Tone
from baomi.services.govern import departments, inputs
from baomi.services.govern.calendar import SOON_DAYS, DueItem
from baomi.services.govern.dashboard import Tile
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Policy, PolicyReview, PolicyVersion

MEDIA = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@cache
def config() -> dict[str, Any]:
    text = (files("baomi.services.govern") / "policies.yaml").read_text(encoding="utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


@dataclass(frozen=True)
class VersionInfo:
    version: int
    filename: str
    media_type: str
    size: int
    sha256: str
    note: str
    created_at: str
    created_by: str


@dataclass(frozen=True)
class ReviewInfo:
    reviewed_on: str
    version: int
    outcome: str
    next_review: str
    created_by: str


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    title: str
    department: str
    owner: str | None
    interval_days: int
    next_review: str
    overdue: bool
    due_soon: bool
    versions: tuple[VersionInfo, ...]
    reviews: tuple[ReviewInfo, ...]

    @property
    def current(self) -> VersionInfo | None:
        return self.versions[-1] if self.versions else None


def check_interval(days: int | None) -> int:
    """``days`` (or the default) if within the policy's least and most interval."""
    value = int(config()["default_interval_days"]) if days is None else days
    least, most = int(config()["min_interval_days"]), int(config()["max_interval_days"])
    if not least <= value <= most:
        raise InputError(
            tr(f"复核周期须为 {least}-{most} 天", f"review interval: {least}-{most} days")
        )
    return value


def _file(filename: str, data: bytes) -> tuple[str, str]:
    """A safe file name and its media type, or a clear error."""
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()
    name = inputs.text(name, tr("文件名", "file name"), 200)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in config()["suffixes"]:
        allowed = " ".join(config()["suffixes"])
        raise InputError(tr(f"文件类型须为 {allowed}", f"file type: one of {allowed}"))
    if not data:
        raise InputError(tr("文件为空", "the file is empty"))
    most = int(config()["max_file_bytes"])
    if len(data) > most:
        raise InputError(
            tr(f"文件过大（最多 {most} 字节）", f"file too large (at most {most} bytes)")
        )
    return name, MEDIA[suffix]


def _aad(version_id: str) -> bytes:
    return crypto.aad("policy", version=version_id)


def _row(session: Session, policy_id: str) -> Policy:
    row = session.get(Policy, policy_id)
    if row is None:
        raise InputError(tr("没有该制度", "no such policy"))
    return row


def _info(session: Session, row: Policy, today: _dt.date) -> PolicyInfo:
    versions = tuple(
        VersionInfo(
            v.version,
            v.filename,
            v.media_type,
            v.size,
            v.sha256,
            v.note,
            v.created_at,
            v.created_by,
        )
        for v in session.execute(
            select(PolicyVersion)
            .where(PolicyVersion.policy_id == row.id)
            .order_by(PolicyVersion.version)
        ).scalars()
    )
    reviews = tuple(
        ReviewInfo(r.reviewed_on, r.version, r.outcome, r.next_review, r.created_by)
        for r in session.execute(
            select(PolicyReview)
            .where(PolicyReview.policy_id == row.id)
            .order_by(PolicyReview.reviewed_on.desc(), PolicyReview.created_at.desc())
        ).scalars()
    )
    due = _dt.date.fromisoformat(row.next_review)
    return PolicyInfo(
        row.id,
        row.title,
        row.department,
        row.owner,
        row.interval_days,
        row.next_review,
        due < today,
        today <= due and (due - today).days <= SOON_DAYS,
        versions,
        reviews,
    )


def _record(
    session: Session, vault: Vault, actor: Actor, policy_id: str, **details: object
) -> None:
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.POLICY_UPDATE,
        obj=f"policy:{policy_id}",
        details=details,
    )


def _add_version(
    session: Session,
    vault: Vault,
    actor: Actor,
    policy_id: str,
    filename: str,
    data: bytes,
    note: str,
) -> int:
    name, media = _file(filename, data)
    last = session.execute(
        select(func.max(PolicyVersion.version)).where(PolicyVersion.policy_id == policy_id)
    ).scalar_one()
    number = int(last or 0) + 1
    version_id = new_id()
    session.add(
        PolicyVersion(
            id=version_id,
            policy_id=policy_id,
            version=number,
            filename=name,
            media_type=media,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content_sealed=crypto.seal(vault.platform_key("fields"), data, _aad(version_id)),
            note=note,
            created_at=now(),
            created_by=actor.name,
        )
    )
    return number


def create(
    vault: Vault,
    *,
    actor: Actor,
    title: str,
    department: str,
    filename: str,
    data: bytes,
    interval_days: int | None = None,
    next_review: str | None = None,
    owner: str | None = None,
    today: _dt.date | None = None,
) -> PolicyInfo:
    """A policy with its first version; the first review is due ``next_review`` or one interval
    from today."""
    authorize(actor, Action.GOVERN_EDIT)
    name = inputs.text(title, tr("标题", "title"), 200)
    dept = departments.check(department)
    days = check_interval(interval_days)
    day = today or clock.today()
    due = (
        inputs.day(next_review, tr("下次复核日期", "the next review"))
        if next_review
        else day + _dt.timedelta(days=days)
    )
    person = inputs.text(owner, tr("负责人", "owner"), 64, required=False) if owner else None
    if person and not accounts.is_active(vault, person):
        # the owner is who the reminder run tells instead of the department: a name that is
        # no user's (or a disabled one's) would leave the review's reminders unread
        raise InputError(
            tr(
                "负责人须为本系统中已启用用户的用户名（复核提醒发给负责人），或留空由部门接收",
                "the owner is the user name of an active user (the review reminders go to them), "
                "or empty for the department",
            )
        )
    policy_id = new_id()
    with vault.transaction() as session:
        row = Policy(
            id=policy_id,
            title=name,
            department=dept,
            owner=person or None,
            interval_days=days,
            next_review=due.isoformat(),
            created_at=now(),
            created_by=actor.name,
        )
        session.add(row)
        session.flush()
        _add_version(session, vault, actor, policy_id, filename, data, "")
        session.flush()
        _record(session, vault, actor, policy_id, created=True, version=1, department=dept)
        return _info(session, row, day)


def add_version(
    vault: Vault, *, actor: Actor, policy_id: str, filename: str, data: bytes, note: str = ""
) -> PolicyInfo:
    """A new version of the policy's text or file (the earlier ones are kept)."""
    authorize(actor, Action.GOVERN_EDIT)
    text = inputs.text(note, tr("说明", "note"), 2000, required=False)
    with vault.transaction() as session:
        row = _row(session, policy_id)
        number = _add_version(session, vault, actor, policy_id, filename, data, text)
        session.flush()
        _record(session, vault, actor, policy_id, version=number)
        return _info(session, row, clock.today())


def review(
    vault: Vault,
    *,
    actor: Actor,
    policy_id: str,
    outcome: str = "",
    reviewed_on: str | None = None,
    interval_days: int | None = None,
) -> PolicyInfo:
    """Record a review of the current version; the next review is one interval (optionally a
    new one) after the review date."""
    authorize(actor, Action.GOVERN_EDIT)
    text = inputs.text(outcome, tr("结论", "outcome"), 4000, required=False)
    day = (
        inputs.day(reviewed_on, tr("复核日期", "the review date")) if reviewed_on else clock.today()
    )
    if day > clock.today():
        raise InputError(tr("复核日期不能晚于今天", "the review date cannot be in the future"))
    with vault.transaction() as session:
        row = _row(session, policy_id)
        days = check_interval(interval_days) if interval_days is not None else row.interval_days
        current = session.execute(
            select(func.max(PolicyVersion.version)).where(PolicyVersion.policy_id == policy_id)
        ).scalar_one()
        nxt = day + _dt.timedelta(days=days)
        session.add(
            PolicyReview(
                id=new_id(),
                policy_id=policy_id,
                reviewed_on=day.isoformat(),
                version=int(current or 0),
                outcome=text,
                next_review=nxt.isoformat(),
                created_at=now(),
                created_by=actor.name,
            )
        )
        row.interval_days = days
        row.next_review = nxt.isoformat()
        session.flush()
        _record(session, vault, actor, policy_id, reviewed=day.isoformat(), next=nxt.isoformat())
        return _info(session, row, clock.today())


def policies(vault: Vault, *, actor: Actor, today: _dt.date | None = None) -> list[PolicyInfo]:
    """Every policy, the next review first."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:policies")
    day = today or clock.today()
    with vault.reading() as session:
        rows = session.execute(select(Policy).order_by(Policy.next_review, Policy.title)).scalars()
        return [_info(session, r, day) for r in rows]


def get(vault: Vault, *, actor: Actor, policy_id: str) -> PolicyInfo:
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:policies")
    with vault.reading() as session:
        return _info(session, _row(session, policy_id), clock.today())


def content(
    vault: Vault, *, actor: Actor, policy_id: str, version: int | None = None
) -> tuple[VersionInfo, bytes]:
    """A version's file (the current one by default), its SHA-256 checked; the read audited."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:policies")
    with vault.transaction() as session:
        _row(session, policy_id)
        query = select(PolicyVersion).where(PolicyVersion.policy_id == policy_id)
        query = (
            query.where(PolicyVersion.version == version)
            if version
            else query.order_by(PolicyVersion.version.desc())
        )
        found = session.execute(query.limit(1)).scalar_one_or_none()
        if found is None:
            raise InputError(tr("没有该版本", "no such version"))
        data = crypto.open_sealed(
            vault.platform_key("fields"), found.content_sealed, _aad(found.id)
        )
        if hashlib.sha256(data).hexdigest() != found.sha256:
            raise IntegrityError(tr("制度文件校验失败", "the policy file fails its SHA-256"))
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.POLICY_VIEW,
            obj=f"policy:{policy_id}",
            details={"version": found.version},
        )
        info = VersionInfo(
            found.version,
            found.filename,
            found.media_type,
            found.size,
            found.sha256,
            found.note,
            found.created_at,
            found.created_by,
        )
        return info, data


def table(vault: Vault, *, actor: Actor) -> Table:
    """Every policy as one row (for the CSV/XLSX export)."""
    items = policies(vault, actor=actor)
    columns = (
        tr("制度", "policy"),
        tr("部门", "department"),
        tr("负责人", "owner"),
        tr("复核周期（天）", "interval (days)"),
        tr("下次复核", "next review"),
        tr("状态", "state"),
        tr("当前版本", "current version"),
        "SHA-256",
        tr("上次复核", "last review"),
    )
    rows = tuple(
        (
            p.title,
            departments.label(p.department),
            p.owner or "",
            str(p.interval_days),
            p.next_review,
            tr("已逾期", "overdue")
            if p.overdue
            else tr("即将到期", "due soon")
            if p.due_soon
            else "",
            str(p.current.version) if p.current else "",
            p.current.sha256 if p.current else "",
            p.reviews[0].reviewed_on if p.reviews else "",
        )
        for p in items
    )
    return Table(columns, rows, title=tr("制度复核", "Policy reviews"))


# --- the calendar and the dashboard -----------------------------------------------------------


def due_items(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Each policy's next review."""
    with vault.reading() as session:
        return [
            DueItem(
                kind="review",
                ref=p.id,
                title=tr(f"制度复核：{p.title}", f"Policy review: {p.title}"),
                due=_dt.date.fromisoformat(p.next_review),
                department=p.department,
                owner=p.owner,
                link=f"/govern/policies/{p.id}",
            )
            for p in session.execute(select(Policy)).scalars()
        ]


def summary(vault: Vault, today: _dt.date) -> dict[str, int | float]:
    """Counts for the dashboard: policies, reviews overdue, reviews due soon."""
    with vault.reading() as session:
        dues = [
            _dt.date.fromisoformat(d) for d in session.execute(select(Policy.next_review)).scalars()
        ]
    return {
        "policies": len(dues),
        "reviews_overdue": sum(d < today for d in dues),
        "reviews_due_soon": sum(today <= d and (d - today).days <= SOON_DAYS for d in dues),
    }


def tiles(vault: Vault, today: _dt.date) -> list[Tile]:
    """The dashboard's reviews tile: policy reviews overdue, with those due soon."""
    s = summary(vault, today)
    late, soon = int(s["reviews_overdue"]), int(s["reviews_due_soon"])
    return [
        Tile(
            "reviews",
            tr("逾期的制度复核", "Policy reviews overdue"),
            str(late),
            Tone.BAD if late else (Tone.WARN if soon else Tone.GOOD),
            "/govern/policies",
            tr(
                f"共 {s['policies']} 项制度，{soon} 项即将复核",
                f"{s['policies']} policies, {soon} due soon",
            ),
        )
    ]
