"""The scan benchmark's scoring and RESULTS.md writing (bench/scan_bench.py)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.bench import load_script


@pytest.fixture(scope="module")
def sb() -> ModuleType:
    return load_script("scan_bench")


def test_exact_and_overlap_scores(sb: ModuleType) -> None:
    truth = [
        (0, "手机号", 0, 11, "CN_MOBILE"),
        (0, "备注", 3, 14, "CN_MOBILE"),
        (1, "姓名", 0, 2, "PERSON_NAME"),
        (5, "姓名", 0, 3, "PERSON_NAME"),
    ]
    found = [
        (0, "手机号", 0, 11, "CN_MOBILE"),  # exact
        (0, "备注", 2, 14, "CN_MOBILE"),  # overlap only
        (1, "编号", 0, 1, "CN_LANDLINE"),  # not one of the seven
        (5, "姓名", 0, 3, "PERSON_NAME"),  # outside a 2-row slice
    ]
    s = sb.score(truth, found)
    assert (s.exact["CN_MOBILE"].tp, s.exact["CN_MOBILE"].fp, s.exact["CN_MOBILE"].fn) == (1, 1, 1)
    assert (s.overlap["CN_MOBILE"].tp, s.overlap["CN_MOBILE"].fn) == (2, 0)
    assert s.exact["PERSON_NAME"].recall == 0.5
    assert s.other_entities == {"CN_LANDLINE": 1}
    sliced = sb.score(truth, found, rows=2)
    assert sliced.exact["PERSON_NAME"].fn == 1 and sliced.exact["PERSON_NAME"].tp == 0
    assert sliced.exact["EMAIL"].precision is None


def test_read_spans_keeps_only_the_benchmark_file(sb: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "findings.jsonl"
    rows = [
        {"file": "customers.csv", "sheet": None, "row": 0, "column": "邮箱", "start": 0,
         "end": 5, "entity": "EMAIL", "score": 1.0},
        {"file": "other.csv", "sheet": None, "row": 0, "column": "邮箱", "start": 0,
         "end": 5, "entity": "EMAIL", "score": 1.0},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert list(sb.read_spans(path, "customers.csv")) == [(0, "邮箱", 0, 5, "EMAIL")]


def test_write_section_replaces_only_its_own_section(sb: ModuleType, tmp_path: Path) -> None:
    md = tmp_path / "RESULTS.md"
    sb.write_section(md, "first\n")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# baomi benchmarks") and "## Scan (issue 2)\n\nfirst\n" in text
    md.write_text(text + "\n## Protect (issue 3)\n\nkeep me\n", encoding="utf-8")
    sb.write_section(md, "second\n")
    text = md.read_text(encoding="utf-8")
    assert "first" not in text and "second" in text and "keep me" in text
    assert text.index("second") < text.index("## Protect (issue 3)")
