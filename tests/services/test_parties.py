"""Clients' personal fields: sealed field by field, found by keyed hash, never stored in clear."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from baomi.errors import InputError
from baomi.services import deals, parties
from baomi.services.vault import Vault
from baomi.storage.models import Party
from tests.vault_support import bank_card, mobile, operator, resident_id


def test_fields_are_sealed_and_found_by_exact_match(vault: Vault) -> None:
    deals.create(vault, actor=operator("ops"), name="d")
    pid = parties.add(
        vault,
        actor=operator("ops"),
        role="seller",
        name="测试卖方",
        id_number=resident_id(3),
        phone=f"+86 {mobile(3)}",
        bank_account=bank_card(3),
        deal_ref="d",
    )
    parties.add(
        vault, actor=operator("ops"), role="buyer", name="测试买方", id_number=resident_id(4)
    )
    [found] = parties.find(vault, actor=operator("ops"), field_name="phone", value=mobile(3))
    assert (found.id, found.name, found.id_number, found.phone) == (
        pid,
        "测试卖方",
        resident_id(3),
        mobile(3),
    )
    assert (
        parties.find(vault, actor=operator("ops"), field_name="bank_account", value=bank_card(3))[
            0
        ].id
        == pid
    )
    assert (
        parties.find(vault, actor=operator("ops"), field_name="id_number", value=resident_id(5))
        == []
    )
    with vault.sessions() as s:
        row = s.execute(select(Party).where(Party.id == pid)).scalar_one()
    for value in (resident_id(3), mobile(3), bank_card(3), "测试卖方"):
        for column in (
            row.name_sealed,
            row.id_number_sealed,
            row.phone_sealed,
            row.bank_account_sealed,
        ):
            assert column is not None and value.encode() not in column
        assert value not in (row.id_number_hmac or "") + (row.phone_hmac or "")


def test_bad_field_or_role_is_refused(vault: Vault) -> None:
    with pytest.raises(InputError):
        parties.add(vault, actor=operator("ops"), role="king", name="x")
    with pytest.raises(InputError):
        parties.find(vault, actor=operator("ops"), field_name="name", value="x")
