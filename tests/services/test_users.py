"""The administrator's use cases on accounts: a new setup link, disable and enable, unlock — each
allowed exactly to the roles the permission table names, each audited in its transaction."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts, users
from baomi.services.permissions import PERMISSIONS, Action, Actor, Role
from baomi.storage.models import AuditEventRow, User

ADMIN = Actor("root", Role.ADMIN)
PASSWORD = "correct horse battery staple"


def _person(vault: Any, name: str = "li.lei", *, password: bool = True) -> str:
    user, token = accounts.create_user(
        vault, actor=ADMIN, username=name, display_name="Li Lei", role="buyer"
    )
    if password:
        accounts.complete_setup(vault, token=token, password=PASSWORD)
    return user.id


def _events(vault: Any, action: str) -> list[AuditEventRow]:
    with vault.reading() as s:
        return list(
            s.execute(select(AuditEventRow).where(AuditEventRow.action == action)).scalars()
        )


def _lock(vault: Any, name: str = "li.lei") -> None:
    for _ in range(vault.settings.login_max_failures):
        with pytest.raises(PermissionDeniedError):
            accounts.login(vault, username=name, password="wrong password!")


Use = Callable[[Any, Actor], object]

#: each use case, the action the table decides it by, and what prepares a harmless target
USES: dict[Action, Use] = {
    Action.USER_SETUP_LINK: lambda v, a: users.new_setup_link(v, actor=a, username="li.lei"),
    Action.USER_DISABLE: lambda v, a: users.disable(v, actor=a, username="li.lei"),
    Action.USER_ENABLE: lambda v, a: users.enable(v, actor=a, username="li.lei"),
    Action.USER_UNLOCK: lambda v, a: users.unlock(v, actor=a, username="li.lei"),
}
CASES = [(action, role) for action in USES for role in Role]


@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a}-{r}" for a, r in CASES])
def test_the_permission_table_decides(vault: Any, action: Action, role: Role) -> None:
    _person(vault)
    _lock(vault)  # so that unlock has something to do
    actor = Actor(f"someone.{role.value}", role)
    if role in PERMISSIONS[action]:
        users_before = len(_events(vault, action.value))
        USES[action](vault, actor)
        # enable on an enabled user changes nothing; the others each write one event
        assert len(_events(vault, action.value)) == users_before + (
            action is not Action.USER_ENABLE
        )
    else:
        with pytest.raises(PermissionDeniedError):
            USES[action](vault, actor)
        denied = _events(vault, "access.denied")[-1]
        assert denied.actor == actor.name and action.value in denied.details
        assert _events(vault, action.value) == []


def test_a_new_setup_link_voids_the_old_one_and_sets_a_password(vault: Any) -> None:
    user, first = accounts.create_user(
        vault, actor=ADMIN, username="li.lei", display_name="Li Lei", role="buyer"
    )
    shown, second = users.new_setup_link(vault, actor=ADMIN, username="LI.LEI")
    assert shown.id == user.id and not shown.has_password and second != first
    with pytest.raises(PermissionDeniedError):
        accounts.complete_setup(vault, token=first, password=PASSWORD)
    accounts.complete_setup(vault, token=second, password=PASSWORD)
    assert accounts.login(vault, username="li.lei", password=PASSWORD).user.id == user.id
    (event,) = _events(vault, "user.setup_link")
    assert event.object == user.id and json.loads(event.details) == {"had_password": False}
    assert second not in event.details  # the token itself is never recorded


def test_disabling_ends_every_session_at_once_and_enabling_revives_none(vault: Any) -> None:
    _person(vault)
    tokens = [accounts.login(vault, username="li.lei", password=PASSWORD).token for _ in "ab"]
    shown = users.disable(vault, actor=ADMIN, username="li.lei")
    assert shown.disabled
    assert [accounts.session_user(vault, t) for t in tokens] == [None, None]
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="li.lei", password=PASSWORD)
    (event,) = _events(vault, "user.disable")
    assert json.loads(event.details) == {"sessions_ended": 2}
    users.disable(vault, actor=ADMIN, username="li.lei")  # again: nothing more happens
    assert len(_events(vault, "user.disable")) == 1

    assert not users.enable(vault, actor=ADMIN, username="li.lei").disabled
    assert [accounts.session_user(vault, t) for t in tokens] == [None, None]
    fresh = accounts.login(vault, username="li.lei", password=PASSWORD)
    assert accounts.session_user(vault, fresh.token) is not None


def test_disabling_voids_unused_setup_links_and_a_disabled_user_gets_none(vault: Any) -> None:
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="li.lei", display_name="Li Lei", role="buyer"
    )
    users.disable(vault, actor=ADMIN, username="li.lei")
    with pytest.raises(PermissionDeniedError):
        accounts.complete_setup(vault, token=token, password=PASSWORD)
    with pytest.raises(InputError, match=r"请先启用|enable them"):
        users.new_setup_link(vault, actor=ADMIN, username="li.lei")


def test_nobody_disables_their_own_account(vault: Any) -> None:
    _person(vault, "root")
    with pytest.raises(InputError):
        users.disable(vault, actor=ADMIN, username="root")
    assert [u.disabled for u in accounts.list_users(vault, actor=ADMIN)] == [False]
    assert _events(vault, "user.disable") == []


def test_unlock_lifts_a_lock_before_it_runs_out(vault: Any) -> None:
    _person(vault)
    _lock(vault)
    (listed,) = accounts.list_users(vault, actor=ADMIN)
    assert listed.locked_until is not None  # the list shows the lock
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="li.lei", password=PASSWORD)
    assert users.unlock(vault, actor=ADMIN, username="li.lei").locked_until is None
    assert accounts.login(vault, username="li.lei", password=PASSWORD).user.username == "li.lei"
    assert len(_events(vault, "user.unlock")) == 1


def test_an_expired_lock_is_no_lock(vault: Any) -> None:
    _person(vault)
    _lock(vault)
    past = (_dt.datetime.now(_dt.UTC) - _dt.timedelta(minutes=1)).isoformat()
    with vault.transaction() as s:
        s.execute(update(User).values(locked_until=past))
    assert accounts.list_users(vault, actor=ADMIN)[0].locked_until is None
    with pytest.raises(InputError, match=r"not locked|未被锁定"):
        users.unlock(vault, actor=ADMIN, username="li.lei")


@pytest.mark.parametrize(
    "use",
    [users.new_setup_link, users.disable, users.enable, users.unlock],
    ids=lambda f: f.__name__,
)
def test_an_unknown_user_is_a_clear_error(vault: Any, use: Any) -> None:
    with pytest.raises(InputError, match=r"no\.such"):
        use(vault, actor=ADMIN, username="no.such")


def test_a_password_set_by_a_new_link_ends_the_sessions_signed_in_before(vault: Any) -> None:
    """A reset is also what is done when an account may be in other hands: the sessions that
    signed in with the old password end when the new one is set (QA: they went on)."""
    _person(vault)
    old = accounts.login(vault, username="li.lei", password=PASSWORD).token
    _, token = users.new_setup_link(vault, actor=ADMIN, username="li.lei")
    assert accounts.session_user(vault, old) is not None  # the link alone changes nothing
    accounts.complete_setup(vault, token=token, password=PASSWORD + " new")
    assert accounts.session_user(vault, old) is None
    fresh = accounts.login(vault, username="li.lei", password=PASSWORD + " new")
    assert accounts.session_user(vault, fresh.token) is not None
