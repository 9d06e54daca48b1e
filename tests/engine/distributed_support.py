"""Fixtures of the Dask engine tests: the demo seller data and a small in-process cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client

from baomi.demo.generator import generate_demo
from baomi.engine.scan.distributed import dask_client


@pytest.fixture(scope="module")
def seller(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data set (CSV in GBK and UTF-8, an XLSX, DOCX and TXT contracts, JSONL)."""
    root = tmp_path_factory.mktemp("demo") / "seller"
    generate_demo(root, rows=120)
    return root


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two one-thread workers in this process: fast to start, shut down after the module."""
    with dask_client(workers=2, processes=False) as c:
        yield c
