"""``baomi incident …``: the incident register at the command line (the data room has the same
on its pages). Every command takes ``--format json``."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from baomi import clock
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr
from baomi.services.govern import departments

incident_app = typer.Typer(
    help="安全事件：登记、时限、预案、通知、溯源 / incidents: register, clocks, plan, notices, trace",
    no_args_is_help=True,
)


class Fmt(StrEnum):
    TABLE = "table"
    JSON = "json"


FMT = typer.Option(Fmt.TABLE, "--format", help="table | json")


def _plain(info: Any) -> dict[str, Any]:
    from baomi.services.respond.incidents import deadlines

    data = asdict(info)
    data["grade_label"] = info.grade.label
    data["deadlines"] = [asdict(d) | {"due": d.due.isoformat()} for d in deadlines(info)]
    return data


def _show(info: Any, fmt: Fmt) -> None:
    from baomi.services.respond.incidents import deadlines

    if fmt is Fmt.JSON:
        typer.echo(json.dumps(_plain(info), ensure_ascii=False, indent=2, default=str))
        return
    console = _console()
    console.print(f"[bold]{info.title}[/bold]  ({info.id})")
    console.print(
        tr("级别", "grade")
        + f": {info.grade.label}  "
        + tr("涉及个人", "individuals")
        + f": {info.individuals:,}  "
        + tr("状态", "status")
        + f": {info.status.label}"
    )
    table = Table(title=tr("时限（北京时间）", "deadlines (China time, UTC+8)"))
    for col in (tr("事项", "duty"), tr("依据", "rule"), tr("截止", "due"), tr("状态", "state")):
        table.add_column(col)
    for d in deadlines(info):
        state = (
            tr("已完成", "done")
            if d.done_at
            else ("[red]" + tr("逾期", "overdue") + "[/red]" if d.overdue else tr("未到期", "open"))
        )
        due = tr("立即", "immediately") if d.immediate else clock.shown(d.due)
        table.add_row(d.title, d.rule, due, state)
    console.print(table)
    if info.steps:
        plan = Table(title=tr("处置预案", "response plan"))
        for col in (
            tr("步骤", "step"),
            tr("负责", "owner"),
            tr("检查项", "checklist"),
            tr("完成", "done"),
        ):
            plan.add_column(col)
        for st in info.steps:
            ticks = "\n".join(
                f"{'☑' if ok else '☐'} {key} {text}" for key, text, ok in st.checklist
            )
            done = clock.shown(st.done_at) if st.done_at else ""
            plan.add_row(f"{st.step} {st.title}", departments.label(st.owner), ticks, done)
        console.print(plan)
    if info.attributed_package:
        console.print(
            tr("泄露来源", "leaked from")
            + f": {info.attributed_recipient or tr('未知', 'unknown')} ({info.attributed_package})"
        )


@incident_app.command("report")
def report_cmd(
    title: str = typer.Option(..., "--title", help="标题 / title"),
    description: str = typer.Option("", "--description"),
    source: str = typer.Option(
        "staff", "--source", help="staff|recipient|customer|regulator|external|monitoring"
    ),
    discovered: str | None = typer.Option(
        None, "--discovered", help="ISO 时间 / time (default now)"
    ),
    deal: str | None = typer.Option(None, "--deal", help="交易 / deal"),
    document: list[str] = typer.Option([], "--document", help="涉及的文件编号 / document id"),
    individuals: int | None = typer.Option(None, "--individuals", min=0),
    sensitive: int | None = typer.Option(None, "--sensitive", min=0),
    ciio: bool = typer.Option(False, "--ciio", help="关键信息基础设施 / critical infrastructure"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """登记安全事件 / register an incident (counts from the documents' inventories if linked)."""
    from baomi.services.respond import incidents
    from baomi.services.respond.incidents import Source

    try:
        src = Source(source)
    except ValueError:
        raise typer.BadParameter(source, param_hint="--source") from None
    with _vault() as vault:
        info = _run(
            lambda: incidents.report(
                vault,
                actor=_actor(as_),
                title=title,
                description=description,
                source=src,
                discovered_at=discovered,
                deal_ref=deal,
                objects=list(document),
                individuals=individuals,
                sensitive_individuals=sensitive,
                ciio=ciio,
            )
        )
    _show(info, fmt)


@incident_app.command("list")
def list_cmd(
    deal: str | None = typer.Option(None, "--deal"), fmt: Fmt = FMT, as_: str | None = AS_OPTION
) -> None:
    """事件登记表 / the register, newest first, overdue duties counted."""
    from baomi.services.respond import incidents

    with _vault() as vault:
        found = _run(lambda: incidents.register(vault, actor=_actor(as_), deal_ref=deal))
    if fmt is Fmt.JSON:
        typer.echo(
            json.dumps([_plain(i) for i in found], ensure_ascii=False, indent=2, default=str)
        )
        return
    table = Table()
    for col in (
        "id",
        tr("发现（北京时间）", "discovered (UTC+8)"),
        tr("事件", "incident"),
        tr("个人数", "individuals"),
        tr("级别", "grade"),
        tr("状态", "status"),
        tr("逾期", "overdue"),
    ):
        table.add_column(col)
    for i in found:
        late = sum(d.overdue for d in incidents.deadlines(i))
        table.add_row(
            i.id[:8],
            clock.shown(i.discovered_at),
            i.title,
            f"{i.individuals:,}",
            i.grade.label,
            i.status.label,
            f"[red]{late}[/red]" if late else "0",
        )
    _console().print(table)


@incident_app.command("show")
def show_cmd(incident: str, fmt: Fmt = FMT, as_: str | None = AS_OPTION) -> None:
    """一个事件的时限与预案 / one incident's clocks and plan."""
    from baomi.services.respond import incidents

    with _vault() as vault:
        info = _run(
            lambda: incidents.get(
                vault, actor=_actor(as_), incident_id=incidents.full_id(vault, incident)
            )
        )
    _show(info, fmt)


@incident_app.command("step")
def step_cmd(
    incident: str,
    step: str = typer.Argument(..., help="isolate|preserve|restore|notify|review"),
    tick: str = typer.Option("", "--tick", help="勾选的检查项，逗号分隔 / checklist keys ticked"),
    done: bool = typer.Option(False, "--done", help="该步骤完成 / the step is finished"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """勾选预案步骤的检查项、完成步骤 / tick a plan step's checklist, finish the step."""
    from baomi.services.respond import incidents

    ticks = [t.strip() for t in tick.replace("，", ",").split(",") if t.strip()]
    with _vault() as vault:
        info = _run(
            lambda: incidents.step(
                vault,
                actor=_actor(as_),
                incident_id=incidents.full_id(vault, incident),
                step_name=step,
                tick=ticks,
                done=done,
            )
        )
    _show(info, fmt)


@incident_app.command("notices")
def notices_cmd(
    incident: str,
    company: str = typer.Option(..., "--company", help="单位名称 / the company"),
    contact: str = typer.Option(..., "--contact", help="联系方式 / contact (PIPO, hotline)"),
    categories: str = typer.Option(..., "--categories", help="信息种类 / categories of PI"),
    cause: str = typer.Option(..., "--cause", help="原因 / cause"),
    harm: str = typer.Option(..., "--harm", help="可能的危害 / possible harm"),
    measures: str = typer.Option(..., "--measures", help="补救措施 / remedial measures"),
    advice: str = typer.Option(..., "--advice", help="个人可采取的措施 / what individuals can do"),
    channel: str = typer.Option("email", "--channel", help="phone|sms|im|email|announcement"),
    out: Path | None = typer.Option(
        None, "--out", help="监管报告文件 / the regulator report file (.pdf .html .xlsx .json)"
    ),
    as_: str | None = AS_OPTION,
) -> None:
    """起草告知个人的通知与监管报告 / draft the notice to individuals and the regulator report
    (printed; with --out the report is written as PDF, HTML, XLSX or JSON by its suffix)."""
    from baomi.services.comply.reports.render import ReportFormat, write_report
    from baomi.services.respond import incidents
    from baomi.services.respond.notices import (
        Channel,
        NoticeFacts,
        individual_notice,
        regulator_report,
        regulator_report_model,
    )

    try:
        how = Channel(channel)
    except ValueError:
        raise typer.BadParameter(channel, param_hint="--channel") from None
    facts = NoticeFacts(categories, cause, harm, measures, advice, contact, company)
    with _vault() as vault:
        info = _run(
            lambda: incidents.get(
                vault, actor=_actor(as_), incident_id=incidents.full_id(vault, incident)
            )
        )
    if out is not None:
        fmt = _run(lambda: ReportFormat.of_path(out))
        write_report(regulator_report_model(info, facts), fmt, out)
        _console().print(tr(f"监管报告已写入 {out}", f"the regulator report is in {out}"))
        return
    typer.echo(individual_notice(info, facts, how))
    typer.echo("")
    typer.echo(regulator_report(info, facts))


@incident_app.command("done")
def done_cmd(
    incident: str,
    clock: str = typer.Argument(..., help="regulator|individuals|provincial|summary"),
    at: str | None = typer.Option(None, "--at", help="ISO 时间 / time (default now)"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """记录已完成的通知或报告 / record that a notice or report was made."""
    from baomi.services.respond import incidents
    from baomi.services.respond.incidents import Clock

    try:
        which = Clock(clock)
    except ValueError:
        valid = ", ".join(c.value for c in Clock)
        raise typer.BadParameter(
            tr(f"{clock}：须为 {valid} 之一", f"{clock}: one of {valid}"), param_hint="CLOCK"
        ) from None
    with _vault() as vault:
        info = _run(
            lambda: incidents.mark(
                vault,
                actor=_actor(as_),
                incident_id=incidents.full_id(vault, incident),
                clock=which,
                at=at,
            )
        )
    _show(info, fmt)


@incident_app.command("status")
def status_cmd(
    incident: str,
    status: str = typer.Argument(..., help="handled|closed"),
    harm_avoided: bool = typer.Option(False, "--harm-avoided", help="措施已有效避免危害 (PIPL-57)"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """处置结束或关闭 / end handling (starts the 30-day report clock) or close."""
    from baomi.services.respond import incidents
    from baomi.services.respond.incidents import Status

    try:
        st = Status(status)
    except ValueError:
        raise typer.BadParameter(status, param_hint="STATUS") from None
    with _vault() as vault:
        info = _run(
            lambda: incidents.set_status(
                vault,
                actor=_actor(as_),
                incident_id=incidents.full_id(vault, incident),
                status=st,
                harm_avoided=harm_avoided or None,
            )
        )
    _show(info, fmt)


@incident_app.command("remask")
def remask_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="只报告数量 / only count them"),
    as_: str | None = AS_OPTION,
) -> None:
    """遮蔽并重新封存早先登记的事件 / mask and re-seal the incidents stored before masking.

    Titles and descriptions are masked before they are sealed since migration 0019; those
    stored earlier keep the text as typed until this runs (each one audit-logged)."""
    from baomi.services.respond import incidents

    with _vault() as vault:
        if dry_run:
            count = _run(lambda: incidents.unmasked(vault, actor=_actor(as_)))
            typer.echo(
                tr(
                    f"{count} 个事件的标题和描述尚未遮蔽",
                    f"{count} incident(s) hold a title and description not yet masked",
                )
            )
            return
        count = _run(lambda: incidents.remask(vault, actor=_actor(as_)))
    typer.echo(
        tr(
            f"已遮蔽并重新封存 {count} 个事件的标题和描述",
            f"masked and re-sealed the title and description of {count} incident(s)",
        )
    )


@incident_app.command("trace")
def trace_cmd(
    incident: str,
    sample: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="泄露样本 / leaked sample"
    ),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """用泄露样本追踪接收方并记入事件 / trace a leaked sample and record the recipient."""
    from baomi.services.respond import incidents

    with _vault() as vault:
        info = _run(
            lambda: incidents.attribute(
                vault,
                actor=_actor(as_),
                incident_id=incidents.full_id(vault, incident),
                sample=sample,
            )
        )
    _show(info, fmt)


@incident_app.command("restore")
def restore_cmd(
    incident: str,
    backup_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="备份文件 / backup"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """预案的恢复步骤：核验备份、恢复到临时目录并计时 / verify, restore to scratch, time it."""
    from baomi.services.respond import incidents

    with _vault() as vault:
        info, result = _run(
            lambda: incidents.restore_step(
                vault,
                actor=_actor(as_),
                incident_id=incidents.full_id(vault, incident),
                backup_path=backup_file,
            )
        )
    if fmt is Fmt.JSON:
        typer.echo(json.dumps(asdict(result), ensure_ascii=False))
        return
    _console().print(
        tr(
            f"备份 {result.backup_id} 已核验并恢复（{result.documents} 个文件），用时 {result.seconds:.2f} 秒",
            f"backup {result.backup_id} verified and restored ({result.documents} files) "
            f"in {result.seconds:.2f} s",
        )
    )
    _show(info, Fmt.TABLE)


drill_app = typer.Typer(
    help="应急演练（至少每年一次，GB/T 35273 §10.1）/ emergency drills (at least yearly)",
    no_args_is_help=True,
)


def _drill(info: Any, fmt: Fmt) -> None:
    if fmt is Fmt.JSON:
        data = asdict(info) | {"gaps": [g.step for g in info.gaps]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    console = _console()
    console.print(
        f"[bold]{info.scenario}[/bold]  ({info.id})  {clock.shown(info.scheduled_for)} "
        + tr("（北京时间）", "(UTC+8)")
    )
    table = Table()
    for col in (
        tr("步骤", "step"),
        tr("目标", "target"),
        tr("用时", "took"),
        "",
    ):
        table.add_column(col)
    for s in info.steps:
        flag = "[red]" + tr("超时", "gap") + "[/red]" if s.gap else ""
        table.add_row(s.title, clock.minutes(s.target_minutes), clock.minutes(s.minutes), flag)
    console.print(table)
    for a in info.actions:
        late = " [red]" + tr("逾期", "overdue") + "[/red]" if a.overdue else ""
        done = tr("已完成", "done") if a.done_at else ""
        console.print(f"- {a.text} · {departments.label(a.owner)} · {a.due}{late} {done}")


@drill_app.command("schedule")
def drill_schedule(
    scenario: str = typer.Option(..., "--scenario"),
    date: str = typer.Option(..., "--date", help="ISO 日期 / date"),
    participants: str = typer.Option("", "--participants"),
    target: list[str] = typer.Option(
        [], "--target", help="步骤=分钟 / step=minutes, e.g. isolate=30"
    ),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """安排演练 / schedule a drill with target minutes per step."""
    from baomi.services.respond import drills

    targets: dict[str, float] = {}
    for t in target:
        step, _, minutes = t.partition("=")
        try:
            targets[step.strip()] = float(minutes)
        except ValueError:
            raise typer.BadParameter(t, param_hint="--target") from None
    with _vault() as vault:
        info = _run(
            lambda: drills.schedule(
                vault,
                actor=_actor(as_),
                scenario=scenario,
                scheduled_for=date,
                participants=participants,
                targets=targets,
            )
        )
    _drill(info, fmt)


@drill_app.command("time")
def drill_time(
    drill: str,
    step: str = typer.Argument(..., help="isolate|preserve|restore|notify|review"),
    event: str = typer.Argument(..., help="start|end"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """记录步骤开始或结束 / record a step's start or end (now)."""
    from baomi.services.respond import drills

    with _vault() as vault:
        info = _run(
            lambda: drills.time_step(
                vault, actor=_actor(as_), drill_id=drill, step=step, event=event
            )
        )
    _drill(info, fmt)


@drill_app.command("finish")
def drill_finish(
    drill: str,
    findings: str = typer.Option("", "--findings"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """结束演练并记录发现 / end the drill and record what was found."""
    from baomi.services.respond import drills

    with _vault() as vault:
        info = _run(
            lambda: drills.finish(vault, actor=_actor(as_), drill_id=drill, findings=findings)
        )
    _drill(info, fmt)


@drill_app.command("action")
def drill_action(
    drill: str,
    text: str = typer.Option(..., "--text"),
    owner: str = typer.Option(
        ..., "--owner", help="technology|legal|management|hr|marketing|audit|external"
    ),
    due: str = typer.Option(..., "--due", help="YYYY-MM-DD"),
    fmt: Fmt = FMT,
    as_: str | None = AS_OPTION,
) -> None:
    """添加改进措施 / add an improvement action."""
    from baomi.services.respond import drills

    with _vault() as vault:
        info = _run(
            lambda: drills.add_action(
                vault, actor=_actor(as_), drill_id=drill, text=text, owner=owner, due=due
            )
        )
    _drill(info, fmt)


@drill_app.command("list")
def drill_list(fmt: Fmt = FMT, as_: str | None = AS_OPTION) -> None:
    """演练及是否逾期 / drills, and whether one is overdue by policy."""
    from baomi.services.respond import drills

    with _vault() as vault:
        found = _run(lambda: drills.drills(vault, actor=_actor(as_)))
        state = _run(lambda: drills.status(vault, actor=_actor(as_)))
    if fmt is Fmt.JSON:
        typer.echo(
            json.dumps(
                {"status": asdict(state), "drills": [asdict(d) for d in found]},
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return
    console = _console()
    line = tr("下次演练截止", "next drill due") + f": {state.next_due or '-'} ({state.rule})"
    console.print(
        ("[red]" + tr("演练已逾期！", "a drill is overdue! ") + "[/red] " if state.overdue else "")
        + line
    )
    for d in found:
        _drill(d, Fmt.TABLE)


def register(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")
    app.add_typer(drill_app, name="drill")
