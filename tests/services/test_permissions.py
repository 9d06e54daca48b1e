"""The one permission table: the matrix read from the table itself, deal scopes, reasons, and
every vault service refusing a role the table does not allow — nothing changed, the refusal in
the audit chain with outcome ``denied``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from baomi.engine.audit_chain import AuditAction
from baomi.errors import PermissionDeniedError
from baomi.i18n import set_language
from baomi.services import audit, backup, deals, destruction, keys, parties
from baomi.services.permissions import (
    ACTION_LABELS,
    PERMISSIONS,
    Action,
    Actor,
    Role,
    action_label,
    allowed,
    authorize,
    explain,
)
from baomi.services.vault import Vault
from baomi.settings import Settings
from baomi.storage.models import AuditEventRow, Deal, Party, StoredObject
from tests.services.fakes import add_files
from tests.vault_support import operator

MATRIX = [(role, action) for action in Action for role in Role]


def test_every_action_is_in_the_table() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert all(Role.ADMIN in roles for roles in PERMISSIONS.values())


@pytest.mark.parametrize(("role", "action"), MATRIX, ids=[f"{r}-{a}" for r, a in MATRIX])
def test_permission_matrix(role: Role, action: Action) -> None:
    actor = Actor("u", role)
    expected = role in PERMISSIONS[action]
    assert allowed(actor, action) is expected
    if expected:
        authorize(actor, action)
    else:
        with pytest.raises(PermissionDeniedError) as info:
            authorize(actor, action)
        assert info.value.reason == explain(actor, action)


def test_a_scoped_actor_reaches_only_its_deals() -> None:
    buyer = Actor("买方甲", Role.BUYER, deals=frozenset({"d1"}))
    authorize(buyer, Action.DEAL_SHOW, "d1")
    with pytest.raises(PermissionDeniedError):
        authorize(buyer, Action.DEAL_SHOW, "d2")
    authorize(Actor("ops", Role.OPERATOR), Action.DEAL_SHOW, "d2")  # unscoped: every deal


def test_the_seat_sides_the_company_only_rule_reads_are_the_rooms() -> None:
    """``COMPANY_ONLY`` reads seats as stored; the room module names the same sides."""
    from baomi.services import permissions
    from baomi.services.dataroom import rooms

    assert {permissions.RECIPIENT_SEAT} == {s.value for s in rooms.RECIPIENT_SIDES}
    assert {s.value for s in rooms.COMPANY_SIDES} == permissions.COMPANY_SEATS
    # only roles that sit on the buyer's side and read governance or drills are concerned:
    # auditors, and counsel (drills)
    concerned = {
        r
        for r in rooms.SIDE_ROLES[rooms.Side.BUYER]
        if any(r in permissions.PERMISSIONS[a] for a in permissions.COMPANY_ONLY)
    }
    assert concerned == {Role.AUDITOR, Role.COUNSEL}


def test_the_reason_names_the_action_and_role_in_words_chinese_first() -> None:
    actor = Actor("审计员", Role.AUDITOR)
    set_language("zh")
    try:
        assert (
            explain(actor, Action.DEAL_EXPORT)
            == "审计员 的角色为审计（只读），无权导出交易数据（解密）"
        )
        set_language("en")
        assert explain(actor, Action.DEAL_EXPORT) == (
            "审计员, as auditor (read-only), may not export a deal's data (decrypted)"
        )
    finally:
        set_language(None)


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_every_action_has_a_label_in_both_languages(action: Action) -> None:
    zh, en = ACTION_LABELS[action]
    assert zh and en and zh != en
    assert re.search(r"[\u4e00-\u9fff]", zh), zh  # Chinese
    assert not re.search(r"[^\x00-\x7f]", en), en  # English only, ASCII punctuation
    assert action.value not in zh and action.value not in en  # words, not the code
    set_language("en")
    try:
        assert action_label(action) == en
    finally:
        set_language(None)
    assert action_label(action) == zh


# --- every service refuses -------------------------------------------------------------------


def _state(vault: Vault) -> tuple[int, ...]:
    with vault.sessions() as s:
        counts = tuple(
            s.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Deal, StoredObject, Party)
        )
    return (*counts, len(vault.load_keystore()["deals"]))


def _last_event(vault: Vault) -> AuditEventRow:
    with vault.sessions() as s:
        row = s.execute(select(AuditEventRow).order_by(AuditEventRow.seq.desc())).scalars().first()
        assert row is not None
        return row


Call = Callable[[Vault, Actor, Path], Any]

#: service call, and a role the table refuses for it
REFUSED: dict[str, tuple[Call, Role]] = {
    "deal.create": (lambda v, a, p: deals.create(v, actor=a, name="new"), Role.AUDITOR),
    "deal.add": (
        lambda v, a, p: add_files(v, "d", [p / "a.csv"], actor=a),
        Role.BUYER,
    ),
    "deal.show": (lambda v, a, p: deals.show(v, "d", actor=a), Role.AUDITOR),
    "deal.export": (
        lambda v, a, p: deals.export(v, actor=a, deal_ref="d", out_dir=p / "out"),
        Role.BUYER,
    ),
    "deal.destroy": (
        lambda v, a, p: destruction.destroy(v, actor=a, deal_ref="d", out=p / "c.json"),
        Role.COUNSEL,
    ),
    "party.add": (
        lambda v, a, p: parties.add(v, actor=a, role="seller", name="测试", deal_ref="d"),
        Role.BUYER,
    ),
    "party.find": (
        lambda v, a, p: parties.find(v, actor=a, field_name="phone", value="13900000001"),
        Role.SELLER,
    ),
    "audit.export": (
        lambda v, a, p: audit.export(v, p / "audit.json", fmt="json", actor=a),
        Role.BUYER,
    ),
    "audit.checkpoint": (lambda v, a, p: audit.checkpoint(v, actor=a), Role.BUYER),
    "audit.verify": (lambda v, a, p: audit.verify(v, actor=a), Role.BUYER),
    "backup.create": (
        lambda v, a, p: backup.create(v, actor=a, out=p / "b.bak"),
        Role.AUDITOR,
    ),
    "backup.verify": (lambda v, a, p: backup.verify(v, p / "b.bak", actor=a), Role.BUYER),
    "keys.status": (lambda v, a, p: keys.status(v.settings, actor=a), Role.BUYER),
    "keys.rotate": (
        lambda v, a, p: keys.rotate(v.settings, actor=a, new_key_file=p / "next.key"),
        Role.OPERATOR,
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_refused_role_changes_nothing_and_the_refusal_is_audited(
    name: str, vault: Vault, tmp_path: Path
) -> None:
    call, role = REFUSED[name]
    (tmp_path / "a.csv").write_text("身份证号\n1\n", encoding="utf-8")
    deals.create(vault, actor=operator(), name="d")
    add_files(vault, "d", [tmp_path / "a.csv"])
    before, store = _state(vault), vault.load_keystore()
    with pytest.raises(PermissionDeniedError):
        call(vault, Actor("mallory", role), tmp_path)
    assert _state(vault) == before and vault.load_keystore() == store
    assert not (tmp_path / "out").exists() and not (tmp_path / "b.bak").exists()
    assert not (tmp_path / "audit.json").exists() and not (tmp_path / "next.key").exists()
    row = _last_event(vault)
    assert (row.actor, row.action, row.outcome) == ("mallory", AuditAction.ACCESS_DENIED, "denied")
    assert role.value in row.details
    assert audit.verify(vault, actor=operator()).ok


def test_a_deal_outside_the_actors_scope_is_refused(vault: Vault, tmp_path: Path) -> None:
    d1 = deals.create(vault, actor=operator(), name="d1").id
    deals.create(vault, actor=operator(), name="d2")
    buyer = Actor("买方甲", Role.BUYER, deals=frozenset({d1}))
    assert [d.name for d in deals.list_deals(vault, actor=buyer)] == ["d1"]
    assert deals.show(vault, "d1", actor=buyer).deal.id == d1
    with pytest.raises(PermissionDeniedError):
        deals.show(vault, "d2", actor=buyer)
    assert _last_event(vault).outcome == "denied"


def test_key_init_is_for_the_admin(settings: Settings) -> None:
    with pytest.raises(PermissionDeniedError):
        keys.init(settings, actor=operator())
    assert not settings.keystore_path.exists()  # refused before anything was created


def test_restore_is_for_the_admin(vault: Vault, tmp_path: Path) -> None:
    """Refused before the backup is even read; not recorded (the target home must stay empty)."""
    before = _last_event(vault).seq
    with pytest.raises(PermissionDeniedError):
        backup.restore(vault, actor=operator(), path=tmp_path / "missing.bak")
    assert _last_event(vault).seq == before
