"""The ``cli`` fixture of the ``baomi govern`` tests: the key commands and the govern group, in
the interface language of the test."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from baomi.i18n import set_language
from tests.cli.test_vault_cli import Cli, env
from tests.vault_support import database_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer

    from baomi.cli import govern, vault

__all__ = ["cli", "database_url", "env"]


@pytest.fixture
def cli(env: dict[str, Any]) -> Cli:
    c = Cli(env)
    c.app = typer.Typer(no_args_is_help=True, callback=lambda: set_language(None))
    for module in (vault, govern):
        module.register(c.app)
    return c
