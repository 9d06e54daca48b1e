"""The campaign as a report view model (:class:`~baomi.services.comply.reports.model.Report`):
what the renderers turn into HTML, PDF or XLSX. Counts only, no personal value."""

from __future__ import annotations

from baomi.i18n import current_language, tr
from baomi.services.comply.notices.records import Status
from baomi.services.comply.notices.status import Campaign
from baomi.services.comply.reports.model import Figure, Report, Section, Table, Tone, stamp

_STATUSES = ("pending", *(s.value for s in Status if s not in (Status.REFUSED, Status.CONSENTED)))


def campaign_report(c: Campaign, subject: str) -> Report:
    """The notices of deal ``subject``: how many reached per channel, consents vs required."""
    risky = c.consent_pending + c.refused
    summary = (
        Figure(tr("通知数", "notices"), str(c.notices)),
        Figure(tr("未确认送达", "not confirmed reached"), str(c.unreached),
               Tone.WARN if c.unreached else Tone.GOOD),
        Figure(tr("需单独同意", "consent required"), str(c.consent_required)),
        Figure(tr("已同意", "consented"), str(c.consented), Tone.GOOD),
        Figure(
            tr("未同意（不得提供）", "without consent (may not be provided)"),
            str(risky),
            Tone.BAD if risky else Tone.GOOD,
            tr("个人信息保护法第二十三条", "PIPL Art. 23") if risky else "",
        ),
    )  # fmt: skip
    channels = Table(
        (tr("渠道", "channel"), *_STATUSES),
        tuple(
            (channel, *(str(counts.get(s, 0)) for s in _STATUSES))
            for channel, counts in c.channels.items()
        ),
        title=tr("各渠道状态", "status per channel"),
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
        paragraphs=paragraphs,
        figures=summary,
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
