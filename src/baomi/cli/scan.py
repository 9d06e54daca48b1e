"""``baomi scan`` — find and classify personal information in files."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from baomi.cli import scan_database as db_cli
from baomi.engine.contracts import notes
from baomi.engine.entities import ENTITIES
from baomi.i18n import counted, current_language, os_reason, tr

if TYPE_CHECKING:
    from distributed import Client

    from baomi.engine.contracts.inventory import Inventory
    from baomi.engine.scan import ScanOptions, ScanResult
    from baomi.engine.scan.model import ProgressFn


class Engine(str, Enum):
    local = "local"
    dask = "dask"


ENGINE_OPTION = typer.Option(
    Engine.local,
    "--engine",
    help=(
        "local：本机；dask：在 Dask 集群上运行（无 --scheduler 时在本机启动 LocalCluster）"
        "/ local: this machine; dask: on a Dask cluster (without --scheduler a LocalCluster "
        "on this machine)"
    ),
)
SCHEDULER_OPTION = typer.Option(
    None,
    "--scheduler",
    help=(
        "Dask 调度器地址，如 tcp://HOST:8786（仅 --engine dask）/ the Dask scheduler's address, "
        "e.g. tcp://HOST:8786 (--engine dask only)"
    ),
)


def _ner_backend(value: str | None) -> str | None:
    """The ``--ner-backend`` value checked (None: ``$BAOMI_NER_BACKEND`` or the default)."""
    if value is None:
        return None
    from baomi.engine.prose.artefacts import neural_missing, neural_model_built
    from baomi.engine.prose.backends import BACKENDS

    chosen = value.strip().lower()
    if chosen not in BACKENDS:
        raise typer.BadParameter(
            tr(f"可选：{'、'.join(BACKENDS)}", f"choose one of {', '.join(BACKENDS)}"),
            param_hint="--ner-backend",
        )
    if chosen == "neural" and not neural_model_built():
        raise typer.BadParameter(neural_missing(), param_hint="--ner-backend")
    return chosen


NER_BACKEND_OPTION = typer.Option(
    None,
    "--ner-backend",
    callback=_ner_backend,
    help=(
        "自由文本识别模型：crf（快，默认）、fast（同样快，真实文本上更准，CC BY-SA 模型）、"
        "accurate（较准，较慢）、lac、neural（需先 make model-neural）、cascade（fast，"
        "仅其不确定的句子再交 LAC 识别人名）、ensemble（较准模式：fast 不确定处由 fast、LAC、"
        "accurate 三者投票）；不给时读环境变量 "
        "BAOMI_NER_BACKEND / the prose model: "
        "crf (fast, default), fast (as fast, better on real text; a CC BY-SA model), accurate "
        "(better on real text, slower), lac, neural (after `make model-neural`), cascade (fast, "
        "with LAC's names where fast is unsure), ensemble (the accurate mode: fast, LAC and "
        "accurate vote where fast is unsure); without it "
        "$BAOMI_NER_BACKEND"
    ),
)


class OutputFormat(str, Enum):
    summary = "summary"
    table = "table"
    json = "json"


def _label(entity: str | None) -> str:
    if not entity:
        return "—"
    info = ENTITIES.get(entity)
    if info is None:
        return entity
    return info.label_zh if current_language() == "zh" else info.label_en


def _units(tables: bool) -> tuple[str, str]:
    """What a run reads, in Chinese and English (one of them): a database's tables, or files."""
    return ("个表", "table") if tables else ("个文件", "file")


def _print_summary(console: Console, inv: Inventory, out: Path, *, tables: bool = False) -> None:
    s = inv.summary
    zh, en = _units(tables)
    console.print(
        tr(
            f"扫描完成：{s.files_scanned} {zh}，{s.rows} 行，{s.findings} 处个人信息；"
            f"估计涉及 {s.estimated_individuals} 人，其中 {s.individuals_with_sensitive} 人"
            f"涉及敏感个人信息。",
            f"Scan complete: {counted(s.files_scanned, en)}, {counted(s.rows, 'row')}, "
            f"{counted(s.findings, 'finding')}; about "
            f"{counted(s.estimated_individuals, 'individual')}, "
            f"{s.individuals_with_sensitive} with sensitive PI.",
        )
    )
    _print_problems(console, inv, tables=tables)
    console.print(tr(f"结果已写入 {out}", f"Results written to {out}"))


def _print_problems(console: Console, inv: Inventory, *, tables: bool = False) -> None:
    """Files (tables) not read, notes on how tables were read (in the console's language, from
    their codes), and files read in part, each with why: nothing is lost silently, and
    information is not called a failure."""
    zh, en = _units(tables)
    if inv.skipped:
        console.print(
            tr(f"跳过 {len(inv.skipped)} {zh}：", f"Skipped {counted(len(inv.skipped), en)}:")
        )
        for item in inv.skipped:
            console.print(f"  - {escape(item.path)}: {escape(notes.reason_shown(item))}")
    noted = [(f, notes.shown(f)) for f in inv.files if f.notes or f.note_codes]
    if noted:
        console.print(tr("说明（详见 inventory.json）：", "Notes (see inventory.json):"))
        for f, said in noted:
            for note in said:
                console.print(f"  - {escape(f.path)}: {escape(note)}")
    for note in notes.shown(inv):
        console.print(f"[bold]{escape(note)}[/]")
    partial = [f for f in inv.files if f.read_in_part]
    if not partial:
        return
    console.print(
        tr(
            f"[bold yellow]警告：{len(partial)} {zh}未能完整读取[/]（详见 inventory.json）：",
            f"[bold yellow]Warning: {counted(len(partial), en)} "
            f"{'was' if len(partial) == 1 else 'were'} not read completely[/] "
            "(see inventory.json):",
        )
    )
    for f in partial:
        path = escape(f.path)
        for reason in notes.errors_shown(f):
            console.print(f"  - {path}: {escape(reason)}")
        if f.skipped_rows:
            console.print(f"  - {path}: " + skipped_said(f.path, f.skipped_rows))
        if f.undecodable_rows:
            n = f.undecodable_rows
            console.print(
                f"  - {path}: "
                + tr(
                    f"{n} 行含无法解码的字节，已替换为 U+FFFD 后扫描",
                    f"{n} rows hold bytes that do not decode; scanned with U+FFFD in their place"
                    if n != 1
                    else "1 row holds bytes that do not decode; scanned with U+FFFD in their place",
                )
            )


def skipped_said(path: str, n: int) -> str:
    """What the ``n`` units a reader skipped in the file ``path`` were: a PDF's pages whose
    text could not be extracted, a JSON Lines file's lines that are not JSON, a table's rows
    with the wrong number of fields."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return tr(
            f"跳过 {n} 页（无法提取文本），未扫描",
            f"skipped {n} {'page' if n == 1 else 'pages'} (the text could not be extracted), "
            "not scanned",
        )
    if suffix in (".jsonl", ".ndjson"):
        return tr(
            f"跳过 {n} 行（不是有效的 JSON），未扫描",
            f"skipped {n} {'line' if n == 1 else 'lines'} (not valid JSON), not scanned",
        )
    return tr(
        f"跳过 {n} 行（字段数不对或无法解析），未扫描",
        f"skipped {n} {'row' if n == 1 else 'rows'} (wrong number of fields or unparsable), "
        "not scanned",
    )


def _database_of(inv: Inventory) -> str | None:
    """``db://HOST/DB`` when every table of ``inv`` is one database's (else ``None``: files)."""
    paths = [f.path for f in inv.files] + [s.path for s in inv.skipped]
    if not paths or not all(p.startswith("db://") for p in paths):
        return None
    names = {p.rsplit("/", 1)[0] for p in paths}
    return names.pop() if len(names) == 1 else None


def _shown(path: str, database: str | None) -> str:
    """A table's ``SCHEMA.TABLE`` under its database ``database`` (a file: its path)."""
    return path.removeprefix(database + "/") if database else path


def _print_tables(console: Console, inv: Inventory) -> None:
    s = inv.summary
    per_entity = Table(title=tr("按实体汇总", "By entity"))
    per_entity.add_column(tr("实体", "Entity"))
    per_entity.add_column(tr("敏感", "Sensitive"), justify="center")
    per_entity.add_column(tr("出现次数", "Findings"), justify="right")
    per_entity.add_column(tr("不同值", "Distinct"), justify="right")
    for entity, count in sorted(s.entities.items(), key=lambda kv: -kv[1]):
        info = ENTITIES.get(entity)
        mark = "[bold red]●[/]" if info and info.sensitive else ""
        approx = "≈" if entity in s.distinct_estimated else ""
        per_entity.add_row(
            f"{_label(entity)} ({entity})",
            mark,
            str(count),
            approx + str(s.distinct.get(entity, "")),
        )
    console.print(per_entity)
    database = _database_of(inv)
    if database is None:
        per_col = Table(title=tr("按文件和列", "By file and column"))
        per_col.add_column(
            tr("文件 / 工作表 / 列", "File / sheet / column"), ratio=3, overflow="fold"
        )
    else:  # the database named once; each row by its SCHEMA.TABLE
        per_col = Table(title=tr("按表和列：", "By table and column: ") + escape(database))
        per_col.add_column(tr("表 / 列", "Table / column"), ratio=3, overflow="fold")
    per_col.add_column(tr("实体", "Entities"), ratio=3)
    per_col.add_column(tr("类别", "Category"), ratio=2)
    per_col.add_column(tr("匹配/非空", "Matches"), justify="right", ratio=2)
    for f in inv.files:
        if f.kind == "text" or not f.columns:
            ents = "\n".join(f"{_label(e)} ×{n}" for e, n in f.entities.items()) or "—"
            per_col.add_row(escape(_shown(f.path, database)), ents, "", "")
            continue
        for c in f.columns:
            if not c.matches and not c.sensitive:
                continue
            where = escape("/".join(x for x in (_shown(f.path, database), c.sheet, c.name) if x))
            if c.sensitive:
                where = f"[bold red]{where}[/]"
            ents = "\n".join(f"{_label(e)} ×{n}" for e, n in c.entities.items())
            per_col.add_row(
                where,
                ents or _label(c.entity),
                c.category or "",
                f"{c.matches}/{c.non_empty}",
            )
    console.print(per_col)
    method = (
        tr("按共享标识符精确关联", "exact, records linked by shared identifiers")
        if s.exact_individuals
        else tr("估计：单一标识符的最大不同值数", "estimate: largest distinct identifier count")
    )
    console.print(
        tr(
            f"估计个人数：{s.estimated_individuals}（{method}）；"
            f"涉及敏感个人信息：{s.individuals_with_sensitive}；不满十四周岁：{s.minors}",
            f"Estimated individuals: {s.estimated_individuals} ({method}); "
            f"with sensitive PI: {s.individuals_with_sensitive}; minors under 14: {s.minors}",
        )
    )
    console.print(
        tr(
            "[bold red]红色[/] = 敏感个人信息（PIPL 第28条）",
            "[bold red]red[/] = sensitive PI (PIPL Art. 28)",
        )
    )


def scan(
    paths: list[str] = typer.Argument(
        ...,
        help="要扫描的文件或目录，或一个数据库地址 / files or directories, or a database URL "
        "(postgresql://…, mysql://…, sqlite:///…)",
    ),
    out: Path = typer.Option(Path("baomi-scan"), "--out", "-o", help="输出目录 / output directory"),
    fmt: OutputFormat = typer.Option(
        OutputFormat.summary, "--format", "-f", help="summary | table | json"
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        "-w",
        min=1,
        max=max(1, (os.cpu_count() or 1) * 2),
        help=(
            "并行进程数（默认 1：进程内已用多线程；每多一个进程约多 300 MB 内存；--engine dask "
            "时为本机 LocalCluster 的进程数，默认每核一个）/ worker processes (default 1: one "
            "process already uses the cores; each extra one costs about 300 MB; with --engine "
            "dask the LocalCluster's processes, default one per core)"
        ),
    ),
    threshold: float = typer.Option(
        0.5, "--threshold", min=0.0, max=1.0, help="最低置信度 / minimum score"
    ),
    prose: bool = typer.Option(
        True, "--prose/--no-prose", help="在自由文本中识别姓名、地址、单位 / names etc. in prose"
    ),
    ner_backend: str | None = NER_BACKEND_OPTION,
    explain: bool = typer.Option(
        False, "--explain", help="在 findings.jsonl 中写入解释 / add explanations"
    ),
    person_index: bool = typer.Option(
        False,
        "--person-index",
        help=(
            "同时建立个人查找索引（需已初始化的保险库；只存密钥哈希）/ also write the person "
            "index for `subject find --scan` (needs an initialised vault; keyed hashes only)"
        ),
    ),
    engine: Engine = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
    # -- databases (docs/scale.md "Databases") --
    schema: list[str] = db_cli.SCHEMA_OPTION,
    table: list[str] = db_cli.TABLE_OPTION,
    exclude: list[str] = db_cli.EXCLUDE_OPTION,
    sample: int = db_cli.SAMPLE_OPTION,
    password_file: Path | None = db_cli.PASSWORD_FILE_OPTION,
) -> None:
    """扫描文件中的个人信息并分类 / find and classify personal information."""
    if scheduler and engine is not Engine.dask:
        raise typer.BadParameter(
            tr("--scheduler 需要 --engine dask", "--scheduler needs --engine dask"),
            param_hint="--scheduler",
        )
    from baomi.databases.urls import is_database_url
    from baomi.engine.contracts import codec
    from baomi.engine.scan import ScanOptions, scan_paths

    if ner_backend is not None:  # read where the recognizers are built, here and in workers
        from baomi.engine.prose.backends import ENV_VAR

        os.environ[ENV_VAR] = ner_backend
    urls = [p for p in paths if is_database_url(p)]
    files = [] if urls else db_cli.check_paths(paths)
    # The scan allocates millions of short-lived tuples and strings but builds no cycles worth
    # collecting mid-scan: keep the modules' objects out of every collection and collect rarely.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    gc.enable()  # ``baomi.cli.main`` leaves it off while the modules load
    console = Console(stderr=fmt is OutputFormat.json)
    options = ScanOptions(threshold=threshold, explain=explain, prose=prose)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(tr("扫描", "Scanning"), total=None)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(
                task, completed=done, total=total, description=name[-40:] or tr("完成", "done")
            )

        try:
            if urls:  # a database: its tables are what is scanned
                bar.stop()
                chosen = db_cli.selection(schema, table, exclude, sample, password_file)
                on_dask = partial(dask_session, scheduler, workers or os.cpu_count() or 2)
                result = db_cli.run_scan(
                    paths, out, options, chosen, console, on_dask if engine is Engine.dask else None
                )
            elif engine is Engine.dask:
                out.mkdir(parents=True, exist_ok=True)
                local_workers = workers or os.cpu_count() or 2
                result = _scan_on_dask(files, out, local_workers, options, progress, scheduler)
            else:
                out.mkdir(parents=True, exist_ok=True)
                result = scan_paths(
                    files,
                    out_dir=out,
                    workers=workers or 1,
                    options=options,
                    progress=progress,
                )
        except OSError as exc:  # unwritable or full output folder: say so, nothing half-written
            bar.stop()
            _fail(
                f"错误：无法写入输出目录 {out}（{os_reason(exc)}）",
                f"error: cannot write the output folder {out} ({exc.strerror or exc})",
            )
    if person_index and files:
        from baomi.cli.subject import index_scan_output

        index_scan_output(out, files)
    inv = result.inventory
    tables = bool(urls)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(codec.to_dict(inv.summary), ensure_ascii=False, indent=2))
        _print_problems(console, inv, tables=tables)  # on stderr: stdout stays JSON
    elif fmt is OutputFormat.table:
        _print_tables(console, inv)
        _print_summary(console, inv, out, tables=tables)
    else:
        _print_summary(console, inv, out, tables=tables)


def _scan_on_dask(
    paths: list[Path],
    out: Path,
    workers: int,
    options: ScanOptions,
    progress: ProgressFn,
    scheduler: str | None,
) -> ScanResult:
    """The scan on Dask, the workers reading their own partitions (``--workers``: a
    LocalCluster's processes)."""
    from baomi.engine.scan.distributed import scan_on_dask

    with dask_session(scheduler, workers) as client:
        return scan_on_dask(paths, client, out_dir=out, options=options, progress=progress)


@contextmanager
def dask_session(scheduler: str | None, workers: int) -> Iterator[Client]:
    """A Dask client (``--scheduler``, or a LocalCluster of ``workers`` processes, shut down
    on leaving); a scheduler that does not answer is a clear error (exit status 2)."""
    from baomi.engine.scan.distributed import SchedulerUnreachableError, dask_client

    try:
        with dask_client(scheduler, workers=workers) as client:
            yield client
    except SchedulerUnreachableError as exc:
        _fail(
            f"错误：无法连接 Dask 调度器 {scheduler}（{exc}）",
            f"error: cannot reach the Dask scheduler {scheduler} ({exc})",
        )


def _fail(zh: str, en: str) -> NoReturn:
    """Say what went wrong on stderr and exit with status 2."""
    typer.echo(tr(zh, en), err=True)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
