"""The cross-border assessment's report view model: facts, counts, route, what-if, duties,
citations (unconfirmed ones listed), signatures and retention — and no personal value."""

from __future__ import annotations

from baomi.services import deals
from baomi.services.comply import crossborder, crossborder_report, provisions
from baomi.services.comply.profile import Location
from baomi.services.dataroom import rooms
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.services.comply.test_provisions import USCC_A

OPERATOR = Actor("ops", Role.OPERATOR)


def test_the_report_holds_route_duties_citations_and_retention(vault: Vault) -> None:
    deals.create(vault, actor=OPERATOR, name="d1")
    rooms.open_room(
        vault,
        actor=Actor("a", Role.ADMIN),
        deal_ref="d1",
        target_name="甲",
        target_uscc=USCC_A,
        recipient_region="HK",
    )
    provisions.add_manual(
        vault, actor=OPERATOR, deal_ref="d1", recipient="海外买方", region=Location.HONG_KONG,
        individuals=120_000, sensitive=0, purpose="尽调",
    )  # fmt: skip
    cb = crossborder.assess(vault, actor=OPERATOR, deal_ref="d1", planned=(900_000, 0))
    report = crossborder_report.build(cb)
    assert report.kind == "crossborder" and report.subject == "d1"
    headings = [s.heading for s in report.sections]
    assert len(headings) == 5
    assert report.summary[0].value == cb.route.outcome.label
    assert cb.route.outcome is crossborder.Outcome.STANDARD_CONTRACT
    assert cb.what_if.outcome is crossborder.Outcome.SECURITY_ASSESSMENT
    cited = {c.rule_id for s in report.sections for c in s.citations}
    assert {"XB16-8", "XB16-7", "XB-CNT", "NDS-12", "PIPL-39", "XB16-9"} <= cited
    assert "XB-CNT" in {c.rule_id for c in report.unconfirmed}
    assert "3" in report.retention and len(report.signatures) == 3
    counts = report.sections[1]
    assert counts.tables[0].rows[0][3] == "120,000"
    assert "未去重" in counts.tables[0].rows[0][6] or "not" in counts.tables[0].rows[0][6]
    assert counts.tables[0].rows[0][5] == "手工登记"  # the source in words, not ``manual``


def test_english_headings_and_labels_are_capitalised(vault: Vault) -> None:
    """The cross-border, overview, notices and inventory reports had lower-case English column
    headings and figure labels ("what", "rule", "individuals") beside capitalised ones."""
    from baomi.i18n import set_language
    from baomi.services.comply.reports.model import Figure, Table

    set_language("en")
    deals.create(vault, actor=OPERATOR, name="d2")
    rooms.open_room(
        vault, actor=Actor("a", Role.ADMIN), deal_ref="d2", target_name="甲",
        target_uscc=USCC_A, recipient_region="HK",
    )  # fmt: skip
    report = crossborder_report.build(crossborder.assess(vault, actor=OPERATOR, deal_ref="d2"))
    columns = [c for s in report.sections for t in s.tables for c in t.columns]
    labels = [f.label for f in report.summary] + [
        f.label for s in report.sections for f in s.figures
    ]
    assert columns and labels
    assert all(not c[:1].islower() for c in columns + labels), columns + labels
    assert Table(columns=("依据", "rule"), rows=()).columns == ("依据", "Rule")
    assert Figure("e-mail sent", "3").label == "E-mail sent"
