"""``baomi govern training``: list the courses, assign one, read and export the dashboard,
check a certificate's code."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.govern_support import cli, database_url, env
from tests.cli.test_vault_cli import Cli

__all__ = ["cli", "database_url", "env"]


def test_list_assign_dashboard_and_verify(cli: Cli, tmp_path: Path) -> None:
    cli("keys", "init")
    listed = json.loads(cli("govern", "training", "list", "--format", "json"))
    assert len(listed["courses"]) == 6 and listed["renewal_months"] == 12
    assert "法律法规" in cli("govern", "training", "list")
    made = json.loads(
        cli("govern", "training", "assign", "law", "--department", "hr", "--format", "json")
    )
    assert (made["course"], made["department"], made["due_days"]) == ("law", "hr", 60)
    assert "legal" in cli("govern", "training", "assign", "law", "--department", "sales", code=1)
    assert json.loads(cli("govern", "training", "dashboard", "--format", "json")) == []
    out = tmp_path / "training.csv"
    cli("govern", "training", "dashboard", "--out", str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    cli("govern", "training", "dashboard", "--out", str(tmp_path / "t.xlsx"))
    assert (tmp_path / "t.xlsx").read_bytes().startswith(b"PK")
    assert json.loads(
        cli("govern", "training", "verify", "0" * 64, "--format", "json", code=1)
    ) == {"valid": False}
    cli("govern", "training", "unassign", made["id"])
    assert json.loads(cli("govern", "training", "list", "--format", "json"))["assignments"] == []
