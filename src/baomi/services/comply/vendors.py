"""The third-party register of a target company: service providers, advisers, the buyer — who
receives or processes the company's PI, on what terms, how risky, and how it ended (PIPL-21).

For each party: its kind and contact (sealed: it may name a person), the selection criteria met,
the NDA (signed, date, file), the entrusted-processing contract's PIPL-21 contents as a checklist,
service-quality and data-security ratings (1–5), the contract's start and end, and a **risk
score** computed from those with the weights in ``vendors.yaml``:

    risk = contract_missing × (PIPL-21 contents missing) + no_nda × (no signed NDA)
         + criterion_missing × (criteria not met)
         + quality × (max_rating − quality) + security × (max_rating − security)

capped at 100; a rating not entered counts as 1 (the worst); bands ``medium`` and ``high`` are
the lowest scores of those bands.

**Reminders.** A contract is *ending soon* when its end date is between today and today + N days,
both included (N: ``reminder_days`` in ``vendors.yaml`` or the caller's). A party whose contract
ended before today and that is not closed is *ended without return-or-delete confirmation*.

**Closing** a party requires the return-or-delete confirmation PIPL-21 asks for: returned or
deleted, who confirmed, on which date, and optionally the evidence file. A party is never closed
without it.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi.engine.audit_chain import AuditAction
from baomi.errors import ConfigError, InputError, NotFoundError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.scope import (
    Choice,
    FileInfo,
    Target,
    add_file,
    choices,
    data_file,
    files_of,
    open_text,
    owner_of,
    require_own,
    seal_text,
    target,
    today,
)
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Deal, Vendor

MAX_NAME = 200
MAX_CONTACT = 200


class Kind(StrEnum):
    SERVICE_PROVIDER = "service_provider"
    ADVISER = "adviser"
    BUYER = "buyer"
    OTHER = "other"


class Ending(StrEnum):
    """How the party's copy of the PI ended (PIPL-21: returned or deleted, nothing kept)."""

    RETURNED = "returned"
    DELETED = "deleted"

    @property
    def label(self) -> str:
        return tr("已返还", "returned") if self is Ending.RETURNED else tr("已删除", "deleted")


#: Risk bands in the reader's language.
BANDS = {"low": ("低", "low"), "medium": ("中", "medium"), "high": ("高", "high")}


def band_label(band: str) -> str:
    return tr(*BANDS[band])


class FilePurpose(StrEnum):
    NDA = "nda"
    CONTRACT = "contract"
    RETURN = "return"


@dataclass(frozen=True)
class RiskWeights:
    contract_missing: int
    no_nda: int
    criterion_missing: int
    quality: int
    security: int
    max_rating: int
    medium: int
    high: int


@dataclass(frozen=True)
class Config:
    kinds: tuple[Choice, ...]
    criteria: tuple[Choice, ...]
    contract: tuple[Choice, ...]
    risk: RiskWeights
    reminder_days: int

    def kind(self, kind: Kind) -> Choice:
        return next(k for k in self.kinds if k.key == kind.value)


def _parse_config(doc: Any) -> Config:
    try:
        r = doc["risk"]
        config = Config(
            choices(doc["kinds"]),
            choices(doc["criteria"]),
            choices(doc["contract"]),
            RiskWeights(
                int(r["contract_missing"]),
                int(r["no_nda"]),
                int(r["criterion_missing"]),
                int(r["quality"]),
                int(r["security"]),
                int(r["max_rating"]),
                int(r["bands"]["medium"]),
                int(r["bands"]["high"]),
            ),
            int(doc["reminder_days"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"vendors.yaml: {exc!r}") from None
    if {k.key for k in config.kinds} != {k.value for k in Kind}:
        raise ConfigError("vendors.yaml: kinds must be exactly " + ", ".join(Kind))
    if not 0 < config.risk.medium < config.risk.high or config.reminder_days < 0:
        raise ConfigError("vendors.yaml: 0 < medium < high and reminder_days ≥ 0")
    return config


@cache
def config() -> Config:
    """Kinds, criteria, PIPL-21 contract contents, risk weights and reminder days."""
    return _parse_config(data_file("vendors.yaml"))


# --- pure rules ------------------------------------------------------------------------------


def risk_score(
    *,
    criteria: Iterable[str],
    contract: Iterable[str],
    nda_signed: bool,
    quality: int | None,
    security: int | None,
    cfg: Config | None = None,
) -> int:
    """The party's risk, 0–100, by the formula in ``vendors.yaml`` (module docstring)."""
    cfg = cfg or config()
    w = cfg.risk
    met = set(criteria)
    present = set(contract)
    value = w.contract_missing * sum(1 for c in cfg.contract if c.key not in present)
    value += w.criterion_missing * sum(1 for c in cfg.criteria if c.key not in met)
    value += 0 if nda_signed else w.no_nda
    value += w.quality * (w.max_rating - (quality or 1))
    value += w.security * (w.max_rating - (security or 1))
    return min(100, value)


def risk_band(value: int, cfg: Config | None = None) -> str:
    """``high`` from the high mark, ``medium`` from the medium mark, else ``low``."""
    w = (cfg or config()).risk
    if value >= w.high:
        return "high"
    return "medium" if value >= w.medium else "low"


def ending_soon(end: _dt.date | None, on: _dt.date, days: int) -> bool:
    """The contract ends between ``on`` and ``on + days``, both included."""
    return end is not None and on <= end <= on + _dt.timedelta(days=days)


def ended_unconfirmed(end: _dt.date | None, on: _dt.date, closed: bool) -> bool:
    """The contract ended before ``on`` and nobody confirmed the return or deletion."""
    return end is not None and end < on and not closed


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorInput:
    """What people enter about a party (adding or changing it)."""

    name: str
    kind: Kind
    contact: str = ""
    criteria: tuple[str, ...] = ()
    nda_signed: bool = False
    nda_date: _dt.date | None = None
    contract: tuple[str, ...] = ()
    quality: int | None = None
    security: int | None = None
    contract_start: _dt.date | None = None
    contract_end: _dt.date | None = None
    #: the deal whose buyer this party is (name or id), if any
    buyer_of: str | None = None


@dataclass(frozen=True)
class VendorInfo:
    id: str
    uscc: str
    name: str
    kind: Kind
    contact: str
    deal_id: str | None
    deal_name: str | None
    criteria: tuple[str, ...]
    nda_signed: bool
    nda_date: _dt.date | None
    contract: tuple[str, ...]
    quality: int | None
    security: int | None
    contract_start: _dt.date | None
    contract_end: _dt.date | None
    risk: int
    band: str
    closed_at: str | None
    ending: Ending | None
    confirmed_by: str | None
    confirmed_on: _dt.date | None
    files: Mapping[str, tuple[FileInfo, ...]] = field(default_factory=dict)

    @property
    def missing_contract(self) -> tuple[str, ...]:
        """The PIPL-21 contents the contract lacks."""
        return tuple(c.key for c in config().contract if c.key not in self.contract)


@dataclass(frozen=True)
class Reminders:
    on: _dt.date
    days: int
    ending_soon: tuple[VendorInfo, ...]
    ended_unconfirmed: tuple[VendorInfo, ...]


def _date(text: str | None) -> _dt.date | None:
    return _dt.date.fromisoformat(text) if text else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(x for x in text.split(",") if x)


def _info(session: Session, vault: Vault, row: Vendor) -> VendorInfo:
    owners = [f"vendor:{row.id}:{p.value}" for p in FilePurpose]
    attached = files_of(session, vault, row.uscc, owners)
    deal = session.get(Deal, row.deal_id) if row.deal_id else None
    criteria, contract = _split(row.criteria), _split(row.contract)
    risk = risk_score(
        criteria=criteria,
        contract=contract,
        nda_signed=row.nda_signed,
        quality=row.quality,
        security=row.security,
    )
    return VendorInfo(
        row.id,
        row.uscc,
        row.name,
        Kind(row.kind),
        open_text(vault, row.uscc, f"vendor:{row.id}", row.contact_sealed),
        row.deal_id,
        deal.name if deal else None,
        criteria,
        row.nda_signed,
        _date(row.nda_date),
        contract,
        row.quality,
        row.security,
        _date(row.contract_start),
        _date(row.contract_end),
        risk,
        risk_band(risk),
        row.closed_at,
        Ending(row.returned_or_deleted) if row.returned_or_deleted else None,
        row.confirmed_by,
        _date(row.confirmed_on),
        {p.value: tuple(attached[f"vendor:{row.id}:{p.value}"]) for p in FilePurpose},
    )


def _rows(session: Session, uscc: str | None) -> list[Vendor]:
    query = select(Vendor).order_by(Vendor.created_at, Vendor.id)
    if uscc is not None:
        query = query.where(Vendor.uscc == uscc)
    return list(session.execute(query).scalars())


def vendors(
    vault: Vault, *, actor: Actor, deal_ref: str | None = None, uscc: str | None = None
) -> list[VendorInfo]:
    """The company's register, oldest entry first (closed parties included)."""
    found = target(vault, actor, Action.COMPLY_VIEW, deal_ref=deal_ref, uscc=uscc)
    with vault.reading() as session:
        return [_info(session, vault, r) for r in _rows(session, found.uscc)]


def _validate(data: VendorInput) -> None:
    cfg = config()
    if not data.name.strip() or len(data.name) > MAX_NAME:
        raise InputError(tr("名称为空或过长", "the name is empty or too long"))
    if len(data.contact) > MAX_CONTACT:
        raise InputError(tr("联系方式过长", "contact too long"))
    unknown = set(data.criteria) - {c.key for c in cfg.criteria}
    unknown |= set(data.contract) - {c.key for c in cfg.contract}
    if unknown:
        raise InputError(tr(f"未知选项 {sorted(unknown)}", f"unknown options {sorted(unknown)}"))
    for rating in (data.quality, data.security):
        if rating is not None and not 1 <= rating <= cfg.risk.max_rating:
            raise InputError(
                tr(
                    f"评分须为 1–{cfg.risk.max_rating}",
                    f"a rating is 1–{cfg.risk.max_rating}",
                )
            )
    if data.contract_start and data.contract_end and data.contract_end < data.contract_start:
        raise InputError(tr("合同结束日期早于开始日期", "the contract ends before it starts"))
    if data.buyer_of is not None and data.kind is not Kind.BUYER:
        raise InputError(tr("只有买方可关联交易", "only a buyer is linked to a deal"))


def _apply(session: Session, vault: Vault, row: Vendor, data: VendorInput) -> None:
    row.name, row.kind = data.name.strip(), data.kind.value
    row.contact_sealed = seal_text(vault, row.uscc, f"vendor:{row.id}", data.contact.strip())
    row.deal_id = find_deal(session, data.buyer_of).id if data.buyer_of else None
    row.criteria = ",".join(c.key for c in config().criteria if c.key in data.criteria)
    row.contract = ",".join(c.key for c in config().contract if c.key in data.contract)
    row.nda_signed = data.nda_signed
    row.nda_date = data.nda_date.isoformat() if data.nda_date else None
    row.quality, row.security = data.quality, data.security
    row.contract_start = data.contract_start.isoformat() if data.contract_start else None
    row.contract_end = data.contract_end.isoformat() if data.contract_end else None


def _facts(row: Vendor) -> dict[str, Any]:
    """What an audit event says about a party: kinds and counts, not its contact."""
    return {
        "company": row.uscc,
        "kind": row.kind,
        "deal": row.deal_id,
        "criteria": len(_split(row.criteria)),
        "contract": len(_split(row.contract)),
        "nda_signed": row.nda_signed,
        "contract_end": row.contract_end,
    }


def _no_vendor() -> NotFoundError:
    """What a party's id that is not in the company's register answers (an unknown one,
    another company's): the same words, no id (404)."""
    return NotFoundError(tr("登记册中没有该第三方", "no such third party in the register"))


def _own_vendor(vault: Vault, actor: Actor, found: Target, vendor_id: str) -> None:
    """Another company's party answers as an unknown one, the refusal recorded."""
    require_own(
        vault,
        actor,
        Action.COMPLY_EDIT,
        found,
        kind="vendor",
        lookup=lambda s: owner_of(s.get(Vendor, vendor_id)),
        missing=_no_vendor(),
    )


def _vendor(session: Session, found: Target, vendor_id: str) -> Vendor:
    row = session.get(Vendor, vendor_id)
    if row is None or row.uscc != found.uscc:
        raise _no_vendor()
    return row


def _same_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _refuse_duplicate(session: Session, uscc: str, name: str, vendor_id: str | None) -> None:
    """One open entry per party and company: the same name (ignoring spaces, case and
    full-width forms) again is refused; a closed engagement may be followed by a new one."""
    wanted = _same_name(name)
    rows = session.execute(
        select(Vendor.id, Vendor.name).where(Vendor.uscc == uscc, Vendor.closed_at.is_(None))
    ).all()
    if any(_same_name(other) == wanted and vid != vendor_id for vid, other in rows):
        raise InputError(
            tr(
                f"第三方“{name.strip()}”已在登记册中：同一公司的同一第三方只登记一次，"
                "请修改现有条目",
                f'the third party "{name.strip()}" is already in the register: a company '
                "registers each party once; change the existing entry",
            )
        )


def save_vendor(
    vault: Vault,
    *,
    actor: Actor,
    data: VendorInput,
    vendor_id: str | None = None,
    deal_ref: str | None = None,
    uscc: str | None = None,
) -> VendorInfo:
    """Enter a third party in the company's register (``vendor_id`` ``None``), or replace what
    is entered about an open one (a closed party stays as it was closed)."""
    _validate(data)
    found = target(vault, actor, Action.COMPLY_EDIT, deal_ref=deal_ref, uscc=uscc)
    if vendor_id is not None:
        _own_vendor(vault, actor, found, vendor_id)
    with vault.transaction() as session:
        stamp = now()
        _refuse_duplicate(session, found.uscc, data.name, vendor_id)
        if vendor_id is None:
            row = Vendor(
                id=new_id(), uscc=found.uscc, created_at=stamp, updated_at=stamp, updated_by=""
            )
            session.add(row)
        else:
            row = _vendor(session, found, vendor_id)
            if row.closed_at is not None:
                raise InputError(tr("该第三方已关闭", "this third party is closed"))
        _apply(session, vault, row, data)
        row.updated_at, row.updated_by = stamp, actor.name
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.VENDOR_ADD if vendor_id is None else AuditAction.VENDOR_SET,
            obj=f"vendor:{row.id}",
            details=_facts(row),
        )
        session.flush()
        return _info(session, vault, row)


def attach(
    vault: Vault,
    *,
    actor: Actor,
    vendor_id: str,
    purpose: FilePurpose,
    name: str,
    content: bytes,
    deal_ref: str | None = None,
    uscc: str | None = None,
) -> FileInfo:
    """Attach a sealed file (the NDA, the contract, a return-or-delete proof) to a party."""
    found = target(vault, actor, Action.COMPLY_EDIT, deal_ref=deal_ref, uscc=uscc)
    _own_vendor(vault, actor, found, vendor_id)
    with vault.transaction() as session:
        row = _vendor(session, found, vendor_id)
        return add_file(
            session,
            vault,
            actor=actor,
            uscc=found.uscc,
            owner=f"vendor:{row.id}:{purpose.value}",
            name=name,
            content=content,
        )


def close_vendor(
    vault: Vault,
    *,
    actor: Actor,
    vendor_id: str,
    ending: Ending | None,
    confirmed_by: str,
    confirmed_on: _dt.date | None = None,
    evidence: tuple[str, bytes] | None = None,
    deal_ref: str | None = None,
    uscc: str | None = None,
) -> VendorInfo:
    """Close a party once its return or deletion of the PI is confirmed (PIPL-21): how, by whom,
    when (default today), and optionally the proof. Without the confirmation nothing closes."""
    if ending is None or not confirmed_by.strip():
        raise InputError(
            tr(
                "关闭前须确认返还或删除（PIPL-21）：方式和确认人",
                "closing needs the return-or-delete confirmation (PIPL-21): how and who confirmed",
            )
        )
    if len(confirmed_by) > MAX_NAME:
        raise InputError(tr("确认人过长", "confirmed-by too long"))
    found = target(vault, actor, Action.COMPLY_EDIT, deal_ref=deal_ref, uscc=uscc)
    _own_vendor(vault, actor, found, vendor_id)
    day = confirmed_on or today()
    if day > today():
        raise InputError(tr("确认日期不能在将来", "the confirmation date cannot be in the future"))
    with vault.transaction() as session:
        row = _vendor(session, found, vendor_id)
        if row.closed_at is not None:
            raise InputError(tr("该第三方已关闭", "this third party is closed"))
        if evidence is not None:
            add_file(
                session,
                vault,
                actor=actor,
                uscc=found.uscc,
                owner=f"vendor:{row.id}:{FilePurpose.RETURN.value}",
                name=evidence[0],
                content=evidence[1],
            )
        row.closed_at = now()
        row.returned_or_deleted = ending.value
        row.confirmed_by, row.confirmed_on = confirmed_by.strip(), day.isoformat()
        row.updated_at, row.updated_by = row.closed_at, actor.name
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.VENDOR_CLOSE,
            obj=f"vendor:{row.id}",
            details={
                "company": row.uscc,
                "ending": ending.value,
                "confirmed_on": row.confirmed_on,
                "evidence": evidence is not None,
            },
        )
        session.flush()
        return _info(session, vault, row)


def reminders(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str | None = None,
    uscc: str | None = None,
    days: int | None = None,
    on: _dt.date | None = None,
) -> Reminders:
    """Open parties whose contract ends within ``days`` (default ``reminder_days``), and those
    whose contract ended without a return-or-delete confirmation. Without a deal or company:
    every company's (for an actor not limited to some deals)."""
    window = config().reminder_days if days is None else days
    if window < 0:
        raise InputError(tr("天数不能为负数", "days cannot be negative"))
    if deal_ref is None and uscc is None:
        # every company: only for an actor not limited to some deals
        everything = None if actor.deals is None else "company:*"
        audit.require(vault, actor, Action.COMPLY_VIEW, obj="company:*", resource=everything)
        scope: str | None = None
    else:
        scope = target(vault, actor, Action.COMPLY_VIEW, deal_ref=deal_ref, uscc=uscc).uscc
    day = on or today()
    with vault.reading() as session:
        open_rows = [r for r in _rows(session, scope) if r.closed_at is None]
        soon = [r for r in open_rows if ending_soon(_date(r.contract_end), day, window)]
        late = [r for r in open_rows if ended_unconfirmed(_date(r.contract_end), day, False)]
        return Reminders(
            day,
            window,
            tuple(_info(session, vault, r) for r in soon),
            tuple(_info(session, vault, r) for r in late),
        )
