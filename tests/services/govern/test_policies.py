"""Policy reviews: versions sealed and hashed, the interval's bounds, the review date moving on,
overdue on the calendar, the export."""

from __future__ import annotations

import datetime as _dt
import hashlib

import pytest
from sqlalchemy import select

from baomi.errors import InputError, IntegrityError, PermissionDeniedError
from baomi.services import accounts, users
from baomi.services.govern import calendar, exports, policies
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import PolicyVersion

SELLER = Actor("seller", Role.SELLER)
AUDITOR = Actor("auditor", Role.AUDITOR)
ADMIN = Actor("admin", Role.ADMIN)
TODAY = _dt.date(2026, 6, 15)
TEXT = "数据安全管理制度 第一版".encode()


def _policy(vault: Vault, **kw: object) -> policies.PolicyInfo:
    args: dict[str, object] = {
        "title": "数据安全管理制度",
        "department": "technology",
        "filename": "制度.txt",
        "data": TEXT,
        "today": TODAY,
    }
    args.update(kw)
    return policies.create(vault, actor=SELLER, **args)  # type: ignore[arg-type]


def test_create_seals_hashes_and_versions(vault: Vault) -> None:
    with pytest.raises(PermissionDeniedError):
        policies.create(
            vault, actor=AUDITOR, title="x", department="legal", filename="a.txt", data=b"x"
        )
    info = _policy(vault)
    assert info.next_review == "2027-06-15"  # the default interval from today
    assert info.current is not None and info.current.sha256 == hashlib.sha256(TEXT).hexdigest()
    with vault.reading() as session:
        sealed = session.execute(select(PolicyVersion.content_sealed)).scalar_one()
    assert TEXT not in sealed
    info = policies.add_version(
        vault, actor=SELLER, policy_id=info.id, filename="制度 v2.txt", data=b"v2", note="修订"
    )
    assert [v.version for v in info.versions] == [1, 2]
    version, data = policies.content(vault, actor=AUDITOR, policy_id=info.id)
    assert (version.version, data) == (2, b"v2")
    assert policies.content(vault, actor=AUDITOR, policy_id=info.id, version=1)[1] == TEXT


def test_a_tampered_file_is_refused(vault: Vault) -> None:
    info = _policy(vault)
    with vault.transaction() as session:
        row = session.execute(select(PolicyVersion)).scalar_one()
        row.sha256 = "0" * 64
    with pytest.raises(IntegrityError):
        policies.content(vault, actor=SELLER, policy_id=info.id)


@pytest.mark.parametrize(
    ("name", "data"),
    [("a.exe", b"x"), ("a.txt", b""), ("", b"x"), ("a\x07.txt", b"x")],
)
def test_bad_files_are_refused(vault: Vault, name: str, data: bytes) -> None:
    with pytest.raises(InputError):
        _policy(vault, filename=name, data=data)


def test_file_size_at_the_boundary(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(policies.config(), "max_file_bytes", 10)
    _policy(vault, data=b"x" * 9)
    _policy(vault, data=b"x" * 10)
    with pytest.raises(InputError):
        _policy(vault, data=b"x" * 11)


def test_interval_at_its_bounds(vault: Vault) -> None:
    least = int(policies.config()["min_interval_days"])
    most = int(policies.config()["max_interval_days"])
    for bad in (least - 1, most + 1):
        with pytest.raises(InputError):
            _policy(vault, interval_days=bad)
    for good in (least, least + 1, most - 1, most):
        assert _policy(vault, interval_days=good).interval_days == good


def _user(vault: Vault, username: str) -> None:
    accounts.create_user(vault, actor=ADMIN, username=username, display_name="", role="seller")


def test_the_owner_is_a_user_the_reminders_reach(vault: Vault) -> None:
    """The reminder run tells the owner instead of the department: a name that was no user's
    (or a disabled user's) was kept, and the policy's reminders reached nobody."""
    _user(vault, "wang.fang")
    assert _policy(vault, owner="wang.fang").owner == "wang.fang"
    users.disable(vault, actor=ADMIN, username="wang.fang")
    for owner in ("wang.fang", "nobody.here"):
        with pytest.raises(InputError, match="负责人"):
            _policy(vault, owner=owner)
    assert _policy(vault, owner="").owner is None  # the department's users are told


def test_review_moves_the_date_and_the_calendar_shows_overdue(vault: Vault) -> None:
    _user(vault, "wang.fang")
    info = _policy(vault, next_review="2026-06-14", owner="wang.fang", interval_days=180)
    (item,) = [i for i in calendar.collect(vault, TODAY) if i.kind == "review"]
    assert item.owner == "wang.fang" and item.department == "technology"
    assert item.state(TODAY) is calendar.State.OVERDUE
    assert policies.summary(vault, TODAY) == {
        "policies": 1,
        "reviews_overdue": 1,
        "reviews_due_soon": 0,
    }
    with pytest.raises(InputError):
        policies.review(vault, actor=SELLER, policy_id=info.id, reviewed_on="2999-01-01")
    done = policies.review(
        vault, actor=SELLER, policy_id=info.id, reviewed_on="2026-06-15", outcome="仍适用"
    )
    assert done.next_review == "2026-12-12"  # 180 days on
    assert done.reviews[0].version == 1
    table = policies.table(vault, actor=AUDITOR)
    assert table.rows[0][0] == "数据安全管理制度"
    assert exports.csv_bytes(table).startswith("\ufeff".encode())


def test_summary_due_soon_at_the_boundary(vault: Vault) -> None:
    soon = calendar.SOON_DAYS
    for days in (soon - 1, soon, soon + 1):
        _policy(vault, next_review=(TODAY + _dt.timedelta(days=days)).isoformat())
    assert policies.summary(vault, TODAY)["reviews_due_soon"] == 2


def test_a_review_dated_today_in_beijing_is_not_later_than_today(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 01:30 in Beijing on 6 December (17:30 UTC on the 5th) a review dated 6 December was
    refused as later than today: governance took the machine's UTC date."""
    from baomi import clock

    monkeypatch.setattr(clock, "now", lambda: _dt.datetime(2026, 12, 5, 17, 30, tzinfo=_dt.UTC))
    info = _policy(vault, next_review="2026-12-31")
    done = policies.review(vault, actor=SELLER, policy_id=info.id, reviewed_on="2026-12-06")
    assert done.reviews[-1].reviewed_on == "2026-12-06"
    with pytest.raises(InputError):
        policies.review(vault, actor=SELLER, policy_id=info.id, reviewed_on="2026-12-07")
