"""A wide table's short columns of one plan decided together (issue 17): the package is byte
for byte that of column-by-column decisions, and every column's PI is protected."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.protect import tables
from tests.engine.test_distributed_protect import _files, _fix_randomness, _protect
from tests.engine.test_scan_wide import _wide_csv


def test_a_wide_tables_package_is_that_of_column_by_column_decisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "data"
    root.mkdir()
    _wide_csv(root / "宽表.csv", 60, random.Random(29))
    stacks: list[int] = []
    real = tables.stacked_findings

    def spy(plans: object, *args: object) -> object:
        stacks.append(len(plans))  # type: ignore[arg-type]
        return real(plans, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "stacked_findings", spy)
    with monkeypatch.context() as fixed:
        _fix_randomness(fixed)
        _protect([root], tmp_path / "together", None, verify=True)
    assert stacks and max(stacks) > 1
    with monkeypatch.context() as alone:
        alone.setattr(tables, "STACK_CELLS", 0)
        _fix_randomness(alone)
        _protect([root], tmp_path / "alone", None, verify=True)
    assert _files(tmp_path / "together") == _files(tmp_path / "alone")
    # no identifier of the input is left in any column of the output
    source = pl.read_csv(root / "宽表.csv", infer_schema=False)
    written = (tmp_path / "together" / "宽表.csv").read_text(encoding="utf-8")
    ids = [
        v.strip()
        for c in source.columns
        if c.startswith("证件") or c.startswith("身份证")
        for v in source.get_column(c).drop_nulls().to_list()
        if len(v.strip()) == 18
    ]
    assert ids and not any(v in written for v in ids)
