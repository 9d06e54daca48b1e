"""Shared for every test: the interface language is per test (no test leaks its choice)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from baomi.i18n import set_language


@pytest.fixture(autouse=True)
def _language_per_test() -> Iterator[None]:
    yield
    set_language(None)  # BAOMI_LANG (or Chinese) decides again
