from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from baomi.services import accounts
from baomi.services.permissions import Actor, Role
from baomi.web.app import create_app
from tests.vault_support import database_url, key_file, second_database_url, settings, vault

__all__ = ["client", "database_url", "key_file", "second_database_url", "settings", "vault"]

ADMIN = Actor("tester", Role.ADMIN)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def client(vault: Any, settings: Any) -> Iterator[TestClient]:
    with TestClient(create_app(settings, vault=vault)) as c:
        yield c


def make_user(vault: Any, username: str = "li.lei", role: str = "buyer") -> str:
    """A user with :data:`PASSWORD` set through a real setup link; returns the user's id."""
    user, token = accounts.create_user(
        vault, actor=ADMIN, username=username, display_name="Li Lei", role=role
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    return user.id


def api_login(client: TestClient, username: str = "li.lei", password: str = PASSWORD) -> Any:
    client.get("/login")  # the pre-session CSRF cookie
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": client.cookies.get("baomi_csrf") or ""},
    )
