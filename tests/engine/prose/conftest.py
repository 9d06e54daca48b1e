"""Fixtures of the prose tests: a tiny CRF trained in a temporary folder (never the real one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.engine.prose.train import train


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CRF trained on 200 generated sentences, a few iterations: seconds, not minutes."""
    out = tmp_path_factory.mktemp("prose") / "tiny.crfsuite"
    return train(out, sentences=200, seed=3, max_iterations=30)
