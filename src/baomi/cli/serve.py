"""``baomi serve`` — start the data room (uvicorn) over the configured home.

Before starting it refuses, each with one clear line: settings without a real master key, a home
it cannot read or write, a home without a key store, a port already in use. It prints the URL and,
while no administrator has a password, a one-time setup link.
"""

from __future__ import annotations

import errno
import os
import socket

import typer
from rich.console import Console

from baomi.errors import BaomiError, ConfigError
from baomi.i18n import tr


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
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise ConfigError(
            tr(f"数据目录 {path} 不可读写", f"the home {path} cannot be read and written")
        )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to listen on"),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口 / port"),
    ) -> None:
        """启动数据室网页服务 / start the data room web service."""
        import uvicorn

        from baomi.services import accounts
        from baomi.services.vault import open_vault
        from baomi.settings import Settings
        from baomi.web.app import create_app

        console = Console(highlight=False, soft_wrap=True)
        try:
            settings = Settings()
            _check_home(settings.home)
            _check_port(host, port)
            vault = open_vault(settings)
            vault.master_key()  # a wrong key fails here, not at the first request
            link = accounts.bootstrap_admin(vault)
        except BaomiError as exc:
            console.print(f"[red]{tr('错误', 'error')}:[/red] {exc}")
            raise typer.Exit(2) from None
        url = f"http://{host}:{port}"
        console.print(tr(f"数据室：{url}", f"data room: {url}"))
        if link is not None:
            console.print(
                tr(
                    f"一次性管理员设置链接（24 小时内有效）：{url}/setup/{link}",
                    f"one-time administrator setup link (24 hours): {url}/setup/{link}",
                )
            )
        app_ = create_app(settings, vault=vault)
        try:
            uvicorn.run(app_, host=host, port=port, log_level="warning", server_header=False)
        finally:
            vault.close()
