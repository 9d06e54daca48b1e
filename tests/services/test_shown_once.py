"""What a page shows once, as the database holds it: sealed, under a keyed hash of the session,
and only for the session it was sealed for."""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update

from baomi import clock
from baomi.services import shown_once
from baomi.services.vault import Vault
from baomi.storage.models import ShownOnceValue

SECRET = b"https://dataroom.example/setup/secret-token-0123456789"


def _rows(vault: Vault) -> list[ShownOnceValue]:
    with vault.reading() as s:
        return list(s.scalars(select(ShownOnceValue)))


def test_a_value_is_sealed_under_a_keyed_hash_of_its_session(vault: Vault) -> None:
    shown_once.hold(vault, "session-a", "setup_link", SECRET, moment=clock.now())
    (row,) = _rows(vault)
    assert SECRET not in bytes(row.sealed) and b"secret-token" not in bytes(row.sealed)
    assert len(row.session_hash) == 64
    # neither the token nor its SHA-256 (the key of web_sessions): a reader cannot link them
    assert row.session_hash not in ("session-a", hashlib.sha256(b"session-a").hexdigest())


def test_a_row_moved_to_another_session_does_not_open(vault: Vault) -> None:
    now = clock.now()
    shown_once.hold(vault, "session-a", "setup_link", SECRET, moment=now)
    shown_once.hold(vault, "session-b", "setup_link", b"b's own", moment=now)
    (a,) = [r for r in _rows(vault) if r.session_hash == shown_once._session(vault, "session-a")]
    with vault.transaction() as s:
        s.execute(
            update(ShownOnceValue)
            .where(ShownOnceValue.session_hash == shown_once._session(vault, "session-b"))
            .values(sealed=a.sealed)
        )
    assert shown_once.take(vault, "session-b", "setup_link", moment=now) is None
    assert shown_once.take(vault, "session-a", "setup_link", moment=now) == SECRET
    assert _rows(vault) == []  # both read: both gone
