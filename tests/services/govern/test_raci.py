"""The responsibilities (RACI) table: the default is valid, edits keep exactly one A, and each
department's overdue items come from the calendar."""

from __future__ import annotations

import datetime as _dt

import pytest

from baomi.errors import InputError, PermissionDeniedError
from baomi.services.govern import audits, departments, raci
from baomi.services.govern.raci import Letter
from baomi.services.permissions import PERMISSIONS, Action, Actor, Role
from baomi.services.vault import Vault

STAFF = Actor("wang.wu", Role.SELLER)
AUDITOR = Actor("zhao.liu", Role.AUDITOR)


def test_the_default_table_has_one_accountable_per_activity() -> None:
    ids = [a.id for a in raci.activities()]
    assert len(ids) == len(set(ids))
    assert {
        "inventory",
        "pia",
        "notices",
        "incidents",
        "requests",
        "training",
        "audits",
        "vendors",
        "deletion",
    } <= set(ids)
    for entry in raci.activities():
        assert list(entry.default.values()).count(Letter.A) == 1
        assert set(entry.default) <= set(departments.DEPARTMENTS)


@pytest.mark.parametrize(
    ("cells", "ok"),
    [
        ({"legal": "R"}, False),  # no A
        ({"legal": "A", "hr": "r"}, True),  # one A; letters in any case
        ({"legal": "A", "hr": "A"}, False),  # two
        ({"legal": "A", "hr": "X"}, False),
        ({"sales": "A"}, False),
    ],
)
def test_validation(cells: dict[str, str], ok: bool) -> None:
    if ok:
        assert raci.validate(cells) == {"legal": Letter.A, "hr": Letter.R}
    else:
        with pytest.raises(InputError):
            raci.validate(cells)


def test_a_row_is_edited_and_the_accountable_moves(vault: Vault) -> None:
    before = {r.activity: r for r in raci.matrix(vault, actor=AUDITOR)}
    assert before["incidents"].accountable == "management" and not before["incidents"].edited
    with pytest.raises(InputError):  # a second A
        raci.set_row(vault, actor=STAFF, activity_id="incidents", cells={"legal": "A"})
    with pytest.raises(InputError):  # no A left
        raci.set_row(vault, actor=STAFF, activity_id="incidents", cells={"management": ""})
    row = raci.set_row(
        vault, actor=STAFF, activity_id="incidents", cells={"management": "I", "legal": "A"}
    )
    assert row.accountable == "legal" and row.edited and row.cells["management"] is Letter.I
    row = raci.set_row(vault, actor=STAFF, activity_id="incidents", cells={"hr": ""})
    assert "hr" not in row.cells
    after = {r.activity: r for r in raci.matrix(vault, actor=AUDITOR)}
    assert after["pia"] == before["pia"]  # other rows keep the default
    with pytest.raises(InputError):
        raci.set_row(vault, actor=STAFF, activity_id="golf", cells={"legal": "A"})
    table = raci.table(vault, actor=AUDITOR)
    assert len(table.rows) == len(raci.activities()) and len(table.columns) == 8


def test_each_departments_overdue_items(vault: Vault) -> None:
    plan = audits.plan(
        vault,
        actor=STAFF,
        scope="审计",
        frequency_months=12,
        planned_for="2026-01-01",
        auditors=["甲"],
    )
    f = audits.record_finding(vault, actor=AUDITOR, audit_id=plan.id, title="t", severity_="low")
    audits.add_action(
        vault, actor=STAFF, finding_id=f.id, text="a", department="hr", due="2026-06-14"
    )
    audits.add_action(
        vault, actor=STAFF, finding_id=f.id, text="b", department="hr", due="2026-06-15"
    )
    late = raci.overdue(vault, actor=AUDITOR, today=_dt.date(2026, 6, 15))
    assert [i.title for i in late["hr"]] == ["审计整改：a"]  # due today is not overdue
    assert [i.kind for i in late["audit"]] == ["audit"]
    assert late["legal"] == []


@pytest.mark.parametrize("role", list(Role))
def test_permissions_for_every_role(vault: Vault, role: Role) -> None:
    actor = Actor("x", role)
    view = role in PERMISSIONS[Action.GOVERN_VIEW]
    edit = role in PERMISSIONS[Action.GOVERN_EDIT]
    for allowed, call in (
        (view, lambda: raci.matrix(vault, actor=actor)),
        (view, lambda: raci.overdue(vault, actor=actor)),
        (edit, lambda: raci.set_row(vault, actor=actor, activity_id="pia", cells={"hr": "C"})),
    ):
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDeniedError):
                call()
