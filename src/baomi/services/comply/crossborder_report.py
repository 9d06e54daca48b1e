"""The cross-border assessment as a :class:`~baomi.services.comply.reports.model.Report` (and as
JSON, :func:`to_json`): facts,
the year's counts and the provisions behind them, the route and its reasons, the "what if",
the duties, the rules cited (unconfirmed ones said so), signatures and retention."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from baomi.i18n import current_language, tr
from baomi.services.comply.crossborder import CrossBorder, Outcome, Point, Route
from baomi.services.comply.provisions import ProvisionRecord
from baomi.services.comply.reports.model import (
    Citation,
    Figure,
    Report,
    Section,
    Signature,
    Table,
    Tone,
    stamp,
)
from baomi.services.comply.rulebook import rules

_TONE = {
    Outcome.DOMESTIC: Tone.GOOD,
    Outcome.EXEMPT: Tone.GOOD,
    Outcome.STANDARD_CONTRACT: Tone.WARN,
    Outcome.SECURITY_ASSESSMENT: Tone.BAD,
}


def _yes(flag: bool) -> str:
    return tr("是", "yes") if flag else tr("否", "no")


def _citations(rule_ids: Iterable[str]) -> tuple[Citation, ...]:
    book = rules()
    return tuple(
        Citation(book[i].id, book[i].source, book[i].status) for i in dict.fromkeys(rule_ids)
    )


def _points(points: Iterable[Point]) -> Table:
    return Table(
        columns=(tr("内容", "what"), tr("依据", "rule"), tr("说明", "note")),
        rows=tuple((p.text, p.label, p.note) for p in points),
        cite_columns=(1,),
    )


def _provision_row(p: ProvisionRecord) -> tuple[str, ...]:
    return (
        p.provided_on,
        p.recipient,
        p.region.label + (" + " + tr("远程访问", "remote access") if p.remote_access else ""),
        f"{p.individuals:,}",
        f"{p.sensitive_individuals:,}",
        p.source.label,
        tr("已去重", "deduplicated") if p.deduplicated else tr("未去重", "not deduplicated"),
    )


def provision_table(records: Iterable[ProvisionRecord], title: str = "") -> Table:
    """Provision records as a report table (one row each)."""
    rows = tuple(_provision_row(p) for p in records)
    return Table(
        columns=(
            tr("日期", "date"),
            tr("接收方", "recipient"),
            tr("地区", "region"),
            tr("个人数", "individuals"),
            tr("敏感个人信息人数", "with sensitive PI"),
            tr("来源", "source"),
            tr("计数", "counted"),
        ),
        rows=rows,
        title=title,
        tones=tuple(Tone.WARN if not p.deduplicated else Tone.NEUTRAL for p in records),
    )


def _route_section(heading: str, r: Route, intro: str) -> Section:
    return Section(
        heading=heading,
        paragraphs=(intro,),
        figures=(
            Figure(tr("路径", "route"), r.outcome.label, _TONE[r.outcome]),
            Figure(tr("当年累计个人数", "individuals this year"), f"{r.individuals:,}"),
            Figure(
                tr("其中敏感个人信息", "with sensitive PI"),
                f"{r.sensitive_individuals:,}",
                Tone.WARN if r.sensitive_individuals else Tone.NEUTRAL,
            ),
        ),
        tables=(_points(r.reasons),),
        citations=_citations(r.rule_ids),
    )


def build(cb: CrossBorder) -> Report:
    """The report of one assessment (in the current language)."""
    p, t = cb.profile, cb.totals
    facts = Section(
        heading=tr("基本情况", "Facts"),
        tables=(
            Table(
                columns=(tr("项目", "item"), tr("情况", "value")),
                rows=(
                    (tr("交易", "deal"), p.deal_name),
                    (tr("目标公司统一社会信用代码", "target company (USCC)"), p.uscc or "-"),
                    (tr("接收方", "recipient"), p.recipient_name or "-"),
                    (tr("接收方所在地", "recipient's location"), cb.location.label),
                    (tr("境外远程访问", "remote access from abroad"), _yes(cb.remote_access)),
                    (tr("关键信息基础设施运营者", "CIIO"), _yes(cb.company.ciio)),
                    (tr("重要数据", "important data"), _yes(cb.company.important_data)),
                    (tr("主张的豁免", "exemption claimed"), p.exemption or "-"),
                    (
                        tr("公司情况已录入", "company facts entered"),
                        _yes(cb.company.entered),
                    ),
                ),
            ),
        ),
        citations=_citations(("XB-DEF", "XB16-2")),
    )
    note = (
        tr(
            f"{t.not_deduplicated} 条记录（手工录入等）按其自身人数相加，未去重",
            f"{t.not_deduplicated} record(s) (manual entries…) are added as given, "
            "not deduplicated",
        )
        if t.not_deduplicated
        else tr("所有记录均按自然人去重", "every record is counted once per person")
    )
    counts = Section(
        heading=tr(f"{cb.year} 年出境人数（自 1 月 1 日起累计）", f"Individuals provided abroad in {cb.year} (since 1 January)"),
        paragraphs=(
            tr(
                f"公司全部交易（{len(t.deals)} 个）向境外提供的个人信息，按自然人去重。",
                f"PI provided abroad over the company's deals ({len(t.deals)}), each person once.",
            ),
            note,
        ),
        figures=(
            Figure(tr("个人数", "individuals"), f"{t.individuals:,}"),
            Figure(tr("敏感个人信息人数", "with sensitive PI"), f"{t.sensitive_individuals:,}"),
            Figure(tr("提供记录", "provision records"), str(len(t.provisions))),
        ),
        tables=(provision_table(t.provisions, tr("出境提供记录", "provisions abroad")),),
        citations=_citations(("XB-CNT", "NDS-12")),
    )  # fmt: skip
    current = _route_section(
        tr("出境路径", "Route"),
        cb.route,
        tr("按当年已发生的出境提供判断。", "From the provisions abroad made this year."),
    )
    what_if = _route_section(
        tr("假设：加上本交易计划的提供", "What if this deal's planned provision is added"),
        cb.what_if,
        tr(
            f"本交易计划提供 {cb.planned_individuals:,} 人（其中敏感 {cb.planned_sensitive:,} 人；"
            "按文件相加，为上限）。",
            f"This deal plans to provide {cb.planned_individuals:,} individuals "
            f"({cb.planned_sensitive:,} with sensitive PI; documents added up, an upper bound).",
        ),
    )
    duties = Section(
        heading=tr("应履行的义务", "Duties"),
        paragraphs=()
        if cb.what_if.duties
        else (tr("不涉及出境义务。", "No cross-border duties."),),
        tables=(_points(cb.what_if.duties),) if cb.what_if.duties else (),
        citations=_citations(d.rule_id for d in cb.what_if.duties),
    )
    keep = rules()["NDS-12"].param("keep_years")
    return Report(
        kind="crossborder",
        title=tr("数据出境评估", "Cross-border transfer assessment"),
        subject=p.deal_name,
        generated_at=stamp(),
        lang=current_language(),
        sections=(facts, counts, current, what_if, duties),
        summary=(
            Figure(tr("路径", "route"), cb.route.outcome.label, _TONE[cb.route.outcome]),
            Figure(
                tr("加上本交易后", "with this deal"),
                cb.what_if.outcome.label,
                _TONE[cb.what_if.outcome],
            ),
            Figure(tr("当年累计个人数", "individuals this year"), f"{t.individuals:,}"),
        ),
        signatures=(
            Signature(tr("个人信息保护负责人", "PI protection officer")),
            Signature(tr("法定代表人", "legal representative")),
            Signature(tr("法律顾问", "counsel")),
        ),
        retention=tr(
            f"至少保存 {keep} 年（NDS-12、PIPL-56）",
            f"keep at least {keep} years (NDS-12, PIPL-56)",
        ),
        footnotes=(
            tr(
                "人数为向境外提供（含港澳台及境外远程访问）的个人，自当年 1 月 1 日（北京时间）起累计。",
                "Counts are of individuals provided outside the mainland (Hong Kong, Macao, "
                "Taiwan and remote access from abroad included) since 1 January, China time.",
            ),
        ),
    )


def _route_json(r: Route) -> dict[str, Any]:
    return {
        "outcome": r.outcome.value,
        "abroad": r.abroad,
        "individuals": r.individuals,
        "sensitive_individuals": r.sensitive_individuals,
        "reasons": [asdict(p) for p in r.reasons],
        "duties": [asdict(p) for p in r.duties],
    }


def to_json(cb: CrossBorder) -> dict[str, Any]:
    """The assessment as JSON (``baomi assess crossborder --format json`` and the API)."""
    t = cb.totals
    return {
        "deal": cb.profile.deal_name,
        "uscc": cb.profile.uscc,
        "year": cb.year,
        "location": cb.location.value,
        "remote_access": cb.remote_access,
        "ciio": cb.company.ciio,
        "important_data": cb.company.important_data,
        "exemption": cb.profile.exemption.value if cb.profile.exemption else None,
        "individuals": t.individuals,
        "sensitive_individuals": t.sensitive_individuals,
        "not_deduplicated": t.not_deduplicated,
        "deduplicated": t.deduplicated,
        "deals": list(t.deals),
        "provisions": [p.to_json() for p in t.provisions],
        "route": _route_json(cb.route),
        "planned_individuals": cb.planned_individuals,
        "planned_sensitive": cb.planned_sensitive,
        "what_if": _route_json(cb.what_if),
    }
