"""The administrator's use cases on accounts: a new setup link, disable and enable, unlock, a
reset of the second factor — each allowed exactly to the roles the permission table names, each
audited in its transaction, each refused with its reason when there is nothing to do."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, update

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts, totp, users
from baomi.services.permissions import PERMISSIONS, Action, Actor, Role
from baomi.storage.models import AuditEventRow, User
from tests.vault_support import later_code

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


def _second_factor(vault: Any, name: str = "li.lei") -> str:
    """Turn on ``name``'s second factor as ``/account`` does; the authenticator's secret."""
    secret = totp.start_totp(vault, username=name)
    totp.enable_totp(vault, username=name, code=pyotp.TOTP(secret).now())
    return secret


Use = Callable[[Any, Actor], object]

#: each use case and the action the table decides it by
USES: dict[Action, Use] = {
    Action.USER_SETUP_LINK: lambda v, a: users.new_setup_link(v, actor=a, username="li.lei"),
    Action.USER_DISABLE: lambda v, a: users.disable(v, actor=a, username="li.lei"),
    Action.USER_ENABLE: lambda v, a: users.enable(v, actor=a, username="li.lei"),
    Action.USER_UNLOCK: lambda v, a: users.unlock(v, actor=a, username="li.lei"),
    Action.USER_RESET_TOTP: lambda v, a: users.reset_totp(v, actor=a, username="li.lei"),
}
CASES = [(action, role) for action in USES for role in Role]


@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a}-{r}" for a, r in CASES])
def test_the_permission_table_decides(vault: Any, action: Action, role: Role) -> None:
    _person(vault)
    # a target each use case has something to do on: locked, with a second factor, disabled
    _lock(vault)
    _second_factor(vault)
    if action is Action.USER_ENABLE:
        users.disable(vault, actor=ADMIN, username="li.lei")
    actor = Actor(f"someone.{role.value}", role)
    if role in PERMISSIONS[action]:
        before = len(_events(vault, action.value))
        USES[action](vault, actor)
        assert len(_events(vault, action.value)) == before + 1
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
    [users.new_setup_link, users.disable, users.enable, users.unlock, users.reset_totp],
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


def test_a_repeated_action_is_refused_with_its_reason_and_records_nothing(vault: Any) -> None:
    """Disabling a disabled user or enabling an enabled one did nothing, silently (QA)."""
    _person(vault)
    with pytest.raises(InputError, match=r"未停用|is not disabled"):
        users.enable(vault, actor=ADMIN, username="li.lei")
    users.disable(vault, actor=ADMIN, username="li.lei")
    with pytest.raises(InputError, match=r"li\.lei 已停用|already disabled"):
        users.disable(vault, actor=ADMIN, username="li.lei")
    users.enable(vault, actor=ADMIN, username="li.lei")
    assert len(_events(vault, "user.disable")) == len(_events(vault, "user.enable")) == 1


def test_said_names_the_user_and_what_was_done() -> None:
    assert users.said(Action.USER_DISABLE, "alice") == "已停用 alice"
    assert users.said(Action.USER_RESET_TOTP, "alice").startswith("已重置 alice 的两步验证")


def _row(vault: Any, name: str = "li.lei") -> User:
    with vault.reading() as s:
        found = s.execute(select(User).where(User.username == name)).scalar_one()
        s.expunge(found)
        return found


def test_a_lost_authenticator_is_reset_and_a_new_one_set_up(vault: Any) -> None:
    """A user who lost their authenticator could not sign in, and nothing could clear it (QA):
    the administrator resets it, the sessions signed in with it end, the user signs in with the
    password alone and sets up a new authenticator, which is then asked for again."""
    _person(vault)
    lost = _second_factor(vault)
    with pytest.raises(PermissionDeniedError):  # the password alone is not enough
        accounts.login(vault, username="li.lei", password=PASSWORD)
    old = accounts.login(vault, username="li.lei", password=PASSWORD, totp=later_code(lost)).token
    assert _row(vault).totp_last_step is not None

    shown = users.reset_totp(vault, actor=ADMIN, username="LI.LEI")
    assert not shown.totp and not shown.disabled
    row = _row(vault)
    assert row.totp_sealed is None and row.totp_last_step is None
    assert accounts.session_user(vault, old) is None  # signed in with the lost one: ended
    (event,) = _events(vault, "user.reset_totp")
    assert event.actor == ADMIN.name and event.object == shown.id
    assert json.loads(event.details) == {"sessions_ended": 1}  # no secret, no code

    # the password alone signs in now; a new authenticator is set up as usual
    fresh = accounts.login(vault, username="li.lei", password=PASSWORD)
    assert accounts.session_user(vault, fresh.token) is not None
    new = _second_factor(vault)
    assert new != lost
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="li.lei", password=PASSWORD)
    with pytest.raises(PermissionDeniedError):  # the lost authenticator's codes are void
        accounts.login(vault, username="li.lei", password=PASSWORD, totp=pyotp.TOTP(lost).now())
    code = later_code(new)
    assert accounts.login(vault, username="li.lei", password=PASSWORD, totp=code).user.totp


def test_a_reset_without_a_second_factor_is_refused(vault: Any) -> None:
    _person(vault)
    with pytest.raises(InputError, match=r"未开启两步验证|no two-step verification"):
        users.reset_totp(vault, actor=ADMIN, username="li.lei")
    assert _events(vault, "user.reset_totp") == []


def test_nobody_resets_their_own_second_factor(vault: Any) -> None:
    """A session alone does not strip its own account of a factor; another administrator, or
    the key holder at the command line (acting under their own name), does it."""
    _person(vault, "root")
    _second_factor(vault, "root")
    with pytest.raises(InputError, match=r"自己的两步验证|your own"):
        users.reset_totp(vault, actor=ADMIN, username="root")
    assert _row(vault, "root").totp_sealed is not None
    users.reset_totp(vault, actor=Actor("ops", Role.ADMIN), username="root")
    assert _row(vault, "root").totp_sealed is None
