"""``baomi govern survey …``: customer satisfaction surveys — create, add questions, open and
close, publish the summary, read the results, export the responses, improvement actions."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from baomi.cli.assess_profile import FORMAT_OPTION, Format, parse_choice
from baomi.cli.govern import govern_app
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr
from baomi.services.govern import departments
from baomi.services.govern.surveys import Kind, Status

survey_app = typer.Typer(
    help="客户满意度调查（个人信息保护）/ customer satisfaction surveys", no_args_is_help=True
)
govern_app.add_typer(survey_app, name="survey")


def _show(info: Any, fmt: Format) -> None:
    if fmt is Format.JSON:
        data = asdict(info) | {"link": f"/survey/{info.token}"}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    console = _console()
    console.print(f"[bold]{info.title}[/bold]  ({info.id})  {info.status.label}")
    console.print(f"{tr('公开链接', 'public link')}: /survey/{info.token}")
    console.print(f"{tr('回复', 'responses')}: {info.responses}")
    table = Table()
    for col in ("#", tr("题目", "question"), tr("题型", "kind"), tr("选项", "options")):
        table.add_column(col)
    for q in info.questions:
        table.add_row(str(q.position), q.text, q.kind.label, " / ".join(q.options))
    console.print(table)
    for a in info.actions:
        late = " [red]" + tr("逾期", "overdue") + "[/red]" if a.overdue else ""
        done = tr("已完成", "done") if a.done_at else ""
        console.print(
            f"- {a.text} · {departments.label(a.department)} · {a.due}{late} {done}  ({a.id})"
        )


@survey_app.command("create")
def survey_create(
    title: str = typer.Option(..., "--title"),
    intro: str = typer.Option("", "--intro"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """新建问卷（草稿）/ create a survey (a draft)."""
    from baomi.services.govern import surveys

    with _vault() as vault:
        _show(_run(lambda: surveys.create(vault, actor=_actor(as_), title=title, intro=intro)), fmt)


@survey_app.command("question")
def survey_question(
    survey: str = typer.Argument(..., help="问卷编号 / survey id"),
    kind: str = typer.Option(..., "--kind", help="scale | choice | text"),
    text: str = typer.Option(..., "--text"),
    option: list[str] = typer.Option([], "--option", help="单选项（可重复）/ an option"),
    required: bool = typer.Option(False, "--required"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """添加题目 / add a question to a draft."""
    from baomi.services.govern import surveys

    chosen = parse_choice(Kind, kind, "--kind")
    with _vault() as vault:
        info = _run(
            lambda: surveys.add_question(
                vault,
                actor=_actor(as_),
                survey_id=survey,
                kind=chosen,
                text=text,
                options=option,
                required=required,
            )
        )
        _show(info, fmt)


@survey_app.command("status")
def survey_status(
    survey: str = typer.Argument(...),
    status: str = typer.Argument(..., help="open | closed"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """开放或关闭问卷 / open or close a survey."""
    from baomi.services.govern import surveys

    wanted = parse_choice(Status, status, "STATUS")
    with _vault() as vault:
        info = _run(
            lambda: surveys.set_status(vault, actor=_actor(as_), survey_id=survey, status=wanted)
        )
        _show(info, fmt)


@survey_app.command("publish")
def survey_publish(
    survey: str = typer.Argument(...),
    off: bool = typer.Option(False, "--off", help="取消公开 / unpublish"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """公开（或取消）汇总结果页 / publish (or unpublish) the aggregate summary page."""
    from baomi.services.govern import surveys

    with _vault() as vault:
        info = _run(
            lambda: surveys.set_published(
                vault, actor=_actor(as_), survey_id=survey, published=not off
            )
        )
        _show(info, fmt)


@survey_app.command("list")
def survey_list(fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION) -> None:
    """全部问卷 / every survey."""
    from baomi.services.govern import surveys

    with _vault() as vault:
        items = _run(lambda: surveys.surveys(vault, actor=_actor(as_)))
    if fmt is Format.JSON:
        typer.echo(json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=2))
        return
    table = Table()
    for col in (
        tr("编号", "id"),
        tr("问卷", "survey"),
        tr("状态", "state"),
        tr("回复", "responses"),
    ):
        table.add_column(col)
    for i in items:
        table.add_row(i.id, i.title, i.status.label, str(i.responses))
    _console().print(table)


@survey_app.command("results")
def survey_results(
    survey: str = typer.Argument(...), fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION
) -> None:
    """汇总结果 / the aggregate results."""
    from baomi.services.govern import surveys

    with _vault() as vault:
        res = _run(lambda: surveys.results(vault, actor=_actor(as_), survey_id=survey))
    if fmt is Format.JSON:
        typer.echo(json.dumps(asdict(res), ensure_ascii=False, indent=2, default=str))
        return
    console = _console()
    overall = f"{res.overall:.2f}" if res.overall is not None else "-"
    console.print(
        f"[bold]{res.title}[/bold]  {tr('回复', 'responses')}: {res.responses}  "
        f"{tr('总体满意度', 'overall')}: {overall}"
    )
    table = Table()
    for col in (
        "#",
        tr("题目", "question"),
        tr("作答", "answered"),
        tr("平均", "mean"),
        tr("分布", "counts"),
    ):
        table.add_column(col)
    for r in res.questions:
        counts = " ".join(f"{k}:{n}" for k, n in r.counts)
        mean = f"{r.mean:.2f}" if r.mean is not None else "-"
        table.add_row(str(r.question.position), r.question.text, str(r.answered), mean, counts)
    console.print(table)


@survey_app.command("export")
def survey_export(
    survey: str = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help="文件（.csv 或 .xlsx）/ file (.csv or .xlsx)"),
    as_: str | None = AS_OPTION,
) -> None:
    """导出全部回复（文字已遮盖标识）/ export every response (free text masked)."""
    from baomi.services.govern import exports, surveys

    fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    with _vault() as vault:
        table = _run(lambda: surveys.responses_table(vault, actor=_actor(as_), survey_id=survey))
    out.write_bytes(exports.export("survey-responses", table, fmt))
    _console().print(f"{tr('已写入', 'written')}: {out} ({len(table.rows)})")


@survey_app.command("action")
def survey_action(
    survey: str = typer.Argument(...),
    text: str = typer.Option(..., "--text"),
    department: str = typer.Option(..., "--department"),
    due: str = typer.Option(..., "--due", help="ISO 日期 / date"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """添加改进措施 / add an improvement action (a calendar item)."""
    from baomi.services.govern import surveys

    with _vault() as vault:
        info = _run(
            lambda: surveys.add_action(
                vault,
                actor=_actor(as_),
                survey_id=survey,
                text=text,
                department=department,
                due=due,
            )
        )
        _show(info, fmt)


@survey_app.command("done")
def survey_action_done(
    action: str = typer.Argument(..., help="措施编号 / action id"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """标记措施完成 / mark an improvement action done."""
    from baomi.services.govern import surveys

    with _vault() as vault:
        _show(
            _run(lambda: surveys.complete_action(vault, actor=_actor(as_), action_id=action)), fmt
        )
