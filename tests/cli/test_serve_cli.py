"""``baomi serve`` refuses to start, each time with one clear line: a placeholder key, no key
store, an unreadable home, a port in use. (The running service is tested in tests/web.)"""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path
from typing import Any

import pytest

from baomi.i18n import set_language
from baomi.services import keys
from baomi.services.keys import generate_key_file
from baomi.services.permissions import Actor, Role
from baomi.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer
    from typer.testing import CliRunner

    from baomi.cli import serve as serve_cli


def _app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language("en")

    serve_cli.register(app)
    return app


def _run(env: dict[str, str], *args: str) -> Any:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BAOMI_")}
    return CliRunner().invoke(
        _app(), ["serve", *args], env={**clean, **env}, catch_exceptions=False
    )


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    key = tmp_path / "master.key"
    generate_key_file(key)
    env = {"BAOMI_HOME": str(tmp_path / "home"), "BAOMI_MASTER_KEY_FILE": str(key)}
    return env


def test_placeholder_key_is_refused(tmp_path: Path) -> None:
    result = _run({"BAOMI_HOME": str(tmp_path), "BAOMI_MASTER_KEY": "changeme"})
    assert result.exit_code != 0
    assert "placeholder" in (result.output + str(result.exception))


def test_home_without_key_store_is_refused(home: dict[str, str]) -> None:
    result = _run(home, "--port", "1")
    assert result.exit_code == 2 and "keys init" in result.output


def test_port_in_use_is_refused(home: dict[str, str]) -> None:
    keys.init(
        Settings(
            home=Path(home["BAOMI_HOME"]), master_key_file=Path(home["BAOMI_MASTER_KEY_FILE"])
        ),
        actor=Actor("t", Role.ADMIN),
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run(home, "--port", str(port))
    assert result.exit_code == 2 and f"port {port} is in use" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_home_is_refused(home: dict[str, str]) -> None:
    Path(home["BAOMI_HOME"]).mkdir(mode=0o000)
    try:
        result = _run(home)
    finally:
        Path(home["BAOMI_HOME"]).chmod(0o700)
    assert result.exit_code == 2 and "cannot be read" in result.output


def test_home_that_is_a_file_is_refused(home: dict[str, str]) -> None:
    Path(home["BAOMI_HOME"]).write_text("not a folder")
    result = _run(home)
    assert result.exit_code == 2 and "cannot be read" in result.output


@pytest.mark.parametrize("pending", [0, 3])
def test_start_names_incidents_stored_before_masking(
    home: dict[str, str], monkeypatch: pytest.MonkeyPatch, pending: int
) -> None:
    """Incidents stored before titles and descriptions were masked still show them as typed:
    the start says how many and which command masks them (nothing when there are none)."""
    import uvicorn

    from baomi.services.respond import incidents

    keys.init(
        Settings(
            home=Path(home["BAOMI_HOME"]), master_key_file=Path(home["BAOMI_MASTER_KEY_FILE"])
        ),
        actor=Actor("t", Role.ADMIN),
    )
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    monkeypatch.setattr(incidents, "unmasked", lambda vault, *, actor: pending)
    with socket.socket() as s:  # a port free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = _run(home, "--port", str(port))
    assert r.exit_code == 0, r.output
    assert ("baomi incident remask" in r.output) is bool(pending)
    if pending:
        assert "3 incident(s)" in r.output


def _started(monkeypatch: pytest.MonkeyPatch, events: list[str]) -> dict[str, Any]:
    """What ``uvicorn.run`` was asked, and the ``BAOMI_*`` environment its workers would read
    (the command puts its settings there: this test's own environment is a copy)."""
    import uvicorn

    monkeypatch.setattr(os, "environ", os.environ.copy())
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        events.append("workers start")
        seen.update(options, app=app)
        seen["env"] = {k: v for k, v in os.environ.items() if k.startswith("BAOMI_")}

    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def _free_port() -> int:
    with socket.socket() as s:  # a port free a moment ago
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_workers_serve_the_app_by_name_with_the_settings_in_the_environment(
    home: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from baomi.web.app import from_environment

    keys.init(
        Settings(
            home=Path(home["BAOMI_HOME"]), master_key_file=Path(home["BAOMI_MASTER_KEY_FILE"])
        ),
        actor=Actor("t", Role.ADMIN),
    )
    seen = _started(monkeypatch, [])
    r = _run(home, "--port", str(_free_port()), "--workers", "3")
    assert r.exit_code == 0, r.output
    assert "workers: 3" in r.output and "one-time setup link" in r.output
    assert seen["app"] == "baomi.web.app:from_environment" and seen["factory"] is True
    assert seen["workers"] == 3
    for name, value in seen["env"].items():
        monkeypatch.setenv(name, value)
    with TestClient(from_environment()) as worker:  # a worker: the home the parent prepared
        assert worker.get("/api/v1/health").json() == {"status": "ok", "users": 1}


def test_demo_is_made_once_before_the_workers_start_and_reaches_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--demo``'s home and key are the command's own, not the environment's: the workers get
    them through the environment, after the demo was made (once, by the command)."""
    events: list[str] = []

    def demo(settings: Settings, console: Any) -> None:
        events.append("demo made")
        keys.init(settings, actor=Actor("demo", Role.ADMIN))

    monkeypatch.setattr(serve_cli, "_prepare_demo", demo)
    monkeypatch.chdir(tmp_path)
    seen = _started(monkeypatch, events)
    r = _run({}, "--demo", "--port", str(_free_port()), "--workers", "2")
    assert r.exit_code == 0, r.output
    assert events == ["demo made", "workers start"]
    assert Path(seen["env"]["BAOMI_HOME"]).resolve() == (tmp_path / "var" / "dataroom")
    assert Path(seen["env"]["BAOMI_MASTER_KEY_FILE"]).resolve() == (
        tmp_path / "var" / "keys" / "master.key"
    )


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory"])
def test_workers_over_a_database_in_memory_are_refused(
    home: dict[str, str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    seen = _started(monkeypatch, [])
    r = _run({**home, "BAOMI_DATABASE_URL": url}, "--workers", "2")
    assert r.exit_code == 2 and "cannot be shared by several workers" in r.output
    assert not seen


def test_workers_are_at_least_one(home: dict[str, str]) -> None:
    assert _run(home, "--workers", "0").exit_code == 2
