"""The accounts service: setup links, passwords, lockout, sessions and their expiry, TOTP."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, update

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts, totp
from baomi.storage.models import AuditEventRow, SetupLink, User, WebSession
from tests.vault_support import later_code
from tests.web.conftest import ADMIN, PASSWORD, make_user


def _events(vault: Any, action: str) -> list[AuditEventRow]:
    with vault.reading() as s:
        return list(
            s.execute(select(AuditEventRow).where(AuditEventRow.action == action)).scalars()
        )


def _ago(minutes: float) -> str:
    return (_dt.datetime.now(_dt.UTC) - _dt.timedelta(minutes=minutes)).isoformat()


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("a" * 3 + "bcdefgh1", False),  # 11 characters
        ("abcdefgh1234", True),  # 12
        ("x" * 128, False),  # one repeated character
        ("abcd" * 32, True),  # 128
        ("abcd" * 32 + "e", False),  # 129
        ("my li.lei password", False),  # holds the user name
    ],
)
def test_password_rules_at_their_boundaries(password: str, ok: bool) -> None:
    if ok:
        accounts.check_password(password, username="li.lei")
    else:
        with pytest.raises(InputError):
            accounts.check_password(password, username="li.lei")


@pytest.mark.parametrize("name", ["a", "Li Lei", "李雷", "x" * 65, "bad/name"])
def test_user_names_outside_the_rules_are_refused(name: str) -> None:
    with pytest.raises(InputError):
        accounts.check_username(name)


def test_the_real_hasher_is_argon2id_with_rfc_9106_low_memory_parameters() -> None:
    """The tests hash at argon2's cheapest (tests/conftest.py); the service's own hasher keeps
    RFC 9106's second recommendation: argon2id, 64 MiB, three passes, four lanes."""
    from argon2 import Type

    from tests.conftest import PRODUCTION_HASHER

    real = PRODUCTION_HASHER()
    assert real.type is Type.ID
    assert real.memory_cost >= 64 * 1024 and real.time_cost >= 3 and real.parallelism >= 1
    assert real.hash("x").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_password_is_stored_as_argon2id_only(vault: Any) -> None:
    make_user(vault)
    with vault.reading() as s:
        user = s.execute(select(User)).scalar_one()
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_setup_link_works_once(vault: Any) -> None:
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="han.mei", display_name="韩梅", role="seller"
    )
    accounts.complete_setup(vault, token=token, password=PASSWORD)
    with pytest.raises(PermissionDeniedError):
        accounts.complete_setup(vault, token=token, password=PASSWORD + "!")


def test_expired_setup_link_is_refused(vault: Any) -> None:
    _, token = accounts.create_user(
        vault, actor=ADMIN, username="han.mei", display_name="韩梅", role="seller"
    )
    with vault.transaction() as s:
        s.execute(update(SetupLink).values(expires_at=_ago(1)))
    with pytest.raises(PermissionDeniedError):
        accounts.complete_setup(vault, token=token, password=PASSWORD)


def test_bootstrap_issues_a_fresh_link_until_the_admin_sets_a_password(vault: Any) -> None:
    first = accounts.bootstrap_admin(vault)
    second = accounts.bootstrap_admin(vault)
    assert first and second and first != second
    with pytest.raises(PermissionDeniedError):  # the older link stopped working
        accounts.complete_setup(vault, token=first, password=PASSWORD)
    accounts.complete_setup(vault, token=second, password=PASSWORD)
    assert accounts.bootstrap_admin(vault) is None
    assert accounts.count_users(vault) == 1


def test_login_gives_one_answer_for_every_failure(vault: Any) -> None:
    make_user(vault)
    messages = set()
    for username, password in (("li.lei", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(PermissionDeniedError) as exc:
            accounts.login(vault, username=username, password=password)
        messages.add(str(exc.value))
    assert len(messages) == 1


def test_unknown_user_is_checked_against_a_hash_and_recorded_as_a_keyed_hash(
    vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = accounts._hasher()

    class Counting:
        def verify(self, stored: str, password: str) -> bool:
            calls.append(stored)
            return real.verify(stored, password)

    monkeypatch.setattr(accounts, "_hasher", Counting)
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="13912345678", password=PASSWORD)
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")  # same work as a real user
    (event,) = _events(vault, "auth.login")
    assert event.outcome == "failure"
    assert "13912345678" not in event.actor + event.details
    assert event.actor.startswith("unknown:")


def test_account_locks_after_the_configured_failures(vault: Any) -> None:
    make_user(vault)
    limit = vault.settings.login_max_failures
    for _ in range(limit - 1):
        with pytest.raises(PermissionDeniedError):
            accounts.login(vault, username="li.lei", password="wrong password!")
    accounts.login(vault, username="li.lei", password=PASSWORD)  # one below: not locked
    for _ in range(limit):
        with pytest.raises(PermissionDeniedError):
            accounts.login(vault, username="li.lei", password="wrong password!")
    with pytest.raises(PermissionDeniedError):  # locked: even the right password fails
        accounts.login(vault, username="li.lei", password=PASSWORD)
    with vault.transaction() as s:
        s.execute(update(User).values(locked_until=_ago(1)))
    assert accounts.login(vault, username="li.lei", password=PASSWORD).user.username == "li.lei"


def test_session_token_is_stored_only_as_its_hash(vault: Any) -> None:
    make_user(vault)
    signed = accounts.login(vault, username="li.lei", password=PASSWORD)
    with vault.reading() as s:
        row = s.execute(select(WebSession)).scalar_one()
    assert row.token_sha256 != signed.token and signed.token not in row.token_sha256
    assert accounts.session_user(vault, signed.token) is not None
    assert accounts.session_user(vault, signed.token + "x") is None


@pytest.mark.parametrize(
    ("column", "minutes_ago", "alive"),
    [
        ("last_seen_at", 29, True),
        ("last_seen_at", 31, False),  # idle expiry, 30 minutes by default
        ("expires_at", -1, True),
        ("expires_at", 0.01, False),  # absolute expiry passed
    ],
)
def test_session_expiry(vault: Any, column: str, minutes_ago: float, alive: bool) -> None:
    make_user(vault)
    signed = accounts.login(vault, username="li.lei", password=PASSWORD)
    with vault.transaction() as s:
        s.execute(update(WebSession).values({column: _ago(minutes_ago)}))
    assert (accounts.session_user(vault, signed.token) is not None) is alive
    if not alive:  # an expired session stays dead
        with vault.transaction() as s:
            s.execute(update(WebSession).values(last_seen_at=_ago(0), expires_at=_ago(-60)))
        assert accounts.session_user(vault, signed.token) is None


def test_logout_ends_the_session(vault: Any) -> None:
    make_user(vault)
    signed = accounts.login(vault, username="li.lei", password=PASSWORD)
    accounts.logout(vault, signed.token)
    assert accounts.session_user(vault, signed.token) is None
    assert [e.action for e in _events(vault, "auth.logout")] == ["auth.logout"]


def test_csrf_token_is_bound_to_the_session(vault: Any) -> None:
    make_user(vault)
    one = accounts.login(vault, username="li.lei", password=PASSWORD).token
    two = accounts.login(vault, username="li.lei", password=PASSWORD).token
    assert accounts.check_csrf(vault, one, accounts.csrf_token(vault, one))
    assert not accounts.check_csrf(vault, one, accounts.csrf_token(vault, two))
    assert not accounts.check_csrf(vault, one, None)


def test_totp_is_required_once_enabled(vault: Any) -> None:
    make_user(vault)
    secret = totp.start_totp(vault, username="li.lei")
    with pytest.raises(InputError):
        totp.enable_totp(vault, username="li.lei", code="000000")
    totp.enable_totp(vault, username="li.lei", code=pyotp.TOTP(secret).now())
    with vault.reading() as s:
        sealed, pending = s.execute(select(User.totp_sealed, User.totp_pending_sealed)).one()
    assert sealed is not None and secret.encode() not in sealed
    assert pending is None  # the pending secret became the factor
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="li.lei", password=PASSWORD)
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="li.lei", password=PASSWORD, totp="123456")
    code = later_code(secret)  # not the enrolment's: that one is used
    assert accounts.login(vault, username="li.lei", password=PASSWORD, totp=code).user.totp


def test_a_wrong_enrolment_code_keeps_the_pending_secret(vault: Any) -> None:
    """A typo must not invalidate the entry already added to the authenticator: the pending
    secret stays on the server (sealed) until a right code turns it on."""
    make_user(vault)
    secret = totp.start_totp(vault, username="li.lei")
    assert totp.start_totp(vault, username="li.lei") == secret  # a reload shows the same
    with vault.reading() as s:
        pending = s.execute(select(User.totp_pending_sealed)).scalar_one()
    assert pending is not None and secret.encode() not in pending
    with pytest.raises(InputError, match="验证码不正确"):
        totp.enable_totp(vault, username="li.lei", code="000000")
    assert totp.start_totp(vault, username="li.lei") == secret
    assert totp.enable_totp(vault, username="li.lei", code=pyotp.TOTP(secret).now()).totp


def test_enrolment_without_a_pending_secret_or_with_totp_on_is_refused(vault: Any) -> None:
    make_user(vault)
    with pytest.raises(InputError):  # nothing started: no secret to check against
        totp.enable_totp(vault, username="li.lei", code="000000")
    secret = totp.start_totp(vault, username="li.lei")
    totp.enable_totp(vault, username="li.lei", code=pyotp.TOTP(secret).now())
    with pytest.raises(InputError):  # a session alone does not replace the factor
        totp.start_totp(vault, username="li.lei")
    with pytest.raises(InputError):
        totp.enable_totp(vault, username="li.lei", code=pyotp.TOTP(secret).now())


def test_the_enrolment_code_cannot_sign_in_again(vault: Any) -> None:
    """The code that turned TOTP on was not marked used, so within its 30 seconds it signed
    in once more (OWASP ASVS 2.8.4): enrolment records its step as the last one used."""
    make_user(vault)
    secret = totp.start_totp(vault, username="li.lei")
    code = pyotp.TOTP(secret).now()
    totp.enable_totp(vault, username="li.lei", code=code)
    with vault.reading() as s:
        assert s.execute(select(User.totp_last_step)).scalar_one() is not None
    with pytest.raises(PermissionDeniedError, match="验证码不正确或已用过"):
        accounts.login(vault, username="li.lei", password=PASSWORD, totp=code)
    assert accounts.login(vault, username="li.lei", password=PASSWORD, totp=later_code(secret))


def test_a_code_in_full_width_digits_is_read_and_one_not_digits_is_wrong(vault: Any) -> None:
    """A Chinese input method types ``１２３４５６``: that was a server error (the comparison
    refuses non-ASCII text); it is the code it reads as, and anything else a wrong code."""
    make_user(vault)
    secret = totp.start_totp(vault, username="li.lei")
    with pytest.raises(InputError, match="验证码不正确"):
        totp.enable_totp(vault, username="li.lei", code="一二三四五六")
    wide = pyotp.TOTP(secret).now().translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    assert totp.enable_totp(vault, username="li.lei", code=wide).totp
    with pytest.raises(PermissionDeniedError, match="验证码不正确或已用过"):
        accounts.login(vault, username="li.lei", password=PASSWORD, totp="ä" * 6)


def test_a_missing_code_is_named_only_after_the_right_password(vault: Any) -> None:
    """With TOTP on, the right password and no code says a code is needed; a wrong password
    says the one generic message whether or not TOTP is on, and only wrong passwords and
    wrong codes count towards the lockout (a missing code does not)."""
    make_user(vault)
    make_user(vault, "han.mei", "buyer")
    secret = totp.start_totp(vault, username="li.lei")
    totp.enable_totp(vault, username="li.lei", code=pyotp.TOTP(secret).now())
    with pytest.raises(PermissionDeniedError, match="需要验证码"):
        accounts.login(vault, username="li.lei", password=PASSWORD)
    for name in ("li.lei", "han.mei", "nobody"):
        with pytest.raises(PermissionDeniedError, match="用户名或密码错误"):
            accounts.login(vault, username=name, password="wrong password 1")
    with pytest.raises(PermissionDeniedError, match="验证码不正确"):
        accounts.login(vault, username="li.lei", password=PASSWORD, totp="000000")
    with vault.reading() as s:
        failures = {u: n for u, n in s.execute(select(User.username, User.failed_logins))}
    assert failures["li.lei"] == 2  # one wrong password, one wrong code; not the missing code
    assert failures["han.mei"] == 1


def test_checking_a_fresh_session_takes_no_write_lock(
    vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request checks its session: that used to be a write transaction (on SQLite
    ``BEGIN IMMEDIATE``, queueing every request behind any writer, a login's argon2 included)
    even when nothing changed. Only expiry and the once-a-minute ``last_seen_at`` write now."""
    make_user(vault)
    signed = accounts.login(vault, username="li.lei", password=PASSWORD)
    writing = vault.transaction

    def no_write() -> Any:
        raise AssertionError("a write transaction for a fresh session")

    monkeypatch.setattr(vault, "transaction", no_write)
    assert accounts.session_user(vault, signed.token) is not None
    monkeypatch.setattr(vault, "transaction", writing)
    with vault.transaction() as s:
        s.execute(update(WebSession).values(last_seen_at=_ago(2)))
    assert accounts.session_user(vault, signed.token) is not None
    with vault.reading() as s:
        seen = s.execute(select(WebSession.last_seen_at)).scalar_one()
    assert seen > _ago(1)  # the due last_seen_at write still happens


def test_login_hashes_outside_the_write_transaction(
    vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2 inside BEGIN IMMEDIATE queued every other writer behind each login's ~0.1 s hash."""
    from contextlib import contextmanager

    make_user(vault)
    writing, inside = vault.transaction, []

    @contextmanager
    def marked() -> Any:
        with writing() as session:
            inside.append(True)
            try:
                yield session
            finally:
                inside.pop()

    real = accounts._hasher

    class Checked:
        def verify(self, stored: str, password: str) -> bool:
            assert not inside, "argon2 ran inside a write transaction"
            return bool(real().verify(stored, password))

    monkeypatch.setattr(vault, "transaction", marked)
    monkeypatch.setattr(accounts, "_hasher", Checked)
    assert accounts.login(vault, username="li.lei", password=PASSWORD).user.username == "li.lei"
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="li.lei", password=PASSWORD + "x")
    with pytest.raises(PermissionDeniedError):
        accounts.login(vault, username="nobody.here", password=PASSWORD)
