"""Verify rescans a package with the scan, which reads ``{"data": [...]}`` as records with
``data[*].phone`` columns; protect names the same cells ``data[0].phone``, ``data[1].phone``."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, VerifyError, protect_paths
from baomi.engine.protect.policy import load_policy_text

from .conftest import make_mobile


def _protect(tmp_path: Path, policy: str, name: str) -> None:
    protect_paths(
        [tmp_path / "in"],
        load_policy_text(policy),
        tmp_path / name,
        keys=KeyProvider(b"package-test-key-0123456789abcd"),
        options=ProtectOptions(recipient="甲", verify=True),
    )


@pytest.fixture
def wrapped(tmp_path: Path) -> Path:
    rng = random.Random(4)
    records = [{"phone": make_mobile(rng), "n": i} for i in range(6)]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "w.json").write_text(json.dumps({"code": 0, "data": records}))
    return tmp_path


def test_columns_every_record_keeps_are_not_leftovers(wrapped: Path) -> None:
    rules = "".join(f"  'data[{i}].phone': {{operator: keep}}\n" for i in range(6))
    _protect(wrapped, "entities:\n  CN_MOBILE: {operator: mask}\ncolumns:\n" + rules, "out")
    assert (wrapped / "out" / "w.json").is_file()


def test_a_record_the_policy_masks_still_counts(wrapped: Path) -> None:
    """Only data[0].phone is kept: the scan's one data[*].phone column cannot tell the rows
    apart, so the kept mobile is reported rather than a leak hidden."""
    policy = (
        "entities:\n  CN_MOBILE: {operator: mask}\ncolumns:\n  'data[0].phone': {operator: keep}\n"
    )
    with pytest.raises(VerifyError) as err:
        _protect(wrapped, policy, "out")
    assert "data[*].phone" in str(err.value)
