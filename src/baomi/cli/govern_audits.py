"""``baomi govern audit …`` and ``baomi govern raci …``: internal audits (PIPL-54) — plans,
findings, remediation actions, follow-up, closure, the report, the findings' export — and the
responsibilities (RACI) table. The local operator acts as a key holder (``--as`` names them);
closing a finding needs someone who did none of its actions."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.table import Table

from baomi import clock
from baomi.cli.assess_profile import FORMAT_OPTION, Format, emit, parse_choice
from baomi.cli.assess_reports import OUT_OPTION, REPORT_FORMAT_OPTION, write_report_cli
from baomi.cli.govern import govern_app
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr
from baomi.services.govern import departments
from baomi.services.permissions import Actor

T = TypeVar("T")

audit_app = typer.Typer(
    help="内部审计（个人信息保护法第五十四条）/ internal audits (PIPL Art. 54)",
    no_args_is_help=True,
)
raci_app = typer.Typer(
    help="职责分工（RACI）/ responsibilities (RACI)",
    no_args_is_help=True,
)
govern_app.add_typer(audit_app, name="audit")
govern_app.add_typer(raci_app, name="raci")

DEPARTMENT_HELP = "technology|legal|management|hr|marketing|audit|external"


def _call(as_: str | None, fn: Callable[[Any, Actor], T]) -> T:
    """Call a service with the vault and the acting operator (errors become a red message)."""
    with _vault() as vault:
        actor = _actor(as_)
        return _run(lambda: fn(vault, actor))


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _show_audit(info: Any, fmt: Format) -> None:
    if fmt is Format.JSON:
        _json(asdict(info))
        return
    state = clock.day(info.completed_at) or tr("计划中", "planned")
    emit(
        None,
        fmt,
        [
            (tr("编号", "id"), info.id),
            (tr("审计范围", "scope"), info.scope),
            (tr("审计人员", "auditors"), "、".join(info.auditors)),
            (tr("计划日期", "planned for"), info.planned_for),
            (
                tr("频率", "frequency"),
                tr(f"{info.frequency_months} 个月", f"{info.frequency_months} months"),
            ),
            (tr("完成", "completed"), state),
            (tr("下次审计", "next audit due"), info.next_due),
        ],
        title=tr("内部审计", "Internal audit"),
    )
    for f in info.findings:
        _show_finding(f, Format.TABLE)


def _show_finding(info: Any, fmt: Format) -> None:
    if fmt is Format.JSON:
        _json(asdict(info))
        return
    console = _console()
    state = tr("未关闭", "open") if info.open else tr("已关闭", "closed")
    console.print(f"[bold]{info.title}[/bold]  ({info.id})  {info.severity.label} · {state}")
    for a in info.actions:
        late = " [red]" + tr("逾期", "overdue") + "[/red]" if a.overdue else ""
        done = f" {tr('已完成', 'done')} · {a.done_by}" if a.done_at else ""
        console.print(
            f"  - {a.text} · {departments.label(a.department)} · {a.due} ({a.id}){late}{done}"
        )
    for n in info.notes:
        console.print(f"  > {clock.day(n.at)} {n.by}: {n.text}")


@audit_app.command("plan")
def plan_cmd(
    scope: str = typer.Option(..., "--scope", help="审计范围 / scope"),
    date: str = typer.Option(..., "--date", help="计划日期 YYYY-MM-DD / planned for"),
    auditor: list[str] = typer.Option(..., "--auditor", help="审计人员（可多次）/ auditor"),
    every: int = typer.Option(12, "--every", help="频率（月）/ frequency in months"),
    individuals: int | None = typer.Option(
        None, "--individuals", help="处理个人信息的人数（适用 AUD-FREQ）/ persons whose PI"
    ),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """制定审计计划 / plan an audit (the same auditor at most three times in a row)."""
    from baomi.services.govern import audits

    info = _call(
        as_,
        lambda v, a: audits.plan(
            v,
            actor=a,
            scope=scope,
            frequency_months=every,
            planned_for=date,
            auditors=auditor,
            individuals=individuals,
        ),
    )
    _show_audit(info, fmt)


@audit_app.command("list")
def list_cmd(fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """审计列表 / every audit, latest first."""
    from baomi.services.govern import audits

    found = _call(as_, lambda v, a: audits.audits(v, actor=a))
    if fmt is Format.JSON:
        _json([asdict(a) for a in found])
        return
    table = Table(title=tr("内部审计", "Internal audits"))
    for col in (
        tr("编号", "id"),
        tr("计划日期", "planned"),
        tr("审计范围", "scope"),
        tr("审计人员", "auditors"),
        tr("完成", "completed"),
        tr("未关闭发现", "open findings"),
        tr("下次审计", "next due"),
    ):
        table.add_column(col)
    for a in found:
        table.add_row(
            a.id,
            a.planned_for,
            a.scope,
            "、".join(a.auditors),
            clock.day(a.completed_at),
            str(a.open_findings),
            a.next_due,
        )
    _console().print(table)


@audit_app.command("show")
def show_cmd(audit: str, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """一次审计及其发现 / one audit with its findings."""
    from baomi.services.govern import audits

    _show_audit(_call(as_, lambda v, a: audits.show(v, actor=a, audit_id=audit)), fmt)


@audit_app.command("complete")
def complete_cmd(
    audit: str,
    conclusion: str = typer.Option(
        ..., "--conclusion", help="审计结论（必填）/ the audit's conclusion (required)"
    ),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """完成审计 / the audit is done (its findings may stay open)."""
    from baomi.services.govern import audits

    info = _call(
        as_, lambda v, a: audits.complete(v, actor=a, audit_id=audit, conclusion=conclusion)
    )
    _show_audit(info, fmt)


@audit_app.command("finding")
def finding_cmd(
    audit: str,
    title: str = typer.Option(..., "--title", help="审计发现 / the finding"),
    severity: str = typer.Option(..., "--severity", help="low|medium|high|critical"),
    detail: str = typer.Option("", "--detail"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """记录审计发现 / record a finding with its severity."""
    from baomi.services.govern import audits

    level = parse_choice(audits.Severity, severity.lower(), "--severity")
    info = _call(
        as_,
        lambda v, a: audits.record_finding(
            v, actor=a, audit_id=audit, title=title, severity_=level.value, detail=detail
        ),
    )
    _show_finding(info, fmt)


@audit_app.command("action")
def action_cmd(
    finding: str,
    text: str = typer.Option(..., "--text", help="整改措施 / the action"),
    department: str = typer.Option(..., "--department", help=DEPARTMENT_HELP),
    due: str = typer.Option(..., "--due", help="YYYY-MM-DD"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """添加整改措施 / add a remediation action owned by a department."""
    from baomi.services.govern import audits

    info = _call(
        as_,
        lambda v, a: audits.add_action(
            v, actor=a, finding_id=finding, text=text, department=department, due=due
        ),
    )
    _show_finding(info, fmt)


@audit_app.command("done")
def done_cmd(action: str, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """整改措施已完成 / mark a remediation action done."""
    from baomi.services.govern import audits

    _show_finding(
        _call(as_, lambda v, a: audits.complete_action(v, actor=a, action_id=action)), fmt
    )


@audit_app.command("note")
def note_cmd(
    finding: str,
    text: str = typer.Option(..., "--text"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """添加跟进记录 / add a follow-up note."""
    from baomi.services.govern import audits

    _show_finding(
        _call(as_, lambda v, a: audits.add_note(v, actor=a, finding_id=finding, text=text)), fmt
    )


@audit_app.command("close")
def close_cmd(finding: str, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """验证并关闭发现（须由未参与整改者）/ verify and close a finding (not by a remediator)."""
    from baomi.services.govern import audits

    _show_finding(
        _call(as_, lambda v, a: audits.close_finding(v, actor=a, finding_id=finding)), fmt
    )


@audit_app.command("report")
def report_cmd(
    audit: str,
    fmt: str | None = REPORT_FORMAT_OPTION,
    out: Path | None = OUT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """审计报告 / the audit report (html|pdf|xlsx|json)."""
    from baomi.services.govern import audits

    write_report_cli(_call(as_, lambda v, a: audits.report(v, actor=a, audit_id=audit)), fmt, out)


def _export(kind: str, table: Any, fmt: str, out: Path) -> None:
    from baomi.services.govern import exports
    from baomi.storage.blobs import write_atomic

    chosen = parse_choice(exports.ListFormat, fmt, "--format")
    _run(lambda: write_atomic(out, exports.export(kind, table, chosen), 0o600))
    _console().print(tr(f"已写入 {out}", f"written to {out}"))


@audit_app.command("export")
def export_cmd(
    out: Path = typer.Option(..., "--out", help="文件 / the file"),
    fmt: str = typer.Option("csv", "--format", help="csv|xlsx"),
    as_: str | None = AS_OPTION,
) -> None:
    """导出全部审计发现 / every finding as CSV (UTF-8 with BOM) or XLSX."""
    from baomi.services.govern import audits

    table = _call(as_, lambda v, a: audits.findings_table(v, actor=a))
    _export("audit-findings", table, fmt, out)


# --- RACI --------------------------------------------------------------------------------------


@raci_app.command("show")
def raci_show(
    out: Path | None = typer.Option(None, "--out", help="导出文件 / export to a file"),
    export_format: str = typer.Option("csv", "--export-format", help="csv|xlsx（配合 --out）"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """职责分工表及各部门逾期事项数 / the RACI table and each department's overdue count."""
    from baomi.services.govern import departments, raci

    with _vault() as vault:
        actor = _actor(as_)
        rows = _run(lambda: raci.matrix(vault, actor=actor))
        late = _run(lambda: raci.overdue(vault, actor=actor))
        table = _run(lambda: raci.table(vault, actor=actor))
    if out is not None:
        _export("raci", table, export_format, out)
        return
    if fmt is Format.JSON:
        _json(
            {
                "rows": [
                    {
                        "activity": r.activity,
                        "title": r.title,
                        "cells": {d: v.value for d, v in r.cells.items()},
                        "accountable": r.accountable,
                        "edited": r.edited,
                    }
                    for r in rows
                ],
                "overdue": {code: len(items) for code, items in late.items()},
            }
        )
        return
    grid = Table(title=table.title)
    grid.add_column(tr("活动", "activity"))
    for code in departments.DEPARTMENTS:
        grid.add_column(f"{departments.label(code)}\n({code})")
    for row, cells in zip(rows, table.rows, strict=True):
        grid.add_row(f"{cells[0]} ({row.activity})", *cells[1:])
    grid.add_row(
        tr("逾期事项", "overdue items"), *(str(len(late[c])) for c in departments.DEPARTMENTS)
    )
    _console().print(grid)


@raci_app.command("set")
def raci_set(
    activity: str = typer.Argument(..., help="活动 / activity, e.g. incidents"),
    cells: list[str] = typer.Argument(
        ..., help="部门=R|A|C|I 或 部门= 删除 / dept=LETTER (empty to remove), e.g. legal=A"
    ),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """修改一项活动的职责（恰有一个 A）/ change one activity's row (exactly one A)."""
    from baomi.services.govern import raci

    parsed: dict[str, str] = {}
    for cell in cells:
        dept, sep, letter = cell.partition("=")
        if not sep:
            raise typer.BadParameter(cell, param_hint="CELLS")
        parsed[dept.strip()] = letter.strip()
    row = _call(as_, lambda v, a: raci.set_row(v, actor=a, activity_id=activity, cells=parsed))
    data = {
        "activity": row.activity,
        "cells": {d: v.value for d, v in row.cells.items()},
        "accountable": row.accountable,
    }
    emit(
        data,
        fmt,
        [(row.title, ""), *((d, v.value) for d, v in row.cells.items())],
        title=tr("职责分工", "Responsibilities"),
    )
