from __future__ import annotations

import datetime as _dt
import sys
import types

import pytest

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts
from baomi.services.govern import calendar, departments
from baomi.services.govern.calendar import SOON_DAYS, DueItem, State
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault

TODAY = _dt.date(2026, 6, 15)
ADMIN = Actor("admin", Role.ADMIN)


def _item(days: int, *, done: bool = False, dept: str | None = None, ref: str = "x") -> DueItem:
    return DueItem("training", ref, "课程", TODAY + _dt.timedelta(days=days), dept, done=done)


@pytest.mark.parametrize(
    ("days", "state"),
    [
        (-1, State.OVERDUE),
        (0, State.SOON),  # due today is not yet overdue
        (SOON_DAYS, State.SOON),
        (SOON_DAYS + 1, State.PLANNED),
    ],
)
def test_state_at_the_boundaries(days: int, state: State) -> None:
    assert _item(days).state(TODAY) is state
    assert _item(days).days_left(TODAY) == days


def test_a_done_item_is_done_even_when_its_date_passed() -> None:
    assert _item(-30, done=True).state(TODAY) is State.DONE


@pytest.fixture
def two_sources(monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    module = types.ModuleType("baomi_test_sources")
    module.a = lambda vault, today: [_item(5, ref="a1", dept="legal"), _item(-2, ref="a2")]  # type: ignore[attr-defined]
    module.b = lambda vault, today: [_item(1, ref="b1", dept="hr")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "baomi_test_sources", module)
    return ("baomi_test_sources:a", "baomi_test_sources:b")


def test_collect_merges_every_source_by_date(vault: Vault, two_sources: tuple[str, ...]) -> None:
    items = calendar.collect(vault, TODAY, two_sources)
    assert [i.ref for i in items] == ["a2", "b1", "a1"]


def test_calendar_narrows_to_a_department(vault: Vault, two_sources: tuple[str, ...]) -> None:
    items = calendar.calendar(
        vault, actor=ADMIN, today=TODAY, department="legal", sources=two_sources
    )
    assert [i.ref for i in items] == ["a1"]


@pytest.mark.parametrize("role", [Role.BUYER, Role.COUNSEL])
def test_the_buyer_side_sees_no_calendar(vault: Vault, role: Role) -> None:
    with pytest.raises(PermissionDeniedError):
        calendar.calendar(vault, actor=Actor("x", role), today=TODAY, sources=())


def test_departments_are_checked_and_labelled() -> None:
    assert departments.check(" Legal ") == "legal"
    with pytest.raises(InputError):
        departments.check("sales")
    assert departments.label("unknown") == "unknown"


def test_a_user_is_put_in_a_department_by_the_administrator(vault: Vault) -> None:
    created, _ = accounts.create_user(
        vault, actor=ADMIN, username="li.si", display_name="", role="seller", department="hr"
    )
    assert created.department == "hr"
    moved = accounts.set_department(vault, actor=ADMIN, username="li.si", department="legal")
    assert moved.department == "legal"
    with pytest.raises(InputError):
        accounts.set_department(vault, actor=ADMIN, username="li.si", department="sales")
    with pytest.raises(PermissionDeniedError):
        accounts.set_department(
            vault, actor=Actor("s", Role.SELLER), username="li.si", department=None
        )
    listed = {u.username: u.department for u in accounts.list_users(vault, actor=ADMIN)}
    assert listed["li.si"] == "legal"
