from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.vault_support import (
    database_url,
    fake_inventory,
    key_file,
    second_database_url,
    settings,
    vault,
)

__all__ = ["database_url", "fake_scan", "key_file", "second_database_url", "settings", "vault"]


@pytest.fixture(autouse=True)
def fake_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in scanner so service tests do not depend on the scanner's internals."""

    def scan_paths(paths: Any, **_: Any) -> SimpleNamespace:
        return SimpleNamespace(inventory=fake_inventory([Path(p).name for p in paths]))

    monkeypatch.setitem(sys.modules, "baomi.engine.scan", SimpleNamespace(scan_paths=scan_paths))
