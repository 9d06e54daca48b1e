"""The calendar's sources for what other modules keep: drills, incident clocks, requests due,
contract ends, PIA retention and the re-assessment after an incident — all on one calendar,
with no personal data in a title."""

from __future__ import annotations

import datetime as _dt

from baomi import clock
from baomi.services import deals
from baomi.services.govern import calendar, sources
from baomi.services.permissions import Actor, Role
from baomi.services.respond import drills, incidents, requests
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Assessment, Vendor

OP = Actor("op", Role.OPERATOR)
TODAY = _dt.date(2026, 6, 15)


def _kinds(vault: Vault, fn: str) -> list[calendar.DueItem]:
    return calendar.collect(vault, TODAY, [f"baomi.services.govern.sources:{fn}"])


def test_the_source_lines_are_on_the_calendar() -> None:
    for fn in ("drills", "incidents", "requests", "vendors", "pias"):
        assert f"baomi.services.govern.sources:{fn}" in calendar.SOURCES


def test_drills_next_and_actions(vault: Vault) -> None:
    assert _kinds(vault, "drills") == []
    d = drills.schedule(vault, actor=OP, scenario="勒索软件", scheduled_for="2026-05-01")
    drills.add_action(
        vault, actor=OP, drill_id=d.id, text="更新预案", owner="legal", due="2026-06-20"
    )
    items = {i.kind: i for i in _kinds(vault, "drills")}
    assert items["drill"].due == _dt.date(2026, 5, 1) and items["drill"].rule == "S35-10.1"
    assert items["drill"].state(TODAY) is calendar.State.OVERDUE
    assert items["drill-action"].department == "legal"
    assert items["drill-action"].state(TODAY) is calendar.State.SOON


def test_requests_and_incidents_carry_no_personal_data(vault: Vault) -> None:
    contact = "13812345678"  # generated
    info = requests.receive(
        vault,
        actor=OP,
        kind=requests.Kind.ACCESS,
        contact=contact,
        received_at="2026-06-01T08:00:00+00:00",
    )
    (item,) = _kinds(vault, "requests")
    assert item.ref == info.reference and contact not in item.title
    assert item.due == _dt.date.fromisoformat(info.due_at[:10]) and item.department == "legal"
    incidents.report(
        vault,
        actor=OP,
        title="客户张三的名单外泄",
        discovered_at="2026-06-14T08:00:00+00:00",
        individuals=100,
    )
    found = _kinds(vault, "incidents")
    assert found and all("张三" not in i.title for i in found)
    assert {i.kind for i in found} == {"incident"}
    assert any(i.state(TODAY) is calendar.State.OVERDUE for i in found)  # "immediately" clocks


def test_vendor_contract_end_and_pia_items(vault: Vault) -> None:
    deal = deals.create(vault, actor=OP, name="转让-001")
    with vault.transaction() as session:
        session.add(
            Vendor(
                id=new_id(), uscc="91350100M000100Y43", name="云服务商", kind="processor",
                contract_end="2026-06-30", created_at=now(), updated_at=now(), updated_by="op",
                deal_id=deal.id,
            )
        )  # fmt: skip
        session.add(
            Assessment(
                id=new_id(), deal_id=deal.id, kind="pia", version=1, state="completed",
                created_at="2026-01-10T00:00:00+00:00", created_by="op",
                completed_at="2026-01-10T00:00:00+00:00", completed_by="op",
            )
        )  # fmt: skip
    (vendor,) = _kinds(vault, "vendors")
    assert vendor.department == "external" and vendor.state(TODAY) is calendar.State.PLANNED
    assert vendor.link == "/rooms/转让-001/comply/vendors"
    (retention,) = _kinds(vault, "pias")
    assert retention.due == _dt.date(2029, 1, 10)  # PIPL-56: three years
    incidents.report(
        vault, actor=OP, title="泄露", discovered_at="2026-06-01T00:00:00+00:00", deal_ref="转让-001",
        individuals=10,
    )  # fmt: skip
    reassess = next(i for i in _kinds(vault, "pias") if i.ref.endswith(":reassess"))
    days = int(sources.config()["pia_reassess_days"])
    assert reassess.due == _dt.date(2026, 6, 1) + _dt.timedelta(days=days)
    assert reassess.rule == "S35-11.4"


def test_a_time_after_16_00_utc_is_due_on_chinas_next_day(vault: Vault) -> None:
    """The calendar's dates are China's: an incident discovered at 20:00 UTC (04:00 the next
    morning in Beijing), a request received then, a drill that ended then were put on the UTC
    date — a day early, so a deadline looked one day later than it is."""
    evening = "2026-06-14T20:00:00+00:00"  # 2026-06-15 04:00 in China
    incidents.report(vault, actor=OP, title="泄露", discovered_at=evening, individuals=10)
    immediate = [i for i in _kinds(vault, "incidents") if i.due == _dt.date(2026, 6, 15)]
    assert immediate, "an 'immediately' clock is due on the day of discovery, in China"
    assert not [i for i in _kinds(vault, "incidents") if i.due == _dt.date(2026, 6, 14)]
    info = requests.receive(
        vault, actor=OP, kind=requests.Kind.ACCESS, contact="13812345678", received_at=evening
    )
    (item,) = _kinds(vault, "requests")
    assert item.due == _dt.date.fromisoformat(clock.day(info.due_at))
    assert item.due != _dt.date.fromisoformat(info.due_at[:10])  # the UTC date is a day early
    d = drills.schedule(vault, actor=OP, scenario="勒索软件", scheduled_for="2026-05-01")
    start = "2026-06-14T19:00:00+00:00"
    drills.time_step(vault, actor=OP, drill_id=d.id, step="isolate", event="start", at=start)
    drills.finish(vault, actor=OP, drill_id=d.id, findings="无", at=evening)
    (drill,) = [i for i in _kinds(vault, "drills") if i.kind == "drill"]
    assert drill.due == _dt.date(2026, 6, 15) + _dt.timedelta(days=365)
