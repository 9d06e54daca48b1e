"""``baomi govern training list|assign|unassign|dashboard|verify``: the courses and their
assignments, the completion dashboard (also as CSV or XLSX) and a certificate's code checked."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from baomi import clock
from baomi.cli.assess_profile import FORMAT_OPTION, Format, emit
from baomi.cli.govern import govern_app
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr

training_app = typer.Typer(
    help="个人信息保护培训（至少每年一次，GB/T 35273 §11.6）/ training (at least yearly)",
    no_args_is_help=True,
)
govern_app.add_typer(training_app, name="training")


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]], title: str) -> None:
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    _console().print(table)


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@training_app.command("list")
def training_list(fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """课程与分配 / the courses and who they are assigned to."""
    from baomi.services.govern import training

    actor = _actor(as_)
    courses = _run(lambda: training.course_list(actor=actor))
    with _vault() as vault:
        assigned = _run(lambda: training.assignments(vault, actor=actor))
    if fmt is Format.JSON:
        _json(
            {
                "courses": [
                    {
                        "id": c.id,
                        "topic": c.topic,
                        "title": c.title,
                        "pass_mark": c.pass_mark,
                        "due_days": c.due_days,
                        "questions": len(c.questions),
                    }
                    for c in courses
                ],
                "assignments": [asdict(a) for a in assigned],
                "rule": training.rule().label(),
                "renewal_months": training.renewal_months(),
            }
        )
        return
    _table(
        (tr("课程", "course"), tr("主题", "topic"), tr("题数", "questions"), tr("及格线", "pass")),
        [
            (f"{c.id} · {c.title}", c.topic_label, str(len(c.questions)), f"{c.pass_mark}%")
            for c in courses
        ],
        tr("课程", "Courses"),
    )
    _table(
        (
            "id",
            tr("课程", "course"),
            tr("部门", "department"),
            tr("角色", "role"),
            tr("期限", "days"),
            tr("分配日期", "assigned"),
        ),
        [
            (a.id, a.course, a.department or "-", a.role or "-", str(a.due_days), a.assigned_on)
            for a in assigned
        ],
        tr("分配", "Assignments"),
    )


@training_app.command("assign")
def training_assign(
    course: str,
    department: str | None = typer.Option(None, "--department", help="部门代码 / department"),
    role: str | None = typer.Option(None, "--role", help="角色 / role"),
    days: int | None = typer.Option(None, "--days", help="完成期限（天）/ days to finish"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """把课程分配给部门或角色 / assign a course to a department and/or a role."""
    from baomi.services.govern import training

    with _vault() as vault:
        info = _run(
            lambda: training.assign(
                vault,
                actor=_actor(as_),
                course_id=course,
                department=department,
                role=role,
                due_days=days,
            )
        )
    emit(
        asdict(info),
        fmt,
        [
            ("id", info.id),
            (tr("课程", "course"), info.course),
            (tr("部门", "department"), info.department or "-"),
            (tr("角色", "role"), info.role or "-"),
            (tr("期限（天）", "days"), str(info.due_days)),
            (tr("分配日期", "assigned"), info.assigned_on),
        ],
        tr("已分配", "Assigned"),
    )


@training_app.command("unassign")
def training_unassign(assignment: str, as_: str | None = AS_OPTION) -> None:
    """撤销分配 / withdraw an assignment."""
    from baomi.services.govern import training

    with _vault() as vault:
        _run(lambda: training.unassign(vault, actor=_actor(as_), assignment_id=assignment))
    _console().print(tr("已撤销", "withdrawn"))


@training_app.command("dashboard")
def training_dashboard(
    out: Path | None = typer.Option(None, "--out", help="写入 .csv 或 .xlsx / write a file"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """按部门和课程的完成情况 / completion by department and course."""
    from baomi.services.comply.reports.render import render_xlsx
    from baomi.services.govern import training
    from baomi.storage.blobs import write_atomic

    today = clock.today()
    with _vault() as vault:
        rows = _run(lambda: training.dashboard(vault, actor=_actor(as_), today=today))
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise typer.BadParameter(
                tr("文件须为 .csv 或 .xlsx", "a .csv or .xlsx file"), param_hint="--out"
            )
        data = (
            training.dashboard_csv(rows)
            if suffix == ".csv"
            else render_xlsx(training.dashboard_report(rows, today=today))
        )
        write_atomic(out, data)
    if fmt is Format.JSON:
        _json([asdict(r) | {"rate": r.rate} for r in rows])
        return
    table = training.dashboard_table(rows)
    _table(table.columns, list(table.rows), table.title)


@training_app.command("verify")
def training_verify(code: str, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """核对培训证书的验证码 / check a training certificate's verification code."""
    from baomi.services.govern import training

    with _vault() as vault:
        info = _run(lambda: training.verify(vault, actor=_actor(as_), code=code))
    if info is None:
        if fmt is Format.JSON:
            _json({"valid": False})
        else:
            _console().print("[red]" + tr("验证码无效", "the code is not valid") + "[/red]")
        raise typer.Exit(1)
    emit(
        {"valid": True} | asdict(info),
        fmt,
        [
            (tr("学员", "trainee"), info.username),
            (tr("课程", "course"), training.course(info.course).title),
            (tr("得分", "score"), f"{info.score}%"),
            (tr("完成时间", "completed"), info.taken_at),
        ],
        tr("证书有效", "The certificate is genuine"),
    )
