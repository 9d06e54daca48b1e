from __future__ import annotations

import pytest
from sqlalchemy import text

from baomi.errors import CryptoError, InputError, PermissionDeniedError
from baomi.services import deals
from baomi.services.comply import profile
from baomi.services.comply.profile import Exemption, Location, TransferType
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.vault_support import mobile

OPERATOR = Actor("op", Role.OPERATOR)
BUYER = Actor("buyer", Role.BUYER)
USCC = "91350100M000100Y43"


def test_a_new_deal_has_no_transfer_type_until_set(vault: Vault) -> None:
    deal = deals.create(vault, actor=OPERATOR, name="d1")
    assert profile.profile(vault, actor=OPERATOR, deal_ref="d1").transfer_type is None
    p = profile.set_profile(
        vault,
        actor=OPERATOR,
        deal_ref=deal.id,
        transfer_type=TransferType.ASSET_SALE,
        recipient_name="买方公司",
        recipient_location=Location.HONG_KONG,
        exemption=Exemption.CONTRACT,
    )
    assert p.transfer_type is TransferType.ASSET_SALE
    assert p.abroad  # Hong Kong counts as outside the mainland (XB-DEF)
    again = profile.profile(vault, actor=OPERATOR, deal_ref="d1")
    assert again == p


def _raw_profile(vault: Vault, deal_id: str) -> tuple[str, bytes | None]:
    """The stored row as the database holds it (no model, no service)."""
    with vault.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT recipient_contact, recipient_contact_sealed FROM comply_deal_profiles "
                "WHERE deal_id = :d"
            ),
            {"d": deal_id},
        ).one()
    return row[0], None if row[1] is None else bytes(row[1])


def test_the_recipient_contact_is_stored_sealed_and_bound_to_its_deal(vault: Vault) -> None:
    """A person's mobile typed as the recipient's contact is PI: the row holds ciphertext only,
    and a sealed value copied to another deal's row does not open there."""
    contact = f"王经理 {mobile(7)}"
    first = deals.create(vault, actor=OPERATOR, name="sealed-1").id
    other = deals.create(vault, actor=OPERATOR, name="sealed-2").id
    for ref in (first, other):
        p = profile.set_profile(
            vault,
            actor=OPERATOR,
            deal_ref=ref,
            transfer_type=TransferType.MERGER,
            recipient_name="承接公司",
            recipient_contact=contact,
        )
        assert p.recipient_contact == contact
    plain, sealed = _raw_profile(vault, first)
    assert plain == "" and sealed is not None
    assert contact.encode() not in sealed and mobile(7).encode() not in sealed
    assert profile.profile(vault, actor=OPERATOR, deal_ref=first).recipient_contact == contact
    with vault.engine.begin() as conn:  # someone with write access swaps the two rows' values
        conn.execute(
            text(
                "UPDATE comply_deal_profiles SET recipient_contact_sealed = :s WHERE deal_id = :d"
            ),
            {"s": sealed, "d": other},
        )
    with pytest.raises(CryptoError):
        profile.profile(vault, actor=OPERATOR, deal_ref=other)
    cleared = profile.set_profile(
        vault, actor=OPERATOR, deal_ref=first, transfer_type=TransferType.MERGER
    )
    assert cleared.recipient_contact == "" and _raw_profile(vault, first) == ("", None)


def test_remote_access_from_abroad_counts_as_leaving_the_mainland(vault: Vault) -> None:
    deals.create(vault, actor=OPERATOR, name="d2")
    p = profile.set_profile(vault, actor=OPERATOR, deal_ref="d2", transfer_type=TransferType.EQUITY)
    assert not p.abroad
    p = profile.set_profile(
        vault,
        actor=OPERATOR,
        deal_ref="d2",
        transfer_type=TransferType.EQUITY,
        remote_access_abroad=True,
    )
    assert p.abroad


def test_the_buyer_neither_reads_nor_sets_the_assessment(vault: Vault) -> None:
    deals.create(vault, actor=OPERATOR, name="d3")
    with pytest.raises(PermissionDeniedError):
        profile.profile(vault, actor=BUYER, deal_ref="d3")
    with pytest.raises(PermissionDeniedError):
        profile.set_profile(vault, actor=BUYER, deal_ref="d3", transfer_type=TransferType.MERGER)


def test_company_facts_default_until_entered_and_refuse_a_bad_code(vault: Vault) -> None:
    facts = profile.company(vault, actor=OPERATOR, uscc=USCC)
    assert not facts.entered and facts.turnover_yuan is None
    facts = profile.set_company(
        vault,
        actor=OPERATOR,
        uscc=USCC,
        ciio=False,
        important_data=True,
        turnover_yuan=12_000_000_000,  # beyond 32 bits
        staff=250,
        pi_business=True,
    )
    assert facts.entered and facts.turnover_yuan == 12_000_000_000 and facts.important_data
    with pytest.raises(InputError):
        profile.set_company(
            vault,
            actor=OPERATOR,
            uscc=USCC[:-1] + "0",
            ciio=False,
            important_data=False,
            turnover_yuan=None,
            staff=None,
            pi_business=False,
        )


def test_the_demo_deal_gets_a_profile_once(vault: Vault) -> None:
    from baomi.services.comply.demo import ensure_demo_assessment
    from baomi.services.dataroom.demo import DEMO_DEAL, ensure_demo_room

    ensure_demo_room(vault, rows=20)
    assert ensure_demo_assessment(vault)
    p = profile.profile(vault, actor=OPERATOR, deal_ref=DEMO_DEAL)
    assert p.transfer_type is TransferType.MERGER and p.abroad
    profile.set_profile(
        vault, actor=OPERATOR, deal_ref=DEMO_DEAL, transfer_type=TransferType.EQUITY
    )
    assert not ensure_demo_assessment(vault)  # what people changed stays
    assert (
        profile.profile(vault, actor=OPERATOR, deal_ref=DEMO_DEAL).transfer_type
        is TransferType.EQUITY
    )


def test_a_room_opened_after_the_profile_takes_its_recipients_location(vault: Vault) -> None:
    """The room showed 境内（大陆） beside a profile that said Hong Kong when the room was opened
    after the profile: the room's region was the default CN until the profile was set again."""
    from baomi.services.dataroom import rooms
    from tests.vault_support import admin

    deals.create(vault, actor=OPERATOR, name="hk")
    profile.set_profile(
        vault,
        actor=OPERATOR,
        deal_ref="hk",
        transfer_type=TransferType.MERGER,
        recipient_location=Location.HONG_KONG,
    )
    room = rooms.open_room(vault, actor=admin(), deal_ref="hk", target_name="甲", target_uscc=USCC)
    assert room.recipient_region == Location.HONG_KONG.value
    # a region given when opening is the opener's word; without a profile the default is CN
    deals.create(vault, actor=OPERATOR, name="cn")
    plain = rooms.open_room(vault, actor=admin(), deal_ref="cn", target_name="乙", target_uscc=USCC)
    assert plain.recipient_region == "CN"
