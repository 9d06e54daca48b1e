"""Shared fixtures of the reader tests: read a whole source back into one frame."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.readers.base import Source, TableBatch

ReadTable = Callable[[Source], tuple[pl.DataFrame, list[TableBatch]]]


def _read_table(source: Source) -> tuple[pl.DataFrame, list[TableBatch]]:
    """All batches of ``source`` and their frames stacked; checks the offsets only go forward
    (a gap is a skipped row: batch row ``i`` is data row ``offset + i`` of its sheet)."""
    batches = list(source.batches())
    expected: dict[str | None, int] = {}
    for batch in batches:
        assert batch.offset >= expected.get(batch.sheet, 0)
        assert all(dtype == pl.String for dtype in batch.frame.dtypes)
        expected[batch.sheet] = batch.offset + batch.frame.height
    frame = pl.concat([b.frame for b in batches], how="diagonal") if batches else pl.DataFrame()
    return frame, batches


def refused(path: Path) -> str:
    """The reason ``open_source`` refuses ``path`` with (it must), checked to quote none of
    the test files' phone numbers."""
    from baomi.engine.readers import open_source
    from baomi.errors import UnreadableFileError

    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert "13800001111" not in info.value.reason
    return info.value.reason


@pytest.fixture
def read_table() -> ReadTable:
    return _read_table
