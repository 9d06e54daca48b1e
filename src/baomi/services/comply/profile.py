"""The facts an assessment starts from: how a deal transfers the company, to whom and where
the recipient is (the deal's profile), and what people enter about the company (CIIO, important
data, turnover, staff).

Nothing here is meant to be personal information, but the recipient's contact can be a
person's phone: it is stored sealed (:mod:`~baomi.services.comply.recipient_contact`), so
reading a profile that has one needs the vault's field key."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm import Session

from baomi.engine.audit_chain import AuditAction
from baomi.engine.checksums import is_valid_uscc
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.recipient_contact import open_contact, seal_contact
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, now
from baomi.storage.models import Company, DealProfile, Provision, Room


class TransferType(StrEnum):
    """How the company (or its customer data) changes hands; the rules that follow differ."""

    #: shares change hands; the company, the PI processor, stays the same legal person (TX-1)
    EQUITY = "equity"
    MERGER = "merger"  # PIPL-22, NDS-14, S35-9.3
    DIVISION = "division"  # PIPL-22, NDS-14
    #: the customer list is sold as an asset: a provision to another processor (PIPL-23, TX-6)
    ASSET_SALE = "asset_sale"
    #: dissolution or deregistration without a successor (PIPL-47(2), S35-6.4, TX-4)
    DISSOLUTION = "dissolution"
    BANKRUPTCY = "bankruptcy"  # PIPL-22, S35-9.3(c), TX-5


class Location(StrEnum):
    """Where the recipient is. Hong Kong, Macao and Taiwan count as outside the mainland for
    cross-border rules (XB-DEF)."""

    MAINLAND = "mainland"
    HONG_KONG = "hong_kong"
    MACAO = "macao"
    TAIWAN = "taiwan"
    ABROAD = "abroad"

    @property
    def outside_mainland(self) -> bool:
        return self is not Location.MAINLAND

    @property
    def label(self) -> str:
        return {
            Location.MAINLAND: tr("境内（大陆）", "mainland China"),
            Location.HONG_KONG: tr("香港", "Hong Kong"),
            Location.MACAO: tr("澳门", "Macao"),
            Location.TAIWAN: tr("台湾", "Taiwan"),
            Location.ABROAD: tr("境外", "abroad"),
        }[self]


class Exemption(StrEnum):
    """Exemptions from the cross-border mechanisms (XB16-5, NDS-35)."""

    CONTRACT = "contract"  # necessary to conclude or perform a contract with the individual
    HR = "hr"  # cross-border human-resources management
    EMERGENCY = "emergency"  # protecting life, health or property in an emergency


@dataclass(frozen=True)
class CompanyFacts:
    uscc: str
    ciio: bool = False
    important_data: bool = False
    turnover_yuan: int | None = None
    staff: int | None = None
    pi_business: bool = False
    #: False when nobody has entered the facts yet (the defaults are shown)
    entered: bool = False


@dataclass(frozen=True)
class Profile:
    deal_id: str
    deal_name: str
    #: the target company's code, from the deal's room ("" without a room)
    uscc: str
    transfer_type: TransferType | None
    recipient_name: str = ""
    recipient_contact: str = ""
    recipient_location: Location = Location.MAINLAND
    remote_access_abroad: bool = False
    purpose: str = ""
    exemption: Exemption | None = None

    @property
    def abroad(self) -> bool:
        """Whether the data leaves the mainland (a recipient outside it, or remote access from
        abroad — XB-DEF)."""
        return self.recipient_location.outside_mainland or self.remote_access_abroad


def _company(session: Session, uscc: str) -> CompanyFacts:
    row = session.get(Company, uscc)
    if row is None:
        return CompanyFacts(uscc)
    return CompanyFacts(
        uscc,
        row.ciio,
        row.important_data,
        row.turnover_yuan,
        row.staff,
        row.pi_business,
        entered=True,
    )


def company(vault: Vault, *, actor: Actor, uscc: str) -> CompanyFacts:
    """The company's facts (defaults when none were entered)."""
    authorize(actor, Action.COMPLY_VIEW)
    with vault.reading() as session:
        return _company(session, uscc)


def set_company(
    vault: Vault,
    *,
    actor: Actor,
    uscc: str,
    ciio: bool,
    important_data: bool,
    turnover_yuan: int | None,
    staff: int | None,
    pi_business: bool,
) -> CompanyFacts:
    """Enter (or correct) the company's facts."""
    authorize(actor, Action.COMPLY_EDIT)
    if not is_valid_uscc(uscc):
        raise InputError(tr("统一社会信用代码无效", "invalid unified social credit code"))
    if turnover_yuan is not None and turnover_yuan < 0:
        raise InputError(tr("营业额不能为负数", "turnover cannot be negative"))
    if staff is not None and staff < 0:
        raise InputError(tr("员工人数不能为负数", "staff cannot be negative"))
    with vault.transaction() as session:
        row = session.get(Company, uscc)
        if row is None:
            row = Company(uscc=uscc)
            session.add(row)
        row.ciio, row.important_data, row.pi_business = ciio, important_data, pi_business
        row.turnover_yuan, row.staff = turnover_yuan, staff
        row.updated_at, row.updated_by = now(), actor.name
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.COMPANY_SET,
            obj=f"company:{uscc}",
            details={"ciio": ciio, "important_data": important_data, "staff": staff},
        )
        return _company(session, uscc)


def _contact(vault: Vault, row: DealProfile) -> str:
    """The recipient's contact: sealed, or (a row migration 0017 could not seal) the value an
    older version stored in clear, until the profile's next write seals it."""
    if row.recipient_contact_sealed is None:
        return row.recipient_contact
    return open_contact(vault.platform_key("fields"), row.deal_id, row.recipient_contact_sealed)


def _profile(session: Session, vault: Vault, deal_ref: str) -> Profile:
    deal = find_deal(session, deal_ref)
    room = session.get(Room, deal.id)
    uscc = room.target_uscc if room is not None else ""
    row = session.get(DealProfile, deal.id)
    if row is None:
        return Profile(deal.id, deal.name, uscc, None)
    return Profile(
        deal.id,
        deal.name,
        uscc,
        TransferType(row.transfer_type),
        row.recipient_name,
        _contact(vault, row),
        Location(row.recipient_location),
        row.remote_access_abroad,
        row.purpose,
        Exemption(row.exemption) if row.exemption else None,
    )


def profile_of(session: Session, vault: Vault, deal_ref: str) -> Profile:
    """The deal's profile inside an open session (for other comply services; no check here);
    ``vault`` opens the recipient's contact."""
    return _profile(session, vault, deal_ref)


def company_of(session: Session, uscc: str) -> CompanyFacts:
    """The company's facts inside an open session (for other comply services; no check here)."""
    return _company(session, uscc)


def profile(vault: Vault, *, actor: Actor, deal_ref: str) -> Profile:
    """The deal's transfer profile (``transfer_type`` is ``None`` until someone sets it)."""
    with vault.reading() as session:
        deal = find_deal(session, deal_ref)
    authorize(actor, Action.COMPLY_VIEW, deal.id)
    with vault.reading() as session:
        return _profile(session, vault, deal.id)


#: The provisions recorded without a profile: from the data room's downloads and protect runs
#: for the deal, whose recipient's region was the room's (``comply/provisions.recipient_facts``).
_ASSUMED_SOURCES = ("dataroom", "protect")


def _assumed_provisions(
    session: Session, deal_id: str, name: str, location: Location, remote: bool
) -> int:
    """The deal's provisions recorded before it had a profile take the profile's recipient
    facts (NDS-12 records what happened: the recipient was where the profile says, not where
    the room's default put it; XB-CNT counts them). How many there were."""
    assumed = (Provision.deal_id == deal_id, Provision.source.in_(_ASSUMED_SOURCES))
    done = session.execute(
        update(Provision).where(*assumed).values(region=location.value, remote_access=remote)
    )
    if name:  # a download named the downloading side for want of a name; a protect run its own
        session.execute(
            update(Provision)
            .where(Provision.deal_id == deal_id, Provision.source == "dataroom")
            .values(recipient=name)
        )
    return int(getattr(done, "rowcount", 0) or 0)


def set_profile(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    transfer_type: TransferType,
    recipient_name: str = "",
    recipient_contact: str = "",
    recipient_location: Location = Location.MAINLAND,
    remote_access_abroad: bool = False,
    purpose: str = "",
    exemption: Exemption | None = None,
) -> Profile:
    """Record how the deal transfers the company and to whom."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_EDIT, deal_id)
    for text, limit in ((recipient_name, 200), (recipient_contact, 200), (purpose, 4000)):
        if len(text) > limit:
            raise InputError(tr(f"文字过长（最多 {limit} 字）", f"text too long (max {limit})"))
    # the key before the write lock is taken (and only when there is something to seal)
    field_key = vault.platform_key("fields") if recipient_contact else b""
    with vault.transaction() as session:
        row = session.get(DealProfile, deal_id)
        first = row is None or row.transfer_type is None
        if row is None:
            row = DealProfile(deal_id=deal_id)
            session.add(row)
        row.transfer_type = transfer_type.value
        row.recipient_name = recipient_name.strip()
        # sealed; a clear value an older version left (see migration 0017) goes now
        row.recipient_contact_sealed = seal_contact(field_key, deal_id, recipient_contact)
        row.recipient_contact = ""
        row.recipient_location = recipient_location.value
        row.remote_access_abroad, row.purpose = remote_access_abroad, purpose
        row.exemption = exemption.value if exemption else None
        row.updated_at, row.updated_by = now(), actor.name
        details: dict[str, object] = {
            "transfer_type": transfer_type.value,
            "recipient_location": recipient_location.value,
            "remote_access_abroad": remote_access_abroad,
            "exemption": exemption.value if exemption else None,
        }
        room = session.get(Room, deal_id)
        if room is not None:  # the room shows where the recipient is: the profile's word
            room.recipient_region = recipient_location.value
        if first:
            details["provisions_updated"] = _assumed_provisions(
                session, deal_id, row.recipient_name, recipient_location, remote_access_abroad
            )
        # the recipient's name and contact are a company's; a person's would be PI, so the
        # audit event carries the kinds, not the texts
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.PROFILE_SET,
            obj=f"deal:{deal_id}",
            details=details,
        )
        session.flush()
        return _profile(session, vault, deal_id)
