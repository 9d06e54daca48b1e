"""``baomi serve --workers 2`` as an operator runs it: a real process on a free port, two worker
processes answering one data room — a sign-in and the requests after it on new connections, the
sign-in limit per address counted once for both — and a clean stop on SIGTERM (what a service
manager sends). Slow: the workers take seconds to start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from baomi.services import keys
from baomi.services.permissions import Actor, Role
from baomi.services.vault import open_vault
from baomi.settings import Settings
from baomi.web.routers.auth import LOGIN_LIMIT
from tests.web.conftest import PASSWORD, make_user

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

#: how long the workers may take to start on a loaded machine
STARTUP_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as s:  # a port free a moment ago
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(parent: int) -> list[int]:
    """The worker processes ``parent`` spawned (multiprocessing's spawn, as uvicorn starts them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def _up(server: subprocess.Popen[str], base: str) -> None:
    """Wait until the data room answers (or the command has exited: then say why)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            out, err = server.communicate()
            pytest.fail(f"baomi serve exited {server.returncode}: {out[-2000:]} {err[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass  # bound, not yet listening: the workers are starting
        time.sleep(0.2)
    pytest.fail("the data room did not answer in time")


def _sign_in(base: str, password: str) -> httpx.Response:
    """One sign-in as a script does it, on new connections: the pre-sign-in cookie, then the
    API's login with it."""
    with httpx.Client(base_url=base) as c:
        c.get("/login")
        return c.post(
            "/api/v1/auth/login",
            json={"username": "li.lei", "password": password},
            headers={"X-CSRF-Token": c.cookies.get("baomi_csrf") or ""},
        )


def test_two_workers_serve_one_data_room_and_stop_cleanly(tmp_path: Path) -> None:
    key = tmp_path / "master.key"
    keys.generate_key_file(key)
    settings = Settings(_env_file=None, home=tmp_path / "home", master_key_file=key)  # type: ignore[call-arg]
    keys.init(settings, actor=Actor("t", Role.ADMIN))
    with open_vault(settings) as vault:
        make_user(vault)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOMI_")}
    env.update(BAOMI_HOME=str(settings.home), BAOMI_MASTER_KEY_FILE=str(key), BAOMI_LANG="en")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "baomi"), "serve", "--workers", "2"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: list[int] = []
    try:
        _up(server, base)
        workers = _workers(server.pid)
        assert len(workers) == 2

        signed = _sign_in(base, PASSWORD)
        assert signed.status_code == 200, signed.text
        bearer = {"Authorization": f"Bearer {signed.json()['token']}"}
        for _ in range(8):  # each on a new connection: whichever worker takes it knows the session
            me = httpx.get(f"{base}/api/v1/auth/me", headers=bearer)
            assert me.status_code == 200 and me.json()["user"]["username"] == "li.lei"

        # the sign-in above was the address's first attempt this minute; the limit is one for
        # both workers, so the attempt after the limit is refused whichever worker takes it
        codes = [_sign_in(base, "wrong password!!").status_code for _ in range(LOGIN_LIMIT)]
        assert codes == [401] * (LOGIN_LIMIT - 1) + [429]
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=120)
    assert server.returncode == 0, err[-2000:]
    assert f"data room: {base}" in out and "workers: 2" in out
    assert "Traceback" not in err
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # none left behind
