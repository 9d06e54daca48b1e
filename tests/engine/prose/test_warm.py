"""``python -m baomi.engine.prose.warm`` (run by ``make setup``): the batched decoder's kernels
compiled before the first scan, and cached where later processes load them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from baomi.engine.prose import kernels, warm


def test_warm_readies_the_kernels_a_scan_calls() -> None:
    warm.warm()
    for kernel in (kernels.chunks, kernels.decode, kernels.spans, kernels.build_table):
        assert kernel.signatures, kernel.__name__


@pytest.mark.slow
def test_warm_leaves_the_compiled_kernels_in_the_cache(tmp_path: Path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "baomi.engine.prose.warm"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ready" in done.stdout or "就绪" in done.stdout
    cached = {p.name.split(".")[1].rsplit("-", 1)[0] for p in tmp_path.rglob("kernels.*.nbi")}
    assert {"decode", "spans", "chunks", "build_table"} <= cached
