"""Protect reads ``{"data": [...]}`` as the scan does — the list's items are records, with
``data[*].phone`` columns — so a column rule, the manifest and ``--verify``'s re-scan all name
the column the scan's inventory names."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import load_policy_text
from baomi.engine.protect.renderings import conventional

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


def test_a_column_rule_names_the_scans_column(wrapped: Path) -> None:
    policy = (
        "entities:\n  CN_MOBILE: {operator: mask}\ncolumns:\n  'data[*].phone': {operator: keep}\n"
    )
    _protect(wrapped, policy, "out")
    source = json.loads((wrapped / "in" / "w.json").read_text())
    assert json.loads((wrapped / "out" / "w.json").read_text()) == source


def test_every_record_of_a_wrapped_list_is_protected_in_place(wrapped: Path) -> None:
    _protect(wrapped, "entities:\n  CN_MOBILE: {operator: mask}\n", "out")
    source = json.loads((wrapped / "in" / "w.json").read_text())
    out = json.loads((wrapped / "out" / "w.json").read_text())
    assert out["code"] == 0 and [r["n"] for r in out["data"]] == list(range(6))
    for before, after in zip(source["data"], out["data"], strict=True):
        phone = conventional(strip_marks(after["phone"]))
        assert phone == before["phone"][:3] + "****" + before["phone"][-4:]
    manifest = json.loads((wrapped / "out" / "manifest.json").read_text())
    columns = {c["name"]: c for c in manifest["files"][0]["tables"][0]["columns"]}
    assert set(columns) == {"code", "data[*].phone", "data[*].n"}
    assert columns["data[*].phone"]["operator"] == "mask"
