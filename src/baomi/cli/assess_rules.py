"""``baomi assess rules | obligations | packages | duties | exposure``: the rule book, what the
transfer type requires, what each package is under the law, the company's duties and the
exposure estimate. Every command takes ``--format json``; the default is a table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.table import Table

from baomi.cli.assess import assess_app
from baomi.cli.assess_profile import FORMAT_OPTION, Format, emit
from baomi.cli.vault import AS_OPTION, _actor, _console, _run, _vault
from baomi.i18n import tr
from baomi.services.permissions import Actor

if TYPE_CHECKING:
    from baomi.services.vault import Vault

DEAL_ARG = typer.Argument(..., help="交易名称或编号 / deal name or id")


def _json(data: Any) -> None:
    emit(data, Format.JSON, [])


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> None:
    table = Table(title=title or None, show_lines=True)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    _console().print(table)


T = TypeVar("T")


def _for_deal(deal: str, as_: str | None, fetch: Callable[[Vault, Actor, str], T]) -> T:
    """Call one service for ``deal`` as the acting user (errors become exit codes)."""
    with _vault() as vault:
        actor = _actor(as_)
        return _run(lambda: fetch(vault, actor, deal))


def _show(
    listed: Sequence[Any], fmt: Format, columns: Sequence[str], row: Callable[[Any], Sequence[str]]
) -> None:
    """JSON of the dataclasses, or a table of one row each."""
    if fmt is Format.JSON:
        _json([asdict(x) for x in listed])
    else:
        _table(columns, [row(x) for x in listed])


def _labels(citations: Any) -> str:
    return ", ".join(c.label for c in citations)


def _yes(flag: bool | None) -> str:
    if flag is None:
        return tr("待定", "open")
    return tr("是", "yes") if flag else tr("否", "no")


@assess_app.command("rules")
def rules_cmd(
    unconfirmed: bool = typer.Option(
        False, "--unconfirmed", help="只列未确认的规则 / only unconfirmed rules (D, U, A)"
    ),
    fmt: Format = FORMAT_OPTION,
    as_: str | None = AS_OPTION,
) -> None:
    """列出评估所用的规则 / the rules the assessment applies, with source and status."""
    from baomi.services.comply.citations import rule_list

    _show(
        _run(lambda: rule_list(actor=_actor(as_), unconfirmed=unconfirmed)),
        fmt,
        (tr("编号", "id"), tr("状态", "status"), tr("规则", "rule"), tr("出处", "source")),
        lambda c: (c.label, c.status, c.title, c.source),
    )


@assess_app.command("obligations")
def obligations_cmd(
    deal: str = DEAL_ARG, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION
) -> None:
    """转让类型带来的义务及理由 / the obligations the transfer type brings, and why."""
    from baomi.services.comply import transfer

    _show(
        _for_deal(deal, as_, lambda v, a, d: transfer.deal_obligations(v, actor=a, deal_ref=d)),
        fmt,
        (tr("要求", "level"), tr("义务", "obligation"), tr("理由", "why"), tr("依据", "rules")),
        lambda o: (o.level.label, o.title, o.why, _labels(o.citations)),
    )


def _risk(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@assess_app.command("packages")
def packages_cmd(
    deal: str = DEAL_ARG, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION
) -> None:
    """每个数据包的法律状态 / what each of the deal's packages is under the law."""
    from baomi.services.comply import transfer

    listed = _for_deal(
        deal, as_, lambda v, a, d: transfer.deal_package_statuses(v, actor=a, deal_ref=d)
    )
    if not listed and fmt is Format.TABLE:
        _console().print(tr("数据室尚未生成数据包。", "The data room has made no package yet."))
        return
    _show(
        listed,
        fmt,
        (
            tr("数据包", "package"),
            tr("接收方", "recipient"),
            tr("状态", "case"),
            "k",
            tr("最大/平均风险", "max/avg risk"),
            tr("理由", "why"),
        ),
        lambda s: (
            s.package_id,
            s.recipient or "-",
            s.case.label,
            str(s.k) if s.k is not None else "-",
            f"{_risk(s.max_risk)} / {_risk(s.average_risk)}",
            f"{s.why}\n{s.why_not_anonymised}",
        ),
    )


@assess_app.command("duties")
def duties_cmd(
    deal: str = DEAL_ARG, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION
) -> None:
    """负责人、审计和报告义务 / officer, audit and reporting duties from the deal's data."""
    from baomi.services.comply import duties

    listed = _for_deal(deal, as_, lambda v, a, d: duties.deal_duties(v, actor=a, deal_ref=d))
    _show(
        listed,
        fmt,
        (tr("义务", "duty"), tr("适用", "applies"), tr("理由", "why"), tr("依据", "rules")),
        lambda d: (
            d.title,
            _yes(d.applies)
            + (tr("（仅按上限）", " (upper bound only)") if d.upper_bound_only else ""),
            d.why,
            _labels(d.citations),
        ),
    )
    if fmt is Format.TABLE and listed:
        _console().print(listed[0].basis)


def _yuan(n: int) -> str:
    return f"{n:,}"


@assess_app.command("exposure")
def exposure_cmd(
    deal: str = DEAL_ARG, fmt: Format = FORMAT_OPTION, as_: str | None = AS_OPTION
) -> None:
    """泄露或违法提供的风险敞口估算 / the exposure estimate if the data leaked."""
    from baomi.services.comply import exposure

    e = _for_deal(deal, as_, lambda v, a, d: exposure.deal_exposure(v, actor=a, deal_ref=d))
    if fmt is Format.JSON:
        _json(asdict(e))
        return
    f = e.fines
    turnover = "-" if f.serious_turnover_max is None else _yuan(f.serious_turnover_max)
    _table(
        (tr("项目", "item"), tr("金额（元）", "yuan"), tr("依据", "rules")),
        [
            (
                tr("一般违法（拒不改正）", "ordinary (refusing to correct)"),
                f"≤ {_yuan(f.ordinary_max)}",
                _labels(f.citations[:1]),
            ),
            (
                tr("情节严重：固定上限", "serious: fixed cap"),
                f"≤ {_yuan(f.serious_fixed_max)}",
                _labels(f.citations[:1]),
            ),
            (
                tr("情节严重：营业额比例", "serious: turnover share"),
                f"≤ {turnover}",
                _labels(f.citations[:1]),
            ),
            (
                tr("情节严重：较高者", "serious: the higher"),
                f"≤ {_yuan(f.serious_max)}{tr('（', ' (')}{f.higher.label}{tr('）', ')')}",
                _labels(f.citations[:1]),
            ),
            (
                tr("责任人员（一般/严重）", "responsible persons (ordinary/serious)"),
                f"{_yuan(f.ordinary_person[0])}–{_yuan(f.ordinary_person[1])} / {_yuan(f.serious_person[0])}–{_yuan(f.serious_person[1])}",
                _labels(f.citations[:1]),
            ),
            (
                tr("大量数据泄露（数据安全法）", "large leak (Data Security Law)"),
                f"{_yuan(f.dsl_large_leak[0])}–{_yuan(f.dsl_large_leak[1])}",
                _labels(f.citations[1:]),
            ),
        ],
        title=tr("罚款（估算）", "Fines (estimate)"),
    )
    c = e.criminal
    _table(
        (
            tr("信息类型", "group"),
            tr("条数", "records"),
            tr("情节严重", "serious at"),
            tr("特别严重", "especially serious at"),
            tr("结果", "result"),
        ),
        [
            (
                g.label,
                _yuan(g.records),
                f"{g.serious_at:g}",
                f"{g.especially_serious_at:g}",
                g.gravity.label,
            )
            for g in c.groups
        ]
        + [
            (tr("按比例合计", "in proportion"), f"{c.aggregate:.2f}×", "1×", "10×", c.gravity.label)
        ],
        title=tr("刑事立案标准（估算）", "Criminal thresholds (estimate)")
        + " — "
        + _labels(c.citations),
    )
    i = e.incident
    _table(
        (tr("事件分级", "incident grade"), tr("报告时限", "report within"), tr("依据", "rules")),
        [
            (
                i.grade.label,
                tr(f"{i.report_hours} 小时", f"{i.report_hours} h")
                if i.report_hours
                else tr("立即通知", "notify immediately"),
                _labels(i.citations),
            )
        ],
    )
    _console().print(e.basis)
    _console().print(e.note)
