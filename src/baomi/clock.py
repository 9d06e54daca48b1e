"""China Standard Time, where the customers, the regulators and the deadlines are.

Times are stored in UTC (ISO 8601 with ``+00:00``); what a person types without an offset is a
time in China (UTC+8, no daylight saving), today's date is China's, and what a person reads is
shown in China time with its zone named."""

from __future__ import annotations

import datetime as _dt

#: UTC+8 all year.
CHINA_TIME = _dt.timezone(_dt.timedelta(hours=8), "CST")


def now() -> _dt.datetime:
    """This moment (a function of its own, so that tests can move it)."""
    return _dt.datetime.now(_dt.UTC)


def today() -> _dt.date:
    """Today's date in China (at 01:00 in Beijing it is already tomorrow in China, not in UTC)."""
    return now().astimezone(CHINA_TIME).date()


def aware(when: _dt.datetime) -> _dt.datetime:
    """``when`` with a zone: a time typed without an offset is a time in China."""
    return when if when.tzinfo is not None else when.replace(tzinfo=CHINA_TIME)


def shown(timestamp: str | _dt.datetime | None) -> str:
    """A stored time as a person reads it: ``2026-12-06 01:00`` in China time (the caller or
    the page names the zone once); ``""`` for none. A time without a zone was stored as UTC."""
    if not timestamp:
        return ""
    when = _dt.datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return when.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def zoned(timestamp: str | _dt.datetime | None) -> str:
    """A stored time for a text that leaves the system (a report, a notice, a document's mark):
    ``2026-12-06 01:30 UTC+8``, the zone named; ``""`` for none."""
    return f"{shown(timestamp)} UTC+8" if timestamp else ""


def day(timestamp: str | _dt.datetime | None) -> str:
    """A stored time's date in China: ``2026-12-06`` for ``2026-12-05T17:30:00+00:00`` (its
    first ten characters are the UTC date, a day early from midnight to 08:00 in Beijing). A
    date alone (``2026-12-06``, as a person types it) is China's already; ``""`` for none."""
    if not timestamp:
        return ""
    if isinstance(timestamp, str) and len(timestamp) == 10:
        return timestamp
    return shown(timestamp)[:10]


def minutes(value: float | None) -> str:
    """A duration in minutes as a person reads it: under a minute in seconds (``36 秒`` /
    ``36 s``), else ``12.5 分钟`` / ``12.5 min`` (one decimal, none when whole); ``-`` for
    none."""
    from baomi.i18n import tr

    if value is None:
        return "-"
    if value < 1:
        seconds = round(value * 60)
        return tr(f"{seconds} 秒", f"{seconds} s")
    shown = f"{value:.1f}".removesuffix(".0")
    return tr(f"{shown} 分钟", f"{shown} min")
