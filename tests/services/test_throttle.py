"""The rate limits per client address as the database keeps them: a sliding window, one count
for every process (vault) over the database, taken atomically; the address only as a keyed
hash; rows past their window deleted."""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from baomi import clock
from baomi.services import throttle
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from baomi.storage.models import ThrottleBucket

ADDRESS = "203.0.113.7"  # TEST-NET-3 (RFC 5737), nobody's address


def _rows(vault: Vault) -> list[ThrottleBucket]:
    with vault.reading() as s:
        return list(s.scalars(select(ThrottleBucket)))


def _tries(vault: Vault, times: int, moment: _dt.datetime, client: str = ADDRESS) -> list[bool]:
    return [
        throttle.allow(vault, "login", client, limit=3, window=60, moment=moment)
        for _ in range(times)
    ]


@pytest.fixture
def other(vault: Vault, settings: Settings) -> Iterator[Vault]:
    """Another process's vault over the same database and keys."""
    with open_vault(settings) as v:
        yield v


def test_the_limit_holds_for_its_window_and_no_longer(vault: Vault) -> None:
    start = clock.now()
    assert _tries(vault, 4, start) == [True, True, True, False]
    assert _tries(vault, 1, start + _dt.timedelta(seconds=60)) == [False]  # within 60 s
    # the window slides: past 60 s after the first three, three more (the refused ones and
    # the one at 60 s did not count)
    assert _tries(vault, 4, start + _dt.timedelta(seconds=61)) == [True, True, True, False]


def test_each_door_and_each_address_counts_alone(vault: Vault) -> None:
    now = clock.now()
    assert _tries(vault, 4, now) == [True, True, True, False]
    assert _tries(vault, 1, now, client="198.51.100.1") == [True]
    assert throttle.allow(vault, "survey", ADDRESS, limit=3, window=60, moment=now)


def test_the_address_is_kept_only_as_a_keyed_hash(vault: Vault) -> None:
    throttle.allow(vault, "login", ADDRESS, limit=3, window=60, moment=clock.now())
    (row,) = _rows(vault)
    assert len(row.client_hash) == 64 and ADDRESS not in repr(vars(row))
    assert row.client_hash == throttle.client_hash(vault, "login", ADDRESS)
    # bound to the door: the address's rows at two doors cannot be linked
    assert row.client_hash != throttle.client_hash(vault, "survey", ADDRESS)


def test_every_process_counts_the_others_attempts(vault: Vault, other: Vault) -> None:
    now = clock.now()
    assert _tries(vault, 2, now) + _tries(other, 2, now) == [True, True, True, False]


def test_rows_past_their_window_are_deleted(vault: Vault) -> None:
    start = clock.now()
    _tries(vault, 2, start)
    _tries(vault, 1, start, client="198.51.100.1")
    later = start + _dt.timedelta(seconds=61)
    _tries(vault, 1, later, client="198.51.100.2")
    assert [r.client_hash for r in _rows(vault)] == [
        throttle.client_hash(vault, "login", "198.51.100.2")
    ]


def test_attempts_at_once_from_several_processes_take_the_limit_once(
    vault: Vault, settings: Settings
) -> None:
    """Four processes' vaults, five attempts each, all at once: exactly the limit let through
    (on PostgreSQL the upsert's row lock is what holds the second claim back)."""
    vaults = [vault] + [open_vault(settings) for _ in range(3)]
    for v in vaults:
        throttle.client_hash(v, "login", ADDRESS)  # keys read before the race
    start = threading.Barrier(len(vaults) * 5)
    now = clock.now()

    def attempt(v: Vault) -> bool:
        start.wait()
        return throttle.allow(v, "login", ADDRESS, limit=7, window=60, moment=now)

    try:
        with ThreadPoolExecutor(len(vaults) * 5) as pool:
            results = list(pool.map(attempt, [v for v in vaults for _ in range(5)]))
    finally:
        for v in vaults[1:]:
            v.close()
    assert results.count(True) == 7
    (row,) = _rows(vault)
    assert len(row.hits.split()) == 7


def test_a_limit_lets_one_attempt_through_at_least(vault: Vault) -> None:
    with pytest.raises(ValueError):
        throttle.allow(vault, "login", ADDRESS, limit=0, window=60, moment=clock.now())
