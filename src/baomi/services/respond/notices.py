"""The texts an incident calls for: the notice to individuals (PIPL-57's three contents, by the
channels NDS-11 lists) and the draft report to the regulator (INC-7's contents).

The texts are drafts a person reviews and sends; they are built from the register's figures and
what the responder enters (cause, harm, measures, contact), never from customer records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from baomi import clock
from baomi.i18n import current_language, tr
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
from baomi.services.respond.incidents import Deadline, IncidentInfo, deadlines


class Channel(StrEnum):
    """NDS-11: phone, SMS, instant messaging, e-mail or public announcement."""

    PHONE = "phone"
    SMS = "sms"
    IM = "im"
    EMAIL = "email"
    ANNOUNCEMENT = "announcement"


@dataclass(frozen=True)
class NoticeFacts:
    """What the responder enters for the notice (no customer's personal data)."""

    categories: str  # the kinds of PI involved, e.g. 姓名、手机号
    cause: str
    harm: str
    measures: str
    advice: str  # what the individuals can do themselves
    contact: str  # the processor's contact (PIPO / hotline)
    company: str


def _check_channel(channel: Channel) -> None:
    allowed = rules()["NDS-11"].param("channels")
    if channel.value not in allowed:
        raise ValueError(f"channel {channel} not in NDS-11")


def individual_notice(info: IncidentInfo, facts: NoticeFacts, channel: Channel) -> str:
    """The notice to the individuals affected: (1) categories, cause and possible harm; (2) the
    remedial measures and what individuals can do; (3) the processor's contact (PIPL-57)."""
    _check_channel(channel)
    if channel is Channel.SMS:
        return tr(
            f"【{facts.company}】您的个人信息（{facts.categories}）可能因{facts.cause}泄露，"
            f"可能{facts.harm}。我们已{facts.measures}。建议您{facts.advice}。"
            f"咨询：{facts.contact}",
            f"[{facts.company}] Your personal information ({facts.categories}) may have leaked "
            f"({facts.cause}); possible harm: {facts.harm}. We have {facts.measures}. "
            f"We advise you to {facts.advice}. Contact: {facts.contact}",
        )
    lines = [
        tr("个人信息安全事件告知书", "Notice of a personal information security incident"),
        "",
        tr(
            f"一、事件情况：{facts.company}于北京时间 {clock.shown(info.discovered_at)} "
            f"发现一起个人信息安全事件，涉及的个人信息种类为{facts.categories}；"
            f"原因：{facts.cause}；可能造成的危害：{facts.harm}。",
            f"1. What happened: on {clock.shown(info.discovered_at)} (Beijing time, UTC+8) {facts.company} "
            f"found a personal information security incident involving {facts.categories}. "
            f"Cause: {facts.cause}. Possible harm: {facts.harm}.",
        ),
        tr(
            f"二、我们采取的补救措施：{facts.measures}。您可以采取的措施：{facts.advice}。",
            f"2. What we have done: {facts.measures}. What you can do: {facts.advice}.",
        ),
        tr(
            f"三、联系方式：{facts.contact}。",
            f"3. How to contact us: {facts.contact}.",
        ),
        "",
        tr(
            f"依据：{rules()['PIPL-57'].label()}、{rules()['NDS-11'].label()}",
            f"Under {rules()['PIPL-57'].label()}, {rules()['NDS-11'].label()}",
        ),
    ]
    return "\n".join(lines)


def _regulator_parts(info: IncidentInfo, facts: NoticeFacts) -> list[tuple[str, str]]:
    """The report's numbered parts (heading, text), INC-7's contents in order."""
    parts = [
        (
            tr("单位", "Unit"),
            tr(
                f"{facts.company}；联系人：{facts.contact}",
                f"{facts.company}; contact: {facts.contact}",
            ),
        ),
        (
            tr("发现时间、类型与级别", "Discovery, type and grade"),
            tr(
                f"发现时间：{stamp(info.discovered_at)}；事件类型：个人信息泄露；级别：{info.grade.label}"
                f"（{rules()['INC-G3'].label()} 等）",
                f"Discovered: {stamp(info.discovered_at)}; type: personal information leak; grade: "
                f"{info.grade.label} ({rules()['INC-G3'].label()} etc.)",
            ),
        ),
        (
            tr("影响", "Impact"),
            tr(
                f"涉及个人 {info.individuals:,} 人，其中敏感个人信息 "
                f"{info.sensitive_individuals:,} 人；信息种类：{facts.categories}；"
                f"可能危害：{facts.harm}",
                f"{info.individuals:,} individuals, {info.sensitive_individuals:,} with "
                f"sensitive PI; categories: {facts.categories}; possible harm: {facts.harm}",
            ),
        ),
        (tr("已采取的措施", "Measures taken"), facts.measures),
        (tr("原因分析", "Cause"), facts.cause),
    ]
    if info.attributed_recipient:
        parts.append(
            (
                tr("泄露来源追踪", "Attribution"),
                tr(
                    f"样本来自交付给「{info.attributed_recipient}」的数据包 "
                    f"{info.attributed_package}",
                    f"the sample came from the package {info.attributed_package} "
                    f"given to {info.attributed_recipient}",
                ),
            )
        )
    return parts


def _clock_state(d: Deadline) -> str:
    if d.done_at:
        return tr(f"已于 {stamp(d.done_at)} 完成", f"done {stamp(d.done_at)}")
    due = stamp(d.due.isoformat())
    return tr(f"截止 {due}", f"due {due}")


_NUMERALS = "一二三四五六七八九十"


def _basis() -> tuple[str, ...]:
    return ("PIPL-57", "INC-4", "INC-8")


def regulator_report(info: IncidentInfo, facts: NoticeFacts) -> str:
    """A draft of the report to the regulator as text: the unit and system, discovery time, type
    and grade, the impact, the measures taken, the cause, the attribution if any, and the clocks
    (INC-7). :func:`regulator_report_model` is the same report for the renderers (PDF, …)."""
    parts = _regulator_parts(info, facts)
    lines = [
        tr("网络安全（个人信息）事件报告（草稿）", "Incident report to the regulator (draft)"),
        "",
    ]
    for n, (heading, text) in enumerate(parts, start=1):
        lines.append(tr(f"{_NUMERALS[n - 1]}、{heading}：{text}", f"{n}. {heading}: {text}"))
    lines.append(tr(f"{_NUMERALS[len(parts)]}、时限：", f"{len(parts) + 1}. Deadlines:"))
    lines.extend(f"  - {d.title}: {_clock_state(d)}" for d in deadlines(info))
    labels = [rules()[r].label() for r in _basis()]
    lines += ["", tr(f"依据：{'、'.join(labels)}", f"Under {', '.join(labels)}")]
    return "\n".join(lines)


def regulator_report_model(info: IncidentInfo, facts: NoticeFacts) -> Report:
    """The regulator report as a :class:`Report` (rendered as PDF, HTML, XLSX or JSON by
    ``comply.reports.render``): the same parts as :func:`regulator_report`, the clocks as a
    table, the rules cited, a line for the responsible person to sign."""
    clocks = Table(
        columns=(tr("时限", "Deadline"), tr("依据", "Rule"), tr("状态", "State")),
        rows=tuple((d.title, d.rule, _clock_state(d)) for d in deadlines(info)),
        cite_columns=(1,),
        tones=tuple(
            Tone.GOOD if d.done_at else (Tone.BAD if d.overdue else Tone.NEUTRAL)
            for d in deadlines(info)
        ),
    )
    sections = [Section(heading, (text,)) for heading, text in _regulator_parts(info, facts)]
    sections.append(
        Section(
            tr("时限", "Deadlines"),
            tables=(clocks,),
            citations=tuple(Citation.of(rules()[r]) for r in _basis()),
        )
    )
    return Report(
        kind="incident-report",
        title=tr(
            "网络安全（个人信息）事件报告（草稿）", "Incident report to the regulator (draft)"
        ),
        subject=f"{facts.company} · {info.title}",
        generated_at=stamp(),
        lang=current_language(),
        sections=tuple(sections),
        summary=(
            Figure(tr("级别", "Grade"), info.grade.label),
            Figure(tr("涉及个人", "Individuals"), f"{info.individuals:,}"),
            Figure(tr("敏感个人信息", "With sensitive PI"), f"{info.sensitive_individuals:,}"),
        ),
        signatures=(Signature(tr("个人信息保护负责人", "PI protection officer")),),
    )
