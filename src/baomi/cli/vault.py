"""``baomi keys | deal | audit | backup | certificate`` — the vault's commands (thin).

Each command parses its arguments, builds :class:`~baomi.settings.Settings` from the environment,
calls one service and renders the result with rich. The acting user is ``--as NAME`` or the OS
user name, in the role of the seller's operator (``operator``); creating or rotating the keys and
restoring a backup act as ``admin`` (whoever holds the master key at this machine is both).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table

from baomi import clock
from baomi.errors import BaomiError, IntegrityError
from baomi.i18n import tr
from baomi.services.permissions import Actor, Role

T = TypeVar("T")

keys_app = typer.Typer(help="主密钥与密钥库 / master key and key store", no_args_is_help=True)
deal_app = typer.Typer(
    help="交易：加密存放的文件 / deals: encrypted documents", no_args_is_help=True
)
audit_app = typer.Typer(help="防篡改审计日志 / tamper-evident audit log", no_args_is_help=True)
backup_app = typer.Typer(help="加密备份 / encrypted backups", no_args_is_help=True)
cert_app = typer.Typer(help="销毁证书 / destruction certificates", no_args_is_help=True)

AS_OPTION = typer.Option(None, "--as", help="操作人（默认为系统用户名）/ acting operator")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _actor(name: str | None, role: Role = Role.OPERATOR) -> Actor:
    """The acting user: ``--as NAME`` or the OS user, as the local operator (or ``role``)."""
    return Actor(name or getpass.getuser(), role)


def _fail(exc: BaomiError, code: int = 1) -> typer.Exit:
    _console().print(f"[red]{tr('错误', 'error')}:[/red] {exc}")
    return typer.Exit(code)


def _run(fn: Callable[[], T]) -> T:
    """Call a service; a baomi error becomes a red message and exit code 1 (2 for integrity)."""
    try:
        return fn()
    except IntegrityError as exc:
        raise _fail(exc, 2) from None
    except BaomiError as exc:
        raise _fail(exc) from None


@contextmanager
def _vault() -> Iterator[Any]:
    from baomi.services.vault import open_vault
    from baomi.settings import Settings

    settings = _run(Settings)
    vault = _run(lambda: open_vault(settings))
    try:
        yield vault
    finally:
        vault.close()


# --- keys -------------------------------------------------------------------------------


def _print_status(status: Any) -> None:
    table = Table(show_header=False)
    rows = [
        (tr("密钥库", "key store"), status.keystore),
        (tr("主密钥编号", "master key id"), status.master_key_id),
        (tr("主密钥来源", "master key source"), status.source),
        (tr("代数", "generation"), str(status.generation)),
        (tr("有效交易密钥", "active deal keys"), str(status.active_deals)),
        (tr("已销毁交易密钥", "destroyed deal keys"), str(status.destroyed_deals)),
        (tr("签名公钥", "signing public key"), status.public_key),
        (tr("创建时间", "created"), status.created_at),
        (tr("最近轮换", "last rotated"), status.rotated_at or "-"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    _console().print(table)


@keys_app.command("init")
def keys_init(as_: str | None = AS_OPTION) -> None:
    """初始化密钥库和数据库（若配置的密钥文件不存在则生成）/ create the key store and schema."""
    from baomi.services import keys
    from baomi.settings import Settings

    settings = _run(Settings)
    status = _run(lambda: keys.init(settings, actor=_actor(as_, Role.ADMIN)))
    _console().print(tr("密钥库已创建。", "key store created."))
    _print_status(status)


@keys_app.command("status")
def keys_status(as_: str | None = AS_OPTION) -> None:
    """显示密钥库状态并检查主密钥 / show the key store and check the master key."""
    from baomi.services import keys
    from baomi.settings import Settings

    settings = _run(Settings)
    _print_status(_run(lambda: keys.status(settings, actor=_actor(as_))))


@keys_app.command("rotate")
def keys_rotate(
    new_key_file: Path | None = typer.Option(
        None, help="新主密钥文件（不存在则生成）/ new key file"
    ),
    new_passphrase: bool = typer.Option(
        False, "--new-passphrase", help="改用新口令 / switch to a new passphrase"
    ),
    as_: str | None = AS_OPTION,
) -> None:
    """轮换主密钥：重新包装数据密钥，旧主密钥随即失效 / rotate the master key."""
    from baomi.services import keys
    from baomi.settings import Settings

    settings = _run(Settings)
    phrase = (
        typer.prompt(tr("新口令", "new passphrase"), hide_input=True, confirmation_prompt=True)
        if new_passphrase
        else None
    )
    status = _run(
        lambda: keys.rotate(
            settings,
            actor=_actor(as_, Role.ADMIN),
            new_key_file=new_key_file,
            new_passphrase=phrase,
        )
    )
    _console().print(
        tr(
            "主密钥已轮换。请把 BAOMI_MASTER_KEY_FILE / BAOMI_PASSPHRASE 改为新密钥；旧密钥已失效。",
            "master key rotated. Point BAOMI_MASTER_KEY_FILE / BAOMI_PASSPHRASE to the new key; the old one no longer works.",
        )
    )
    _print_status(status)


# --- deals ------------------------------------------------------------------------------


@deal_app.command("create")
def deal_create(name: str, as_: str | None = AS_OPTION) -> None:
    """新建交易（生成其数据密钥）/ create a deal with its own data key."""
    from baomi.services import deals

    with _vault() as vault:
        info = _run(lambda: deals.create(vault, actor=_actor(as_), name=name))
    _console().print(
        tr(f"已创建交易 {info.name}（{info.id}）", f"created deal {info.name} ({info.id})")
    )


@deal_app.command("add")
def deal_add(deal: str, paths: list[Path], as_: str | None = AS_OPTION) -> None:
    """加密存入文件并附上扫描清单 / store files encrypted with their scan inventory."""
    from baomi.services import deals

    with _vault() as vault:
        added = _run(lambda: deals.add(vault, actor=_actor(as_), deal_ref=deal, paths=paths))
    table = Table(
        Column(tr("对象", "object"), overflow="fold"),  # ids are copied: folded, never cut
        Column(tr("名称", "name"), overflow="fold"),
        tr("字节", "bytes"),
        "SHA-256",
    )
    for o in added:
        table.add_row(o.id, o.name or "", str(o.size), o.sha256[:16] + "…")
    _console().print(table)
    _console().print(tr(f"已加密存入 {len(added)} 个文件", f"stored {len(added)} files encrypted"))


@deal_app.command("list")
def deal_list(as_json: bool = typer.Option(False, "--json"), as_: str | None = AS_OPTION) -> None:
    """列出交易 / list deals."""
    from baomi.services import deals

    with _vault() as vault:
        items = _run(lambda: deals.list_deals(vault, actor=_actor(as_)))
    if as_json:
        typer.echo(json.dumps([asdict(d) for d in items], ensure_ascii=False, indent=1))
        return
    table = Table(
        tr("名称", "name"), tr("状态", "status"), tr("文件", "objects"), tr("创建", "created"), "id"
    )
    for d in items:
        table.add_row(
            d.name, deals.status_label(d.status), str(d.objects), clock.zoned(d.created_at), d.id
        )
    _console().print(table)


@deal_app.command("show")
def deal_show(
    deal: str, as_json: bool = typer.Option(False, "--json"), as_: str | None = AS_OPTION
) -> None:
    """显示交易及其文件（解密名称和清单）/ show a deal and its documents."""
    from baomi.services import deals

    with _vault() as vault:
        detail = _run(lambda: deals.show(vault, deal, actor=_actor(as_)))
    if as_json:
        typer.echo(json.dumps(asdict(detail), ensure_ascii=False, indent=1))
        return
    d = detail.deal
    console = _console()
    console.print(
        f"[bold]{d.name}[/bold] ({d.id}) — {deals.status_label(d.status)}, {d.created_by}, {clock.zoned(d.created_at)}",
        soft_wrap=False,
    )
    table = Table(
        Column(tr("对象", "object"), overflow="fold"),  # ids are copied: folded, never cut
        Column(tr("名称", "name"), overflow="fold"),
        tr("字节", "bytes"),
        "SHA-256",
    )
    for o in detail.objects:
        table.add_row(o.id, o.name or "—", str(o.size), o.sha256[:16] + "…")
    console.print(table, soft_wrap=False)
    # each document's inventory summary whole, one field a row, wrapped to the terminal
    # (the full inventory, files and columns included: --json)
    for o in detail.objects:
        summary = (o.inventory or {}).get("summary")
        if not summary:
            continue
        facts = Table(show_header=False, title=f"{tr('清单', 'inventory')} · {o.name or o.id}")
        for key, value in summary.items():
            facts.add_row(key, _summary_value(value))
        console.print(facts, soft_wrap=False)


def _summary_value(value: Any) -> str:
    """A field of an inventory summary as text: a mapping as ``NAME count, …``, a list joined."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


@deal_app.command("export")
def deal_export(deal: str, out: Path, as_: str | None = AS_OPTION) -> None:
    """为操作人解密导出（记入审计）/ decrypt the documents for the operator (audited)."""
    from baomi.services import deals

    with _vault() as vault:
        written = _run(lambda: deals.export(vault, actor=_actor(as_), deal_ref=deal, out_dir=out))
    _console().print(
        tr(f"已解密导出 {len(written)} 个文件到 {out}", f"exported {len(written)} files to {out}")
    )


@deal_app.command("destroy")
def deal_destroy(
    deal: str,
    out: Path | None = typer.Option(
        None, "--out", help="证书写到此处 / write the certificate here"
    ),
    yes: bool = typer.Option(False, "--yes", help="不再确认 / do not ask"),
    as_: str | None = AS_OPTION,
) -> None:
    """加密粉碎：销毁数据密钥和密文，签发销毁证书 / crypto-shred a deal and issue a certificate."""
    from baomi.services import destruction

    if not yes:
        typer.confirm(
            tr(f"销毁交易 {deal}？此操作不可恢复", f"destroy deal {deal}? This cannot be undone"),
            abort=True,
        )
    with _vault() as vault:
        cert = _run(lambda: destruction.destroy(vault, actor=_actor(as_), deal_ref=deal, out=out))
        kept = destruction.certificate_path(vault, cert["certificate_id"])
    where = f"{kept}" if out is None else f"{kept}, {out}"
    _console().print(
        tr(
            f"交易已销毁：{len(cert['objects'])} 个对象；审计位置 {cert['audit']['position']}；证书 {where}",
            f"deal destroyed: {len(cert['objects'])} objects; audit position {cert['audit']['position']}; certificate {where}",
        )
    )


# --- audit ------------------------------------------------------------------------------


def _chain_result(report: Any) -> None:
    if report.ok:
        _console().print(
            tr(
                f"审计链完好：{report.events} 条事件，{report.checkpoints} 个签名检查点",
                f"audit chain intact: {report.events} events, {report.checkpoints} signed checkpoints",
            )
        )
        return
    _console().print(
        f"[red]{tr('审计链被篡改', 'audit chain broken')}:[/red] "
        + tr(
            f"第一个问题位置 {report.first_bad}（{report.reason}）",
            f"first bad position {report.first_bad} ({report.reason})",
        )
    )
    raise typer.Exit(2)


@audit_app.command("verify")
def audit_verify(
    export_file: Path | None = typer.Option(
        None, "--export", help="校验导出的 JSON 副本 / verify an exported copy"
    ),
    public_key: Path | None = typer.Option(
        None, "--public-key", help="可信公钥文件 signing.pub / trusted public key"
    ),
    log_file: Path | None = typer.Option(
        None,
        "--log",
        help="校验无保险库时记录的审计文件（$BAOMI_HOME/logs/audit.jsonl）/ verify the "
        "hash-chained file kept without a vault",
    ),
    as_: str | None = AS_OPTION,
) -> None:
    """校验哈希链和签名检查点，指出第一个问题位置 / verify the chain and checkpoints."""
    from baomi.engine import crypto
    from baomi.services import audit, audit_sink

    actor = _actor(as_)
    if log_file is not None:
        _chain_result(_run(lambda: audit_sink.verify_file(log_file, actor=actor)))
        return
    if export_file is not None:
        key = crypto.unb64(public_key.read_text().strip()) if public_key else None
        _chain_result(_run(lambda: audit.verify_export(export_file, actor=actor, public_key=key)))
        return
    with _vault() as vault:
        _chain_result(_run(lambda: audit.verify(vault, actor=actor)))


@audit_app.command("export")
def audit_export(
    out: Path,
    fmt: str = typer.Option("json", "--format", help="json | csv"),
    as_: str | None = AS_OPTION,
) -> None:
    """导出审计日志（JSON 含检查点和公钥，或 CSV）/ export the log for auditors."""
    from baomi.services import audit

    with _vault() as vault:
        n = _run(lambda: audit.export(vault, out, fmt=fmt, actor=_actor(as_)))
    _console().print(tr(f"已导出 {n} 条事件到 {out}", f"exported {n} events to {out}"))


@audit_app.command("checkpoint")
def audit_checkpoint(as_: str | None = AS_OPTION) -> None:
    """立即为链头签一个检查点 / sign a checkpoint of the chain head now."""
    from baomi.services import audit

    with _vault() as vault:
        cp = _run(lambda: audit.checkpoint(vault, actor=_actor(as_)))
    if cp is None:
        _console().print(tr("链头已有检查点", "the head already has a checkpoint"))
    else:
        _console().print(
            tr(f"已签名检查点：位置 {cp.seq}", f"signed checkpoint at position {cp.seq}")
        )


# --- backups ----------------------------------------------------------------------------


def _backup_result(report: Any, verb_zh: str, verb_en: str) -> None:
    _console().print(
        tr(
            f"{verb_zh}：{report.files} 个密文文件，审计位置 {report.audit_head}，{clock.zoned(report.created_at)}（{report.backup_id}）",
            f"{verb_en}: {report.files} blobs, audit position {report.audit_head}, {clock.zoned(report.created_at)} ({report.backup_id})",
        )
    )


@backup_app.command("create")
def backup_create(file: Path, as_: str | None = AS_OPTION) -> None:
    """运行中做一致的加密备份（不含密钥库）/ consistent encrypted backup (without the key store)."""
    from baomi.services import backup

    with _vault() as vault:
        report = _run(lambda: backup.create(vault, actor=_actor(as_), out=file))
    _backup_result(report, "备份完成", "backup written")


@backup_app.command("verify")
def backup_verify(file: Path, as_: str | None = AS_OPTION) -> None:
    """解密并校验备份的每个哈希和清单签名 / decrypt and check every hash."""
    from baomi.services import backup

    with _vault() as vault:
        report = _run(lambda: backup.verify(vault, file, actor=_actor(as_)))
    _backup_result(report, "备份完好", "backup verified")


@backup_app.command("restore")
def backup_restore(file: Path, as_: str | None = AS_OPTION) -> None:
    """把备份恢复到空的主目录（需要原密钥库）/ restore into an empty home."""
    from baomi.services import backup

    with _vault() as vault:
        report = _run(lambda: backup.restore(vault, actor=_actor(as_, Role.ADMIN), path=file))
    _backup_result(report, "恢复完成", "restored")


# --- certificates -----------------------------------------------------------------------


@cert_app.command("verify")
def certificate_verify(
    file: Path,
    public_key: Path | None = typer.Option(
        None, "--public-key", help="可信公钥文件 signing.pub（无需数据库）/ trusted key"
    ),
    as_: str | None = AS_OPTION,
) -> None:
    """校验销毁证书的签名和审计位置 / verify a destruction certificate."""
    from baomi.engine import crypto
    from baomi.services import destruction

    actor = _actor(as_)
    if public_key is not None:
        key = _run(lambda: crypto.unb64(public_key.read_text().strip()))
        check = _run(lambda: destruction.verify_certificate(None, file, key, actor=actor))
    else:
        with _vault() as vault:
            check = _run(lambda: destruction.verify_certificate(vault, file, actor=actor))
    if not check.ok:
        _console().print(f"[red]{tr('证书无效', 'certificate invalid')}:[/red] {check.reason}")
        raise typer.Exit(2)
    _console().print(
        tr(
            f"证书有效：交易 {check.deal}，{check.objects} 个对象，审计位置 {check.audit_position}",
            f"certificate valid: deal {check.deal}, {check.objects} objects, audit position {check.audit_position}",
        )
    )


def register(app: typer.Typer) -> None:
    """Add the vault's command groups to ``app``."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(deal_app, name="deal")
    app.add_typer(audit_app, name="audit")
    app.add_typer(backup_app, name="backup")
    app.add_typer(cert_app, name="certificate")
