"""Times as China reads them: today's date, a time typed without an offset, what is shown."""

from __future__ import annotations

import datetime as _dt

import pytest

from baomi import clock

#: 17:30 UTC on 5 December is 01:30 on 6 December in Beijing.
LATE = _dt.datetime(2026, 12, 5, 17, 30, tzinfo=_dt.UTC)


@pytest.fixture
def late(monkeypatch: pytest.MonkeyPatch) -> _dt.datetime:
    monkeypatch.setattr(clock, "now", lambda: LATE)
    return LATE


def test_today_is_chinas_date(late: _dt.datetime) -> None:
    assert clock.today() == _dt.date(2026, 12, 6)


def test_a_time_typed_without_offset_is_china_time() -> None:
    typed = _dt.datetime.fromisoformat("2026-12-06T01:00")
    assert clock.aware(typed) == _dt.datetime(2026, 12, 5, 17, 0, tzinfo=_dt.UTC)


def test_a_stored_time_is_shown_in_china_time() -> None:
    assert clock.shown("2026-12-05T17:00:00+00:00") == "2026-12-06 01:00"
    assert clock.shown("2026-12-05T17:00:00") == "2026-12-06 01:00"  # stored naive: UTC
    assert clock.shown(None) == ""


def test_an_incident_typed_at_1_am_in_beijing_is_not_in_the_future(late: _dt.datetime) -> None:
    """`--discovered 2026-12-06T01:00` at 01:15 in Beijing was read as UTC, 8 hours ahead,
    and refused as a time in the future."""
    from baomi.services.respond import incidents

    stored = incidents._timestamp("2026-12-06T01:00")
    assert _dt.datetime.fromisoformat(stored) == LATE - _dt.timedelta(minutes=30)


def test_a_stored_time_has_chinas_date() -> None:
    """Pages and reports cut stored UTC times to their first ten characters: a record made at
    01:30 in Beijing showed the day before."""
    assert clock.day("2026-12-05T17:30:00+00:00") == "2026-12-06"
    assert clock.day("2026-12-05T15:59:00+00:00") == "2026-12-05"
    assert clock.day("2026-12-05T17:30:00") == "2026-12-06"  # stored naive: UTC
    assert clock.day("2026-12-06") == "2026-12-06"  # a date a person typed is China's already
    assert clock.day(None) == "" and clock.day("") == ""


def test_a_time_for_a_text_that_leaves_the_system_names_its_zone() -> None:
    assert clock.zoned("2026-12-05T17:30:00+00:00") == "2026-12-06 01:30 UTC+8"
    assert clock.zoned(None) == ""


def test_a_duration_reads_in_minutes_or_seconds() -> None:
    """The drills page showed a step's time as "0.0" or "0.01" (minutes)."""
    assert clock.minutes(0.01) == "1 秒" and clock.minutes(0.6) == "36 秒"
    assert clock.minutes(1.0) == "1 分钟" and clock.minutes(12.54) == "12.5 分钟"
    assert clock.minutes(None) == "-"
