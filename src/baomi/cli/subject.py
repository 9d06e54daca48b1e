"""``baomi subject …``: data-subject requests at the command line — take one in, record the
identity checks, answer, refuse with reasons, close; the register shows what is overdue.
Every command takes ``--format json``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from baomi import clock
from baomi.cli.respond import FMT, Fmt
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr

subject_app = typer.Typer(
    help="个人权利请求：受理、核验、答复、拒绝、查找 / data-subject requests",
    no_args_is_help=True,
)

ID_OPTION = typer.Argument(..., help="请求编号或受理号 / request id or reference number")
DEAL_OPTION = typer.Option(None, "--deal", help="交易 / deal")


def _plain(info: Any) -> dict[str, Any]:
    data = asdict(info)
    data["kind_label"] = info.kind.label
    data["status_label"] = info.status.label
    return data


def _state(info: Any) -> str:
    if info.overdue:
        return "[red]" + tr("逾期", "overdue") + "[/red]"
    return str(info.status.label)


def _show(info: Any, fmt: Fmt) -> None:
    if fmt is Fmt.JSON:
        typer.echo(json.dumps(_plain(info), ensure_ascii=False, indent=2, default=str))
        return
    console = _console()
    console.print(f"[bold]{info.reference}[/bold]  {info.kind.label}  ({info.id})")
    console.print(
        tr("收到", "received")
        + f": {clock.shown(info.received_at)}  "
        + tr("答复期限", "due")
        + f": {clock.shown(info.due_at)} "
        + tr("（北京时间）", "(UTC+8)")
        + f" ({info.rule})  "
        + tr("状态", "status")
        + f": {_state(info)}"
    )
    if info.reason:
        console.print(tr("拒绝理由", "reasons") + f": {info.reason}")
    if info.search:
        counts = ", ".join(f"{f} ×{n}" for f, n in info.search["per_file"].items())
        console.print(
            tr("查找结果", "search")
            + f" ({clock.shown(info.searched_at)}): {counts or tr('无', 'none')}"
        )
    if info.verifications:
        table = Table(title=tr("身份核验", "identity checks"))
        for col in (
            tr("方式", "method"),
            tr("结果", "result"),
            tr("核验人", "by"),
            tr("时间（北京时间）", "at (UTC+8)"),
        ):
            table.add_column(col)
        for v in info.verifications:
            table.add_row(
                v.method.label,
                tr("通过", "passed") if v.passed else tr("未通过", "failed"),
                v.checked_by,
                clock.shown(v.checked_at),
            )
        console.print(table)


def _choice(enum: Any, value: str, hint: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise typer.BadParameter(value, param_hint=hint) from None


@subject_app.command("intake")
def intake_cmd(
    kind: str = typer.Option(
        ...,
        "--kind",
        help="access|correction|deletion|portability|explanation|withdrawal",
    ),
    contact: str = typer.Option(..., "--contact", help="请求人联系方式 / contact (sealed)"),
    details: str = typer.Option("", "--details", help="请求说明 / details (sealed)"),
    received: str | None = typer.Option(None, "--received", help="ISO 时间 / time (default now)"),
    deal: str | None = DEAL_OPTION,
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """受理个人权利请求 / take in a data-subject request (answer due in 30 days)."""
    from baomi.services.respond import requests

    chosen = _choice(requests.Kind, kind, "--kind")
    with _vault() as vault:
        info = _run(
            lambda: requests.receive(
                vault,
                actor=_actor(as_),
                kind=chosen,
                contact=contact,
                details=details,
                received_at=received,
                deal_ref=deal,
            )
        )
    _show(info, fmt)


@subject_app.command("list")
def list_cmd(deal: str | None = DEAL_OPTION, fmt: Fmt = FMT, as_: str | None = AS_OPTION) -> None:
    """请求登记簿（逾期在前）/ the register, overdue first."""
    from baomi.services.respond import requests

    with _vault() as vault:
        found = _run(lambda: requests.register(vault, actor=_actor(as_), deal_ref=deal))
    if fmt is Fmt.JSON:
        typer.echo(
            json.dumps([_plain(i) for i in found], ensure_ascii=False, indent=2, default=str)
        )
        return
    table = Table(title=tr("个人权利请求", "data-subject requests"))
    for col in (
        tr("受理号", "reference"),
        tr("类型", "kind"),
        tr("收到", "received"),
        tr("期限", "due"),
        tr("状态", "status"),
    ):
        table.add_column(col)
    for i in found:
        table.add_row(
            i.reference, i.kind.label, clock.day(i.received_at), clock.day(i.due_at), _state(i)
        )
    _console().print(table)


@subject_app.command("show")
def show_cmd(request: str = ID_OPTION, fmt: Fmt = FMT, as_: str | None = AS_OPTION) -> None:
    """一个请求的时限与核验记录 / one request: deadline and identity checks."""
    from baomi.services.respond import requests

    with _vault() as vault:
        info = _run(lambda: requests.get(vault, actor=_actor(as_), request_id=request))
    _show(info, fmt)


@subject_app.command("verify")
def verify_cmd(
    request: str = ID_OPTION,
    method: str = typer.Option(
        ..., "--method", help="id_document|sms_code|email_code|account|in_person|other"
    ),
    failed: bool = typer.Option(False, "--failed", help="核验未通过 / the check failed"),
    identifier: str | None = typer.Option(
        None, "--identifier", help="核验的证件号（只存其密钥哈希）/ the number checked (hashed)"
    ),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """记录一次身份核验 / record one identity check."""
    from baomi.services.respond import requests

    chosen = _choice(requests.Method, method, "--method")
    with _vault() as vault:
        info = _run(
            lambda: requests.verify(
                vault,
                actor=_actor(as_),
                request_id=request,
                method=chosen,
                passed=not failed,
                identifier=identifier,
            )
        )
    _show(info, fmt)


@subject_app.command("status")
def status_cmd(
    request: str = ID_OPTION,
    status: str = typer.Argument(..., help="answered|refused|closed"),
    reason: str | None = typer.Option(None, "--reason", help="拒绝理由 / reasons of a refusal"),
    at: str | None = typer.Option(None, "--at", help="ISO 时间 / time (default now)"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """答复、拒绝（须说明理由）或关闭 / answer, refuse (with reasons) or close."""
    from baomi.services.respond import requests

    chosen = _choice(requests.Status, status, "STATUS")
    with _vault() as vault:
        info = _run(
            lambda: requests.set_status(
                vault, actor=_actor(as_), request_id=request, status=chosen, reason=reason, at=at
            )
        )
    _show(info, fmt)


@subject_app.command("find")
def find_cmd(
    deal: str | None = typer.Option(None, "--deal", help="在交易的文件中查找 / search a deal"),
    scan: Path | None = typer.Option(
        None, "--scan", help="扫描输出目录（含 inventory.json）/ a scan's output folder"
    ),
    root: Path | None = typer.Option(
        None, "--root", help="与 --scan 同用：被扫描的目录 / with --scan: the folder scanned"
    ),
    id_: str | None = typer.Option(
        None,
        "--id",
        help="证件号码：身份证、港澳台身份证或护照 / ID number: resident, HK/Macao/Taiwan card, passport",
    ),
    mobile: str | None = typer.Option(
        None, "--mobile", help="手机或电话号码 / mobile or phone number (abroad too)"
    ),
    email: str | None = typer.Option(None, "--email", help="电子邮箱 / e-mail"),
    name: str | None = typer.Option(
        None, "--name", help="姓名：只找同一行中也有该姓名的记录 / name: only rows that hold it too"
    ),
    request: str | None = typer.Option(
        None, "--request", help="将结果关联到该请求 / link the result to this request"
    ),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """查找一个人的标识符出现在哪些文件、行、列 / every (file, sheet, row, column) of one
    identifier — full-width, spaced and +86 spellings included; with --name, only the rows
    where the name occurs too (name + phone)."""
    from baomi.services.respond import subjects
    from baomi.services.respond.subjects import IdKind

    given = [
        (k, v) for k, v in ((IdKind.ID, id_), (IdKind.MOBILE, mobile), (IdKind.EMAIL, email)) if v
    ]
    if len(given) != 1:
        raise typer.BadParameter(
            tr(
                "须且只能给出 --id、--mobile、--email 之一",
                "give exactly one of --id, --mobile, --email",
            )
        )
    if (deal is None) == (scan is None) or (scan is not None and root is None):
        raise typer.BadParameter(
            tr("须给出 --deal，或 --scan 与 --root", "give --deal, or --scan with --root")
        )
    [(kind, query)] = given
    with _vault() as vault:
        actor = _actor(as_)
        if deal is not None:
            result = _run(
                lambda: subjects.find_in_deal(
                    vault, actor=actor, deal_ref=deal, kind=kind, query=query, name=name
                )
            )
        else:
            assert scan is not None and root is not None
            result = _run(
                lambda: subjects.find_in_scan(
                    vault,
                    actor=actor,
                    scan_dir=scan,
                    root=root,
                    kind=kind,
                    query=query,
                    name=name,
                )
            )
        if request is not None:
            _run(lambda: subjects.link(vault, actor=actor, request_id=request, result=result))
    if fmt is Fmt.JSON:
        typer.echo(
            json.dumps(
                {
                    "entity": result.entity,
                    "documents": result.documents,
                    "per_file": result.per_file(),
                    "hits": [asdict(h) for h in result.hits],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(
        title=tr(
            f"在 {result.documents} 个文件中找到 {len(result.hits)} 处",
            f"{len(result.hits)} occurrences in {result.documents} files",
        )
    )
    for col in (tr("文件", "file"), tr("工作表", "sheet"), tr("行", "row"), tr("列", "column")):
        table.add_column(col)
    for h in result.hits:
        table.add_row(h.file, h.sheet or "", str(h.row), h.column or tr("（正文）", "(text)"))
    _console().print(table)


@subject_app.command("export")
def export_cmd(
    request: str = ID_OPTION,
    out: Path = typer.Option(..., "--out", help="输出文件（新建）/ the file to write (new)"),
    package_format: str | None = typer.Option(
        None,
        "--format",
        help="json|csv|xlsx（默认按文件后缀；CSV 带 BOM，Excel 可直接打开）/ the package's form "
        "(default: the file's suffix)",
    ),
    as_: str | None = AS_OPTION,
) -> None:
    """导出答复包：请求人在关联查找结果处的记录 / the response package: the requester's
    records where the linked search found them (needs a verified identity)."""
    from baomi.services.respond import subjects

    if package_format is None:  # the suffix decides: an .xlsx must not hold JSON
        suffix = out.suffix.lower().lstrip(".")
        package_format = suffix if suffix in ("json", "csv", "xlsx") else "json"
    chosen = _choice(subjects.PackageFormat, package_format, "--format")
    with _vault() as vault:
        n = _run(
            lambda: subjects.export_records(
                vault, actor=_actor(as_), request_id=request, out=out, fmt=chosen
            )
        )
    _console().print(tr(f"已导出 {n} 条记录到 {out}", f"{n} records written to {out}"))


@subject_app.command("apply")
def apply_cmd(
    request: str = ID_OPTION,
    column: str | None = typer.Option(None, "--column", help="更正的列 / the column corrected"),
    value: str | None = typer.Option(
        None, "--value", help="更正后的值（只写入加密文件）/ the corrected value (sealed only)"
    ),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """执行更正或删除：受影响的文件生成新版本，原版本加密保留至期满 / apply a correction or
    deletion: new versions of the documents found; the originals stay sealed until their
    retention ends (subject purge)."""
    from baomi.services.respond import versions

    with _vault() as vault:
        applied = _run(
            lambda: versions.apply(
                vault, actor=_actor(as_), request_id=request, column=column, value=value
            )
        )
    if fmt is Fmt.JSON:
        typer.echo(json.dumps(asdict(applied), ensure_ascii=False, indent=2))
        return
    table = Table(
        title=tr(
            f"新版本 {len(applied.versions)} 个；原版本保留至 {clock.day(applied.retain_until)}",
            f"{len(applied.versions)} new versions; originals kept until "
            f"{clock.day(applied.retain_until)}",
        )
    )
    for col in (tr("文件", "file"), tr("行数", "rows"), tr("新版本", "version")):
        table.add_column(col)
    for v in applied.versions:
        table.add_row(v.file, str(v.rows), v.version)
    console = _console()
    console.print(table)
    for file, why in applied.skipped:
        console.print(f"[yellow]{tr('未处理', 'not changed')}[/yellow] {file}: {why}")
    console.print(applied.rule)


@subject_app.command("purge")
def purge_cmd(fmt: Fmt = FMT, as_: str | None = AS_OPTION) -> None:
    """粉碎保留期满的原版本 / shred the superseded versions whose retention has ended."""
    from baomi.services.respond import versions

    with _vault() as vault:
        shredded = _run(lambda: versions.purge(vault, actor=_actor(as_)))
    if fmt is Fmt.JSON:
        typer.echo(json.dumps([asdict(s) for s in shredded], ensure_ascii=False, indent=2))
        return
    _console().print(
        tr(f"已粉碎 {len(shredded)} 个原版本", f"{len(shredded)} superseded versions shredded")
    )


def index_scan_output(out: Path, paths: list[Path]) -> None:
    """``baomi scan --person-index``: write the scanned files' person index into the scan's
    output folder (sealed, keyed hashes only), so that ``subject find --scan`` reads no file
    again. Needs an initialised vault and one scanned folder (the ``--root`` of the search)."""
    from baomi.services.respond import subjects

    if len(paths) != 1 or not paths[0].is_dir():
        raise typer.BadParameter(
            tr("--person-index 只用于扫描一个目录", "--person-index needs one scanned folder"),
            param_hint="--person-index",
        )
    with _vault() as vault:
        n = _run(
            lambda: subjects.index_scan(vault, actor=_actor(None), scan_dir=out, root=paths[0])
        )
    typer.echo(tr(f"个人查找索引：{n} 个文件", f"person index: {n} files"), err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(subject_app, name="subject")
