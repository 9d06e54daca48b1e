"""``baomi user``: the data room's accounts from the machine that holds the key — list, create
with a one-time setup link, a new link (a forgotten password: the administrator's own too,
when nobody can sign in to the users page), disable, enable, unlock, reset a lost second factor
(the administrator's own too: the key holder acts under their own name, ``--as`` or the OS
user, not as the account they reset).

Whoever opens the key store here acts as the installation's administrator (as ``keys init``
and ``backup restore`` do); the services ask the permission table and audit each change
(``services/users.py``). The link's address is ``--url`` (the data room's address as people
reach it) + ``/setup/TOKEN``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from baomi.cli.vault import _actor, _run, _vault
from baomi.i18n import tr
from baomi.services.permissions import ROLE_LABELS, Action, Role

user_app = typer.Typer(
    help="数据室账号：列出、创建、设置链接、停用、启用、解锁、重置两步验证 / data room accounts",
    no_args_is_help=True,
)

AS_OPTION = typer.Option(None, "--as", help="操作人（默认为系统用户名）/ acting operator")
URL_OPTION = typer.Option(
    "http://127.0.0.1:8000",
    "--url",
    envvar="BAOMI_URL",
    callback=lambda value: _checked_url(value),
    help="数据室地址（链接的前缀）/ the data room's address (the link's prefix)",
)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _as_admin(as_: str | None) -> Any:
    return _actor(as_, Role.ADMIN)


def _link(url: str, token: str) -> str:
    return f"{url.rstrip('/')}/setup/{token}"


def _checked_url(url: str) -> str:
    """The data room's address as a link can start with it: ``http(s)://HOST[:PORT]``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise typer.BadParameter(
            tr(
                f"--url 须为数据室地址，如 https://dataroom.example.cn：{url!r}",
                f"--url must be the data room's address, e.g. https://dataroom.example.cn: {url!r}",
            ),
            param_hint="--url",
        )
    return url.strip()


def _print_link(username: str, url: str, token: str) -> None:
    _console().print(
        tr(
            f"{username} 的一次性设置链接（24 小时内有效，只显示这一次；此前未使用的链接均已失效）：",
            f"{username}'s one-time setup link (24 hours, shown once; earlier unused links "
            "no longer work):",
        )
    )
    typer.echo(_link(url, token))


@user_app.command("list")
def list_cmd(as_: str | None = AS_OPTION) -> None:
    """列出账号 / list the accounts."""
    from baomi.services import accounts

    with _vault() as vault:
        found = _run(lambda: accounts.list_users(vault, actor=_as_admin(as_)))
    table = Table(
        tr("用户名", "user name"),
        tr("显示名", "display name"),
        tr("角色", "role"),
        tr("密码", "password"),
        tr("两步验证", "two-step"),
        tr("状态", "state"),
    )
    for u in found:
        state = tr("停用", "disabled") if u.disabled else tr("正常", "active")
        if not u.disabled and u.locked_until:
            state = tr("已锁定", "locked")
        table.add_row(
            u.username,
            u.display_name,
            tr(*ROLE_LABELS.get(u.role, (u.role, u.role))),
            tr("已设置", "set") if u.has_password else tr("未设置", "not set"),
            tr("开启", "on") if u.totp else tr("关闭", "off"),
            state,
        )
    _console().print(table)


@user_app.command("create")
def create_cmd(
    username: str = typer.Argument(..., help="用户名 / user name"),
    role: str = typer.Option(..., "--role", help="|".join(ROLE_LABELS)),
    display_name: str = typer.Option("", "--name", help="显示名 / display name"),
    url: str = URL_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """创建账号并给出一次性设置链接 / create an account and its one-time setup link."""
    from baomi.services import accounts

    with _vault() as vault:
        created, token = _run(
            lambda: accounts.create_user(
                vault,
                actor=_as_admin(as_),
                username=username,
                display_name=display_name or username,
                role=role,
            )
        )
    _print_link(created.username, url, token)


@user_app.command("setup-link")
def setup_link_cmd(
    username: str = typer.Argument(..., help="用户名 / user name"),
    url: str = URL_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """新的一次性设置链接（忘记密码，包括管理员本人）/ a new one-time setup link (a forgotten
    password, the administrator's own included)."""
    from baomi.services import users

    with _vault() as vault:
        found, token = _run(
            lambda: users.new_setup_link(vault, actor=_as_admin(as_), username=username)
        )
    _print_link(found.username, url, token)


def _change(username: str, as_: str | None, fn: Callable[..., Any], action: Action) -> None:
    from baomi.services import users

    with _vault() as vault:
        done = _run(lambda: fn(vault, actor=_as_admin(as_), username=username))
    _console().print(users.said(action, done.username))


@user_app.command("disable")
def disable_cmd(
    username: str = typer.Argument(..., help="用户名 / user name"),
    as_: str | None = AS_OPTION,
) -> None:
    """停用账号：会话立即结束，不能登录 / disable an account: its sessions end now."""
    from baomi.services import users

    _change(username, as_, users.disable, Action.USER_DISABLE)


@user_app.command("enable")
def enable_cmd(
    username: str = typer.Argument(..., help="用户名 / user name"),
    as_: str | None = AS_OPTION,
) -> None:
    """启用已停用的账号 / enable a disabled account."""
    from baomi.services import users

    _change(username, as_, users.enable, Action.USER_ENABLE)


@user_app.command("unlock")
def unlock_cmd(
    username: str = typer.Argument(..., help="用户名 / user name"),
    as_: str | None = AS_OPTION,
) -> None:
    """解除连续输错密码造成的锁定 / lift the lock after failed sign-ins."""
    from baomi.services import users

    _change(username, as_, users.unlock, Action.USER_UNLOCK)


@user_app.command("reset-totp")
def reset_totp_cmd(
    username: str = typer.Argument(..., help="用户名 / user name"),
    as_: str | None = AS_OPTION,
) -> None:
    """重置两步验证（丢失验证器，包括管理员本人）：会话立即结束，之后凭密码登录并重新绑定 /
    reset the second factor (a lost authenticator, the administrator's own included): sessions
    end now; the user signs in with the password and sets up a new authenticator."""
    from baomi.services import users

    _change(username, as_, users.reset_totp, Action.USER_RESET_TOTP)


def register(app: typer.Typer) -> None:
    """Add ``baomi user`` to ``app``."""
    app.add_typer(user_app, name="user")
