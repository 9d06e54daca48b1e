"""``baomi assess profile`` and ``baomi assess company``: the facts the assessment starts from."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from typing import Any, TypeVar

import typer
from rich.table import Table

from baomi.cli.assess import assess_app
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FORMAT_OPTION = typer.Option(Format.TABLE, "--format", help="table | json")


def emit(data: Any, fmt: Format, rows: list[tuple[str, str]], title: str = "") -> None:
    """Print ``data`` as JSON, or ``rows`` as a two-column table for people."""
    if fmt is Format.JSON:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=title or None, show_header=False)
    for k, v in rows:
        table.add_row(k, v)
    _console().print(table)


E = TypeVar("E", bound=StrEnum)


def parse_choice(enum: type[E], value: str, option: str) -> E:
    """``value`` as a member of ``enum``, or a usage error naming the choices."""
    try:
        return enum(value)
    except ValueError:
        choices = "|".join(e.value for e in enum)
        raise typer.BadParameter(
            tr(f"无效取值 {value!r}，可选 {choices}", f"invalid {value!r}; choose {choices}"),
            param_hint=option,
        ) from None


def _yes(flag: bool) -> str:
    return tr("是", "yes") if flag else tr("否", "no")


@assess_app.command("profile")
def profile_cmd(
    deal: str = typer.Argument(..., help="交易名称或编号 / deal name or id"),
    transfer_type: str | None = typer.Option(
        None,
        "--type",
        help="equity|merger|division|asset_sale|dissolution|bankruptcy（设置时必填 / to set）",
    ),
    recipient: str = typer.Option("", "--recipient", help="接收方名称 / recipient's name"),
    contact: str = typer.Option("", "--contact", help="接收方联系方式 / recipient's contact"),
    location: str = typer.Option(
        "mainland", "--location", help="mainland|hong_kong|macao|taiwan|abroad"
    ),
    remote_abroad: bool = typer.Option(
        False, "--remote-abroad", help="境外可远程访问 / accessed remotely from abroad"
    ),
    purpose: str = typer.Option("", "--purpose", help="目的 / purpose"),
    exemption: str | None = typer.Option(None, "--exemption", help="contract|hr|emergency"),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """查看或设置交易的转让类型与接收方 / show or set the deal's transfer type and recipient."""
    from baomi.services.comply import profile as svc

    with _vault() as vault:
        actor = _actor(as_)
        if transfer_type is None:
            p = _run(lambda: svc.profile(vault, actor=actor, deal_ref=deal))
        else:
            kind = parse_choice(svc.TransferType, transfer_type, "--type")
            where = parse_choice(svc.Location, location, "--location")
            exempt = parse_choice(svc.Exemption, exemption, "--exemption") if exemption else None
            p = _run(
                lambda: svc.set_profile(
                    vault,
                    actor=actor,
                    deal_ref=deal,
                    transfer_type=kind,
                    recipient_name=recipient,
                    recipient_contact=contact,
                    recipient_location=where,
                    remote_access_abroad=remote_abroad,
                    purpose=purpose,
                    exemption=exempt,
                )
            )
    data = asdict(p) | {"abroad": p.abroad}
    emit(
        data,
        fmt,
        [
            (tr("交易", "deal"), p.deal_name),
            (tr("转让类型", "transfer type"), p.transfer_type or tr("未设置", "not set")),
            (tr("接收方", "recipient"), p.recipient_name or "-"),
            (tr("接收方所在地", "recipient's location"), p.recipient_location),
            (tr("境外远程访问", "remote access from abroad"), _yes(p.remote_access_abroad)),
            (tr("数据出境", "leaves the mainland"), _yes(p.abroad)),
            (tr("出境豁免", "cross-border exemption"), p.exemption or "-"),
        ],
    )


@assess_app.command("company")
def company_cmd(
    uscc: str = typer.Argument(..., help="统一社会信用代码 / unified social credit code"),
    ciio: bool | None = typer.Option(None, "--ciio/--no-ciio", help="关键信息基础设施运营者"),
    important: bool | None = typer.Option(
        None, "--important-data/--no-important-data", help="重要数据 / important data"
    ),
    turnover: int | None = typer.Option(None, "--turnover", help="上一年度营业额（元）"),
    staff: int | None = typer.Option(None, "--staff", help="员工人数 / staff"),
    pi_business: bool | None = typer.Option(
        None, "--pi-business/--no-pi-business", help="主营业务涉及个人信息处理"
    ),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """查看或设置公司情况 / show or set the company's facts (CIIO, important data, turnover)."""
    from baomi.services.comply import profile as svc

    with _vault() as vault:
        actor = _actor(as_)
        facts = _run(lambda: svc.company(vault, actor=actor, uscc=uscc))
        changes = (ciio, important, turnover, staff, pi_business)
        if any(v is not None for v in changes):
            facts = _run(
                lambda: svc.set_company(
                    vault,
                    actor=actor,
                    uscc=uscc,
                    ciio=facts.ciio if ciio is None else ciio,
                    important_data=facts.important_data if important is None else important,
                    turnover_yuan=facts.turnover_yuan if turnover is None else turnover,
                    staff=facts.staff if staff is None else staff,
                    pi_business=facts.pi_business if pi_business is None else pi_business,
                )
            )
    emit(
        asdict(facts),
        fmt,
        [
            (tr("统一社会信用代码", "USCC"), facts.uscc),
            (tr("关键信息基础设施运营者", "CIIO"), _yes(facts.ciio)),
            (tr("重要数据", "important data"), _yes(facts.important_data)),
            (tr("上一年度营业额（元）", "turnover (yuan)"), str(facts.turnover_yuan or "-")),
            (tr("员工人数", "staff"), str(facts.staff if facts.staff is not None else "-")),
            (tr("已录入", "entered"), _yes(facts.entered)),
        ],
    )
