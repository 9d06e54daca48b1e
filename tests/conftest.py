"""Shared for every test: the interface language is per test (no test leaks its choice), and
passwords are hashed with argon2id at its cheapest (argon2-cffi's test profile).

The real parameters (argon2-cffi's defaults, 64 MiB and three passes, ~0.2 s a hash) made each
signed-in test user cost half a second; ``tests/web/test_accounts.py`` checks the real hasher's
parameters, and every test still stores and verifies real argon2id hashes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, profiles

from baomi.i18n import set_language
from baomi.services import accounts

PRODUCTION_HASHER = accounts._hasher


@pytest.fixture(autouse=True)
def _language_per_test() -> Iterator[None]:
    yield
    set_language(None)  # BAOMI_LANG (or Chinese) decides again


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", lambda: cheap)
    yield
    patch.undo()
