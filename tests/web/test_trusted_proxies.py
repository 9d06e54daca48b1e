"""Behind a reverse proxy every client comes from the proxy's address: the rate limits per
address count the client that a trusted proxy's ``X-Forwarded-For`` names, and no one else's
header is believed (a client could name itself another and escape the limits)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from baomi.errors import ConfigError
from baomi.settings import Settings
from baomi.web.app import create_app
from baomi.web.routers.requests import PUBLIC_LIMIT

PROXY = ("10.1.2.3", 50000)


def _codes(client: TestClient, forwarded: list[str]) -> list[int]:
    client.get("/request")
    token = client.cookies.get("baomi_csrf") or ""
    return [
        client.post(
            "/api/v1/requests",
            json={"kind": "access", "contact": f"p{i}@example.com"},
            headers={"X-CSRF-Token": token, "X-Forwarded-For": who},
        ).status_code
        for i, who in enumerate(forwarded)
    ]


def _client(settings: Settings, vault: Any, proxies: str) -> TestClient:
    trusted = settings.model_copy(update={"trusted_proxies": proxies})
    return TestClient(create_app(trusted, vault=vault), client=PROXY)


def test_a_trusted_proxys_clients_are_limited_each_on_their_own(
    settings: Settings, vault: Any
) -> None:
    # two clients behind one proxy: each gets the whole limit
    a, b = ["203.0.113.7"] * PUBLIC_LIMIT, ["198.51.100.9"] * PUBLIC_LIMIT
    with _client(settings, vault, "10.1.2.0/24") as client:
        assert _codes(client, a + b) == [201] * (2 * PUBLIC_LIMIT)
        assert _codes(client, ["203.0.113.7"]) == [429]


@pytest.mark.parametrize("proxies", ["127.0.0.1", ""])
def test_an_untrusted_senders_header_is_not_believed(
    settings: Settings, vault: Any, proxies: str
) -> None:
    # a client naming itself another in each request is still one address: the sender's
    names = [f"203.0.113.{i}" for i in range(PUBLIC_LIMIT + 2)]
    with _client(settings, vault, proxies) as client:
        codes = _codes(client, names)
    assert codes == [201] * PUBLIC_LIMIT + [429, 429]


@pytest.mark.parametrize("proxies", ["*", "proxy.local", "10.0.0.0/33"])
def test_a_trusted_proxy_must_be_an_address_or_network(settings: Settings, proxies: str) -> None:
    with pytest.raises(ConfigError, match="BAOMI_TRUSTED_PROXIES"):
        Settings(**{**settings.model_dump(), "trusted_proxies": proxies})
