"""Trace: name the recipient from shuffled, reordered and re-saved fragments; else "unknown"."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.package import ProtectOptions, protect_paths
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.engine.protect.trace import NoTraceRecordsError, trace

from .test_package import JOIN_POLICY, customers, write_csv


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("trace")
    write_csv(base / "in" / "customers.csv", customers(120, seed=9))
    keys = KeyProvider(b"trace-test-key-0123456789abcdefg")
    for recipient in ("甲律所", "乙买方", "丙会计所"):
        protect_paths(
            [base / "in"],
            load_policy_text(DEFAULT_POLICY),
            base / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=base / "manifests"),
        )
    # pseudonyms only, marks off: the recipient-keyed values alone must identify the package
    no_marks = load_policy_text(
        "entities:\n  CN_RESIDENT_ID: {operator: pseudonym}\nfingerprint: {marks: false}\n"
    )
    for recipient in ("丁", "戊"):
        protect_paths(
            [base / "in"],
            no_marks,
            base / recipient,
            keys=keys,
            options=ProtectOptions(recipient=recipient, manifests_dir=base / "manifests"),
        )
    assert JOIN_POLICY.entities["CN_RESIDENT_ID"].operator == "pseudonym"
    return base


def fragment(base: Path, recipient: str, rows: int = 20, seed: int = 1) -> pl.DataFrame:
    df = pl.read_csv(base / recipient / "customers.csv", infer_schema=False)
    df = df.sample(rows, seed=seed, shuffle=True)
    return df.select(list(reversed(df.columns)))  # columns reordered


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl", "parquet", "json"])
def test_trace_names_the_recipient_after_shuffle_reorder_and_resave(
    packages: Path, fmt: str
) -> None:
    from openpyxl import Workbook

    leak = packages / f"leak.{fmt}"
    df = fragment(packages, "乙买方")
    if fmt == "csv":
        leak.write_bytes(df.write_csv().encode("gb18030"))
    elif fmt == "xlsx":
        wb = Workbook()
        wb.active.append(df.columns)
        for row in df.iter_rows():
            wb.active.append(list(row))
        wb.save(leak)
    elif fmt == "jsonl":
        df.write_ndjson(leak)
    elif fmt == "json":
        leak.write_text(json.dumps(df.to_dicts()), encoding="utf-8")  # \\u escapes
    else:
        df.write_parquet(leak)
    result = trace(leak, packages / "manifests")
    assert result.recipient == "乙买方"
    assert result.confidence > 0.999


def test_trace_by_recipient_keyed_values_alone(packages: Path) -> None:
    df = fragment(packages, "戊").select("身份证号", "性别")
    leak = packages / "leak-ids.csv"
    df.write_csv(leak)
    result = trace(leak, packages / "manifests")
    assert result.recipient == "戊"
    assert result.candidates[0].values_matched == 20


def test_trace_says_unknown_without_evidence(packages: Path) -> None:
    leak = packages / "leak-plain.csv"
    fragment(packages, "甲律所").select("性别").write_csv(leak)  # nothing marked
    assert trace(leak, packages / "manifests").recipient is None
    other = packages / "other.csv"
    write_csv(other, customers(30, seed=77))  # data never packaged
    result = trace(other, packages / "manifests")
    assert result.recipient is None and result.confidence == 0.0


@pytest.mark.parametrize("folder", ["m-typo", "empty", "not-records"])
def test_no_trace_records_is_an_error_not_unknown(
    packages: Path, tmp_path: Path, folder: str
) -> None:
    """A mistyped or empty --manifests folder must not read as "not enough evidence"."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "not-records").mkdir()
    (tmp_path / "not-records" / "x.json").write_text('{"kind": "other"}', encoding="utf-8")
    leak = packages / "leak-any.csv"
    fragment(packages, "甲律所").write_csv(leak)
    with pytest.raises(NoTraceRecordsError, match=folder):
        trace(leak, tmp_path / folder)
