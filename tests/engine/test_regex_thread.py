"""The thread of costly regexes gives what Polars gives in the calling thread."""

from __future__ import annotations

import threading

import polars as pl
import pytest

from baomi.engine import regex_thread
from baomi.engine.recognizers.cn import address


def test_a_pattern_run_on_the_regex_thread_matches_as_in_the_calling_thread() -> None:
    cells = pl.Series(
        ["北京市朝阳区建国路88号", None, "", "客户说下周再联系", "广东省深圳市南山区科技园1栋"],
        dtype=pl.String,
    )
    for pattern in (address._division_regex(), address._start_regex(), r"\d+号"):
        got = regex_thread.contains(cells, pattern)
        assert got.to_list() == cells.str.contains(pattern).to_list()
    assert regex_thread.contains(cells, r"\d+号").to_list() == [True, None, False, False, False]


def test_it_runs_on_one_thread_of_its_own_and_passes_errors_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    contains = pl.Series.str.fget  # type: ignore[attr-defined]

    class Spy:
        def __init__(self, s: pl.Series) -> None:
            self.ns = contains(s)

        def contains(self, pattern: str) -> pl.Series:
            seen.append(threading.current_thread().name)
            return self.ns.contains(pattern)

    monkeypatch.setattr(pl.Series, "str", property(Spy))
    cells = pl.Series(["a1", "b"])
    for _ in range(3):
        assert regex_thread.contains(cells, r"\d").to_list() == [True, False]
    assert len(set(seen)) == 1 and seen[0].startswith("baomi-regex")
    with pytest.raises(pl.exceptions.ComputeError):
        regex_thread.contains(cells, "(unclosed")
