"""``baomi scan`` — find and classify personal information in files."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the scan command to ``app`` (implemented in the next commit)."""
