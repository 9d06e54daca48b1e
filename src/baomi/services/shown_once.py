"""What a form made that its page shows once (a new setup link), held between the form's
redirect and the page's next read (POST-redirect-GET) in the database, so that whichever
process of the data room answers the page finds it (several ``baomi serve`` behind a load
balancer: they share the database and the key).

- Sealed (AES-256-GCM under the platform's field key), bound to its kind and session: a row
  copied to another session's key does not open.
- Keyed by a keyed hash of the session's token, never the token (nor its SHA-256, the key of
  ``web_sessions``): whoever reads the database can neither replay the session nor tell which
  session a row is for.
- Given to the session's next :func:`take` and deleted in the same statement (two processes
  reading at once: one gets it), or forgotten once ``seconds`` have passed. A session holds one
  value of each kind (a newer one replaces it); at most ``most`` rows are held, the ones that
  expire first go first.

No permission is asked here: the value was made by a service that asked, and only the session
that sent the form gets it back. Times come from the caller (``moment``) so tests move them.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from baomi.engine import crypto
from baomi.errors import CryptoError
from baomi.services.vault import Vault
from baomi.storage.models import ShownOnceValue

#: how long a value waits for its page, in seconds
SECONDS = 120.0
#: the most values held at once (all sessions, all kinds)
MOST = 1000


def _stamp(moment: _dt.datetime) -> str:
    """UTC, microseconds always written: the text sorts as the time does."""
    return moment.astimezone(_dt.UTC).isoformat(timespec="microseconds")


def _session(vault: Vault, session_token: str) -> str:
    return crypto.keyed_hash(
        crypto.hkdf(vault.platform_key("index"), "baomi shown once"), session_token
    )


def _aad(kind: str, session_hash: str) -> bytes:
    return crypto.aad("shown-once", kind=kind, session=session_hash)


def hold(
    vault: Vault,
    session_token: str,
    kind: str,
    value: bytes,
    *,
    moment: _dt.datetime,
    seconds: float = SECONDS,
    most: int = MOST,
) -> None:
    """Hold ``value`` for ``session_token``'s next :func:`take` of ``kind``, until ``seconds``
    after ``moment``; what the session held of that kind before is replaced."""
    hashed = _session(vault, session_token)
    sealed = crypto.seal(vault.platform_key("fields"), value, _aad(kind, hashed))
    row = {
        "kind": kind,
        "session_hash": hashed,
        "sealed": sealed,
        "expires_at": _stamp(moment + _dt.timedelta(seconds=seconds)),
    }
    for attempt in (1, 2):
        try:
            with vault.transaction() as session:
                session.execute(
                    delete(ShownOnceValue).where(
                        (ShownOnceValue.expires_at <= _stamp(moment))
                        | ((ShownOnceValue.kind == kind) & (ShownOnceValue.session_hash == hashed))
                    )
                )
                held = session.scalar(select(func.count()).select_from(ShownOnceValue)) or 0
                if held >= most:  # bound the table: the ones that expire first go first
                    oldest = session.execute(
                        select(ShownOnceValue.kind, ShownOnceValue.session_hash)
                        .order_by(ShownOnceValue.expires_at)
                        .limit(held - most + 1)
                    ).all()
                    for old_kind, old_hash in oldest:
                        session.execute(
                            delete(ShownOnceValue).where(
                                ShownOnceValue.kind == old_kind,
                                ShownOnceValue.session_hash == old_hash,
                            )
                        )
                session.add(ShownOnceValue(**row))
            return
        except IntegrityError:  # the same session's other form, in another process, at once
            if attempt == 2:
                raise


def take(vault: Vault, session_token: str, kind: str, *, moment: _dt.datetime) -> bytes | None:
    """What ``session_token``'s session holds of ``kind``, once: deleted as it is read;
    ``None`` if nothing, or if it waited too long."""
    hashed = _session(vault, session_token)
    mine = (ShownOnceValue.kind == kind) & (ShownOnceValue.session_hash == hashed)
    with vault.reading() as session:  # most reads of a page find nothing: no write lock then
        if session.scalar(select(ShownOnceValue.expires_at).where(mine)) is None:
            return None
    with vault.transaction() as session:
        found = session.execute(
            delete(ShownOnceValue)
            .where(mine)
            .returning(ShownOnceValue.sealed, ShownOnceValue.expires_at)
        ).first()
    if found is None or found.expires_at <= _stamp(moment):
        return None
    try:
        return crypto.open_sealed(
            vault.platform_key("fields"), bytes(found.sealed), _aad(kind, hashed)
        )
    except CryptoError:  # altered, or moved from another session's row: nothing to show
        return None
