"""Every report a deal's compliance assessment has, by kind: one place that builds a
:class:`~baomi.services.comply.reports.model.Report` for a deal, so the command line
(``baomi assess report KIND DEAL``) and the data room (``…/comply/reports/KIND``) offer the same
reports in HTML, PDF and XLSX. Each builder authorizes the actor itself (``comply.view``)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from baomi.i18n import tr
from baomi.services.comply import crossborder, crossborder_report, overview, pia, risk
from baomi.services.comply.notices import report as notices_report
from baomi.services.comply.notices import status as notices_status
from baomi.services.comply.reports import assessments, checklist, inventory
from baomi.services.comply.reports.model import Report
from baomi.services.permissions import Actor
from baomi.services.vault import Vault


class ReportKind(StrEnum):
    OVERVIEW = "overview"
    INVENTORY = "inventory"
    PIA = "pia"
    RISK = "risk"
    CROSSBORDER = "crossborder"
    CHECKLIST = "checklist"
    VENDORS = "vendors"
    NOTICES = "notices"

    @property
    def label(self) -> str:
        return {
            ReportKind.OVERVIEW: tr("合规概览", "Compliance overview"),
            ReportKind.INVENTORY: tr("个人信息清单", "PI inventory"),
            ReportKind.PIA: tr("个人信息保护影响评估", "PI protection impact assessment"),
            ReportKind.RISK: tr("风险评估（六个方面）", "Risk assessment (six areas)"),
            ReportKind.CROSSBORDER: tr("数据出境评估", "Cross-border assessment"),
            ReportKind.CHECKLIST: tr("合规清单", "Compliance checklist"),
            ReportKind.VENDORS: tr("第三方登记", "Third-party register"),
            ReportKind.NOTICES: tr("客户通知进展", "Customer notices"),
        }[self]


Builder = Callable[[Vault, Actor, str], Report]

BUILDERS: dict[ReportKind, Builder] = {
    ReportKind.OVERVIEW: lambda v, a, d: overview.overview(v, actor=a, deal_ref=d),
    ReportKind.INVENTORY: lambda v, a, d: inventory.deal_inventory_report(v, actor=a, deal_ref=d),
    ReportKind.PIA: lambda v, a, d: assessments.pia_report(pia.show(v, actor=a, deal_ref=d)),
    ReportKind.RISK: lambda v, a, d: assessments.risk_report(
        risk.assessment(v, actor=a, deal_ref=d)
    ),
    ReportKind.CROSSBORDER: lambda v, a, d: crossborder_report.build(
        crossborder.assess(v, actor=a, deal_ref=d)
    ),
    ReportKind.CHECKLIST: lambda v, a, d: checklist.checklist_report(v, actor=a, deal_ref=d),
    ReportKind.VENDORS: lambda v, a, d: checklist.vendors_report(v, actor=a, deal_ref=d),
    ReportKind.NOTICES: lambda v, a, d: notices_report.campaign_report(
        notices_status.campaign(v, actor=a, deal_ref=d), d
    ),
}


def build(vault: Vault, *, actor: Actor, kind: ReportKind, deal_ref: str) -> Report:
    """The deal's report of ``kind`` (the builder checks the actor may read it)."""
    return BUILDERS[kind](vault, actor, deal_ref)
