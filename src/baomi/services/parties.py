"""The platform's own clients (sellers, buyers): personal fields sealed field by field.

Each personal field is sealed with the field key (AES-256-GCM, associated data naming the party
and the field) and has a keyed hash (HMAC-SHA256 under the index key) beside it, so an exact
match can be looked up without the value ever being stored in clear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import one_of, tr
from baomi.services import audit
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Party

#: Personal fields kept sealed, with a keyed hash for lookup.
FIELDS = ("id_number", "phone", "bank_account")
ROLES = ("seller", "buyer", "lawyer", "other")
#: what each is called in a message (Chinese, English)
_LABELS = {
    "id_number": ("身份证号", "ID number"),
    "phone": ("手机号", "phone"),
    "bank_account": ("银行账号", "bank account"),
    "seller": ("卖方", "seller"),
    "buyer": ("买方", "buyer"),
    "lawyer": ("律师", "lawyer"),
    "other": ("其他", "other"),
}


@dataclass(frozen=True)
class PartyPublic:
    """A party, decrypted for an authorised operator."""

    id: str
    role: str
    name: str
    id_number: str | None
    phone: str | None
    bank_account: str | None


def normalise(field_name: str, value: str) -> str:
    """The canonical form hashed for lookup (spaces, dashes, +86 and case do not matter)."""
    value = re.sub(r"[\s\-]", "", value)
    if field_name == "phone":
        value = re.sub(r"^(\+86|0086)", "", value)
    return value.upper()


def _aad(party_id: str, field_name: str) -> bytes:
    return crypto.aad("party", party=party_id, field=field_name)


def add(
    vault: Vault,
    *,
    actor: Actor,
    role: str,
    name: str,
    id_number: str | None = None,
    phone: str | None = None,
    bank_account: str | None = None,
    deal_ref: str | None = None,
) -> str:
    """Store a party; returns its id. The audit event names the party id only."""
    deal_id = None
    if deal_ref:
        with vault.reading() as session:
            deal_id = find_deal(session, deal_ref).id
    audit.require(
        vault,
        actor,
        Action.PARTY_ADD,
        obj=f"deal:{deal_id}" if deal_id else "party",
        resource=deal_id,
    )
    if role not in ROLES:
        raise InputError(one_of("角色", "role", ((r, tr(*_LABELS[r])) for r in ROLES)))
    field_key = vault.platform_key("fields")
    index_key = vault.platform_key("index")
    party_id = new_id()
    values = {"id_number": id_number, "phone": phone, "bank_account": bank_account}
    with vault.transaction() as session:
        row = Party(
            id=party_id,
            deal_id=deal_id,
            role=role,
            name_sealed=crypto.seal(field_key, name.encode(), _aad(party_id, "name")),
            created_at=now(),
        )
        for field_name, value in values.items():
            if value:
                norm = normalise(field_name, value)
                setattr(
                    row,
                    f"{field_name}_sealed",
                    crypto.seal(field_key, norm.encode(), _aad(party_id, field_name)),
                )
                setattr(
                    row, f"{field_name}_hmac", crypto.keyed_hash(index_key, f"{field_name}:{norm}")
                )
        session.add(row)
        session.flush()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.PARTY_ADD,
            obj=f"party:{party_id}",
            details={"role": role, "deal": deal_id},
        )
    return party_id


def find(vault: Vault, *, actor: Actor, field_name: str, value: str) -> list[PartyPublic]:
    """Parties whose ``field_name`` equals ``value`` exactly (by keyed hash); audited."""
    audit.require(vault, actor, Action.PARTY_FIND, obj=f"field:{field_name}")
    if field_name not in FIELDS:
        raise InputError(one_of("字段", "field", ((f, tr(*_LABELS[f])) for f in FIELDS)))
    field_key = vault.platform_key("fields")
    digest = crypto.keyed_hash(
        vault.platform_key("index"), f"{field_name}:{normalise(field_name, value)}"
    )
    with vault.transaction() as session:
        rows = (
            session.execute(
                select(Party)
                .where(getattr(Party, f"{field_name}_hmac") == digest)
                .order_by(Party.created_at)
            )
            .scalars()
            .all()
        )
        found = [_decrypt(field_key, r) for r in rows]
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.PARTY_LOOKUP,
            obj=f"field:{field_name}",
            details={"matches": len(found)},
        )
    return found


def _decrypt(key: bytes, row: Party) -> PartyPublic:
    def opened(field_name: str, sealed: bytes | None) -> str | None:
        if sealed is None:
            return None
        return crypto.open_sealed(key, sealed, _aad(row.id, field_name)).decode()

    return PartyPublic(
        row.id,
        row.role,
        opened("name", row.name_sealed) or "",
        opened("id_number", row.id_number_sealed),
        opened("phone", row.phone_sealed),
        opened("bank_account", row.bank_account_sealed),
    )
