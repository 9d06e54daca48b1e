"""Responsibilities: the RACI table of the protection activities (scan and inventory, PIA,
notices, incident response, requests, training, audits, vendors, ...) by department — R
responsible, A accountable, C consulted, I informed — and each department's overdue items.

The default table is data (``raci.yaml``). An edited activity's row is kept in the database and
replaces the default row for that activity; every row has exactly one A. A department's overdue
items are the calendar's items (every source of ``calendar.SOURCES``) owned by that department
and past their date.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

import yaml
from sqlalchemy import delete, select

from baomi import clock
from baomi.engine.audit_chain import AuditAction
from baomi.errors import ConfigError, InputError
from baomi.i18n import one_of, tr
from baomi.services import audit
from baomi.services.comply.reports.model import Table
from baomi.services.govern import calendar, departments
from baomi.services.govern.calendar import DueItem, State
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault
from baomi.storage.models import GovernRaci


class Letter(StrEnum):
    R = "R"
    A = "A"
    C = "C"
    I = "I"  # noqa: E741 - the letter of the table

    @property
    def label(self) -> str:
        return {
            Letter.R: tr("负责", "responsible"),
            Letter.A: tr("批准", "accountable"),
            Letter.C: tr("咨询", "consulted"),
            Letter.I: tr("知会", "informed"),
        }[self]


@dataclass(frozen=True)
class Activity:
    id: str
    title_zh: str
    title_en: str
    default: Mapping[str, Letter]

    @property
    def title(self) -> str:
        return tr(self.title_zh, self.title_en)


@dataclass(frozen=True)
class RaciRow:
    activity: str
    title: str
    #: department code → letter (departments without a part are absent)
    cells: dict[str, Letter]
    #: True when the row was edited (else the shipped default)
    edited: bool

    @property
    def accountable(self) -> str:
        return next(d for d, letter in self.cells.items() if letter is Letter.A)


def validate(cells: Mapping[str, str]) -> dict[str, Letter]:
    """A row's cells as letters, or a clear error: known departments, letters R/A/C/I, and
    exactly one A."""
    out: dict[str, Letter] = {}
    for dept, value in cells.items():
        code = departments.check(dept)
        try:
            out[code] = Letter(value.strip().upper())
        except ValueError:
            raise InputError(
                tr(
                    f"{departments.label(code)}：职责须为 R/A/C/I",
                    f"{departments.label(code)}: the letter is R, A, C or I",
                )
            ) from None
    accountable = [d for d, letter in out.items() if letter is Letter.A]
    if len(accountable) != 1:
        raise InputError(
            tr(
                f"每项活动须恰有一个批准（A）部门，现有 {len(accountable)} 个",
                f"each activity has exactly one accountable (A) department, not {len(accountable)}",
            )
        )
    return out


@cache
def activities() -> tuple[Activity, ...]:
    """The protection activities and their default rows (``raci.yaml``)."""
    doc = yaml.safe_load((files("baomi.services.govern") / "raci.yaml").read_text(encoding="utf-8"))
    out = []
    try:
        for entry in doc:
            out.append(
                Activity(
                    str(entry["id"]),
                    str(entry["title"]["zh"]),
                    str(entry["title"]["en"]),
                    validate({str(k): str(v) for k, v in entry["raci"].items()}),
                )
            )
    except (KeyError, TypeError, InputError) as exc:
        raise ConfigError(f"raci.yaml: malformed activity ({exc})") from None
    return tuple(out)


def activity(code: str) -> Activity:
    for entry in activities():
        if entry.id == code.strip().lower():
            return entry
    raise InputError(one_of("活动", "activity", ((a.id, a.title) for a in activities())))


def _rows(vault: Vault) -> list[RaciRow]:
    edited: dict[str, dict[str, Letter]] = {}
    with vault.reading() as session:
        for cell in session.execute(select(GovernRaci)).scalars():
            edited.setdefault(cell.activity, {})[cell.department] = Letter(cell.letter)
    order = list(departments.DEPARTMENTS)
    rows = []
    for entry in activities():
        cells = edited.get(entry.id, dict(entry.default))
        ordered = {d: cells[d] for d in order if d in cells}
        rows.append(RaciRow(entry.id, entry.title, ordered, entry.id in edited))
    return rows


def matrix(vault: Vault, *, actor: Actor) -> list[RaciRow]:
    """The table: one row per activity."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:raci")
    return _rows(vault)


def set_row(vault: Vault, *, actor: Actor, activity_id: str, cells: Mapping[str, str]) -> RaciRow:
    """Change some departments' letters in one activity's row (an empty letter removes the
    department from the row); the resulting row must still have exactly one A."""
    authorize(actor, Action.GOVERN_EDIT)
    entry = activity(activity_id)
    if not cells:
        raise InputError(tr("未指定部门", "no department given"))
    current = {r.activity: r for r in _rows(vault)}[entry.id].cells
    merged: dict[str, str] = {d: letter.value for d, letter in current.items()}
    for dept, value in cells.items():
        code = departments.check(dept)
        if value.strip():
            merged[code] = value
        else:
            merged.pop(code, None)
    row = validate(merged)
    with vault.transaction() as session:
        session.execute(delete(GovernRaci).where(GovernRaci.activity == entry.id))
        for dept, letter in row.items():
            session.add(GovernRaci(activity=entry.id, department=dept, letter=letter.value))
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.GOVERN_RACI_SET,
            obj="govern:raci",
            details={"activity": entry.id, "cells": {d: v.value for d, v in row.items()}},
        )
    return next(r for r in _rows(vault) if r.activity == entry.id)


def overdue(
    vault: Vault, *, actor: Actor, today: _dt.date | None = None
) -> dict[str, list[DueItem]]:
    """Each department's overdue calendar items (every department present, maybe empty)."""
    audit.require(vault, actor, Action.GOVERN_VIEW, obj="govern:raci")
    day = today or clock.today()
    out: dict[str, list[DueItem]] = {code: [] for code in departments.DEPARTMENTS}
    for item in calendar.collect(vault, day):
        if item.department in out and item.state(day) is State.OVERDUE:
            out[item.department].append(item)
    return out


def table(vault: Vault, *, actor: Actor) -> Table:
    """The RACI table for CSV/XLSX export."""
    codes = list(departments.DEPARTMENTS)
    return Table(
        columns=(tr("活动", "Activity"), *(departments.label(c) for c in codes)),
        rows=tuple(
            (row.title, *(row.cells[c].value if c in row.cells else "" for c in codes))
            for row in matrix(vault, actor=actor)
        ),
        title=tr("个人信息保护职责分工（RACI）", "PI protection responsibilities (RACI)"),
    )
