"""``baomi assess …``: the transfer's legal assessment at the command line.

Each part of the assessment registers its commands on :data:`assess_app` from its own module
(listed in :data:`SUBMODULES`); every command takes ``--format json`` for machines and prints a
table for people by default.
"""

from __future__ import annotations

import importlib

import typer

assess_app = typer.Typer(
    help="合规评估：转让类型、影响评估、出境、清单、第三方、通知 / compliance assessment",
    no_args_is_help=True,
)

#: Modules that add commands to :data:`assess_app` when imported.
SUBMODULES: tuple[str, ...] = (
    "baomi.cli.assess_profile",
    "baomi.cli.assess_rules",
    "baomi.cli.assess_reports",
    "baomi.cli.assess_crossborder",
    "baomi.cli.assess_pia",
    "baomi.cli.assess_notices",
    "baomi.cli.assess_checklist",
)


def register(app: typer.Typer) -> None:
    for name in SUBMODULES:
        importlib.import_module(name)
    app.add_typer(assess_app, name="assess")
