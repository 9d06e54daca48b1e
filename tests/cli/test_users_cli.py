"""``baomi user`` from the machine that holds the key: accounts listed, created with a link,
a new link for the administrator who forgot their password, disabled, enabled and unlocked, the
second factor of one who lost their authenticator reset — each audited, the link working once on
the data room's setup page."""

from __future__ import annotations

import warnings
from typing import Any

import pyotp
import pytest

from baomi.errors import PermissionDeniedError
from baomi.i18n import set_language
from baomi.services import accounts, totp
from baomi.services.vault import open_vault
from baomi.settings import Settings
from tests.cli.test_vault_cli import Cli, env  # noqa: F401 - the fixture
from tests.vault_support import database_url  # noqa: F401 - the fixture

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import typer

    from baomi.cli import users as users_cli
    from baomi.cli import vault as vault_cli

PASSWORD = "correct horse battery 7"


def _app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def _root() -> None:
        """baomi (test)."""
        set_language(None)

    vault_cli.register(app)
    users_cli.register(app)
    return app


@pytest.fixture
def cli(env: dict[str, Any]) -> Cli:  # noqa: F811 - the fixture above
    runner = Cli(env)
    runner.app = _app()
    return runner


def _token(output: str) -> str:
    [line] = [x for x in output.splitlines() if "/setup/" in x]
    assert line.startswith("https://dr.example.cn/setup/")
    return line.rsplit("/", 1)[1]


def _vault(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Any:
    for key, value in cli.env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    return open_vault(Settings())


def test_the_administrator_who_forgot_the_password_gets_a_new_link(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("keys", "init", "--as", "ops")
    url = ("--url", "https://dr.example.cn")
    vault = _vault(cli, monkeypatch)
    try:
        first = accounts.bootstrap_admin(vault)  # `baomi serve`'s first start
        assert first is not None
        accounts.complete_setup(vault, token=first, password=PASSWORD)
        assert accounts.bootstrap_admin(vault) is None  # serve gives no link any more
        # the password is forgotten: nobody can sign in to the users page
        again = _token(cli("user", "setup-link", "admin", *url))
        accounts.complete_setup(vault, token=again, password=PASSWORD + "!")
        assert accounts.login(vault, username="admin", password=PASSWORD + "!") is not None
    finally:
        vault.close()


def test_accounts_are_created_listed_disabled_enabled_and_unlocked(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("keys", "init", "--as", "ops")
    url = ("--url", "https://dr.example.cn")
    created = cli("user", "create", "li.na", "--role", "buyer", "--name", "李娜", *url)
    vault = _vault(cli, monkeypatch)
    try:
        accounts.complete_setup(vault, token=_token(created), password=PASSWORD)
        assert accounts.login(vault, username="li.na", password=PASSWORD) is not None
        listed = cli("user", "list")
        assert "li.na" in listed and "买方审阅人" in listed and "已设置" in listed
        # a new link: the old one stays used, the new one sets a new password once
        again = _token(cli("user", "setup-link", "li.na", *url))
        accounts.complete_setup(vault, token=again, password=PASSWORD + "x")
        with pytest.raises(PermissionDeniedError):
            accounts.complete_setup(vault, token=again, password=PASSWORD)
        assert "已停用 li.na" in cli("user", "disable", "li.na")
        assert "用户 li.na 已停用" in cli("user", "disable", "li.na", code=1)  # said, not silent
        assert "停用" in cli("user", "list")
        with pytest.raises(PermissionDeniedError):
            accounts.login(vault, username="li.na", password=PASSWORD + "x")
        cli("user", "setup-link", "li.na", *url, code=1)  # enable first
        assert "li.na enabled" in cli("user", "enable", "li.na", BAOMI_LANG="en")
        assert "not disabled" in cli("user", "enable", "li.na", BAOMI_LANG="en", code=1)
        assert accounts.login(vault, username="li.na", password=PASSWORD + "x") is not None
        assert "未被锁定" in cli("user", "unlock", "li.na", code=1)
        cli("user", "setup-link", "nobody", *url, code=1)
        cli("user", "create", "x.y", "--role", "king", *url, code=1)
    finally:
        vault.close()
    assert "审计链完好" in cli("audit", "verify")


def test_the_link_starts_with_the_data_rooms_address_and_nothing_else(cli: Cli) -> None:
    """``--url javascript:…`` or an empty one printed a link nobody can open (QA)."""
    cli("keys", "init", "--as", "ops")
    for url in ("javascript:alert(1)", "", "dr.example.cn"):
        out = cli("user", "create", "li.na", "--role", "buyer", "--url", url, code=2)
        assert "/setup/" not in out and "--url" in out
    assert _token(
        cli("user", "create", "li.na", "--role", "buyer", "--url", "https://dr.example.cn/")
    )


def test_the_administrator_who_lost_the_authenticator_gets_the_second_factor_reset(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing cleared a lost authenticator (QA); the key holder resets it here, the
    administrator's own included, acting under their own name."""
    cli("keys", "init", "--as", "ops")
    vault = _vault(cli, monkeypatch)
    try:
        first = accounts.bootstrap_admin(vault)
        assert first is not None
        accounts.complete_setup(vault, token=first, password=PASSWORD)
        secret = totp.start_totp(vault, username="admin")
        code = pyotp.TOTP(secret).now()
        totp.enable_totp(vault, username="admin", code=code)
        assert "开启" in cli("user", "list")
        with pytest.raises(PermissionDeniedError):  # the authenticator is lost
            accounts.login(vault, username="admin", password=PASSWORD)
        # acting as the account itself is refused, as on the page
        assert "自己" in cli("user", "reset-totp", "admin", "--as", "admin", code=1)
        out = cli("user", "reset-totp", "admin", "--as", "ops")
        assert "已重置 admin 的两步验证" in out and secret not in out
        assert not accounts.login(vault, username="admin", password=PASSWORD).user.totp
        assert "关闭" in cli("user", "list")
        assert "未开启两步验证" in cli("user", "reset-totp", "admin", "--as", "ops", code=1)
        cli("user", "reset-totp", "nobody", code=1)
    finally:
        vault.close()
    assert "审计链完好" in cli("audit", "verify")
