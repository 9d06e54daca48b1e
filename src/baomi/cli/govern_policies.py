"""``baomi govern policy …``: policy documents under periodic review — add (from a file),
new versions, reviews, the list (overdue marked), a version's file, the export."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from baomi.cli.assess_profile import FORMAT_OPTION, Format
from baomi.cli.govern import govern_app
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services.govern import departments

policy_app = typer.Typer(help="制度复核 / policy reviews", no_args_is_help=True)
govern_app.add_typer(policy_app, name="policy")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(tr(f"无法读取 {path}", f"cannot read {path}: {exc.strerror}")) from None


def _show(info: Any, fmt: Format) -> None:
    if fmt is Format.JSON:
        typer.echo(json.dumps(asdict(info), ensure_ascii=False, indent=2))
        return
    console = _console()
    late = " [red]" + tr("已逾期", "overdue") + "[/red]" if info.overdue else ""
    console.print(
        f"[bold]{info.title}[/bold]  ({info.id})  {departments.label(info.department)}{late}"
    )
    console.print(f"{tr('下次复核', 'next review')}: {info.next_review} / {info.interval_days}d")
    for v in info.versions:
        console.print(f"  v{v.version}  {v.filename}  {v.size}  {v.sha256[:16]}…  {v.note}")


@policy_app.command("add")
def policy_add(
    file: Path = typer.Argument(..., help="制度文件 / the policy's file"),
    title: str = typer.Option(..., "--title"),
    department: str = typer.Option(..., "--department"),
    interval: int | None = typer.Option(None, "--interval", help="复核周期（天）/ days"),
    next_review: str | None = typer.Option(None, "--next-review", help="ISO 日期 / date"),
    owner: str | None = typer.Option(None, "--owner", help="负责人用户名 / username"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """登记制度及其第一版 / add a policy with its first version."""
    from baomi.services.govern import policies

    data = _run(lambda: _read(file))
    with _vault() as vault:
        info = _run(
            lambda: policies.create(
                vault,
                actor=_actor(as_),
                title=title,
                department=department,
                filename=file.name,
                data=data,
                interval_days=interval,
                next_review=next_review,
                owner=owner,
            )
        )
        _show(info, fmt)


@policy_app.command("version")
def policy_version(
    policy: str = typer.Argument(..., help="制度编号 / policy id"),
    file: Path = typer.Argument(...),
    note: str = typer.Option("", "--note"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """上传新版本 / add a new version."""
    from baomi.services.govern import policies

    data = _run(lambda: _read(file))
    with _vault() as vault:
        info = _run(
            lambda: policies.add_version(
                vault, actor=_actor(as_), policy_id=policy, filename=file.name, data=data, note=note
            )
        )
        _show(info, fmt)


@policy_app.command("review")
def policy_review(
    policy: str = typer.Argument(...),
    outcome: str = typer.Option("", "--outcome"),
    on: str | None = typer.Option(None, "--on", help="复核日期 / reviewed on"),
    interval: int | None = typer.Option(None, "--interval", help="新周期（天）/ new interval"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """记录复核 / record a review (moves the next review date on)."""
    from baomi.services.govern import policies

    with _vault() as vault:
        info = _run(
            lambda: policies.review(
                vault,
                actor=_actor(as_),
                policy_id=policy,
                outcome=outcome,
                reviewed_on=on,
                interval_days=interval,
            )
        )
        _show(info, fmt)


@policy_app.command("list")
def policy_list(fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """全部制度（下次复核在前）/ every policy, the next review first."""
    from baomi.services.govern import policies

    with _vault() as vault:
        items = _run(lambda: policies.policies(vault, actor=_actor(as_)))
    if fmt is Format.JSON:
        typer.echo(json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=2))
        return
    table = Table()
    for col in (tr("编号", "id"), tr("制度", "policy"), tr("部门", "department"),
                tr("下次复核", "next review"), tr("状态", "state")):  # fmt: skip
        table.add_column(col)
    for p in items:
        state = (
            "[red]" + tr("已逾期", "overdue") + "[/red]"
            if p.overdue
            else tr("即将到期", "due soon")
            if p.due_soon
            else ""
        )
        table.add_row(p.id, p.title, p.department, p.next_review, state)
    _console().print(table)


@policy_app.command("get")
def policy_get(
    policy: str = typer.Argument(...),
    out: Path = typer.Option(..., "--out"),
    version: int | None = typer.Option(None, "--version"),
    as_: str | None = AS_OPTION,
) -> None:
    """取出某一版本的文件（校验 SHA-256）/ write a version's file (SHA-256 checked)."""
    from baomi.services.govern import policies

    with _vault() as vault:
        info, data = _run(
            lambda: policies.content(vault, actor=_actor(as_), policy_id=policy, version=version)
        )
    out.write_bytes(data)
    _console().print(f"{tr('已写入', 'written')}: {out} (v{info.version}, {info.sha256})")


@policy_app.command("export")
def policy_export(
    out: Path = typer.Option(..., "--out", help="文件（.csv 或 .xlsx）/ file (.csv or .xlsx)"),
    as_: str | None = AS_OPTION,
) -> None:
    """导出制度清单 / export the list of policies."""
    from baomi.services.govern import exports, policies

    fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    with _vault() as vault:
        table = _run(lambda: policies.table(vault, actor=_actor(as_)))
    out.write_bytes(exports.export("policies", table, fmt))
    _console().print(f"{tr('已写入', 'written')}: {out} ({len(table.rows)})")
