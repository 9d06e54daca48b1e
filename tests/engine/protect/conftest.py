"""Generated test data: check digits computed with ``baomi.engine.checksums``; no real persons."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from baomi.engine import checksums
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.operators.base import OperatorContext
from baomi.engine.protect.package import ProtectOptions, ProtectResult, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, Policy, load_policy_text


def make_id(rng: random.Random, year: int | None = None) -> str:
    first17 = (
        rng.choice(["11", "31", "44", "51"])
        + f"{rng.randint(1, 99):02d}{rng.randint(1, 30):02d}"
        + f"{year or rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        + f"{rng.randint(0, 999):03d}"
    )
    return first17 + checksums.resident_id_check_char(first17)


def make_card(rng: random.Random) -> str:
    body = "622202" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    return body + checksums.luhn_check_digit(body)


def make_mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "199"]) + f"{rng.randint(0, 10**8 - 1):08d}"


def customer_sheet(*rows: list[Any]) -> tuple[Any, Any]:
    """A new workbook and its sheet 客户 holding ``rows`` (the header first)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    for row in rows:
        ws.append(row)
    return wb, ws


def protect_verified(src: Path, out: Path, policy: Policy | None = None) -> ProtectResult:
    """Protect folder ``src`` into ``out`` for recipient 甲 with ``--verify`` (the default
    policy unless ``policy``), with a fixed test key."""
    return protect_paths(
        [src],
        policy or load_policy_text(DEFAULT_POLICY),
        out,
        keys=KeyProvider(b"protect-test-key-0123456789abcdef"),
        options=ProtectOptions(recipient="甲", verify=True),
    )


@pytest.fixture
def keys() -> KeyProvider:
    return KeyProvider(b"test-master-key-0123456789abcdef")


@pytest.fixture
def ctx(keys: KeyProvider) -> OperatorContext:
    return OperatorContext(keys=keys, recipient="甲律师事务所")
