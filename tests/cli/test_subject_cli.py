"""``baomi subject``: take a request in, verify, answer or refuse; bad input refused."""

from __future__ import annotations

import datetime as _dt
import json
import warnings
from typing import Any

import pytest

from baomi.i18n import set_language
from tests.cli.test_vault_cli import Cli, env
from tests.vault_support import database_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer

    from baomi.cli import subject, vault

__all__ = ["database_url", "env"]


@pytest.fixture
def cli(env: dict[str, Any]) -> Cli:
    c = Cli(env)
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language(None)

    vault.register(app)
    subject.register(app)
    c.app = app
    return c


def test_intake_verify_answer_close(cli: Cli) -> None:
    cli("keys", "init")
    received = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(days=31)).isoformat()
    data = json.loads(
        cli(
            "subject",
            "intake",
            "--kind",
            "access",
            "--contact",
            "13812345678",
            "--received",
            received,
            "--format",
            "json",
        )
    )
    assert data["status"] == "open" and data["overdue"] and data["reference"].startswith("DSR-")
    assert "逾期" in cli("subject", "list")
    verified = json.loads(
        cli(
            "subject",
            "verify",
            data["reference"],
            "--method",
            "sms_code",
            "--identifier",
            "13812345678",
            "--format",
            "json",
        )
    )
    assert verified["status"] == "verified"
    assert "13812345678" not in json.dumps(verified["verifications"])
    answered = json.loads(cli("subject", "status", data["id"], "answered", "--format", "json"))
    assert answered["status"] == "answered" and not answered["overdue"]
    assert "已答复" in cli("subject", "show", data["id"])
    cli("subject", "status", data["id"], "closed")


def test_refusal_needs_reasons_and_bad_choices_are_refused(cli: Cli) -> None:
    cli("keys", "init")
    data = json.loads(
        cli("subject", "intake", "--kind", "deletion", "--contact", "a@b.cn", "--format", "json")
    )
    assert "PIPL-50" in cli("subject", "status", data["id"], "refused", code=1, BAOMI_LANG="en")
    out = cli("subject", "status", data["id"], "refused", "--reason", "法定保存期限未届满")
    assert "法定保存期限未届满" in out
    cli("subject", "intake", "--kind", "nonsense", "--contact", "x", code=2)
    cli("subject", "verify", data["id"], "--method", "nonsense", code=2)
    cli("subject", "intake", "--kind", "access", "--contact", " ", code=1)
