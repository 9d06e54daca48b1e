"""Rate limits per client address that every process of the data room shares: at most ``limit``
attempts at one door (``kind``: sign-in, the public request page, a survey) from one address in
``window`` seconds — sign-in's is OWASP ASVS 2.2.1, the public pages' are abuse limits.

- Counted in the database (``throttle_buckets``), so that several processes over one database
  (``baomi serve --workers N``, servers behind a load balancer) count each other's attempts: an
  address gets the limit once, not once per process.
- The address is kept only as a keyed hash (HMAC-SHA256 under a key derived from the platform's
  index key, bound to the door): an IP address can be personal information (PIPL-4), and
  whoever reads the database can neither tell which address tried nor check a guessed one.
- Atomic: :func:`allow` claims the address's row with one upsert before it reads the times in
  it. On PostgreSQL the upsert takes the row's lock, so another process's claim waits until
  this transaction ends and then reads the times it wrote; SQLite's ``BEGIN IMMEDIATE`` queues
  every writer. Two processes at once never both take the last attempt.
- A row lives while its newest attempt is within the window: the rows past it are deleted as
  attempts come (a few at a time, skipping rows another transaction holds, so that the pruning
  never waits for a claim and two claims never wait for each other).

A sliding window, as the one-process limiter had: an attempt counts for ``window`` seconds
after it was let through; a refused attempt is not counted. No permission is asked (these
doors are used before anyone has signed in). Times come from the caller (``moment``), so tests
move them.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from baomi.engine import crypto
from baomi.services.vault import Vault
from baomi.storage.models import ThrottleBucket

#: the most expired rows one attempt deletes
PRUNE = 100


def _stamp(moment: _dt.datetime) -> str:
    """UTC, microseconds always written: the text sorts as the time does."""
    return moment.astimezone(_dt.UTC).isoformat(timespec="microseconds")


def client_hash(vault: Vault, kind: str, client: str) -> str:
    """The keyed hash ``kind``'s row for ``client`` is kept under (never the address)."""
    return crypto.keyed_hash(
        crypto.hkdf(vault.platform_key("index"), f"baomi throttle {kind}"), client
    )


def _claim(session: Session, kind: str, hashed: str, moment: _dt.datetime) -> str:
    """The row of ``kind`` and ``hashed``, made if missing and held by this transaction until it
    ends (PostgreSQL: the row's lock; SQLite: the write lock taken at ``BEGIN IMMEDIATE``);
    its ``hits`` as they are once the holder before us committed."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = insert(ThrottleBucket).values(
        kind=kind, client_hash=hashed, hits="", expires_at=_stamp(moment)
    )
    claim = values.on_conflict_do_update(
        index_elements=[ThrottleBucket.kind, ThrottleBucket.client_hash],
        set_={"kind": values.excluded.kind},  # changes nothing; takes the row
    ).returning(ThrottleBucket.hits)
    return str(session.execute(claim).scalar_one())


def allow(
    vault: Vault,
    kind: str,
    client: str,
    *,
    limit: int,
    window: float,
    moment: _dt.datetime,
) -> bool:
    """Whether ``client`` may make one more attempt at ``kind`` at ``moment``: yes while fewer
    than ``limit`` of its attempts were let through in the ``window`` seconds before (this one
    then counts), no otherwise (and this one does not count)."""
    if limit < 1:
        raise ValueError("a rate limit lets at least one attempt through")
    hashed = client_hash(vault, kind, client)
    span = _dt.timedelta(seconds=window)
    earliest = _stamp(moment - span)
    with vault.transaction() as session:
        hits = [h for h in _claim(session, kind, hashed, moment).split() if h >= earliest]
        allowed = len(hits) < limit
        if allowed:
            hits.append(_stamp(moment))
        hits = sorted(hits)[-limit:]  # never empty: this one, or the ones that filled the limit
        session.execute(
            update(ThrottleBucket)
            .where(ThrottleBucket.kind == kind, ThrottleBucket.client_hash == hashed)
            .values(
                hits=" ".join(hits),
                expires_at=_stamp(_dt.datetime.fromisoformat(hits[-1]) + span),
            )
        )
        _prune(session, moment)
    return allowed


def _prune(session: Session, moment: _dt.datetime) -> None:
    """Delete up to :data:`PRUNE` rows whose newest attempt is past its window, leaving the ones
    another transaction holds (``SKIP LOCKED``: this never waits, so it never deadlocks)."""
    past = (
        select(ThrottleBucket.kind, ThrottleBucket.client_hash)
        .where(ThrottleBucket.expires_at <= _stamp(moment))
        .limit(PRUNE)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        delete(ThrottleBucket)
        .where(tuple_(ThrottleBucket.kind, ThrottleBucket.client_hash).in_(past))
        .execution_options(synchronize_session=False)
    )
