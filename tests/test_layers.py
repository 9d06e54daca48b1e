"""Layering: the engine imports no web framework, ORM or CLI library; ``import baomi`` is inert."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import baomi.engine

FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "alembic", "typer", "click", "rich", "jinja2")


def _engine_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(baomi.engine.__path__, prefix="baomi.engine.")
        if ".prose.train" not in m.name
    ]


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout


def test_engine_imports_no_web_orm_or_cli_library() -> None:
    modules = _engine_modules()
    assert len(modules) > 5
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    assert json.loads(_run(code)) == []


def test_import_baomi_does_no_work() -> None:
    code = (
        "import logging, sys\n"
        "before = set(sys.modules)\n"
        "import baomi\n"
        "new = sorted(m for m in set(sys.modules) - before if not m.startswith('baomi'))\n"
        "print(new); print(logging.getLogger().handlers); print(logging.getLogger('baomi').handlers)\n"
        "print([m for m in sys.modules if m.startswith('baomi')])\n"
    )
    lines = _run(code).splitlines()
    assert lines[0] == "[]", "import baomi imported other modules"
    assert lines[1] == "[]" and lines[2] == "[]", "import baomi attached a logging handler"
    assert lines[3] == "['baomi']", "import baomi imported its subpackages"
