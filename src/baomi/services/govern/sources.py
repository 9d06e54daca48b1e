"""Calendar sources for the dated things other modules already keep: the yearly drill and the
drills' improvement actions (S35-10.1), the incidents' reporting clocks (PIPL-57, INC-4, INC-8),
data-subject requests due (S35-8.7), third-party contract ends (PIPL-21: return or delete), and
PIAs — a re-assessment after a trigger (S35-11.4: a major incident; an incident registered in
the deal after its PIA was completed) and the end of a completed PIA's retention (PIPL-56).

Each function is a ``(vault, today) -> list[DueItem]`` named in ``calendar.SOURCES``; none
checks a permission (the calendar's readers do) and no title carries personal data: incidents
and requests are named by id or reference only. Which department each kind of item goes to is
data: ``sources.yaml``.
"""

from __future__ import annotations

import datetime as _dt
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy import select

from baomi import clock
from baomi.i18n import tr
from baomi.services.comply.assessments import keep_until
from baomi.services.comply.rulebook import rules
from baomi.services.govern.calendar import DueItem
from baomi.services.permissions import Actor, Role
from baomi.services.respond import drills as drill_service
from baomi.services.respond import incidents as incident_service
from baomi.services.respond.requests import Status as RequestStatus
from baomi.services.vault import Vault
from baomi.storage.models import Assessment, Deal, DrillAction, Incident, SubjectRequest, Vendor

#: reads on the calendar's behalf (the calendar's readers checked their own permission)
_READER = Actor("calendar", Role.ADMIN)


@cache
def config() -> dict[str, Any]:
    text = (files("baomi.services.govern") / "sources.yaml").read_text(encoding="utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


def department(kind: str) -> str | None:
    found: str | None = config()["departments"].get(kind)
    return found


def _day(value: str | _dt.datetime) -> _dt.date:
    """A stored time's (or a typed date's) date in China: the calendar's dates are China's."""
    return _dt.date.fromisoformat(clock.day(value))


def drills(vault: Vault, today: _dt.date) -> list[DueItem]:
    """The next drill under the policy's interval, and every drill's improvement actions."""
    status = drill_service.status(vault, actor=_READER)
    out = []
    if status.next_due:
        out.append(
            DueItem(
                kind="drill",
                ref="next",
                title=tr("应急演练（至少每年一次）", "Emergency drill (at least yearly)"),
                due=_day(status.next_due),
                department=department("drill"),
                link="/drills",
                rule="S35-10.1",
            )
        )
    with vault.reading() as session:
        for a in session.execute(select(DrillAction)).scalars():
            out.append(
                DueItem(
                    kind="drill-action",
                    ref=a.id,
                    title=tr(f"演练改进措施：{a.text[:80]}", f"Drill action: {a.text[:80]}"),
                    due=_day(a.due),
                    department=a.owner,
                    link="/drills",
                    done=a.done_at is not None,
                )
            )
    return out


def incidents(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Every reporting clock of every incident not closed (done ones marked done)."""
    with vault.reading() as session:
        found = session.execute(
            select(Incident.id, Deal.name)
            .outerjoin(Deal, Deal.id == Incident.deal_id)
            .where(Incident.status != incident_service.Status.CLOSED.value)
        ).all()
    out = []
    for incident_id, deal_name in found:
        info = incident_service.get(vault, actor=_READER, incident_id=incident_id)
        for d in incident_service.deadlines(info):
            out.append(
                DueItem(
                    kind="incident",
                    ref=f"{incident_id}:{d.clock.value}",
                    title=tr(
                        f"事件 {incident_id[:8]}：{d.title}",
                        f"Incident {incident_id[:8]}: {d.title}",
                    ),
                    due=_day(d.due),
                    department=department("incident"),
                    link=f"/rooms/{deal_name}/incidents/{incident_id}" if deal_name else None,
                    rule=d.rule,
                    done=d.done_at is not None,
                )
            )
    return out


def requests(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Every data-subject request's answer date (settled ones done); by reference only."""
    with vault.reading() as session:
        rows = session.execute(select(SubjectRequest)).scalars().all()
        return [
            DueItem(
                kind="request",
                ref=r.reference,
                title=tr(f"个人信息权利请求 {r.reference} 答复", f"Answer request {r.reference}"),
                due=_day(r.due_at),
                department=department("request"),
                link=f"/requests#{r.reference}",
                rule="S35-8.7",
                done=RequestStatus(r.status).settled,
            )
            for r in rows
        ]


def vendors(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Every third party's contract end; done once the party is closed with its return-or-delete
    confirmation (an ended contract without one stays overdue)."""
    with vault.reading() as session:
        rows = session.execute(
            select(Vendor, Deal.name)
            .outerjoin(Deal, Deal.id == Vendor.deal_id)
            .where(Vendor.contract_end.is_not(None))
        ).all()
        return [
            DueItem(
                kind="vendor",
                ref=v.id,
                title=tr(f"第三方合同到期：{v.name}", f"Third-party contract ends: {v.name}"),
                due=_day(v.contract_end or ""),
                department=department("vendor"),
                link=f"/rooms/{deal_name}/comply/vendors" if deal_name else None,
                rule="PIPL-21",
                done=v.closed_at is not None,
            )
            for v, deal_name in rows
        ]


def pias(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Per deal's latest completed PIA: the end of its retention (it may then be deleted), and a
    re-assessment ``pia_reassess_days`` after the first incident registered in the deal since it
    was completed (S35-11.4's trigger)."""
    days = int(config()["pia_reassess_days"])
    out = []
    with vault.reading() as session:
        rows = session.execute(
            select(Assessment, Deal.name)
            .join(Deal, Deal.id == Assessment.deal_id)
            .where(Assessment.kind == "pia", Assessment.state == "completed")
            .order_by(Assessment.deal_id, Assessment.version.desc())
        ).all()
        latest: dict[str, tuple[Assessment, str]] = {}
        for row, deal_name in rows:
            latest.setdefault(row.deal_id, (row, deal_name))
        for deal_id, (row, deal_name) in latest.items():
            completed = row.completed_at or row.created_at
            out.append(
                DueItem(
                    kind="pia",
                    ref=f"{row.id}:retention",
                    title=tr(
                        f"影响评估 {deal_name} v{row.version} 保存期满",
                        f"PIA {deal_name} v{row.version}: retention ends",
                    ),
                    due=_day(keep_until(completed)),
                    department=department("pia"),
                    link=f"/rooms/{deal_name}/comply/pia",
                    rule=rules()["PIPL-56"].id,
                )
            )
            trigger = session.execute(
                select(Incident.discovered_at)
                .where(Incident.deal_id == deal_id, Incident.discovered_at > completed)
                .order_by(Incident.discovered_at)
            ).first()
            if trigger is not None:
                out.append(
                    DueItem(
                        kind="pia",
                        ref=f"{row.id}:reassess",
                        title=tr(
                            f"事件后重新评估 {deal_name} 的影响评估",
                            f"Re-assess the PIA of {deal_name} after an incident",
                        ),
                        due=_day(trigger[0]) + _dt.timedelta(days=days),
                        department=department("pia"),
                        link=f"/rooms/{deal_name}/comply/pia",
                        rule="S35-11.4",
                    )
                )
    return out
