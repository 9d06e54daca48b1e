"""Data migrations, up and down, on a store with rows in it (the schema itself: test_schema.py).

0017 seals the recipient contact a deal profile held in clear: with the vault's key it seals
every row; without it the clear value stays readable until the profile's next write; its
downgrade opens them back, and refuses rather than lose them when it cannot. 0018 adds the
pending (enrolment) TOTP secret; 0019 marks the incidents stored before masking; 0020
holds what a page shows once; 0021 the rate limits' attempts per address.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text

from baomi.errors import ConfigError
from baomi.services import deals
from baomi.services.comply import profile
from baomi.services.comply.profile import TransferType
from baomi.services.vault import Vault, migration_attributes
from baomi.storage.db import HEAD_REVISION, alembic_config
from tests.vault_support import mobile, operator

BEFORE_0017 = "0016_totp_last_step"
BEFORE_0018 = "0017_profile_contact_sealed"
CONTACT = f"李经理 {mobile(17)}"


def _move(vault: Vault, revision: str, *, keys: bool, down: bool = False) -> None:
    """Upgrade (or downgrade) ``vault``'s store to ``revision``, with or without its keys."""
    attributes: dict[str, Any] = migration_attributes(vault) if keys else {}
    with vault.engine.begin() as conn:
        cfg = alembic_config(conn, attributes)
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _row(vault: Vault, deal_id: str) -> dict[str, Any]:
    with vault.engine.connect() as conn:
        return dict(
            conn.execute(
                text("SELECT * FROM comply_deal_profiles WHERE deal_id = :d"), {"d": deal_id}
            )
            .mappings()
            .one()
        )


def _profile_in_clear(vault: Vault) -> str:
    """A deal whose profile an older version stored, the contact in clear (schema 0016)."""
    deal_id = deals.create(vault, actor=operator(), name="older").id
    _move(vault, BEFORE_0017, keys=True, down=True)
    with vault.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO comply_deal_profiles (deal_id, transfer_type, recipient_name, "
                "recipient_contact, recipient_location, remote_access_abroad, purpose, "
                "exemption, updated_at, updated_by) VALUES (:d, 'merger', '承接公司', :c, "
                "'mainland', :f, '', NULL, '2026-01-01T00:00:00+00:00', 'ops')"
            ),
            {"d": deal_id, "c": CONTACT, "f": False},
        )
    return deal_id


def _contact(vault: Vault, deal_id: str) -> str:
    return profile.profile(vault, actor=operator(), deal_ref=deal_id).recipient_contact


def test_0017_seals_clear_contacts_and_its_downgrade_opens_them(vault: Vault) -> None:
    deal_id = _profile_in_clear(vault)
    _move(vault, HEAD_REVISION, keys=True)
    row = _row(vault, deal_id)
    assert row["recipient_contact"] == ""
    assert CONTACT.encode() not in bytes(row["recipient_contact_sealed"])
    assert mobile(17).encode() not in bytes(row["recipient_contact_sealed"])
    assert _contact(vault, deal_id) == CONTACT

    _move(vault, BEFORE_0017, keys=True, down=True)
    assert _row(vault, deal_id)["recipient_contact"] == CONTACT
    columns = {c["name"] for c in inspect(vault.engine).get_columns("comply_deal_profiles")}
    assert "recipient_contact_sealed" not in columns
    _move(vault, HEAD_REVISION, keys=True)  # and up again
    assert _row(vault, deal_id)["recipient_contact"] == "" and _contact(vault, deal_id) == CONTACT


def test_0017_without_the_key_keeps_the_clear_contact_until_the_next_write(vault: Vault) -> None:
    deal_id = _profile_in_clear(vault)
    _move(vault, HEAD_REVISION, keys=False)
    row = _row(vault, deal_id)
    assert (row["recipient_contact"], row["recipient_contact_sealed"]) == (CONTACT, None)
    assert _contact(vault, deal_id) == CONTACT  # read as it was
    profile.set_profile(
        vault,
        actor=operator(),
        deal_ref=deal_id,
        transfer_type=TransferType.MERGER,
        recipient_name="承接公司",
        recipient_contact=CONTACT,
    )
    row = _row(vault, deal_id)
    assert row["recipient_contact"] == "" and row["recipient_contact_sealed"] is not None
    assert _contact(vault, deal_id) == CONTACT


def test_0017_downgrade_refuses_to_drop_sealed_contacts_it_cannot_open(vault: Vault) -> None:
    deal_id = _profile_in_clear(vault)
    _move(vault, HEAD_REVISION, keys=True)
    with pytest.raises(ConfigError):
        _move(vault, BEFORE_0017, keys=False, down=True)
    assert _row(vault, deal_id)["recipient_contact_sealed"] is not None  # nothing changed
    assert _contact(vault, deal_id) == CONTACT


def test_a_vault_opened_on_an_older_store_seals_with_its_own_key(vault: Vault) -> None:
    """What a deployed home sees: the first command after the upgrade migrates and seals."""
    from baomi.services.vault import open_vault

    deal_id = _profile_in_clear(vault)
    vault.close()
    with open_vault(vault.settings) as reopened:
        assert _row(reopened, deal_id)["recipient_contact"] == ""
        assert _contact(reopened, deal_id) == CONTACT


def test_0018_adds_the_pending_totp_secret_and_its_downgrade_drops_it(vault: Vault) -> None:
    """0018 keeps an enrolment's secret on the server; down and up again keep the users."""

    def columns() -> set[str]:
        return {c["name"] for c in inspect(vault.engine).get_columns("users")}

    assert "totp_pending_sealed" in columns()
    _move(vault, BEFORE_0018, keys=True, down=True)
    assert "totp_pending_sealed" not in columns()
    _move(vault, HEAD_REVISION, keys=True)
    assert "totp_pending_sealed" in columns()


def test_0019_marks_every_incident_already_stored_as_not_masked(vault: Vault) -> None:
    """Incidents stored before 0019 may hold a title or description as typed: the marker is
    false for them (``baomi incident remask`` masks them), true for those reported after."""
    from baomi.services.respond import incidents

    older = incidents.report(vault, actor=operator(), title="旧事件").id
    _move(vault, "0018_totp_pending", keys=True, down=True)
    _move(vault, HEAD_REVISION, keys=True)
    newer = incidents.report(vault, actor=operator(), title="新事件").id
    with vault.engine.connect() as conn:
        marks = dict(conn.execute(text("SELECT id, masked FROM incidents")).all())
    assert {k: bool(v) for k, v in marks.items()} == {older: False, newer: True}
    assert incidents.unmasked(vault, actor=operator()) == 1


def test_0020_adds_what_a_page_shows_once_and_its_downgrade_drops_it(vault: Vault) -> None:
    """0020 holds a new setup link in the database; down and up again leave an empty table."""
    from baomi import clock
    from baomi.services import shown_once

    shown_once.hold(vault, "a session", "setup_link", b"a link", moment=clock.now())
    _move(vault, "0019_incident_masked", keys=True, down=True)
    assert "shown_once" not in inspect(vault.engine).get_table_names()
    _move(vault, HEAD_REVISION, keys=True)
    assert shown_once.take(vault, "a session", "setup_link", moment=clock.now()) is None
    shown_once.hold(vault, "a session", "setup_link", b"a link", moment=clock.now())
    assert shown_once.take(vault, "a session", "setup_link", moment=clock.now()) == b"a link"


def test_0021_adds_the_rate_limits_attempts_and_its_downgrade_drops_them(vault: Vault) -> None:
    """0021 counts the attempts per address in the database; down and up again start afresh."""
    from baomi import clock
    from baomi.services import throttle

    def allow() -> bool:
        return throttle.allow(vault, "login", "a client", limit=1, window=60, moment=clock.now())

    assert allow() and not allow()
    _move(vault, "0020_shown_once", keys=True, down=True)
    assert "throttle_buckets" not in inspect(vault.engine).get_table_names()
    _move(vault, HEAD_REVISION, keys=True)
    assert allow() and not allow()
