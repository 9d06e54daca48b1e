"""``baomi assess provisions | provision-add | provision-delete | crossborder``: the provision
records (NDS-12) and the cross-border route (CAC Order 16)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import typer
from rich.table import Table

from baomi.cli.assess import assess_app
from baomi.cli.assess_profile import FORMAT_OPTION, Format, emit, parse_choice
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr

DEAL_ARG = typer.Argument(..., help="交易名称或编号 / deal name or id")


def _provisions_table(records: list[Any], title: str) -> None:
    table = Table(title=title)
    for col in (
        tr("日期", "date"),
        tr("接收方", "recipient"),
        tr("地区", "region"),
        tr("个人数", "individuals"),
        tr("敏感", "sensitive"),
        tr("目的", "purpose"),
        tr("来源", "source"),
        tr("计数", "counted"),
        tr("保存至", "keep until"),
        tr("编号", "id"),
    ):
        table.add_column(col)
    for p in records:
        table.add_row(
            p.provided_on,
            p.recipient + (f" ({p.recipient_user})" if p.recipient_user else ""),
            p.region.value + (" +" + tr("远程", "remote") if p.remote_access else ""),
            f"{p.individuals:,}",
            f"{p.sensitive_individuals:,}",
            p.purpose,
            p.source.value,
            tr("已去重", "deduplicated") if p.deduplicated else tr("未去重", "not deduplicated"),
            p.keep_until,
            p.id,
        )
    _console().print(table)


@assess_app.command("provisions")
def provisions_cmd(
    deal: str = DEAL_ARG,
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """交易的个人信息提供记录（NDS-12）/ the deal's provision records."""
    from baomi.services.comply import provisions as svc

    with _vault() as vault:
        records = _run(lambda: svc.provisions(vault, actor=_actor(as_), deal_ref=deal))
    if fmt is Format.JSON:
        emit([p.to_json() for p in records], fmt, [])
        return
    _provisions_table(records, tr("提供记录", "provision records") + f" · {deal}")


@assess_app.command("provision-add")
def provision_add_cmd(
    deal: str = DEAL_ARG,
    recipient: str = typer.Option(..., "--recipient", help="接收方 / recipient"),
    region: str = typer.Option(
        ..., "--region", help="mainland|hong_kong|macao|taiwan|abroad（接收方所在地）"
    ),
    individuals: int = typer.Option(..., "--individuals", min=0, help="个人数 / individuals"),
    sensitive: int = typer.Option(
        0, "--sensitive", min=0, help="其中敏感个人信息人数 / of them with sensitive PI"
    ),
    purpose: str = typer.Option("", "--purpose", help="目的 / purpose"),
    date: str | None = typer.Option(None, "--date", help="提供日期 YYYY-MM-DD（默认今天）"),
    remote_abroad: bool = typer.Option(
        False, "--remote-abroad", help="境外可远程访问 / reachable from abroad"
    ),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """手工登记在 baomi 之外的提供（仅人数，不去重）/ record a provision made outside baomi."""
    from baomi.services.comply import provisions as svc
    from baomi.services.comply.profile import Location

    where = parse_choice(Location, region, "--region")
    try:
        day = _dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise typer.BadParameter(
            tr("日期格式应为 YYYY-MM-DD", "expected YYYY-MM-DD"), param_hint="--date"
        ) from None
    with _vault() as vault:
        p = _run(
            lambda: svc.add_manual(
                vault,
                actor=_actor(as_),
                deal_ref=deal,
                recipient=recipient,
                region=where,
                individuals=individuals,
                sensitive=sensitive,
                purpose=purpose,
                provided_on=day,
                remote_access=remote_abroad,
            )
        )
    emit(
        p.to_json(),
        fmt,
        [
            (tr("编号", "id"), p.id),
            (tr("日期", "date"), p.provided_on),
            (tr("个人数", "individuals"), f"{p.individuals:,}"),
            (tr("敏感个人信息人数", "with sensitive PI"), f"{p.sensitive_individuals:,}"),
            (tr("计数", "counted"), tr("未去重（手工录入）", "not deduplicated (manual)")),
            (tr("保存至", "keep until"), p.keep_until),
        ],
    )


@assess_app.command("provision-delete")
def provision_delete_cmd(
    deal: str = DEAL_ARG,
    provision: str = typer.Argument(..., help="提供记录编号 / provision record id"),
    as_: str | None = AS_OPTION,
) -> None:
    """删除保存期已满的提供记录 / delete a record whose 3 years have passed."""
    from baomi.services.comply import provisions as svc

    with _vault() as vault:
        _run(lambda: svc.delete(vault, actor=_actor(as_), deal_ref=deal, provision_id=provision))
    _console().print(tr("已删除", "deleted") + f" {provision}")


@assess_app.command("crossborder")
def crossborder_cmd(
    deal: str = DEAL_ARG,
    year: int | None = typer.Option(None, "--year", help="年度（默认今年）/ year (default: this)"),
    plan_individuals: int | None = typer.Option(
        None, "--plan-individuals", min=0, help="计划提供人数（默认按文件相加）"
    ),
    plan_sensitive: int = typer.Option(0, "--plan-sensitive", min=0, help="其中敏感个人信息人数"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """数据出境路径：豁免 / 标准合同或认证 / 安全评估 / the cross-border route."""
    from baomi.services.comply import crossborder as svc
    from baomi.services.comply import crossborder_report

    planned = None if plan_individuals is None else (plan_individuals, plan_sensitive)
    with _vault() as vault:
        cb = _run(
            lambda: svc.assess(vault, actor=_actor(as_), deal_ref=deal, year=year, planned=planned)
        )
    if fmt is Format.JSON:
        emit(crossborder_report.to_json(cb), fmt, [])
        return
    t = cb.totals
    counted = (
        tr(
            f"{t.not_deduplicated} 条手工记录未去重",
            f"{t.not_deduplicated} manual record(s) not deduplicated",
        )
        if t.not_deduplicated
        else tr("按自然人去重", "each person once")
    )
    emit(
        None,
        fmt,
        [
            (tr("交易", "deal"), cb.profile.deal_name),
            (tr("年度", "year"), str(cb.year)),
            (tr("当年累计出境个人数", "individuals abroad this year"), f"{t.individuals:,}"),
            (tr("其中敏感个人信息", "with sensitive PI"), f"{t.sensitive_individuals:,}"),
            (tr("计数", "counted"), counted),
            (tr("路径", "route"), cb.route.outcome.label),
            (
                tr("加上本交易计划的提供后", "with this deal's planned provision"),
                f"{cb.what_if.outcome.label} ({cb.what_if.individuals:,} / "
                f"{cb.what_if.sensitive_individuals:,})",
            ),
        ],
        title=tr("数据出境评估", "cross-border assessment"),
    )
    points = Table(title=tr("理由与义务", "reasons and duties"))
    for col in (tr("内容", "what"), tr("依据", "rule"), tr("说明", "note")):
        points.add_column(col)
    for p in (*cb.what_if.reasons, *cb.what_if.duties):
        points.add_row(p.text, p.label, p.note)
    _console().print(points)
