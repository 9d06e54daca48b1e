"""``baomi demo`` — write a generated, realistic seller data set."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the demo command to ``app`` (implemented in a later commit)."""
