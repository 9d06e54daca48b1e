"""``baomi serve`` — start the data room (uvicorn) over the configured home.

Before starting it refuses, each with one clear line: settings without a real master key, a home
it cannot read or write, a home without a key store, a port already in use, several workers over
a database only one process can see. It prints the URL and, while no administrator has a
password, a one-time setup link.

``--workers N`` (N > 1) runs N uvicorn worker processes on the one port: everything that must
happen once — the checks, ``--demo``'s key and deal, the administrator's setup link, the
migrations — happens here first, in the parent; then the settings go into the environment
(:meth:`~baomi.settings.Settings.as_environment`) and each worker builds the app from there
(``baomi.web.app:from_environment``, the factory uvicorn imports by name). The workers share
the database and the key, so sessions, the one-time values and the rate limits per address
hold across them.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from baomi.errors import BaomiError, ConfigError
from baomi.i18n import tr
from baomi.services.permissions import Actor, Role

if TYPE_CHECKING:
    from baomi.services.vault import Vault
    from baomi.settings import Settings


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(
                    tr(
                        f"端口 {port} 已被占用：请用 --port 选择其他端口",
                        f"port {port} is in use: choose another with --port",
                    )
                ) from None
            raise ConfigError(
                tr(
                    f"无法监听 {host}:{port}：{exc.strerror}",
                    f"cannot listen on {host}:{port}: {exc.strerror}",
                )
            ) from None


def _check_home(home: os.PathLike[str] | str) -> None:
    path = os.fspath(home)
    if os.path.exists(path) and (
        not os.path.isdir(path) or not os.access(path, os.R_OK | os.W_OK | os.X_OK)
    ):
        raise ConfigError(
            tr(f"数据目录 {path} 不可读写", f"the home {path} cannot be read and written")
        )


def _check_workers(settings: Settings, workers: int) -> None:
    """Several workers need a database every one of them opens: not SQLite in memory (each
    process would get an empty one of its own)."""
    if workers < 2:
        return
    from sqlalchemy.engine import make_url

    url = make_url(settings.sqlalchemy_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or url.query.get("mode") == "memory"
    ):
        raise ConfigError(
            tr(
                "内存中的 SQLite 数据库无法由多个工作进程共用：请使用数据库文件或 PostgreSQL",
                "an in-memory SQLite database cannot be shared by several workers: use a "
                "database file or PostgreSQL",
            )
        )


DEMO_HOME = Path("var") / "dataroom"
DEMO_KEY = Path("var") / "keys" / "master.key"


def _demo_settings(console: Console) -> Settings:
    """Settings for ``--demo``: the configured ones, or a home under ./var with a key file made
    here (said out loud: a production home keeps its key elsewhere)."""
    from baomi.services.keys import generate_key_file
    from baomi.settings import Settings

    if any(os.environ.get(f"BAOMI_{n}") for n in ("MASTER_KEY_FILE", "MASTER_KEY", "PASSPHRASE")):
        return Settings()

    if not DEMO_KEY.exists():
        generate_key_file(DEMO_KEY)
        console.print(
            tr(
                f"已生成演示主密钥 {DEMO_KEY.resolve()}（仅本人可读）。生产环境请把主密钥放在数据目录之外的安全位置。",
                f"made a demo master key at {DEMO_KEY.resolve()} (owner-only). In production keep the master key elsewhere, away from the home.",
            )
        )
    home = Path(os.environ.get("BAOMI_HOME") or DEMO_HOME)
    return Settings(home=home, master_key_file=DEMO_KEY)


def _prepare_demo(settings: Settings, console: Console) -> None:
    from baomi.services import keys
    from baomi.services.dataroom.demo import ensure_demo_room
    from baomi.services.vault import open_vault
    from baomi.storage import keystore

    if not keystore.exists(settings.keystore_path):
        keys.init(settings, actor=Actor("demo", Role.ADMIN))
    console.print(
        tr(
            "正在准备演示交易（生成、扫描、保护演示数据）…",
            "preparing the demo deal (generate, scan, protect the demo data)…",
        )
    )
    from baomi.services.comply.demo import ensure_demo_assessment
    from baomi.services.govern.demo import ensure_demo_governance

    with open_vault(settings) as vault:
        demo = ensure_demo_room(vault)
        ensure_demo_assessment(vault)
        ensure_demo_governance(vault)
    console.print(
        tr(
            f"演示交易：{demo.deal}；演示账号（密码每次启动重新生成）：",
            f"demo deal: {demo.deal}; demo accounts (new passwords at each start):",
        )
    )
    for name, password in demo.passwords.items():
        console.print(f"  {name:8} {password}")


def _unmasked_incidents(vault: Vault, console: Console) -> None:
    """Say how many incidents still hold their title and description as typed (stored before
    masking, migration 0019) and which command masks them: after an upgrade, until then."""
    from baomi.services.respond import incidents

    pending = incidents.unmasked(vault, actor=Actor("serve", Role.ADMIN))
    if pending:
        console.print(
            tr(
                f"[yellow]{pending} 个安全事件的标题和描述仍按录入原文保存（早于脱敏）[/yellow]，"
                "请运行 baomi incident remask",
                f"[yellow]{pending} incident(s) still hold their title and description as "
                "typed (stored before masking)[/yellow]: run baomi incident remask",
            )
        )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to listen on"),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口 / port"),
        demo: bool = typer.Option(
            False,
            "--demo",
            help="在演示交易上启动（./var 下）/ start on the demo deal (under ./var)",
        ),
        workers: int = typer.Option(
            1,
            "--workers",
            min=1,
            help="工作进程数（共用数据库与主密钥）/ worker processes (sharing the database and "
            "the master key)",
        ),
    ) -> None:
        """启动数据室网页服务 / start the data room web service."""
        import uvicorn

        from baomi.services import accounts
        from baomi.services.vault import open_vault
        from baomi.settings import Settings
        from baomi.web.app import create_app

        console = Console(highlight=False, soft_wrap=True)
        try:
            settings = _demo_settings(console) if demo else Settings()
            _check_workers(settings, workers)
            _check_home(settings.home)
            _check_port(host, port)
            if demo:  # once, before any worker starts
                _prepare_demo(settings, console)
            vault = open_vault(settings)
            vault.master_key()  # a wrong key fails here, not at the first request
            link = accounts.bootstrap_admin(vault)
        except BaomiError as exc:
            console.print(f"[red]{tr('错误', 'error')}:[/red] {exc}")
            raise typer.Exit(2) from None
        url = f"http://{host}:{port}"
        console.print(tr(f"数据室：{url}", f"data room: {url}"))
        if workers > 1:
            console.print(tr(f"工作进程：{workers} 个", f"workers: {workers}"))
        if link is not None:
            who = accounts.setup_link_user(vault, link) or "admin"
            console.print(
                tr(
                    f"管理员 {who} 的一次性设置链接（24 小时内有效；此前未使用的链接已失效）："
                    f"{url}/setup/{link}",
                    f"one-time setup link for the administrator {who} (24 hours; earlier unused "
                    f"links no longer work): {url}/setup/{link}",
                )
            )
        _unmasked_incidents(vault, console)
        if workers > 1:
            vault.close()  # each worker opens its own
            # --demo's home and key are not in the environment yet: each worker reads them there
            os.environ.update(settings.as_environment())
            uvicorn.run(
                "baomi.web.app:from_environment",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="warning",
                server_header=False,
                proxy_headers=False,  # the app's: settings.trusted_proxies
            )
            return
        app_ = create_app(settings, vault=vault)
        try:
            uvicorn.run(
                app_,
                host=host,
                port=port,
                log_level="warning",
                server_header=False,
                proxy_headers=False,  # the app's: settings.trusted_proxies
            )
        finally:
            vault.close()
