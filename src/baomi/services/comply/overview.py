"""The deal's compliance overview as a report view model (:class:`Report`, kind ``overview``):
the transfer, its obligations, each package's legal case, the duties and the exposure estimate,
each section citing its rules. The renderers (HTML, PDF, XLSX) turn it into a file."""

from __future__ import annotations

from collections.abc import Iterable

from baomi.i18n import current_language, tr
from baomi.services.comply.citations import Cited
from baomi.services.comply.duties import Duty, duties
from baomi.services.comply.exposure import Exposure, exposure
from baomi.services.comply.inputs import DealInputs, deal_inputs, type_name
from baomi.services.comply.packages import deal_packages
from baomi.services.comply.reports.model import (
    Citation,
    Figure,
    Report,
    Section,
    Table,
    Tone,
    stamp,
)
from baomi.services.comply.transfer import (
    Case,
    Level,
    Obligation,
    PackageStatus,
    obligations,
    package_status,
)
from baomi.services.permissions import Actor
from baomi.services.vault import Vault


def _citations(groups: Iterable[tuple[Cited, ...]]) -> tuple[Citation, ...]:
    seen: dict[str, Citation] = {}
    for group in groups:
        for c in group:
            seen.setdefault(c.rule_id, c.citation())
    return tuple(seen.values())


def _labels(cited: tuple[Cited, ...]) -> str:
    return ", ".join(c.label for c in cited)


def _obligations(listed: list[Obligation]) -> Section:
    tone = {Level.REQUIRED: Tone.BAD, Level.MISSING: Tone.WARN}
    return Section(
        tr("转让带来的义务", "Obligations of the transfer"),
        tables=(
            Table(
                (
                    tr("要求", "level"),
                    tr("义务", "obligation"),
                    tr("理由", "why"),
                    tr("依据", "rules"),
                ),
                tuple((o.level.label, o.title, o.why, _labels(o.citations)) for o in listed),
                tones=tuple(tone.get(o.level, Tone.NEUTRAL) for o in listed),
                cite_columns=(3,),
            ),
        ),
        citations=_citations(o.citations for o in listed),
    )


def _packages(listed: list[PackageStatus]) -> Section:
    tone = {
        Case.PERSONAL: Tone.BAD,
        Case.DEIDENTIFIED: Tone.WARN,
        Case.NOT_REIDENTIFIABLE: Tone.GOOD,
    }
    return Section(
        tr("数据包的法律状态", "What each package is under the law"),
        paragraphs=(
            (listed[0].why_not_anonymised,)
            if listed
            else (tr("数据室尚未生成数据包。", "The data room has made no package yet."),)
        ),
        tables=(
            Table(
                (
                    tr("数据包", "package"),
                    tr("接收方", "recipient"),
                    tr("状态", "case"),
                    tr("理由", "why"),
                ),
                tuple((s.package_id, s.recipient or "-", s.case.label, s.why) for s in listed),
                tones=tuple(tone[s.case] for s in listed),
            ),
        )
        if listed
        else (),
        citations=_citations(s.citations for s in listed),
    )


def _applies(flag: bool | None) -> str:
    if flag is None:
        return tr("待定", "open")
    return tr("适用", "applies") if flag else tr("不适用", "does not apply")


def _duties(listed: list[Duty]) -> Section:
    return Section(
        tr("负责人、审计和报告义务", "Officer, audit and reporting duties"),
        paragraphs=(listed[0].basis,) if listed else (),
        tables=(
            Table(
                (tr("义务", "duty"), tr("适用", "applies"), tr("理由", "why"), tr("依据", "rules")),
                tuple((d.title, _applies(d.applies), d.why, _labels(d.citations)) for d in listed),
                tones=tuple(
                    Tone.BAD if d.applies else (Tone.WARN if d.applies is None else Tone.NEUTRAL)
                    for d in listed
                ),
                cite_columns=(3,),
            ),
        ),
        citations=_citations(d.citations for d in listed),
    )


def _yuan(n: int) -> str:
    return f"{n:,} " + tr("元", "yuan")


def _exposure(e: Exposure) -> Section:
    f, c, i = e.fines, e.criminal, e.incident
    return Section(
        tr("风险敞口（估算）", "Exposure (estimate)"),
        paragraphs=(e.note, e.basis, f.why, c.why, i.why),
        figures=(
            Figure(tr("情节严重罚款上限", "serious fine up to"), _yuan(f.serious_max), Tone.BAD),
            Figure(
                tr("刑事", "criminal"),
                c.gravity.label,
                Tone.BAD if c.gravity.value != "none" else Tone.NEUTRAL,
            ),
            Figure(tr("事件分级", "incident grade"), i.grade.label, Tone.WARN),
        ),
        tables=(
            Table(
                (
                    tr("信息类型", "group"),
                    tr("条数", "records"),
                    tr("情节严重", "serious at"),
                    tr("特别严重", "especially serious at"),
                    tr("结果", "result"),
                ),
                tuple(
                    (
                        g.label,
                        f"{g.records:,}",
                        f"{g.serious_at:,g}",
                        f"{g.especially_serious_at:,g}",
                        g.gravity.label,
                    )
                    for g in c.groups
                ),
                title=tr("刑事立案标准", "Criminal thresholds"),
            ),
        ),
        citations=_citations((f.citations, c.citations, i.citations)),
    )


def build(inputs: DealInputs, packages: list[PackageStatus]) -> Report:
    """The overview report of one deal's inputs and package statuses."""
    p, company, data = inputs.profile, inputs.company, inputs.data
    kind = type_name(p.transfer_type) if p.transfer_type else tr("未设置", "not set")
    return Report(
        kind="overview",
        title=tr("合规概览", "Compliance overview"),
        subject=p.deal_name,
        generated_at=stamp(),
        lang=current_language(),
        summary=(
            Figure(tr("转让类型", "transfer type"), kind),
            Figure(tr("个人数（上限）", "individuals (upper bound)"), f"{data.individuals:,}"),
            Figure(
                tr("敏感个人信息（人）", "sensitive PI (persons)"),
                f"{data.sensitive_individuals:,}",
            ),
            Figure(tr("数据包", "packages"), str(len(packages))),
        ),
        sections=(
            _obligations(obligations(p, company, data)),
            _packages(packages),
            _duties(duties(p, company, data)),
            _exposure(exposure(p.deal_id, company, data)),
        ),
    )


def overview(vault: Vault, *, actor: Actor, deal_ref: str) -> Report:
    """The deal's compliance overview report (COMPLY_VIEW)."""
    inputs = deal_inputs(vault, actor=actor, deal_ref=deal_ref)
    statuses = [package_status(p) for p in deal_packages(vault, inputs.profile.deal_id)]
    return build(inputs, statuses)
