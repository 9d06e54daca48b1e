"""The company's protection status at a glance: open incidents, requests due, training
completion, checklist scores, open audit findings and the next reviews — one tile each — with
every department's overdue items from the calendar.

A tile comes from the area that owns the figure. The areas already in baomi are read here;
each governance area adds a ``"module:function"`` returning ``list[Tile]`` to :data:`TILES`.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module

from baomi import clock
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply import checklist
from baomi.services.comply.reports.model import Tone
from baomi.services.govern import calendar
from baomi.services.govern.calendar import DueItem, State
from baomi.services.permissions import Action, Actor
from baomi.services.respond import incidents, requests
from baomi.services.vault import Vault


@dataclass(frozen=True)
class Tile:
    """One figure: what it counts, its value for people, how it should stand out, where to act."""

    key: str
    label: str
    value: str
    tone: Tone = Tone.NEUTRAL
    link: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Dashboard:
    today: _dt.date
    tiles: tuple[Tile, ...]
    #: the calendar's overdue items, oldest first
    overdue: tuple[DueItem, ...]
    #: the next items not yet overdue
    upcoming: tuple[DueItem, ...]
    #: department code (or "" for items without one) → overdue items
    overdue_by_department: dict[str, int]


#: The governance areas' tiles, ``"module:function"`` with ``(vault, today) -> list[Tile]``.
TILES: tuple[str, ...] = (
    "baomi.services.govern.training:tiles",
    "baomi.services.govern.audits:tiles",
    "baomi.services.govern.policies:tiles",
    "baomi.services.govern.surveys:tiles",
)

#: how many upcoming items the dashboard lists
UPCOMING = 8
#: a checklist score at or above GOOD shows green, at or above FAIR amber, below red
GOOD, FAIR = 0.8, 0.5


def _core_tiles(vault: Vault) -> list[Tile]:
    n_incidents = incidents.open_count(vault)
    waiting, late = requests.open_counts(vault)
    tiles = [
        Tile(
            "incidents_open",
            tr("未关闭的安全事件", "Open incidents"),
            str(n_incidents),
            Tone.BAD if n_incidents else Tone.GOOD,
        ),
        Tile(
            "requests_due",
            tr("待答复的个人请求", "Requests awaiting an answer"),
            str(waiting),
            Tone.BAD if late else (Tone.WARN if waiting else Tone.GOOD),
            "/requests",
            tr(f"其中 {late} 件已逾期", f"{late} overdue") if waiting else "",
        ),
    ]
    for uscc, score in checklist.scores(vault).items():
        value = "—" if score.overall is None else f"{score.overall:.0%}"
        tone = Tone.NEUTRAL
        if score.overall is not None:
            tone = (
                Tone.GOOD
                if score.overall >= 0.8
                else (Tone.WARN if score.overall >= 0.5 else Tone.BAD)
            )
        tiles.append(
            Tile(
                f"checklist:{uscc}",
                tr("合规清单得分", "Checklist score"),
                value,
                tone,
                note=tr(f"统一社会信用代码 {uscc}", f"USCC {uscc}"),
            )
        )
    return tiles


def _area_tiles(vault: Vault, today: _dt.date, specs: Iterable[str]) -> list[Tile]:
    out: list[Tile] = []
    for spec in specs:
        module, _, name = spec.partition(":")
        out.extend(getattr(import_module(module), name)(vault, today))
    return out


def build(
    vault: Vault,
    today: _dt.date,
    *,
    tiles: Iterable[str] = TILES,
    sources: Iterable[str] = calendar.SOURCES,
) -> Dashboard:
    """The dashboard (no permission check: :func:`dashboard` checks)."""
    items = calendar.collect(vault, today, sources)
    late = tuple(i for i in items if i.state(today) is State.OVERDUE)
    upcoming = tuple(i for i in items if i.state(today) in (State.SOON, State.PLANNED))
    return Dashboard(
        today=today,
        tiles=(*_core_tiles(vault), *_area_tiles(vault, today, tiles)),
        overdue=late,
        upcoming=upcoming[:UPCOMING],
        overdue_by_department=dict(Counter(i.department or "" for i in late)),
    )


def dashboard(vault: Vault, *, actor: Actor, today: _dt.date | None = None) -> Dashboard:
    """The company's dashboard, for those who may see governance (``govern.view``)."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:dashboard")
    return build(vault, today or clock.today())
