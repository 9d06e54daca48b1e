"""``baomi protect | policy init | risk | trace | detokenize`` — the protect commands (thin).

Each command parses its arguments, calls one service (``baomi.services.protect`` for protect,
detokenize and trace: permission checked, audited) or engine function, and renders the result
with rich. Keys come from ``--key-file`` or ``BAOMI_PROTECT_KEY``; trace records go to
``--manifests`` (default ``$BAOMI_HOME/manifests``). The acting user is ``--as NAME`` or the OS
user, as the seller's operator; the events go to the vault's audit chain when a vault is
configured, else to the hash-chained ``$BAOMI_HOME/logs/audit.jsonl`` (docs/protect.md).
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from baomi.cli import scan_database as db_cli
from baomi.cli.scan import ENGINE_OPTION, SCHEDULER_OPTION, Engine, dask_session
from baomi.errors import BaomiError, ConfigError, IntegrityError
from baomi.i18n import tr
from baomi.services.permissions import Actor, Role

if TYPE_CHECKING:
    from baomi.cli.scan_database import TablePartitions
    from baomi.engine.protect.keys import KeyProvider
    from baomi.engine.protect.options import ProtectEngine, ProtectOptions, ProtectResult
    from baomi.engine.protect.package import DocumentSource
    from baomi.engine.protect.policy import Policy
    from baomi.services.audit_sink import AuditSink
    from baomi.services.comply.provisions import ProvisionRecord

T = TypeVar("T")

policy_app = typer.Typer(help="去标识化策略 / de-identification policies", no_args_is_help=True)

KEY_FILE = typer.Option(
    None, "--key-file", help="密钥文件（否则读 BAOMI_PROTECT_KEY）/ key file (else the env var)"
)
AS_OPTION = typer.Option(None, "--as", help="操作人（默认为系统用户名）/ acting operator")


def _home() -> Path:
    return Path(os.environ.get("BAOMI_HOME", "var"))


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _actor(name: str | None) -> Actor:
    return Actor(name or getpass.getuser(), Role.OPERATOR)


@contextmanager
def _audit() -> Iterator[AuditSink]:
    """The vault's audit chain when a vault is configured (its settings complete and its key
    store present), else the hash-chained file ``$BAOMI_HOME/logs/audit.jsonl``."""
    from baomi.services.audit import VaultAuditSink
    from baomi.services.audit_sink import FileAuditSink
    from baomi.settings import Settings

    try:
        settings = Settings()
    except ConfigError:  # no master key: no vault here, only the protect key
        settings = None
    if settings is None or not settings.keystore_path.exists():
        yield FileAuditSink(_home() / "logs" / "audit.jsonl")
        return
    from baomi.services.vault import open_vault

    vault = _run(lambda: open_vault(settings))
    try:
        yield VaultAuditSink(vault)
    finally:
        vault.close()


#: ``baomi trace`` exit codes: 0 recipient named, 3 unknown (not enough evidence), 4 no trace
#: records in the --manifests folder (missing, mistyped or empty); 1 and 2 as every command.
TRACE_UNKNOWN = 3
TRACE_NO_RECORDS = 4


def _run(
    fn: Callable[[], T],
    codes: Mapping[type[BaomiError], int] | None = None,
    console: Console | None = None,
) -> T:
    """Call the engine; a baomi error becomes a red message and exit 1 (2 for integrity, or
    the code ``codes`` gives its type). While a progress bar is live, pass its ``console``:
    the message then goes above the bar instead of after its last frame, which the bar's
    clean-up would leave glued to it or partly erase."""
    try:
        return fn()
    except BaomiError as exc:
        (console or _console()).print(f"[red]{tr('错误', 'error')}:[/red] {exc}")
        code = next((c for t, c in (codes or {}).items() if isinstance(exc, t)), None)
        if code is None:
            code = 2 if isinstance(exc, IntegrityError) else 1
        raise typer.Exit(code) from None


def protect(
    paths: list[str] = typer.Argument(
        ..., help="输入文件或文件夹，或一个数据库地址 / input files or folders, or a database URL"
    ),
    policy: Path = typer.Option(..., "--policy", help="策略 YAML / policy YAML"),
    out: Path | None = typer.Option(None, "--out", help="输出文件夹 / output folder"),
    recipient: str = typer.Option(None, "--recipient", help="接收方 / recipient name"),
    key_file: Path = KEY_FILE,
    verify: bool = typer.Option(False, "--verify", help="输出后复扫 / rescan the output"),
    force: bool = typer.Option(False, "--force", help="替换已有输出 / replace an existing output"),
    manifests: Path = typer.Option(
        None, "--manifests", help="追踪记录目录 / trace records folder ($BAOMI_HOME/manifests)"
    ),
    vault: Path = typer.Option(None, "--vault", help="令牌库文件 / token vault file"),
    deal: str | None = typer.Option(
        None,
        "--deal",
        help="记录为该交易向 --recipient 的提供（NDS-12）/ record as a provision of this deal "
        "to --recipient",
    ),
    as_: str | None = AS_OPTION,
    # -- databases (docs/scale.md "Databases") --
    to: str | None = typer.Option(
        None,
        "--to",
        help="数据库输入：写到此文件夹（每表一个 Parquet）或目标数据库 / database input: write the "
        "copy to this folder (Parquet per table) or target database URL",
    ),
    schema: list[str] = db_cli.SCHEMA_OPTION,
    tables: list[str] = db_cli.TABLE_OPTION,
    exclude: list[str] = db_cli.EXCLUDE_OPTION,
    password_file: Path | None = db_cli.PASSWORD_FILE_OPTION,
    engine: Engine = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """生成去标识化的尽调数据包 / write a de-identified due-diligence package."""
    from baomi.engine.protect.keys import KeyProvider
    from baomi.engine.protect.package import ProtectOptions
    from baomi.engine.protect.policy import load_policy
    from baomi.services import protect as service

    pol = _run(lambda: load_policy(policy))
    needs_key = bool(key_file) or bool(os.environ.get("BAOMI_PROTECT_KEY"))
    keys = _run(lambda: KeyProvider.resolve(key_file)) if needs_key else None
    options = ProtectOptions(
        recipient=recipient,
        verify=verify,
        overwrite=force,
        vault_path=vault,
        manifests_dir=manifests or _home() / "manifests",
    )
    console = _console()
    if deal is not None and not recipient:
        raise _refuse(tr("--deal 需要 --recipient", "--deal needs --recipient"))
    database = db_cli.database_input(paths, to, out, deal, force)
    if database is None and out is None:
        raise _refuse(tr("请用 --out 给出输出文件夹", "give the output folder with --out"))
    files = [Path(p) for p in paths] if database is None else []
    loaded: list[str] = []
    if scheduler and engine is not Engine.dask:
        raise _refuse(tr("--scheduler 需要 --engine dask", "--scheduler needs --engine dask"))
    with (
        _protect_engine(engine, scheduler) as remote,
        _audit() as sink,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            console=console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task(tr("脱敏中", "protecting"), total=None)
        if remote is not None:
            options = dataclasses.replace(options, engine=remote)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name or tr("完成", "done"))

        record: ProvisionRecord | None = None

        def run(
            folder: Path,
            documents: Sequence[DocumentSource] = (),
            tables: TablePartitions | None = None,
        ) -> ProtectResult:
            nonlocal record
            if deal is not None:  # recorded as a provision of the deal, with its people
                result, record = _for_deal(
                    sink, deal, files, pol, folder, options, keys, as_, progress, documents, tables
                )
                return result
            return service.protect(
                files,
                pol,
                folder,
                actor=_actor(as_),
                sink=sink,
                keys=keys,
                options=options,
                progress=progress,
                documents=documents,
            )

        if database is not None:  # a database: its tables are what is protected
            chosen = db_cli.selection(schema, tables, exclude, 0, password_file)
            result, loaded = _run(
                lambda: db_cli.protect_database(database, chosen, run), console=console
            )
        else:
            assert out is not None
            result = _run(lambda: run(out), console=console)
    m = result.manifest
    table = Table(title=tr("数据包", "package") + f" {m.package_id}")
    for col in (tr("文件", "file"), tr("行/段", "rows/units"), tr("处理", "operators")):
        table.add_column(col)
    for f in m.files:
        if f.tables is not None:
            rows = ", ".join(
                f"{t.rows_in}→{t.rows_out}"
                + (
                    f" ({tr('跳过无法读取的行', 'unreadable rows skipped')} {t.skipped_rows})"
                    if t.skipped_rows
                    else ""
                )
                for t in f.tables
            )
            ops = sorted({c.operator for t in f.tables for c in t.columns if c.operator})
        else:
            rows, ops = f"{f.replaced_spans} / {f.units}", ["analyze"]
        if f.extras_changed:
            ops.append(
                tr(
                    "批注、页眉页脚、属性、链接、透视表",
                    "comments, headers, properties, links, pivots",
                )
                + f": {f.extras_changed}"
            )
        table.add_row(f.path, rows, ", ".join(ops))
    console.print(table)
    for k in m.k_anonymity:
        console.print(
            tr("k-匿名", "k-anonymity")
            + f" {k.file}: k={k.risk.k} "
            + tr("抑制记录", "suppressed records")
            + f"={k.suppressed_records} "
            + tr("信息损失", "information loss")
            + f"={k.information_loss:.4f} ({k.metric})"
        )
    embedded = [f.path for f in m.files if f.embedded_left_out]
    if embedded:
        names = ", ".join(embedded[:5]) + (" …" if len(embedded) > 5 else "")
        console.print(
            tr(
                f"[yellow]{len(embedded)} 个文件中嵌入的对象未去标识化，已从数据包中删除"
                "[/yellow]（见 manifest.json 的 embedded_left_out）",
                f"[yellow]embedded objects of {len(embedded)} file(s) were not "
                "de-identified and are left out of the package[/yellow] (manifest.json "
                "embedded_left_out)",
            )
            + f": {names}"
        )
    pictures = [(f.path, f.images_removed) for f in m.files if f.images_removed]
    if pictures:
        total = sum(n for _, n in pictures)
        names = ", ".join(p for p, _ in pictures[:5]) + (" …" if len(pictures) > 5 else "")
        console.print(
            tr(
                f"[yellow]{total} 张图片（身份证照片、签名等无法扫描）未放入数据包[/yellow]"
                "（策略 images: keep 可保留；见 manifest.json 的 images_removed）",
                f"[yellow]{total} picture(s) (ID card photos, signatures: not scannable) were "
                "left out of the package[/yellow] (policy images: keep ships them; "
                "manifest.json images_removed)",
            )
            + f": {names}"
        )
    if result.left_out:
        names = ", ".join(result.left_out[:5]) + (" …" if len(result.left_out) > 5 else "")
        console.print(
            tr(
                f"[yellow]未放入数据包 {len(result.left_out)} 个文件[/yellow]（该格式只能扫描，不能去标识化）",
                f"[yellow]{len(result.left_out)} file(s) left out of the package[/yellow] "
                "(scanned, not de-identified, in that format)",
            )
            + f": {names}"
        )
    if result.unsupported:
        names = ", ".join(result.unsupported[:5]) + (" …" if len(result.unsupported) > 5 else "")
        console.print(
            tr(
                f"[yellow]未放入数据包 {len(result.unsupported)} 个文件[/yellow]（不支持的格式，"
                "未扫描也未去标识化；.wps 请另存为 .docx，.xlsb 请另存为 .xlsx）",
                f"[yellow]{len(result.unsupported)} file(s) left out of the package[/yellow] "
                "(a format baomi does not read: neither scanned nor de-identified; save a "
                "a .wps as .docx, an .xlsb as .xlsx)",
            )
            + f": {names}"
        )
    if result.unreadable:
        shown = ", ".join(
            tr(f"{u['path']}（{u['reason']}）", f"{u['path']} ({u['reason']})")
            for u in result.unreadable[:5]
        )
        more = " …" if len(result.unreadable) > 5 else ""
        console.print(
            tr(
                f"[yellow]无法读取、未放入数据包 {len(result.unreadable)} 个文件[/yellow]",
                f"[yellow]{len(result.unreadable)} unreadable file(s) left out of the package"
                "[/yellow]",
            )
            + f": {shown}{more}"
        )
    if verify:
        console.print(tr("复扫通过：无残留标识符", "verify passed: no leftover identifiers"))
        if m.verify.unconfirmed:
            where = ", ".join(
                f"{x['file']}:{x['column'] or '-'} ({x['count']})" for x in result.unconfirmed[:5]
            )
            console.print(
                tr(
                    f"[yellow]未确认 {m.verify.unconfirmed} 处[/yellow]：仅由文本模型识别并去除的词，"
                    "在别处又仅被模型读作同一实体（未计为残留；请抽查）",
                    f"[yellow]{m.verify.unconfirmed} unconfirmed[/yellow]: words only the prose "
                    "model removed, read again elsewhere by the model alone (not counted as "
                    "leftovers; spot-check them)",
                )
                + f": {where}"
            )
    if database is not None and database.target_url is not None:
        console.print(
            tr("已写入目标数据库", "written to the target database")
            + f" {database.target_name}: {', '.join(loaded)}"
        )
    else:
        console.print(tr("已写入", "written") + f" {result.out_dir}")
    if record is not None:
        console.print(
            tr(
                f"已记录为交易 {deal} 的一次提供（提供记录 {record.id}）",
                f"recorded as a provision of the deal {deal} (provision record {record.id})",
            )
            + f": {record.individuals} "
            + tr("人", "individuals")
            + f" ({record.sensitive_individuals} "
            + tr("人含敏感个人信息", "with sensitive PI")
            + ")"
        )
    if result.trace_record:
        console.print(
            tr("追踪记录（请留存，勿外发）", "trace record (keep, do not send)")
            + f": {result.trace_record}"
        )


def _for_deal(
    sink: AuditSink,
    deal: str,
    paths: list[Path],
    policy: Policy,
    out: Path,
    options: ProtectOptions,
    keys: KeyProvider | None,
    as_: str | None,
    progress: Callable[[str, int, int], None],
    documents: Sequence[DocumentSource] = (),
    tables: TablePartitions | None = None,
) -> tuple[ProtectResult, ProvisionRecord]:
    """``protect --deal``: the run for the deal's recipient, recorded as its provision (the
    vault's audit chain is the sink; there must be a vault). A database's tables are
    ``documents`` and ``tables`` (:func:`~baomi.cli.scan_database.protect_database`)."""
    from baomi.services import protect as service
    from baomi.services.audit import VaultAuditSink

    if not isinstance(sink, VaultAuditSink):
        raise ConfigError(
            tr(
                "--deal 需要已配置的保险库（baomi keys init）",
                "--deal needs a vault (baomi keys init)",
            )
        )
    return service.protect_for_deal(
        paths,
        policy,
        out,
        actor=_actor(as_),
        vault=sink.vault,
        deal_ref=deal,
        keys=keys,
        options=options,
        progress=progress,
        documents=documents,
        tables=tables,
    )


@contextmanager
def _protect_engine(engine: Engine, scheduler: str | None) -> Iterator[ProtectEngine | None]:
    """Where the files are protected: here (None), or on Dask (a LocalCluster of one worker
    per core without ``--scheduler``)."""
    if engine is not Engine.dask:
        yield None
        return
    from baomi.engine.protect.distributed import DaskProtectEngine

    with dask_session(scheduler, os.cpu_count() or 2) as client:
        yield DaskProtectEngine(client)


def _refuse(message: str) -> typer.Exit:
    _console().print(f"[red]{tr('错误', 'error')}:[/red] {message}")
    return typer.Exit(1)


def _writable(target: Path) -> bool:
    """True when ``target`` can be created: its nearest existing folder is a writable folder."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK)


def policy_init(
    path: Path = typer.Argument(Path("policy.yaml"), help="写到 / write to"),
    force: bool = typer.Option(False, "--force", help="覆盖策略文件 / overwrite the policy file"),
    key_file: Path = typer.Option(
        None,
        "--key-file",
        help="同时生成新密钥文件（已有的密钥从不覆盖）/ also create a new key file (an existing "
        "key is never replaced)",
    ),
) -> None:
    """写出默认策略（处理所有直接标识符）/ write the default policy.

    Everything is checked before anything is written. An existing key file is never replaced,
    not even with ``--force`` (which is about the policy file): the token vaults, pseudonyms and
    trace records made with that key depend on it.
    """
    from baomi.engine.protect.keys import generate_secret
    from baomi.engine.protect.policy import DEFAULT_POLICY

    if key_file is not None:
        if key_file.exists() or key_file.is_symlink():
            raise _refuse(
                f"{key_file}: "
                + tr(
                    "密钥文件已存在，从不覆盖（--force 只针对策略文件；用它生成的令牌库和假名"
                    "离不开它）。请换一个 --key-file 路径，或不带 --key-file 沿用现有密钥",
                    "key file exists and is never replaced (--force is for the policy file only; "
                    "the token vaults and pseudonyms made with it need it). Give another "
                    "--key-file path, or leave --key-file out to keep using the existing key",
                )
            )
        if key_file.resolve() == path.resolve():
            raise _refuse(
                tr("策略与密钥不能是同一文件", "the policy and the key must be different files")
            )
    if path.is_dir():
        raise _refuse(f"{path}: " + tr("是文件夹", "is a folder"))
    if path.exists() and not force:
        raise _refuse(tr(f"{path} 已存在（--force 覆盖）", f"{path} exists (use --force)"))
    for target in (path, key_file):
        if target is not None and not _writable(target):
            raise _refuse(f"{target}: " + tr("无法写入", "cannot be written"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(DEFAULT_POLICY)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise _refuse(f"{path}: {exc.strerror}") from None
    _console().print(tr("已写入默认策略", "default policy written") + f": {path}")
    if key_file is not None:
        try:
            key_file.parent.mkdir(parents=True, exist_ok=True)
            # created exclusively, readable by its owner only from the first byte
            kfd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(kfd, "w", encoding="utf-8") as fh:
                fh.write(generate_secret() + "\n")
        except OSError as exc:
            raise _refuse(f"{key_file}: {exc.strerror}") from None
        _console().print(tr("已生成密钥文件", "key file created") + f": {key_file}")


def policy_check(path: Path = typer.Argument(..., help="策略 YAML / policy YAML")) -> None:
    """校验策略 / validate a policy."""
    from baomi.engine.protect.policy import load_policy

    pol = _run(lambda: load_policy(path))
    _console().print(tr("策略有效", "policy is valid") + f": {pol.name} ({pol.sha256[:12]})")


def risk(
    file: Path = typer.Argument(..., help="表格文件 / table file"),
    qi: str = typer.Option(
        ..., "--qi", help="准标识符，逗号分隔 / quasi-identifiers, comma-separated"
    ),
    sensitive: str = typer.Option("", "--sensitive", help="敏感属性 / sensitive attributes"),
    k: int = typer.Option(3, "--k", min=1, help="目标 k（统计低于 k 的记录）/ target k"),
    sheet: str | None = typer.Option(
        None, "--sheet", help="只评估此工作表（默认：含这些列的每个表）/ only this sheet"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON 输出 / JSON output"),
) -> None:
    """重识别风险（GB/T 37964 附录 B）/ re-identification risk (GB/T 37964 Annex B)."""
    import polars as pl

    from baomi.engine.protect.fingerprint import strip_marks
    from baomi.engine.protect.kanon import risk as compute
    from baomi.engine.protect.writers import load

    console = _console()
    # a column named twice counts once; order kept
    qis = list(dict.fromkeys(c.strip() for c in qi.split(",") if c.strip()))
    sens = [c for c in dict.fromkeys(c.strip() for c in sensitive.split(",")) if c and c not in qis]
    if not qis:
        console.print(tr("请用 --qi 给出至少一个准标识符列", "give at least one column with --qi"))
        raise typer.Exit(1)
    doc = _run(lambda: load(file))
    if not doc.tables:
        typer.echo(
            tr(f"错误: {file.name}：不是表格文件", f"error: {file.name}: not a table file"),
            err=True,
        )
        raise typer.Exit(1)
    tables = doc.tables
    if sheet is not None:
        tables = [t for t in tables if t.sheet == sheet]
        if not tables:
            console.print(tr("没有此工作表", "no such sheet") + f": {sheet}")
            raise typer.Exit(1)
    # in a workbook, sheets without the columns (a "说明" sheet) are left out
    usable = [t for t in tables if all(c in t.frame.columns for c in qis + sens)]
    if not usable:
        missing = [c for c in qis + sens if c not in tables[0].frame.columns]
        console.print(tr("缺少列", "missing columns") + f": {', '.join(missing)}")
        raise typer.Exit(1)
    results = []
    for t in usable:
        frame = t.frame.with_columns(
            pl.col(c).cast(pl.String).map_elements(strip_marks, return_dtype=pl.String)
            for c in qis + sens
        )
        results.append((t.sheet, compute(frame, qis, sens, k)))
    if as_json:
        out = [{"sheet": s, **r.as_dict()} for s, r in results]
        typer.echo(json.dumps(out if len(out) > 1 else out[0], ensure_ascii=False))
        return
    for name, r in results:
        table = Table(
            title=tr("重识别风险", "re-identification risk") + (f" [{name}]" if name else "")
        )
        table.add_column(tr("指标", "measure"))
        table.add_column(tr("值", "value"), justify="right")
        rows = [
            (tr("记录数", "records"), str(r.records)),
            (tr("等价类数", "equivalence classes"), str(r.classes)),
            ("k", str(r.k)),
            (
                tr("l-多样性（distinct）", "distinct l-diversity"),
                "-" if r.l_diversity is None else str(r.l_diversity),
            ),
            (tr("最大风险（检察官）", "prosecutor risk, maximum"), f"{r.max_risk:.4f}"),
            (tr("平均风险（检察官）", "prosecutor risk, average"), f"{r.average_risk:.4f}"),
            (tr(f"低于 k={k} 的记录", f"records in classes under k={k}"), str(r.records_below_k)),
            (tr("唯一记录", "unique records"), str(r.uniques)),
        ]
        for row in rows:
            table.add_row(*row)
        _console().print(table)


def trace(
    leaked: Path = typer.Argument(..., help="泄露的文件 / leaked file"),
    manifests: Path = typer.Option(
        None, "--manifests", help="追踪记录目录 / trace records folder ($BAOMI_HOME/manifests)"
    ),
    as_: str | None = AS_OPTION,
) -> None:
    """从泄露片段追踪接收方 / name the recipient of a leaked fragment."""
    from baomi.engine.protect.trace import NoTraceRecordsError
    from baomi.services import protect as service

    folder = manifests or _home() / "manifests"
    with _audit() as sink:
        result = _run(
            lambda: service.trace(leaked, folder, actor=_actor(as_), sink=sink),
            {NoTraceRecordsError: TRACE_NO_RECORDS},
        )
    console = _console()
    if result.recipient is None:
        console.print(
            tr(
                "接收方：未知（证据不足，不作猜测）",
                "recipient: unknown (not enough evidence; no guess)",
            )
        )
    else:
        if len(result.recipients) > 1:
            console.print(
                tr(
                    "片段来自多个数据包（合并泄露）：每个都有足够证据",
                    "the fragment comes from several packages (merged leaks): each has the evidence",
                )
            )
        for recipient, package in zip(result.recipients, result.package_ids, strict=True):
            console.print(
                tr("接收方", "recipient")
                + f": [bold]{recipient}[/bold] "
                + tr("数据包", "package")
                + f" {package}"
            )
        if result.other_sources:
            console.print(
                tr(
                    "另有来源未能识别：片段中有不属于上述数据包的标记（合并泄露？）",
                    "another source was not identified: the fragment holds marks of no package "
                    "named (merged leaks?)",
                )
            )
        console.print(
            tr("置信度", "confidence") + f" {_confidence(result.confidence, result.wrong_match)}"
        )
    table = Table(title=tr("候选", "candidates"))
    for col in (
        tr("接收方", "recipient"),
        tr("数据包", "package"),
        tr("证据(bit)", "evidence (bits)"),
        tr("标记一致/不一致", "marks agree/disagree"),
        tr("密钥值匹配", "keyed values matched"),
    ):
        table.add_column(col)
    for c in result.candidates[:5]:
        table.add_row(
            c.recipient,
            c.package_id,
            f"{c.bits:.0f}",
            f"{c.marks_agree}/{c.marks_disagree}",
            str(c.values_matched),
        )
    console.print(table)
    if result.recipient is None:
        raise typer.Exit(TRACE_UNKNOWN)


def _confidence(confidence: float, wrong_match: float) -> str:
    """``99.9937% (chance of a wrong match 6.3e-05)``: the percentage never rounds up to 100."""
    percent = f"{confidence * 100:.4f}%"
    if wrong_match > 0 and percent == "100.0000%":
        percent = "> 99.9999%"
    return percent + f" ({tr('误认概率', 'chance of a wrong match')} {wrong_match:.1e})"


def detokenize(
    file: Path = typer.Argument(..., help="含令牌的文件 / file with tokens"),
    vault: Path = typer.Option(..., "--vault", help="令牌库文件 / token vault file"),
    out: Path = typer.Option(
        ..., "--out", help="还原后的文件（与输入同格式）/ restored file (the input's format)"
    ),
    key_file: Path = KEY_FILE,
    as_: str | None = AS_OPTION,
) -> None:
    """用密钥还原令牌（记入审计）/ restore tokens with the key (audited).

    Every format protect writes (CSV/TSV in its encoding, XLSX, JSON, JSON Lines, Parquet, TXT,
    DOCX) is restored into the same format and encoding; a missing vault is an error.
    """
    from baomi.engine.protect.keys import KeyProvider
    from baomi.services import protect as service

    keys = _run(lambda: KeyProvider.resolve(key_file))
    with _audit() as sink:
        result = _run(
            lambda: service.detokenize(
                file, out, vault_path=vault, keys=keys, actor=_actor(as_), sink=sink
            )
        )
    console = _console()
    console.print(tr("已还原令牌", "tokens restored") + f": {result.restored} → {out}")
    if result.unknown:
        console.print(
            "[yellow]"
            + tr(
                f"{result.unknown} 个令牌不在此令牌库中，未还原（是否用错了令牌库或密钥？）",
                f"{result.unknown} token(s) not in this vault were left as they are "
                "(the wrong vault or key?)",
            )
            + "[/yellow]"
        )


def register(app: typer.Typer) -> None:
    """Add the protect commands to ``app``."""
    app.command("protect")(protect)
    policy_app.command("init")(policy_init)
    policy_app.command("check")(policy_check)
    app.add_typer(policy_app, name="policy")
    app.command("risk")(risk)
    app.command("trace")(trace)
    app.command("detokenize")(detokenize)
