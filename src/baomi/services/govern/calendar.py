"""One calendar of what is due: every module that has dates (training, audits, policy reviews,
drills, incidents' clocks, data-subject requests, third-party contracts, assessments) lists its
items as :class:`DueItem`; the calendar page, the reminders and the dashboard read them here.

A source is a function ``(vault, today) -> list[DueItem]`` named in :data:`SOURCES` as
``"module:function"`` (imported when the calendar is read, so a module never has to import the
calendar's users). Each area adds its own line.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module

from baomi import clock
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault


class State(StrEnum):
    """Where an item stands on ``today``."""

    DONE = "done"
    OVERDUE = "overdue"
    #: due within :data:`SOON_DAYS`
    SOON = "soon"
    PLANNED = "planned"


#: an item due within this many days counts as "soon" (reminders go out for it)
SOON_DAYS = 14


@dataclass(frozen=True)
class DueItem:
    """Something that has to be done by a date."""

    #: the area: "training", "audit", "review", "drill", "incident", "request", "vendor", ...
    kind: str
    #: the object's id within its area (for links and de-duplication)
    ref: str
    #: what to do, in the reader's language (no personal data)
    title: str
    due: _dt.date
    #: the owning department's code (services/govern/departments.py), if any
    department: str | None = None
    #: the username responsible, if one person is
    owner: str | None = None
    #: the page that handles it
    link: str | None = None
    #: the rule that sets the date (PIPL-RULES.md id), if a law or standard does
    rule: str | None = None
    done: bool = False

    def state(self, today: _dt.date) -> State:
        if self.done:
            return State.DONE
        if self.due < today:
            return State.OVERDUE
        if (self.due - today).days <= SOON_DAYS:
            return State.SOON
        return State.PLANNED

    def days_left(self, today: _dt.date) -> int:
        """Days until due (negative when overdue)."""
        return (self.due - today).days


Source = Callable[[Vault, _dt.date], list[DueItem]]

#: Every source of dated items, ``"module:function"``. One line per area.
SOURCES: tuple[str, ...] = (
    "baomi.services.govern.training:due_items",
    "baomi.services.govern.audits:due_items",
    "baomi.services.govern.surveys:due_items",
    "baomi.services.govern.policies:due_items",
    "baomi.services.govern.sources:drills",
    "baomi.services.govern.sources:incidents",
    "baomi.services.govern.sources:requests",
    "baomi.services.govern.sources:vendors",
    "baomi.services.govern.sources:pias",
)


def _load(spec: str) -> Source:
    module, _, name = spec.partition(":")
    fn: Source = getattr(import_module(module), name)
    return fn


def collect(vault: Vault, today: _dt.date, sources: Iterable[str] = SOURCES) -> list[DueItem]:
    """Every item of every source, by due date (no permission check: for the services that
    build on it — the calendar page, the reminders, the dashboard — which check their own)."""
    items: list[DueItem] = []
    for spec in sources:
        items.extend(_load(spec)(vault, today))
    return sorted(items, key=lambda i: (i.due, i.kind, i.ref))


def calendar(
    vault: Vault,
    *,
    actor: Actor,
    today: _dt.date | None = None,
    department: str | None = None,
    sources: Iterable[str] = SOURCES,
) -> list[DueItem]:
    """The calendar ``actor`` may see, optionally one department's items only."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:calendar")
    day = today or clock.today()
    items = collect(vault, day, sources)
    if department is not None:
        items = [i for i in items if i.department == department]
    return items


def state_label(state: State) -> str:
    return {
        State.DONE: tr("已完成", "done"),
        State.OVERDUE: tr("已逾期", "overdue"),
        State.SOON: tr("即将到期", "due soon"),
        State.PLANNED: tr("已计划", "planned"),
    }[state]
