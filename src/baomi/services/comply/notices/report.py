"""The campaign as a report view model (:class:`~baomi.services.comply.reports.model.Report`):
what the renderers turn into HTML, PDF or XLSX. Counts only, no personal value."""

from __future__ import annotations

from baomi.i18n import current_language, tr
from baomi.services.comply.notices.records import Status
from baomi.services.comply.notices.status import Campaign
from baomi.services.comply.reports.model import Figure, Report, Section, Table, Tone, stamp

_STATUSES = ("pending", *(s.value for s in Status if s not in (Status.REFUSED, Status.CONSENTED)))
#: the per-channel table's columns (Chinese, English)
_STATUS_LABELS = {
    "pending": ("未回执", "No status yet"),
    Status.SENT.value: ("已发送", "Sent"),
    Status.DELIVERED.value: ("已送达", "Delivered"),
    Status.BOUNCED.value: ("退回", "Bounced"),
}


def campaign_report(c: Campaign, subject: str) -> Report:
    """The notices of deal ``subject``: how many reached per channel, consents vs required.
    The figures are the report's summary (said once); with no notice yet none is green or red,
    since nothing has been sent that could have reached anyone."""
    risky = c.consent_pending + c.refused

    def tone(bad: bool, worse: Tone = Tone.WARN) -> Tone:
        return Tone.NEUTRAL if not c.notices else worse if bad else Tone.GOOD

    summary = (
        Figure(tr("通知数", "Notices"), str(c.notices)),
        Figure(tr("未确认送达", "Not confirmed reached"), str(c.unreached), tone(c.unreached > 0)),
        Figure(tr("需单独同意", "Consent required"), str(c.consent_required)),
        Figure(
            tr("已同意", "Consented"),
            str(c.consented),
            Tone.GOOD if c.consented else Tone.NEUTRAL,
        ),
        Figure(
            tr("未同意（不得提供）", "Without consent (may not be provided)"),
            str(risky),
            tone(risky > 0, Tone.BAD),
            tr("个人信息保护法第二十三条", "PIPL Art. 23") if risky else "",
        ),
    )
    channels = Table(
        (tr("渠道", "Channel"), *(tr(*_STATUS_LABELS[s]) for s in _STATUSES)),
        tuple(
            (channel, *(str(counts.get(s, 0)) for s in _STATUSES))
            for channel, counts in c.channels.items()
        ),
        title=tr("各渠道状态", "Status per channel"),
    )
    paragraphs: tuple[str, ...] = ()
    if risky:
        paragraphs = (
            tr(
                f"{risky} 名客户未同意：其个人信息不得提供给接收方；拒绝后 {c.reask_wait_hours} "
                "小时内不得再次征求同意。",
                f"{risky} customers have not consented: their personal information may not be "
                f"provided to the recipient; do not ask again within {c.reask_wait_hours} hours "
                "of a refusal.",
            ),
        )
    section = Section(
        tr("客户通知", "Customer notices"),
        paragraphs=paragraphs,  # its figures are the summary's, not said twice
        tables=(channels,),
        citations=c.citations,
    )
    return Report(
        kind="notices",
        title=tr("客户通知与单独同意", "Customer notices and separate consent"),
        subject=subject,
        generated_at=stamp(),
        lang=current_language(),
        sections=(section,),
        summary=summary,
    )
