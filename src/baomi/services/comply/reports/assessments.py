"""The view models of the PIA report and the six-area risk assessment report.

:func:`pia_report` and :func:`risk_report` turn a service's view (:class:`~..pia.Pia`,
:class:`~..risk.RiskAssessment`) into a :class:`~.model.Report` in the reader's language; the
renderers add layout only. Every report that uses the draft risk matrix (``S393-D3``) or another
unconfirmed rule cites it, so the renderer can say it is unconfirmed.
"""

from __future__ import annotations

from collections.abc import Iterable

from baomi import clock
from baomi.i18n import current_language, tr
from baomi.services.comply.facts import Fact, Status
from baomi.services.comply.pia import (
    MATRIX_RULE,
    SIGNATORIES,
    Impact,
    Likelihood,
    Pia,
    PiaQuestion,
    Risk,
)
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
from baomi.services.comply.risk import Level, RiskAssessment, RiskQuestion
from baomi.services.comply.rulebook import rules

_STATUS_TONE = {
    Status.OK: Tone.GOOD,
    Status.ATTENTION: Tone.WARN,
    Status.PROBLEM: Tone.BAD,
    Status.UNKNOWN: Tone.NEUTRAL,
}
_LEVEL_TONE = {Level.LOW: Tone.GOOD, Level.MEDIUM: Tone.WARN, Level.HIGH: Tone.BAD}


def citations(rule_ids: Iterable[str]) -> tuple[Citation, ...]:
    """The rules ``rule_ids`` as citations (each once, in order)."""
    book = rules()
    return tuple(
        Citation(book[i].id, book[i].source, book[i].status) for i in dict.fromkeys(rule_ids)
    )


def _answer_cell(q: PiaQuestion) -> str:
    if q.prefilled:
        return q.value
    if q.answer is None:
        return tr("（未回答）", "(not answered)")
    text = q.answer.answer
    if q.answer.comment:
        text += f"\n{tr('备注', 'Comment')}：{q.answer.comment}"
    return text


def _source_cell(q: PiaQuestion) -> str:
    if q.prefilled:
        return tr(f"系统填写：{q.source}", f"filled in by baomi: {q.source}")
    if q.answer is None:
        return "-"
    return f"{q.answer.answered_by} {clock.day(q.answer.answered_at)}"


def _question_table(questions: Iterable[PiaQuestion]) -> Table:
    rows = tuple((q.step, q.text, _answer_cell(q), _source_cell(q), q.rule) for q in questions)
    return Table(
        (
            tr("步骤", "Step"),
            tr("问题", "Question"),
            tr("回答", "Answer"),
            tr("来源", "Source"),
            tr("依据", "Rule"),
        ),
        rows,
        cite_columns=(4,),
    )


def _risk_tone(r: Risk) -> Tone:
    if r.unacceptable:
        return Tone.BAD
    return Tone.WARN if r.level.value == "medium" else Tone.GOOD


def _risk_section(p: Pia) -> Section:
    matrix = rules()[MATRIX_RULE]
    note = tr(
        "风险等级 = 影响程度 × 可能性，矩阵取自 GB/T 39335 附录D 表D.5 的报批稿（2019-10-20），"
        "正式标准文本未核对：未确认。",
        "Risk level = impact × likelihood; the matrix is Table D.5 of the 2019-10-20 draft of "
        "GB/T 39335 Annex D, not checked against the published standard: unconfirmed.",
    )
    paragraphs = [note]
    if p.matrix_overridden:
        paragraphs.append(
            tr("本机构已通过配置调整该矩阵。", "The organisation changed the matrix.")
        )
    paragraphs.append(
        tr(
            f"不可接受的风险等级：{p.unacceptable_from.label} 及以上。",
            f"Unacceptable: {p.unacceptable_from.label} and above.",
        )
    )
    table = Table(
        (
            tr("风险", "Risk"),
            tr("影响程度", "Impact"),
            tr("可能性", "Likelihood"),
            tr("风险等级", "Level"),
            tr("可接受", "Acceptable"),
        ),
        tuple(
            (
                r.title,
                r.impact.label,
                r.likelihood.label,
                r.level.label,
                tr("否", "no") if r.unacceptable else tr("是", "yes"),
            )
            for r in p.risks
        ),
        title=tr("风险清单", "Risks"),
        tones=tuple(_risk_tone(r) for r in p.risks),
    )
    heat = Chart(
        ChartKind.HEATMAP,
        tr("风险热力图（影响程度 × 可能性）", "Risk heat map (impact × likelihood)"),
        rows=tuple(i.label for i in Impact),
        columns=tuple(lk.label for lk in Likelihood),
        cells=p.heat(),
    )
    return Section(
        tr("风险评估（影响程度 × 可能性）", "Risks (impact × likelihood)"),
        paragraphs=tuple(paragraphs),
        tables=(table,),
        charts=(heat,),
        citations=citations(["S393-D1", "S393-D2", matrix.id]),
    )


def _evidence_section(p: Pia) -> Section | None:
    rows = tuple(
        (q.id, e.name, str(e.size), e.sha256[:16], e.uploaded_by, clock.day(e.uploaded_at))
        for s in p.sections
        for q in s.questions
        for e in q.evidence
    )
    if not rows:
        return None
    return Section(
        tr("证明材料", "Evidence"),
        paragraphs=(
            tr(
                "证明材料以交易数据密钥加密保存，随交易销毁；此处保留其名称、大小和哈希。",
                "Evidence files are sealed with the deal's data key and destroyed with the deal; "
                "their name, size and hash are kept here.",
            ),
        ),
        tables=(
            Table(
                (
                    tr("问题", "Question"),
                    tr("文件", "File"),
                    tr("字节", "Bytes"),
                    "SHA-256",
                    tr("上传人", "By"),
                    tr("日期", "Date"),
                ),
                rows,
            ),
        ),
    )


def _state_label(p: Pia) -> str:
    if p.completed_at:
        return tr(
            f"第 {p.version} 版，已完成（{p.completed_by}，{clock.day(p.completed_at)}）",
            f"version {p.version}, completed ({p.completed_by}, {clock.day(p.completed_at)})",
        )
    return tr(f"第 {max(p.version, 1)} 版，草稿", f"version {max(p.version, 1)}, draft")


def pia_report(p: Pia) -> Report:
    """The PIA report: the three contents of PIPL Art. 56 as sections, the risks with their
    heat map, the evidence, signatures and the retention line."""
    sections: list[Section] = [
        Section(
            tr("评估流程", "Process"),
            paragraphs=(
                tr(
                    "按 GB/T 39335 第5章：必要性分析、准备、数据映射、风险源识别、个人权益影响分析、"
                    "安全风险综合分析、报告、风险处置与持续改进。标注“系统填写”的回答来自扫描清单、"
                    "交易概况和现有保护措施。",
                    "Following GB/T 39335 §5: necessity, preparation, data mapping, risk sources, "
                    "rights impact, overall risk, report, treatment and improvement. Answers marked "
                    "'filled in by baomi' come from the scan inventory, the deal's profile and the "
                    "measures in place.",
                ),
            ),
            citations=citations(["PIPL-55", "PIPL-56", "S393-5"]),
        )
    ]
    for section in p.sections:
        parts = [section.rule, *(q.rule for q in section.questions)]
        extra = (_risk_section(p),) if section.id == "impact" else ()
        sections.append(
            Section(
                section.title,
                tables=(_question_table(section.questions),),
                citations=citations(parts),
            )
        )
        sections.extend(extra)
    evidence = _evidence_section(p)
    if evidence is not None:
        sections.append(evidence)
    unacceptable = sum(1 for r in p.risks if r.unacceptable)
    summary = (
        Figure(tr("状态", "State"), _state_label(p), Tone.GOOD if p.completed_at else Tone.WARN),
        Figure(tr("风险", "Risks"), str(len(p.risks))),
        Figure(
            tr("不可接受的风险", "Unacceptable risks"),
            str(unacceptable),
            Tone.BAD if unacceptable else Tone.GOOD,
        ),
        Figure(
            tr("未回答的问题", "Questions not answered"),
            str(len(p.missing)),
            Tone.WARN if p.missing else Tone.GOOD,
        ),
    )
    signatures = tuple(
        Signature(tr(zh, en), p.signatures.get(key, "")) for key, zh, en in SIGNATORIES
    )
    retention = (
        tr(
            f"至少保存至 {clock.day(p.keep_until)}（个人信息保护法第五十六条：至少三年）",
            f"keep until at least {clock.day(p.keep_until)} (PIPL-56: at least three years)",
        )
        if p.keep_until
        else tr(
            "完成后至少保存三年（个人信息保护法第五十六条）",
            "kept at least three years once completed (PIPL-56)",
        )
    )
    return Report(
        kind="pia",
        title=tr("个人信息保护影响评估报告", "PI protection impact assessment"),
        subject=p.deal_name,
        generated_at=stamp(),
        lang=current_language(),
        sections=tuple(sections),
        summary=summary,
        signatures=signatures,
        retention=retention,
        footnotes=(
            tr(
                "S393-D1、S393-D2、S393-D3 取自 GB/T 39335 报批稿，未确认；请以正式标准核对。",
                "S393-D1, S393-D2 and S393-D3 come from the draft of GB/T 39335 and are "
                "unconfirmed; check them against the published standard.",
            ),
        ),
    )


# --- the six areas -------------------------------------------------------------------------------


def _choice_cell(q: RiskQuestion) -> str:
    if q.choice is None:
        return tr("（未回答）", "(not answered)")
    text = q.choice.label
    if q.answered_from == "system" and q.fact is not None:
        text += f"（{q.fact.value}）"
    elif q.answer is not None and q.answer.comment:
        text += f"：{q.answer.comment}"
    return text


def _from_cell(q: RiskQuestion) -> str:
    if q.answered_from == "system":
        return tr("系统检查", "checked by baomi")
    if q.answered_from == "person" and q.answer is not None:
        return f"{q.answer.answered_by} {clock.day(q.answer.answered_at)}"
    return "-"


def _fact_rows(facts: Iterable[Fact]) -> tuple[tuple[tuple[str, ...], ...], tuple[Tone, ...]]:
    items = list(facts)
    rows = tuple(
        (f.label, f.value, f.status.label, stamp(f.checked_at), f.source, f.rule) for f in items
    )
    return rows, tuple(_STATUS_TONE[f.status] for f in items)


def risk_report(r: RiskAssessment) -> Report:
    """The six-area risk assessment: an area per section (score, level, questions), the facts
    baomi checked with their status, and a bar chart of the areas' scores."""
    sections = []
    for area in r.areas:
        figures = (
            Figure(
                tr("得分", "Score"),
                "-" if area.score is None else f"{area.score:.0f}",
            ),
            Figure(
                tr("风险等级", "Level"),
                area.level.label if area.level else tr("未评估", "not assessed"),
                _LEVEL_TONE[area.level] if area.level else Tone.NEUTRAL,
            ),
            Figure(tr("已回答", "Answered"), f"{area.answered}/{len(area.questions)}"),
        )
        table = Table(
            (
                tr("问题", "Question"),
                tr("回答", "Answer"),
                tr("来源", "Source"),
                tr("依据", "Rule"),
            ),
            tuple((q.text, _choice_cell(q), _from_cell(q), q.rule) for q in area.questions),
            cite_columns=(3,),
        )
        sections.append(
            Section(
                area.title,
                figures=figures,
                tables=(table,),
                citations=citations(q.rule for q in area.questions),
            )
        )
    rows, tones = _fact_rows(r.facts)
    sections.append(
        Section(
            tr("系统检查的事实", "Facts baomi checked"),
            paragraphs=(
                tr(
                    f"每次查看时从系统重新计算（{stamp(r.checked_at)}）。ORG- 开头的依据是本组织的"
                    "安全策略，不是法律要求。",
                    f"Recomputed from the system on every read ({stamp(r.checked_at)}). Rules "
                    "starting with ORG- are the organisation's own policy, not law.",
                ),
            ),
            tables=(
                Table(
                    (
                        tr("事实", "Fact"),
                        tr("值", "Value"),
                        tr("状态", "Status"),
                        tr("检查时间", "Checked"),
                        tr("来源", "Source"),
                        tr("依据", "Rule"),
                    ),
                    rows,
                    tones=tones,
                    cite_columns=(5,),
                ),
            ),
            charts=(
                Chart(
                    ChartKind.BAR,
                    tr("各领域得分", "Score per area"),
                    labels=tuple(a.title for a in r.areas),
                    values=tuple(a.score or 0.0 for a in r.areas),
                ),
            ),
            citations=citations(f.rule for f in r.facts),
        )
    )
    summary = tuple(
        Figure(
            a.title,
            a.level.label if a.level else tr("未评估", "not assessed"),
            _LEVEL_TONE[a.level] if a.level else Tone.NEUTRAL,
        )
        for a in r.areas
    )
    return Report(
        kind="risk",
        title=tr("个人信息安全风险评估（六个方面）", "PI security risk assessment (six areas)"),
        subject=r.deal_name,
        generated_at=stamp(),
        lang=current_language(),
        sections=tuple(sections),
        summary=summary,
    )
