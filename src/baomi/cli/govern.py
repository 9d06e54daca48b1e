"""``baomi govern …``: the company's management of protection at the command line (training,
audits, surveys, reviews, responsibilities).

Each area registers its commands on :data:`govern_app` from its own module (listed in
:data:`SUBMODULES`); every command takes ``--format json`` for machines.
"""

from __future__ import annotations

import importlib

import typer

govern_app = typer.Typer(
    help="个人信息保护管理：培训、审计、调查、评审、职责 / protection governance",
    no_args_is_help=True,
)

#: Modules that add commands to :data:`govern_app` when imported.
SUBMODULES: tuple[str, ...] = (
    "baomi.cli.govern_training",
    "baomi.cli.govern_audits",
    "baomi.cli.govern_surveys",
    "baomi.cli.govern_policies",
    "baomi.cli.govern_notify",
)


def register(app: typer.Typer) -> None:
    for name in SUBMODULES:
        importlib.import_module(name)
    app.add_typer(govern_app, name="govern")
