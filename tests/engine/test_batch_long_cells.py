"""A long cell's matches (a text file's one long line, a huge remark): their text and context
are sliced from the joined text, not in Polars at a character offset per match, which read
the cell from its start for every match — a 6 MB line took minutes. The findings are the
same either way."""

from __future__ import annotations

import datetime as dt
import random
import time

import polars as pl
import pytest

from baomi.demo import identifiers as ids
from baomi.engine import batch
from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.batch import analyze_column
from baomi.engine.recognizers.registry import Registry


def _line(pieces: int, seed: int = 4) -> str:
    """One long line of remarks holding phones, IDs, cards and e-mail addresses, some with
    their context words, some in full-width forms."""
    rng = random.Random(seed)
    parts = []
    for _ in range(pieces):
        parts.append(
            rng.choice(
                [
                    f"客户电话：{ids.mobile_number(rng)}，",
                    f"身份证{ids.resident_id(rng, '110105', dt.date(1990, 1, 2), True)}；",
                    f"卡号 {ids.bank_card(rng)} 已核对。",
                    f"邮箱 user{rng.randint(1, 999)}@example.com ",
                    "回访满意，无其他事项。",
                ]
            )
        )
    return "".join(parts)


def _found(cells: list[str]) -> pl.DataFrame:
    analyzer = TextAnalyzer(Registry.default(plugins=False).without_models())
    return analyze_column(pl.Series(cells, dtype=pl.String), analyzer.text_recognizers, 0.5)


def test_a_long_cells_findings_are_those_of_the_polars_slices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cells = [_line(3000), "电话 13800138000", _line(40, seed=5)]
    assert len(cells[0]) > batch.LONG_CELL
    sliced = _found(cells)
    monkeypatch.setattr(batch, "LONG_CELL", 10**9)  # every cell the Polars way
    assert sliced.height > 2000 and sliced.equals(_found(cells))


def test_a_six_megabyte_line_is_scanned_in_linear_time() -> None:
    line = _line(120_000)  # 2.4 million characters, ~6 MB: minutes before (quadratic)
    began = time.perf_counter()
    found = _found([line])
    assert found.height > 90_000
    assert time.perf_counter() - began < 60  # generous: linear is seconds
