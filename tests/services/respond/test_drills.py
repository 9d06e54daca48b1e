from __future__ import annotations

import datetime as _dt

import pytest

from baomi import clock
from baomi.errors import InputError, PermissionDeniedError
from baomi.services.permissions import Actor, Role
from baomi.services.respond import drills
from baomi.services.vault import Vault

OP = Actor("op", Role.OPERATOR)
T0 = _dt.datetime(2026, 3, 1, 9, 0, tzinfo=_dt.UTC)


def _run(vault: Vault, end: _dt.datetime) -> drills.DrillInfo:
    d = drills.schedule(
        vault,
        actor=OP,
        scenario="外包商泄露客户名单",
        scheduled_for=T0.isoformat(),
        participants="技术部、法务部",
        targets={"isolate": 30, "notify": 60},
    )
    at = lambda m: (T0 + _dt.timedelta(minutes=m)).isoformat()  # noqa: E731
    drills.time_step(vault, actor=OP, drill_id=d.id, step="isolate", event="start", at=at(0))
    drills.time_step(vault, actor=OP, drill_id=d.id, step="isolate", event="end", at=at(30))
    drills.time_step(vault, actor=OP, drill_id=d.id, step="notify", event="start", at=at(30))
    drills.time_step(vault, actor=OP, drill_id=d.id, step="notify", event="end", at=at(91))
    return drills.finish(
        vault, actor=OP, drill_id=d.id, findings="通知模板缺联系人", at=end.isoformat()
    )


def test_steps_over_their_target_are_gaps_at_the_target_they_are_not(vault: Vault) -> None:
    d = _run(vault, T0 + _dt.timedelta(hours=2))
    by = {s.step: s for s in d.steps}
    assert by["isolate"].minutes == 30 and not by["isolate"].gap  # exactly on target
    assert by["notify"].minutes == 61 and by["notify"].gap
    assert [g.step for g in d.gaps] == ["notify"]


def test_a_drill_is_due_a_year_after_the_last_one(vault: Vault) -> None:
    never = drills.status(vault, actor=OP, at=T0)
    assert never.overdue and never.last_completed is None  # nothing scheduled, nothing done
    end = T0 + _dt.timedelta(hours=2)
    _run(vault, end)
    due = end + _dt.timedelta(days=365)
    assert not drills.status(vault, actor=OP, at=due).overdue
    assert drills.status(vault, actor=OP, at=due + _dt.timedelta(seconds=1)).overdue
    assert "S35-10.1" in drills.status(vault, actor=OP, at=T0).rule


def test_actions_have_owners_and_stand_out_when_overdue(vault: Vault) -> None:
    d = _run(vault, T0 + _dt.timedelta(hours=2))
    yesterday = (clock.today() - _dt.timedelta(days=1)).isoformat()  # China's dates
    today = clock.today().isoformat()
    d = drills.add_action(
        vault, actor=OP, drill_id=d.id, text="补充联系人", owner="legal", due=today
    )
    d = drills.add_action(
        vault, actor=OP, drill_id=d.id, text="改模板", owner="technology", due=yesterday
    )
    overdue = {a.text: a.overdue for a in d.actions}
    assert overdue == {"补充联系人": False, "改模板": True}
    with pytest.raises(InputError):
        drills.add_action(vault, actor=OP, drill_id=d.id, text="x", owner="nobody", due=today)
    late = next(a for a in d.actions if a.overdue)
    drills.complete_action(vault, actor=OP, action_id=late.id)
    assert not any(a.overdue for a in drills.drills(vault, actor=OP)[0].actions)


def test_bad_timings_and_roles_are_refused(vault: Vault) -> None:
    d = drills.schedule(vault, actor=OP, scenario="s", scheduled_for="2026-03-01")
    with pytest.raises(InputError):
        drills.time_step(vault, actor=OP, drill_id=d.id, step="isolate", event="end")
    with pytest.raises(InputError):
        drills.finish(vault, actor=OP, drill_id=d.id)
    with pytest.raises(PermissionDeniedError):
        drills.schedule(
            vault, actor=Actor("b", Role.BUYER), scenario="s", scheduled_for="2026-03-01"
        )
    with pytest.raises(PermissionDeniedError):
        drills.time_step(
            vault, actor=Actor("a", Role.AUDITOR), drill_id=d.id, step="isolate", event="start"
        )


def test_an_unknown_step_is_an_input_error(vault: Vault) -> None:
    """A step name comes from a form or a request: one the plan lacks is the user's error
    (400), not a broken configuration (500)."""
    d = drills.schedule(
        vault,
        actor=OP,
        scenario="外包商泄露客户名单",
        scheduled_for=T0.isoformat(),
        participants="技术部",
        targets={"isolate": 30},
    )
    with pytest.raises(InputError):
        drills.time_step(vault, actor=OP, drill_id=d.id, step="nope", event="start")


def test_a_timed_step_and_a_finished_drill_are_not_rewritten(vault: Vault) -> None:
    """Starting a step again after its end gave it a negative duration (an overrun no longer
    flagged), and finishing again moved the end and wiped the findings."""
    info = _run(vault, T0 + _dt.timedelta(minutes=120))
    with pytest.raises(InputError):
        drills.finish(vault, actor=OP, drill_id=info.id)
    d = drills.schedule(
        vault,
        actor=OP,
        scenario="外包商泄露客户名单",
        scheduled_for=T0.isoformat(),
        participants="技术部",
        targets={"isolate": 30},
    )
    at = lambda m: (T0 + _dt.timedelta(minutes=m)).isoformat()  # noqa: E731
    drills.time_step(vault, actor=OP, drill_id=d.id, step="isolate", event="start", at=at(0))
    drills.time_step(vault, actor=OP, drill_id=d.id, step="isolate", event="end", at=at(45))
    with pytest.raises(InputError):
        drills.time_step(vault, actor=OP, drill_id=d.id, step="isolate", event="start", at=at(50))


def test_an_action_is_overdue_from_the_day_after_its_date_in_china(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 01:00 in Beijing (17:00 UTC the day before) an action due yesterday in China was not
    shown overdue: its date was compared with the UTC date."""
    d = _run(vault, T0 + _dt.timedelta(hours=2))
    d = drills.add_action(
        vault, actor=OP, drill_id=d.id, text="补充联系人", owner="legal", due="2026-12-07"
    )
    d = drills.add_action(
        vault, actor=OP, drill_id=d.id, text="改模板", owner="technology", due="2026-12-06"
    )
    moment = _dt.datetime(2026, 12, 6, 17, 0, tzinfo=_dt.UTC)  # 2026-12-07 01:00 in China
    monkeypatch.setattr(clock, "now", lambda: moment)
    (info,) = drills.drills(vault, actor=OP)
    assert {a.text: a.overdue for a in info.actions} == {"补充联系人": False, "改模板": True}
