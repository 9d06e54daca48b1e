"""A live data room (uvicorn in a thread, loopback, a free port) and Debian's Chromium.

Without ``/usr/bin/chromium`` the browser tests skip and say how to install it; the tool's own
browser download is never used.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.vault_support import database_url, key_file, settings, vault

__all__ = ["browser", "database_url", "key_file", "live_server", "settings", "vault"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def live_server(vault: Any, settings: Any) -> Iterator[str]:
    import uvicorn

    from baomi.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, vault=vault), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(500):  # wait for the socket, not for a fixed time
        if server.started:
            ready.set()
            break
        thread.join(0.01)
    assert ready.is_set(), "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium not found: apt-get install chromium (Debian's package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()
