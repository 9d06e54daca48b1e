"""The scan budget's arithmetic (bench/scan_budget.py): the stages from a timed process and
the design's bound from one partition's costs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.bench import BENCH, load_script


@pytest.fixture(scope="module")
def sb() -> ModuleType:
    return load_script("scan_budget")


def _timeline() -> dict[str, object]:
    # (stage, began, ended, CPU at the start, CPU at the end), seconds since the process began
    return {
        "imported": 0.3,
        "end": 3.5,
        "cpu": 5.0,
        "events": [
            ("scan_partition", 0.6, 1.6, 0.7, 2.5),
            ("_write_findings", 1.6, 1.7, 2.5, 2.6),
            ("scan_partition", 0.7, 3.0, 0.8, 4.6),
            ("_inventory", 3.05, 3.35, 4.65, 4.9),
        ],
    }


def _one_partition(rows: int = 100, all_rows: int = 400) -> dict[str, object]:
    return {
        "rows": rows,
        "all_rows": all_rows,
        "partitions": 4,
        "columns": [],
        "partition_cpu": 0.5,
        "fixed_cpu": 0.1,
        "findings": 1000,
        "write_cpu": 0.05,
        "read_cpu": 0.2,
    }


def test_stages_and_cpu_from_the_timeline(sb: ModuleType) -> None:
    b = sb.budget(_timeline(), 3.6, _one_partition(), mb=60.0)
    assert b.head == pytest.approx(0.6)  # the first scan's start
    assert b.middle == pytest.approx(2.4)  # → the last scan's end (3.0)
    assert b.tail == pytest.approx(0.6)  # → the process's exit (3.6)
    assert b.head_cpu == pytest.approx(0.7)
    assert b.middle_cpu == pytest.approx(4.6 - 0.7)
    assert b.tail_cpu == pytest.approx(5.0 - 4.6)
    assert b.inventory == pytest.approx(0.3)


def test_bound_scales_the_partition_to_the_file(sb: ModuleType) -> None:
    b = sb.budget(_timeline(), 3.6, _one_partition(rows=100, all_rows=400), mb=60.0)
    assert b.scan_all == pytest.approx(2.0)  # 0.5 s a partition of 100 rows, 400 rows
    assert b.write_all == pytest.approx(0.2)
    assert b.parallel == pytest.approx(2.0 + 0.2 + 0.2)
    assert b.bound == pytest.approx(0.6 + 2.4 / sb.CORES + 0.6)
    assert b.need == pytest.approx(60.0 / sb.TARGET_MBS)
    assert b.room == pytest.approx(b.need - 0.6 - 0.6)


def test_render_says_what_the_target_leaves_the_middle(
    sb: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sb, "_git_commit", lambda: "at commit abc1234")
    csv = tmp_path / "t.csv"
    with csv.open("wb") as f:  # 90 MB (sparse): 3 s at 30 MB/s, 1.8 s left to the middle
        f.truncate(90_000_000)
    text = sb.render(csv, [(_timeline(), 3.6), (_timeline(), 3.9)], _one_partition())
    assert "the fastest of 2 processes (3.60, 3.90 s)" in text
    assert "the middle has 1.80 s" in text
    assert "first 1,024 rows* | | | | 100 (20%) |" in text  # 0.1 of the partition's 0.5 s
    small = tmp_path / "s.csv"
    with small.open("wb") as f:  # 30 MB: 1 s at 30 MB/s, less than the head and the tail
        f.truncate(30_000_000)
    text = sb.render(small, [(_timeline(), 3.6)], _one_partition())
    assert "the head and the tail alone take 1.20 s" in text


def test_the_timed_child_imports_polars_after_baomi() -> None:
    """The child that times a scan must import Polars through ``baomi.cli.main`` as the
    command does: importing Polars first sets jemalloc's options to Polars' own
    (``_RJEM_MALLOC_CONF``), and the scan would run on another allocator than a user's."""
    probe = (
        "import os, sys; sys.path.insert(0, sys.argv[1]); import scan_budget; "
        "print('polars' in sys.modules, os.environ.get('_RJEM_MALLOC_CONF'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    out = subprocess.run(
        [sys.executable, "-c", probe, str(BENCH)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    assert out == ["False", "None"]
