"""The ``baomi`` command. Each command group lives in its own module with a ``register(app)``."""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys

import click
import typer
from typer.core import TyperGroup

# Polars allocates through jemalloc, which keeps freed pages for a while; on a long scan the
# retained pages, not live data, set the peak (848 MB → 720 MB on a 350 MB CSV with 0.5 s).
# Returning them too soon costs a page fault per page reused: 2 s keeps a 44 MB scan from
# faulting its findings buffers in again (-10 % time) for +3 % peak on a 2 GB scan (0.86 GB).
# One arena (narenas:1) instead of jemalloc's four per core: each thread that allocates
# (Polars' pool, the scanning threads, the decoder's) otherwise keeps freed pages in an arena
# of its own — the default scan of a 1 GB CSV peaked at 714 MB, 687 MB with one arena; the
# identifier scan of the 64 MB unique-notes CSV 503 -> 454 MB; the same time (scan, protect).
# Must be set before Polars is loaded, which the commands do lazily; an explicit setting wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "narenas:1,dirty_decay_ms:2000,muzzy_decay_ms:0")
# Arrow (the CSV reader) allocates from its own pool, mimalloc by default, which kept ~190 MB
# more resident on a long scan than Arrow's jemalloc pool does (1 GB CSV: 774 MB → see
# bench/RESULTS.md "peak memory"); the time is the same.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
# Polars 2 runs a lazy query on its streaming engine unless told otherwise, ~280 µs a query
# before any work against ~30 µs in memory; a scan makes hundreds of small queries a partition
# (the unique-notes CSV without the model −4 % wall). Dask's LocalCluster workers inherit it.
os.environ.setdefault("POLARS_ENGINE_AFFINITY", "in-memory")
# baomi makes no BLAS calls; OpenBLAS's helper thread would only spin beside Polars' threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _lang_first(args: list[str]) -> list[str]:
    """``args`` with each ``--lang VALUE`` (``--lang=VALUE``) moved before the command word,
    where the root reads it: ``baomi scan DIR --lang en`` is ``baomi --lang en scan DIR``. After
    ``--`` everything is an argument and stays where it is (a file named ``--lang``)."""
    moved: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg.startswith("--lang="):
            moved.append(arg)
        elif arg == "--lang" and i + 1 < len(args):
            moved += args[i : i + 2]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return moved + rest


class _Root(TyperGroup):
    """The ``baomi`` group: ``--lang`` is its option, taken wherever it is on the command line
    (a command's own parser would refuse it as unknown)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _lang_first(args))


_app = typer.Typer(
    cls=_Root,
    name="baomi",
    help="保密 baomi — 公司转让中的客户个人信息保护 (PIPL). Protect customer PI in a company transfer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Command modules, each exposing ``register(app: typer.Typer) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "baomi.cli.scan",
    "baomi.cli.demo",
    "baomi.cli.protect",
    "baomi.cli.vault",
    "baomi.cli.serve",
    "baomi.cli.assess",
    "baomi.cli.govern",
    "baomi.cli.respond",
    "baomi.cli.subject",
    "baomi.cli.users",
    "baomi.cli.rooms",
)


@_app.callback()
def _root(
    lang: str = typer.Option(
        None,
        "--lang",
        envvar="BAOMI_LANG",
        help="界面语言 zh|en，可放在命令行任意位置 / interface language, anywhere on the line",
    ),
) -> None:
    """保密 baomi — 公司转让中的客户个人信息保护。"""
    from baomi.i18n import set_language

    set_language(lang if lang in ("zh", "en") else None)


#: The top-level commands and groups each module registers, so that ``baomi scan`` imports
#: the scan's modules only: importing every command module (the services, SQLAlchemy, the
#: report renderers) costs about 1.2 s of CPU, most of a small scan. A command missing here
#: is still found: an unknown first word mounts every module.
COMMAND_NAMES: dict[str, str] = {
    # only commands no other module adds to (tests/cli/test_main.py checks): ``certificate``
    # or ``assess`` gain subcommands from several modules and mount everything
    "scan": "baomi.cli.scan",
    "demo": "baomi.cli.demo",
    "protect": "baomi.cli.protect",
    "policy": "baomi.cli.protect",
    "risk": "baomi.cli.protect",
    "trace": "baomi.cli.protect",
    "detokenize": "baomi.cli.protect",
    "user": "baomi.cli.users",
    "keys": "baomi.cli.vault",
    "deal": "baomi.cli.vault",
    "audit": "baomi.cli.vault",
    "backup": "baomi.cli.vault",
    "room": "baomi.cli.rooms",
}

_mounted: set[str] = set()


def _mount(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    for name in modules:
        if name not in _mounted:
            _mounted.add(name)
            importlib.import_module(name).register(_app)
    return _app


def _command_word(args: list[str]) -> str | None:
    """The command a command line names (after the root's options), if any."""
    rest = iter(args)
    for arg in rest:
        if arg == "--lang":
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def __getattr__(name: str) -> typer.Typer:
    """``app``: the command with every module mounted (for tests and ``--help``)."""
    if name == "app":
        return _mount()
    raise AttributeError(name)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the run the way Ctrl-C does: ``finally`` blocks remove partial output."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Console entry point: file-system failures become one clear line, not a traceback."""
    from baomi.errors import BaomiError
    from baomi.i18n import os_reason, tr

    signal.signal(signal.SIGTERM, _terminated)
    word = _command_word(sys.argv[1:])
    # Importing the modules allocates many objects and no garbage: no collections meanwhile
    # (~0.05 s of CPU). ``scan`` turns the collector on again once its modules are loaded
    # and frozen (``cli/scan.py``); every other command now.
    gc.disable()
    try:
        app = _mount((COMMAND_NAMES[word],) if word in COMMAND_NAMES else COMMAND_MODULES)
    except KeyboardInterrupt:  # Ctrl-C while the modules load: a word, not a traceback
        typer.echo(tr("已中断", "interrupted"), err=True)
        raise SystemExit(130) from None
    if word != "scan":
        gc.enable()
    try:
        app(standalone_mode=True)
    except OSError as exc:  # unwritable folder, disk full, read-only file system
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(
            tr(
                f"错误：文件操作失败{where}：{os_reason(exc)}",
                f"error: file operation failed{where}: {exc.strerror or exc}",
            ),
            err=True,
        )
        raise SystemExit(2) from None
    except BaomiError as exc:
        typer.echo(tr(f"错误：{exc}", f"error: {exc}"), err=True)
        raise SystemExit(2) from None
