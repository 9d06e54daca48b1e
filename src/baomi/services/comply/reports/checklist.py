"""The checklist report and the third-party register report, as view models (:class:`Report`).

Builders are pure: they take what :mod:`~baomi.services.comply.checklist` and
:mod:`~baomi.services.comply.vendors` return; :func:`checklist_report` and :func:`vendors_report`
fetch it for an actor first. Overdue items and high-risk parties are ``BAD`` rows, done items
``GOOD``; the score's trend is a LINE chart (one point per day: the day's last snapshot).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from baomi import clock
from baomi.i18n import current_language, tr
from baomi.services.comply import checklist as cl
from baomi.services.comply import vendors as vd
from baomi.services.comply.reports.model import (
    Chart,
    ChartKind,
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
from baomi.services.permissions import Actor
from baomi.services.vault import Vault


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _citations(rule_ids: Iterable[str]) -> tuple[Citation, ...]:
    book = rules()
    seen = dict.fromkeys(rule_ids)
    return tuple(Citation(r.id, r.source, r.status) for r in (book[i] for i in seen if i in book))


def _tone(item: cl.Item) -> Tone:
    if item.overdue:
        return Tone.BAD
    if item.status is cl.Status.DONE:
        return Tone.GOOD
    return Tone.WARN if item.status is cl.Status.IN_PROGRESS else Tone.NEUTRAL


def _score_tone(value: float | None) -> Tone:
    if value is None:
        return Tone.NEUTRAL
    return Tone.GOOD if value >= 1 else Tone.WARN if value >= 0.5 else Tone.BAD


def trend_chart(trend: Iterable[cl.TrendPoint]) -> Chart:
    """One point per day (the day's last snapshot with a score), in percent."""
    daily: dict[str, float] = {}
    for point in trend:
        if point.score is not None:
            daily[clock.day(point.taken_at)] = round(point.score * 100, 1)
    return Chart(
        ChartKind.LINE,
        tr("合规得分趋势（%）", "Compliance score over time (%)"),
        labels=tuple(daily),
        values=tuple(daily.values()),
    )


def build_checklist_report(checklist: cl.Checklist) -> Report:
    """The checklist as a report: the scores and their trend, then one section per area."""
    defaults = cl.defaults()
    figures = [
        Figure(
            tr("总分", "Overall score"),
            percent(checklist.score.overall),
            _score_tone(checklist.score.overall),
            tr(
                f"已完成 {checklist.score.done} / 适用 {checklist.score.applicable}",
                f"{checklist.score.done} done of {checklist.score.applicable} applicable",
            ),
        ),
        Figure(
            tr("逾期条目", "Overdue items"),
            str(len(checklist.overdue)),
            Tone.BAD if checklist.overdue else Tone.GOOD,
        ),
    ]
    area_figures = tuple(
        Figure(
            defaults.area(a.area).title,
            percent(a.score),
            _score_tone(a.score),
            f"{a.done}/{a.applicable}",
        )
        for a in checklist.score.areas
    )
    sections = [
        Section(
            tr("得分", "Score"),
            paragraphs=(
                tr(
                    "各领域得分 = 已完成 ÷ 适用条目（不适用的条目不计）；总分为有适用条目的领域"
                    "按权重的加权平均。",
                    "An area's score is done ÷ applicable items (not-applicable items left out); "
                    "the overall score is the weighted mean of the areas with applicable items.",
                ),
            ),
            figures=area_figures,
            charts=(trend_chart(checklist.trend),),
        )
    ]
    columns = (
        tr("条目", "Item"),
        tr("依据", "Basis"),
        tr("状态", "Status"),
        tr("负责人", "Owner"),
        tr("截止日期", "Due"),
        tr("证据", "Evidence"),
        tr("备注", "Notes"),
    )
    for area_def in defaults.areas:
        items = checklist.area_items(area_def.area)
        rows = tuple(
            (
                i.title,
                i.clause or "-",
                i.status.label + (tr("（逾期）", " (overdue)") if i.overdue else ""),
                i.owner or "-",
                i.due.isoformat() if i.due else "-",
                str(len(i.evidence)),
                i.notes,
            )
            for i in items
        )
        sections.append(
            Section(
                area_def.title,
                tables=(
                    Table(columns, rows, tones=tuple(_tone(i) for i in items), cite_columns=(1,)),
                ),
                citations=_citations(r for i in items for r in i.rules),
            )
        )
    subject = checklist.deal_name or checklist.uscc
    return Report(
        kind="checklist",
        title=tr("个人信息保护合规清单", "PI protection compliance checklist"),
        subject=tr(f"{subject}（{checklist.uscc}）", f"{subject} ({checklist.uscc})")
        if checklist.deal_name
        else subject,
        generated_at=stamp(),
        lang=current_language(),
        sections=tuple(sections),
        summary=tuple(figures),
        signatures=(
            Signature(tr("个人信息保护负责人", "PI protection officer")),
            Signature(tr("内部审计负责人", "Head of internal audit")),
        ),
        footnotes=(
            tr(
                f"截至 {checklist.today.isoformat()}（北京时间）；截止日期早于当日且未完成的条目为逾期。",
                f"As of {checklist.today.isoformat()} (China Standard Time); an item not done "
                "and due before that day is overdue.",
            ),
        ),
    )


def vendors_section(entries: Iterable[vd.VendorInfo], reminders: vd.Reminders) -> Section:
    """The register as a table: kind, NDA, PIPL-21 contents, ratings, term, risk, ending."""
    cfg = vd.config()
    entries = list(entries)
    soon = {v.id for v in reminders.ending_soon}
    late = {v.id for v in reminders.ended_unconfirmed}
    columns = (
        tr("名称", "Name"),
        tr("类型", "Kind"),
        tr("保密协议", "NDA"),
        tr("合同内容（PIPL-21）", "Contract (PIPL-21)"),
        tr("服务质量", "Quality"),
        tr("数据安全", "Security"),
        tr("合同期限", "Term"),
        tr("风险", "Risk"),
        tr("返还/删除", "Returned/deleted"),
    )
    rows = []
    tones = []
    for v in entries:
        term = f"{v.contract_start or '?'} – {v.contract_end or '?'}"
        if v.id in late:
            term += tr("（已到期，未确认返还或删除）", " (ended, not confirmed)")
        elif v.id in soon:
            term += tr("（即将到期）", " (ending soon)")
        ending = "-"
        if v.ending is not None:
            ending = f"{v.ending.label} · {v.confirmed_by} · {v.confirmed_on}"
        rows.append(
            (
                v.name,
                cfg.kind(v.kind).title,
                (v.nda_date.isoformat() if v.nda_date else tr("已签", "signed"))
                if v.nda_signed
                else tr("未签", "not signed"),
                f"{len(v.contract)}/{len(cfg.contract)}",
                str(v.quality or "-"),
                str(v.security or "-"),
                term,
                tr(f"{v.risk}（{vd.band_label(v.band)}）", f"{v.risk} ({vd.band_label(v.band)})"),
                ending,
            )
        )
        tones.append(
            Tone.BAD
            if v.id in late or v.band == "high"
            else Tone.WARN
            if v.id in soon or v.band == "medium"
            else Tone.GOOD
            if v.ending is not None
            else Tone.NEUTRAL
        )
    return Section(
        tr("第三方登记册", "Third-party register"),
        paragraphs=(
            tr(
                f"风险分 0–100，按 vendors.yaml 中的权重计算；提醒窗口：合同结束前 {reminders.days} 天。",
                "Risk 0–100 by the weights in vendors.yaml; reminders "
                f"{reminders.days} days before a contract ends.",
            ),
        ),
        figures=(
            Figure(tr("第三方", "Third parties"), str(len(entries))),
            Figure(
                tr("即将到期", "Ending soon"),
                str(len(soon)),
                Tone.WARN if soon else Tone.GOOD,
            ),
            Figure(
                tr("已到期未确认返还或删除", "Ended, return or deletion not confirmed"),
                str(len(late)),
                Tone.BAD if late else Tone.GOOD,
            ),
        ),
        tables=(Table(columns, tuple(rows), tones=tuple(tones)),),
        citations=_citations(("PIPL-21", "PIPL-59", "NDS-12")),
    )


def build_vendors_report(
    subject: str, entries: Iterable[vd.VendorInfo], reminders: vd.Reminders
) -> Report:
    return Report(
        kind="vendors",
        title=tr("第三方登记册", "Third-party register"),
        subject=subject,
        generated_at=stamp(),
        lang=current_language(),
        sections=(vendors_section(entries, reminders),),
    )


def checklist_report(
    vault: Vault, *, actor: Actor, deal_ref: str | None = None, uscc: str | None = None
) -> Report:
    """The company's checklist report, with its third-party register as the last section."""
    found = cl.checklist(vault, actor=actor, deal_ref=deal_ref, uscc=uscc)
    report = build_checklist_report(found)
    register = vendors_section(
        vd.vendors(vault, actor=actor, deal_ref=deal_ref, uscc=uscc),
        vd.reminders(vault, actor=actor, deal_ref=deal_ref, uscc=uscc),
    )
    return replace(report, sections=(*report.sections, register))


def vendors_report(
    vault: Vault, *, actor: Actor, deal_ref: str | None = None, uscc: str | None = None
) -> Report:
    """The company's third-party register on its own."""
    entries = vd.vendors(vault, actor=actor, deal_ref=deal_ref, uscc=uscc)
    due = vd.reminders(vault, actor=actor, deal_ref=deal_ref, uscc=uscc)
    return build_vendors_report(deal_ref or uscc or "", entries, due)
