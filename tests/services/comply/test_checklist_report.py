from __future__ import annotations

import datetime as _dt

from baomi.services import deals
from baomi.services.comply import checklist as cl
from baomi.services.comply import vendors as vd
from baomi.services.comply.reports.checklist import (
    checklist_report,
    trend_chart,
    vendors_report,
)
from baomi.services.comply.reports.model import ChartKind, Tone
from baomi.services.dataroom import rooms
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault

OPERATOR = Actor("op", Role.OPERATOR)


def _room(vault: Vault) -> None:
    deals.create(vault, actor=OPERATOR, name="d1")
    rooms.open_room(
        vault,
        actor=Actor("sys", Role.ADMIN),
        deal_ref="d1",
        target_name="示例",
        target_uscc=DEMO_USCC,
    )


def test_the_report_has_scores_a_line_chart_areas_with_tones_and_citations(vault: Vault) -> None:
    _room(vault)
    cl.set_item(vault, actor=OPERATOR, deal_ref="d1", item="policy.rules", status=cl.Status.DONE)
    cl.set_item(
        vault, actor=OPERATOR, deal_ref="d1", item="staff.training", due=_dt.date(2026, 1, 1)
    )
    vd.save_vendor(vault, actor=OPERATOR, deal_ref="d1", data=vd.VendorInput("甲", vd.Kind.OTHER))
    report = checklist_report(vault, actor=OPERATOR, deal_ref="d1")
    assert report.kind == "checklist" and DEMO_USCC in report.subject
    score, *areas, register = report.sections
    (chart,) = score.charts
    assert chart.kind is ChartKind.LINE and chart.labels and chart.values[-1] > 0
    assert len(areas) == 6 and len(score.figures) == 6
    policy = areas[0]
    assert Tone.GOOD in policy.tables[0].tones
    assert any(c.rule_id == "PIPL-51" for c in policy.citations)
    staff = areas[3]
    assert Tone.BAD in staff.tables[0].tones  # overdue stands out
    assert any(c.rule_id == "S35-11.6" for c in staff.citations)
    assert register.tables[0].rows[0][0] == "甲"
    assert report.summary[1].value == "1"  # one overdue item
    assert not report.unconfirmed
    assert [s.role for s in report.signatures] == ["个人信息保护负责人", "内部审计负责人"]


def test_the_trend_chart_keeps_each_day_s_last_score() -> None:
    points = [
        cl.TrendPoint(1, "2026-12-01T01:00:00+00:00", 0.0),
        cl.TrendPoint(2, "2026-12-01T02:00:00+00:00", 0.25),
        cl.TrendPoint(3, "2026-12-02T02:00:00+00:00", None),
        cl.TrendPoint(4, "2026-12-03T02:00:00+00:00", 0.5),
    ]
    chart = trend_chart(points)
    assert chart.labels == ("2026-12-01", "2026-12-03")
    assert chart.values == (25.0, 50.0)


def test_the_vendors_report_on_its_own(vault: Vault) -> None:
    _room(vault)
    vd.save_vendor(vault, actor=OPERATOR, deal_ref="d1", data=vd.VendorInput("乙", vd.Kind.ADVISER))
    report = vendors_report(vault, actor=OPERATOR, uscc=DEMO_USCC)
    assert report.kind == "vendors" and report.sections[0].tables[0].rows[0][0] == "乙"
    assert {c.rule_id for c in report.sections[0].citations} == {"PIPL-21", "PIPL-59", "NDS-12"}
