"""``baomi scan URL`` / ``baomi protect URL --to …``: the database options and runs (thin).

The options are declared here once and used by ``cli/scan.py`` and ``cli/protect.py``; a
database that cannot be opened (unreachable, wrong password, no such file) is one red line and
exit 1, with no credential in it; a table that cannot be read is listed as skipped, with why.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from baomi.errors import UnreadableFileError
from baomi.i18n import tr

if TYPE_CHECKING:
    from distributed import Client

    from baomi.databases.scan import DatabaseSelection
    from baomi.engine.protect.options import ProtectResult
    from baomi.engine.protect.package import DocumentSource
    from baomi.engine.scan import ScanOptions, ScanResult
    from baomi.engine.scan.model import Partition, ScanContext

    #: A database's tables as the scan's partitions, for a context given later.
    TablePartitions = Callable[[ScanContext], Iterator[Partition]]

SCHEMA_OPTION = typer.Option(
    [], "--schema", help="数据库：只读这些模式（可用 * ?）/ database: schemas to read (patterns)"
)
TABLE_OPTION = typer.Option(
    [], "--table", help="数据库：只读这些表或视图（可用 * ?）/ database: tables or views to read"
)
EXCLUDE_OPTION = typer.Option(
    [], "--exclude", help="数据库：不读这些表（可用 * ?）/ database: tables to leave out"
)
SAMPLE_OPTION = typer.Option(
    0,
    "--sample",
    min=0,
    help="数据库：每表只读前 N 行，快速盘点（清单中注明）/ database: read only the first N rows "
    "of each table for a quick inventory (said so in the inventory)",
)
PASSWORD_FILE_OPTION = typer.Option(
    None,
    "--password-file",
    help="数据库密码文件（否则读地址或 BAOMI_DB_PASSWORD）/ database password file (else the URL "
    "or BAOMI_DB_PASSWORD)",
)


def selection(
    schema: Sequence[str],
    table: Sequence[str],
    exclude: Sequence[str],
    sample: int,
    password_file: Path | None,
) -> DatabaseSelection:
    from baomi.databases.scan import DatabaseSelection

    return DatabaseSelection(
        schemas=tuple(schema),
        tables=tuple(table),
        exclude=tuple(exclude),
        sample=sample,
        password_file=password_file,
    )


def fail(message: str) -> typer.Exit:
    """A red error line on stderr; exit 1."""
    typer.echo(tr("错误：", "error: ") + message, err=True)
    return typer.Exit(1)


def check_paths(paths: Sequence[str]) -> list[Path]:
    """File arguments as paths; a missing one is a usage error (exit 2), as typer's own check."""
    out = [Path(p) for p in paths]
    for p in out:
        if not p.exists():
            raise typer.BadParameter(
                tr(f"路径 {p} 不存在", f"Path '{p}' does not exist."), param_hint="PATHS..."
            )
    return out


def run_scan(
    urls: Sequence[str],
    out: Path,
    options: ScanOptions,
    chosen: DatabaseSelection,
    console: Console,
    dask: Callable[[], AbstractContextManager[Client]] | None = None,
) -> ScanResult:
    """Scan one database URL into ``out`` (several URLs, or URLs mixed with paths: refused);
    each table is named on ``console`` as its scan starts. ``dask``: the Dask client's
    session for ``--engine dask``."""
    from baomi.databases.scan import scan_database
    from baomi.databases.source import DatabaseError
    from baomi.databases.urls import is_database_url

    if len(urls) != 1 or not is_database_url(urls[0]):
        raise fail(
            tr(
                "一次只能扫描一个数据库，且不能与文件混合",
                "scan one database at a time, not mixed with files",
            )
        )

    def progress(name: str, done: int, total: int) -> None:
        if name:
            console.print(f"[{done + 1}/{total}] {escape(name)}", highlight=False)

    try:
        if dask is None:
            return scan_database(
                urls[0], out_dir=out, options=options, selection=chosen, progress=progress
            )
        from baomi.databases.distributed import scan_database_dask

        with dask() as client:  # the tables in key ranges on the workers
            return scan_database_dask(
                urls[0], client, out_dir=out, options=options, selection=chosen, progress=progress
            )
    except DatabaseError as exc:
        raise fail(str(exc)) from None


@dataclass(frozen=True, slots=True)
class DatabaseInput:
    """``baomi protect URL --to DIR|URL [--out DIR]``: the source and where the copy goes."""

    url: str
    to: str
    out: Path | None
    replace: bool

    @property
    def target_url(self) -> str | None:
        from baomi.databases.urls import is_database_url

        return self.to if is_database_url(self.to) else None

    @property
    def target_name(self) -> str:
        from baomi.databases.source import display_name, resolve_url

        return display_name(resolve_url(self.to))


def database_input(
    paths: Sequence[str], to: str | None, out: Path | None, deal: str | None, replace: bool
) -> DatabaseInput | None:
    """The database input of ``protect`` (``None``: files), its options checked."""
    from baomi.databases.protect import same_database
    from baomi.databases.urls import is_database_url

    urls = [p for p in paths if is_database_url(p)]
    if not urls:
        if to is not None:
            raise fail(tr("--to 只用于数据库输入", "--to is for a database input"))
        return None
    if len(paths) != 1:
        raise fail(
            tr(
                "一次只能处理一个数据库，且不能与文件混合",
                "protect one database at a time, not mixed with files",
            )
        )
    if to is None:
        raise fail(
            tr(
                "请用 --to 给出输出文件夹或目标数据库",
                "give --to: an output folder or a target database URL",
            )
        )
    if not is_database_url(to) and out is not None:
        raise fail(tr("--to 已是输出文件夹，不要再给 --out", "--to is the folder: leave out --out"))
    if is_database_url(to) and same_database(urls[0], to):
        raise fail(
            tr(
                "目标数据库不能是源数据库",
                "the target database must not be the source database",
            )
        )
    return DatabaseInput(urls[0], to, out, replace)


def protect_database(
    source: DatabaseInput,
    chosen: DatabaseSelection,
    protect: Callable[[Path, Sequence[DocumentSource], TablePartitions], ProtectResult],
) -> tuple[ProtectResult, list[str]]:
    """Protect the chosen tables with ``protect`` (the audited service, given the tables as
    documents and as the scan's partitions) into ``--to DIR``, or into a package folder
    (``--out``, else a temporary one) then the target database."""
    from baomi.databases.protect import load_into, table_sources
    from baomi.databases.scan import open_database, table_partitions
    from baomi.databases.source import DatabaseError, TableRef

    db = open_database(source.url, chosen)
    refs: list[TableRef] = []
    try:
        refs = db.tables(chosen.schemas, chosen.tables, chosen.exclude)
        if not refs:
            raise DatabaseError(db.name, tr("没有符合条件的表", "no table matches"))
        documents, copies = table_sources(db, refs)
        tables = table_partitions(db, refs)
        target = source.target_url
        if target is None:
            return protect(Path(source.to), documents, tables), []
        with tempfile.TemporaryDirectory(prefix="baomi-db-copy-") as tmp:
            result = protect(source.out or Path(tmp) / "package", documents, tables)
            written = load_into(
                result.out_dir, result.manifest, target, copies, replace=source.replace
            )
            return result, written
    except UnreadableFileError as exc:  # a table it may not read: how to leave it out
        ref = next((r for r in refs if db.source(r) == exc.path), None)
        if ref is None:
            raise
        option = f"--exclude {shlex.quote(ref.qualified)}"
        raise DatabaseError(
            exc.path,
            exc.reason + tr(f"（可加 {option} 略过此表）", f" (add {option} to leave it out)"),
        ) from None
    finally:
        db.close()
