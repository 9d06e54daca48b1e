"""Provision records (NDS-12): every provision of PI to another party, kept at least 3 years.

A provision is recorded

- by the data room, when a protected copy is first downloaded (in the same transaction as the
  copy's ``provided_at``, :func:`record_download`);
- by ``baomi protect --deal DEAL --recipient NAME`` (:func:`record_protect_run`);
- by hand for provisions made outside baomi (:func:`add_manual`; counts only).

The first two also keep the people provided as keyed hashes of their identifiers
(:mod:`baomi.services.comply.people`), so that the cross-border count (:func:`abroad_totals`) takes each person once
across the company's deals (XB-CNT). A record holds no personal value: dates, counts, the
recipient (a company, or a user of the room), the purpose, keyed hashes. It is not sealed with the
deal's key, so destroying the deal keeps it; it cannot be deleted before its retention ends.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine.audit_chain import AuditAction
from baomi.engine.scan.linkage import People, count_people
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.people import PeopleRef, people_ref
from baomi.services.comply.profile import Location, profile_of
from baomi.services.comply.rulebook import rules
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Copy, Provision, ProvisionPeople, Room

#: China Standard Time (no daylight saving): the calendar the law's "1 January" follows.
CHINA_TIME = clock.CHINA_TIME
MAX_TEXT = 4000


class Source(StrEnum):
    DATAROOM = "dataroom"  # a protected copy downloaded from the data room
    PROTECT = "protect"  # ``baomi protect --deal``
    MANUAL = "manual"  # entered by hand: counts only, not deduplicated

    @property
    def label(self) -> str:
        return {
            Source.DATAROOM: tr("数据室下载", "data room download"),
            Source.PROTECT: tr("去标识化数据包", "protected package"),
            Source.MANUAL: tr("手工登记", "entered by hand"),
        }[self]


@dataclass(frozen=True)
class ProvisionRecord:
    id: str
    deal_id: str
    provided_at: str
    provided_on: str
    individuals: int
    sensitive_individuals: int
    purpose: str
    recipient: str
    recipient_user: str
    region: Location
    remote_access: bool
    source: Source
    package_id: str | None
    #: whether the people are kept as hashes (counted once across provisions)
    deduplicated: bool
    keep_until: str
    recorded_at: str
    recorded_by: str

    @property
    def abroad(self) -> bool:
        """An export: a recipient outside the mainland or remote access from abroad (XB-DEF)."""
        return self.region.outside_mainland or self.remote_access

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"abroad": self.abroad}


def _record(row: Provision) -> ProvisionRecord:
    return ProvisionRecord(
        row.id,
        row.deal_id,
        row.provided_at,
        row.provided_on,
        row.individuals,
        row.sensitive_individuals,
        row.purpose,
        row.recipient,
        row.recipient_user,
        Location(row.region),
        row.remote_access,
        Source(row.source),
        row.package_id,
        row.people_id is not None,
        row.keep_until,
        row.recorded_at,
        row.recorded_by,
    )


def china_date(timestamp: str) -> str:
    """The date in China of an ISO 8601 time (UTC if it names no zone)."""
    when = _dt.datetime.fromisoformat(timestamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return when.astimezone(CHINA_TIME).date().isoformat()


def today_in_china() -> _dt.date:
    return clock.today()


def keep_until(provided_on: str) -> str:
    """The first day a record of a provision on ``provided_on`` may be deleted (NDS-12)."""
    years = int(rules()["NDS-12"].param("keep_years"))
    day = _dt.date.fromisoformat(provided_on)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February → 1 March
        return (day.replace(month=3, day=1, year=day.year + years)).isoformat()


def region_of(text: str) -> Location:
    """The recipient's location from a room's free-text region (``CN``, ``HK``, ``香港``…)."""
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    for location, names in _REGIONS.items():
        if value in names:
            return location
    return Location.ABROAD


_REGIONS: dict[Location, frozenset[str]] = {
    Location.MAINLAND: frozenset({"", "cn", "chn", "mainland", "中国大陆", "大陆", "境内", "中国"}),
    Location.HONG_KONG: frozenset({"hk", "hkg", "hong_kong", "hongkong", "香港"}),
    Location.MACAO: frozenset({"mo", "mac", "macao", "macau", "澳门"}),
    Location.TAIWAN: frozenset({"tw", "twn", "taiwan", "台湾"}),
}


# --- recording ---------------------------------------------------------------------------------


def _add(
    session: Session,
    vault: Vault,
    *,
    actor: Actor,
    deal_id: str,
    provided_at: str,
    provided_on: str,
    individuals: int,
    sensitive: int,
    purpose: str,
    recipient: str,
    region: Location,
    remote_access: bool,
    source: Source,
    recipient_user: str = "",
    package_id: str | None = None,
    object_id: str | None = None,
    copy_id: str | None = None,
    people_id: str | None = None,
) -> Provision:
    row = Provision(
        id=new_id(),
        deal_id=deal_id,
        provided_at=provided_at,
        provided_on=provided_on,
        individuals=individuals,
        sensitive_individuals=sensitive,
        purpose=purpose[:MAX_TEXT],
        recipient=recipient[:200],
        recipient_user=recipient_user[:200],
        region=region.value,
        remote_access=remote_access,
        source=source.value,
        package_id=package_id,
        object_id=object_id,
        copy_id=copy_id,
        people_id=people_id,
        keep_until=keep_until(provided_on),
        recorded_at=now(),
        recorded_by=actor.name,
    )
    session.add(row)
    # kinds and counts only: the recipient is a company or a user of the room
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.PROVISION_RECORD,
        obj=f"deal:{deal_id}",
        details={
            "provision": row.id,
            "source": source.value,
            "region": region.value,
            "remote_access": remote_access,
            "individuals": individuals,
            "sensitive": sensitive,
            "package": package_id,
            "deduplicated": people_id is not None,
        },
    )
    return row


def recipient_facts(
    session: Session, vault: Vault, deal_id: str
) -> tuple[str, Location, bool, str]:
    """(recipient name, location, remote access, purpose) from the deal's profile, else the
    room's recipient region."""
    p = profile_of(session, vault, deal_id)
    if p.transfer_type is not None:
        return p.recipient_name, p.recipient_location, p.remote_access_abroad, p.purpose
    room = session.get(Room, deal_id)
    return "", region_of(room.recipient_region if room else ""), False, ""


def record_download(
    session: Session,
    vault: Vault,
    *,
    actor: Actor,
    deal_id: str,
    copy: Copy,
    side: str,
    people: PeopleRef | None,
) -> Provision:
    """Record the first download of a protected copy, in the data room's transaction (the
    download was authorized there). The recipient is the deal's recipient when the profile
    names one, else the downloading user's side."""
    name, location, remote, purpose = recipient_facts(session, vault, deal_id)
    ts = copy.provided_at or now()
    individuals = people.persons if people else int(copy.individuals or 0)
    sensitive = people.sensitive_persons if people else 0
    return _add(
        session,
        vault,
        actor=actor,
        deal_id=deal_id,
        provided_at=ts,
        provided_on=china_date(ts),
        individuals=individuals,
        sensitive=sensitive,
        purpose=purpose or "尽职调查 / due diligence",
        recipient=name or side,
        recipient_user=actor.name,
        region=location,
        remote_access=remote,
        source=Source.DATAROOM,
        package_id=copy.package_id,
        object_id=copy.object_id,
        copy_id=copy.id,
        people_id=people.id if people else None,
    )


def needs_record(vault: Vault, copy_id: str) -> bool:
    """Whether downloading this copy now provides it (first time, or again after its holder
    confirmed deleting it)."""
    with vault.reading() as session:
        copy = session.get(Copy, copy_id)
        return copy is None or copy.provided_at is None or copy.deletion_confirmed_at is not None


def record_protect_run(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    recipient: str,
    package_id: str,
    people_id: str,
) -> ProvisionRecord:
    """Record a protect run made for the deal's recipient (its inputs' people are kept)."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_EDIT, deal_id)
    people = people_ref(vault, people_id)
    if people is None:
        raise InputError(tr("没有该数据集", "no such data set"))
    with vault.transaction() as session:
        _, location, remote, purpose = recipient_facts(session, vault, deal_id)
        ts = now()
        row = _add(
            session,
            vault,
            actor=actor,
            deal_id=deal_id,
            provided_at=ts,
            provided_on=china_date(ts),
            individuals=people.persons,
            sensitive=people.sensitive_persons,
            purpose=purpose or "尽职调查 / due diligence",
            recipient=recipient,
            region=location,
            remote_access=remote,
            source=Source.PROTECT,
            package_id=package_id,
            people_id=people.id,
        )
        session.flush()
        return _record(row)


def add_manual(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    recipient: str,
    region: Location,
    individuals: int,
    sensitive: int,
    purpose: str,
    provided_on: _dt.date | None = None,
    remote_access: bool = False,
) -> ProvisionRecord:
    """Record a provision made outside baomi: counts only (not deduplicated)."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_EDIT, deal_id)
    if not recipient.strip():
        raise InputError(tr("请填写接收方", "the recipient is needed"))
    if len(recipient) > 200 or len(purpose) > MAX_TEXT:
        raise InputError(tr("文字过长", "text too long"))
    if individuals < 0 or sensitive < 0:
        raise InputError(tr("人数不能为负数", "counts cannot be negative"))
    if sensitive > individuals:
        raise InputError(
            tr("敏感个人信息人数不能超过总人数", "sensitive individuals exceed individuals")
        )
    day = provided_on or today_in_china()
    if day > today_in_china():
        raise InputError(tr("提供日期不能晚于今天", "the date cannot be in the future"))
    with vault.transaction() as session:
        row = _add(
            session,
            vault,
            actor=actor,
            deal_id=deal_id,
            provided_at=_dt.datetime.combine(day, _dt.time(), CHINA_TIME).isoformat(),
            provided_on=day.isoformat(),
            individuals=individuals,
            sensitive=sensitive,
            purpose=purpose.strip(),
            recipient=recipient.strip(),
            region=region,
            remote_access=remote_access,
            source=Source.MANUAL,
        )
        session.flush()
        return _record(row)


def provisions(vault: Vault, *, actor: Actor, deal_ref: str) -> list[ProvisionRecord]:
    """The deal's provision records, oldest first."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_VIEW, deal_id)
    with vault.reading() as session:
        rows = session.execute(
            select(Provision)
            .where(Provision.deal_id == deal_id)
            .order_by(Provision.provided_at, Provision.id)
        ).scalars()
        return [_record(r) for r in rows]


def delete(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    provision_id: str,
    today: _dt.date | None = None,
) -> None:
    """Delete a record whose retention ended; refused (with the date it ends) before that."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    audit.require(vault, actor, Action.COMPLY_EDIT, obj=f"deal:{deal_id}", resource=deal_id)
    day = (today or today_in_china()).isoformat()
    with vault.transaction() as session:
        row = session.get(Provision, provision_id)
        if row is None or row.deal_id != deal_id:
            raise InputError(tr("没有该提供记录", "no such provision record"))
        if day < row.keep_until:
            raise InputError(
                tr(
                    f"提供记录应至少保存 3 年（NDS-12），{row.keep_until} 之前不能删除",
                    f"provision records are kept at least 3 years (NDS-12); this one cannot be "
                    f"deleted before {row.keep_until}",
                )
            )
        people_id = row.people_id
        session.delete(row)
        session.flush()
        if people_id is not None:
            shared = session.execute(
                select(Provision.id).where(Provision.people_id == people_id).limit(1)
            ).first()
            if shared is None:
                held = session.get(ProvisionPeople, people_id)
                if held is not None:
                    session.delete(held)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.PROVISION_DELETE,
            obj=f"deal:{deal_id}",
            details={"provision": provision_id},
        )


# --- the cross-border count --------------------------------------------------------------------


@dataclass(frozen=True)
class AbroadTotals:
    """Individuals provided outside the mainland (XB-DEF) in one calendar year, cumulated over
    the company's deals (XB16-5/7/8, XB-CNT)."""

    uscc: str
    year: int
    individuals: int
    sensitive_individuals: int
    #: the provisions counted
    provisions: tuple[ProvisionRecord, ...]
    #: provisions counted by their own figures (manual, or kept without people)
    not_deduplicated: int
    #: whether people were counted once across provisions (XB-CNT's parameter)
    deduplicated: bool
    #: the deals the company's provisions came from
    deals: tuple[str, ...]


def company_deals(session: Session, uscc: str, deal_id: str) -> list[str]:
    """The deals of the company ``uscc`` (the rooms with that target), and ``deal_id``."""
    found = {deal_id}
    if uscc:
        found |= set(
            session.execute(select(Room.deal_id).where(Room.target_uscc == uscc)).scalars()
        )
    return sorted(found)


def abroad_totals(
    session: Session, *, uscc: str, deal_id: str, year: int, until: _dt.date | None = None
) -> AbroadTotals:
    """The year's cross-border count for the company (inside a session; no check here):
    provisions dated 1 January – 31 December of ``year`` (China time, up to ``until``) to a
    recipient outside the mainland or with remote access from abroad."""
    cnt = rules()["XB-CNT"]
    last = min(_dt.date(year, 12, 31), until) if until else _dt.date(year, 12, 31)
    ids = company_deals(session, uscc, deal_id)
    rows = list(
        session.execute(
            select(Provision)
            .where(
                Provision.deal_id.in_(ids),
                Provision.provided_on >= f"{year:04d}-01-01",
                Provision.provided_on <= last.isoformat(),
            )
            .order_by(Provision.provided_at, Provision.id)
        ).scalars()
    )
    counted = [r for r in rows if _record(r).abroad]
    dedupe = bool(cnt.param("dedupe_by_person"))
    people_ids = sorted({r.people_id for r in counted if r.people_id}) if dedupe else []
    groups = [
        People.from_bytes(p.data)
        for p in session.execute(
            select(ProvisionPeople).where(ProvisionPeople.id.in_(people_ids))
        ).scalars()
    ]
    individuals, sensitive = count_people(groups)
    loose = [r for r in counted if not dedupe or r.people_id is None]
    individuals += sum(r.individuals for r in loose)
    sensitive += sum(r.sensitive_individuals for r in loose)
    return AbroadTotals(
        uscc=uscc,
        year=year,
        individuals=individuals,
        sensitive_individuals=sensitive,
        provisions=tuple(_record(r) for r in counted),
        not_deduplicated=len(loose),
        deduplicated=dedupe,
        deals=tuple(sorted({r.deal_id for r in counted})),
    )
