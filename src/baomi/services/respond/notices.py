"""The texts an incident calls for: the notice to individuals (PIPL-57's three contents, by the
channels NDS-11 lists) and the draft report to the regulator (INC-7's contents).

The texts are drafts a person reviews and sends; they are built from the register's figures and
what the responder enters (cause, harm, measures, contact), never from customer records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from baomi.i18n import tr
from baomi.services.comply.rulebook import rules
from baomi.services.respond.incidents import IncidentInfo, deadlines


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
            f"一、事件情况：{facts.company}于 {info.discovered_at[:16].replace('T', ' ')} "
            f"发现一起个人信息安全事件，涉及的个人信息种类为{facts.categories}；"
            f"原因：{facts.cause}；可能造成的危害：{facts.harm}。",
            f"1. What happened: on {info.discovered_at[:16].replace('T', ' ')} {facts.company} "
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


def regulator_report(info: IncidentInfo, facts: NoticeFacts) -> str:
    """A draft of the report to the regulator: the unit and system, discovery time, type and
    grade, the impact, the measures taken, the cause and next steps (INC-7), with the clocks."""
    clocks = "\n".join(
        f"  - {d.title}: "
        + (
            tr(f"已于 {d.done_at} 完成", f"done {d.done_at}")
            if d.done_at
            else tr(f"截止 {d.due.isoformat()}", f"due {d.due.isoformat()}")
        )
        for d in deadlines(info)
    )
    lines = [
        tr("网络安全（个人信息）事件报告（草稿）", "Incident report to the regulator (draft)"),
        "",
        tr(
            f"一、单位：{facts.company}；联系人：{facts.contact}",
            f"1. Unit: {facts.company}; contact: {facts.contact}",
        ),
        tr(
            f"二、发现时间：{info.discovered_at}；事件类型：个人信息泄露；级别：{info.grade.label}"
            f"（{rules()['INC-G3'].label()} 等）",
            f"2. Discovered: {info.discovered_at}; type: personal information leak; grade: "
            f"{info.grade.label} ({rules()['INC-G3'].label()} etc.)",
        ),
        tr(
            f"三、影响：涉及个人 {info.individuals:,} 人，其中敏感个人信息 "
            f"{info.sensitive_individuals:,} 人；信息种类：{facts.categories}；可能危害：{facts.harm}",
            f"3. Impact: {info.individuals:,} individuals, {info.sensitive_individuals:,} with "
            f"sensitive PI; categories: {facts.categories}; possible harm: {facts.harm}",
        ),
        tr(f"四、已采取的措施：{facts.measures}", f"4. Measures taken: {facts.measures}"),
        tr(f"五、原因分析：{facts.cause}", f"5. Cause: {facts.cause}"),
        tr("六、时限：", "6. Deadlines:"),
        clocks,
        "",
        tr(
            f"依据：{rules()['PIPL-57'].label()}、{rules()['INC-4'].label()}、"
            f"{rules()['INC-8'].label()}",
            f"Under {rules()['PIPL-57'].label()}, {rules()['INC-4'].label()}, "
            f"{rules()['INC-8'].label()}",
        ),
    ]
    if info.attributed_recipient:
        lines.insert(
            -2,
            tr(
                f"七、泄露来源追踪：样本来自交付给「{info.attributed_recipient}」的数据包 "
                f"{info.attributed_package}",
                f"7. Attribution: the sample came from the package {info.attributed_package} "
                f"given to {info.attributed_recipient}",
            ),
        )
    return "\n".join(lines)
