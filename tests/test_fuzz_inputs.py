"""A few dozen damaged files through the scan and protect (:mod:`tests.fuzz_inputs`): none
may end in a traceback, a library's panic or a hang — each is refused or read in part with
its reason, or read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz_inputs import run


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "protect"), [(7, False), (11, True)])
def test_damaged_files_end_with_a_reason_not_a_crash(
    tmp_path: Path, seed: int, protect: bool
) -> None:
    crashes = run(seed, 60, tmp_path / "crashes", protect=protect)
    assert crashes == [], [
        (c.kind, c.suffix, c.saved.with_suffix(".txt").read_text()) for c in crashes
    ]
