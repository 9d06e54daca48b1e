"""Internal audits: the scheduling arithmetic, the three-in-a-row rule at its boundary, the
frequency limit for large processors, findings to closure, the calendar, the summary, the
report and who may do what."""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Callable

import pytest

from baomi import clock
from baomi.errors import InputError, PermissionDeniedError
from baomi.services.comply.reports.render import ReportFormat, render
from baomi.services.comply.rulebook import rules
from baomi.services.govern import audits, calendar, exports
from baomi.services.govern.audits import Severity, add_months, next_due
from baomi.services.permissions import PERMISSIONS, Action, Actor, Role
from baomi.services.vault import Vault

STAFF = Actor("wang.wu", Role.SELLER)
AUDITOR = Actor("zhao.liu", Role.AUDITOR)
OTHER_AUDITOR = Actor("qian.qi", Role.AUDITOR)
TODAY = _dt.date(2026, 6, 15)
LIMIT = int(rules()["AUD-INDEP"].param("max_consecutive"))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),  # clamped to the month's end
        ("2028-01-31", 1, "2028-02-29"),  # a leap year
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-04-30", 1, "2026-05-30"),  # not moved to the 31st: never longer than a month
        ("2028-02-29", 12, "2029-02-28"),
        ("2026-11-30", 3, "2027-02-28"),  # over the year end
        ("2026-12-31", 12, "2027-12-31"),
        ("2026-06-15", 24, "2028-06-15"),
        ("2026-06-15", 0, "2026-06-15"),
    ],
)
def test_months_are_added_at_month_ends(start: str, months: int, expected: str) -> None:
    assert add_months(_dt.date.fromisoformat(start), months).isoformat() == expected


def test_the_next_audit_counts_from_the_completion() -> None:
    planned = _dt.date(2026, 1, 31)
    assert next_due(planned, None, 12) == _dt.date(2027, 1, 31)
    assert next_due(planned, _dt.date(2026, 3, 31), 11) == _dt.date(2027, 2, 28)


def _plan(vault: Vault, day: str, *names: str, months: int = 12) -> audits.AuditInfo:
    return audits.plan(
        vault,
        actor=STAFF,
        scope="全面合规审计",
        frequency_months=months,
        planned_for=day,
        auditors=names,
    )


def test_the_same_auditor_at_most_three_times_in_a_row(vault: Vault) -> None:
    assert LIMIT == 3
    for year in range(2026, 2026 + LIMIT):  # one below the limit, then at the limit
        _plan(vault, f"{year}-03-01", "甲审计事务所", f"审计员{year}")
    with pytest.raises(InputError, match="AUD-INDEP"):  # one above: the fourth in a row
        _plan(vault, "2029-03-01", " 甲审计事务所 ")
    with pytest.raises(InputError, match="AUD-INDEP"):  # names compare without case/spaces
        _plan(vault, "2029-03-01", "乙所", "甲审计事务所")
    _plan(vault, "2029-03-01", "乙审计事务所")  # another auditor breaks the run
    _plan(vault, "2030-03-01", "甲审计事务所")  # and the first may come back


def test_a_plan_inserted_between_audits_counts_the_run_on_both_sides(vault: Vault) -> None:
    for day in ("2026-01-01", "2027-01-01", "2029-01-01"):
        _plan(vault, day, "A Lead")
    with pytest.raises(InputError):  # 2026, 2027, this one, 2029: four in a row
        _plan(vault, "2028-06-01", "a  lead")
    _plan(vault, "2028-06-01", "B Lead")


@pytest.mark.parametrize(
    ("individuals", "months", "ok"),
    [
        (10_000_000, 36, True),  # at the threshold: 「超过」 is strict, no limit
        (10_000_001, 24, True),  # one above: at most every two years
        (10_000_001, 25, False),
        (None, 120, True),
    ],
)
def test_large_processors_audit_at_least_every_two_years(
    vault: Vault, individuals: int | None, months: int, ok: bool
) -> None:
    def go() -> audits.AuditInfo:
        return audits.plan(
            vault,
            actor=STAFF,
            scope="审计",
            frequency_months=months,
            planned_for="2026-07-01",
            auditors=["审计员"],
            individuals=individuals,
        )

    if ok:
        assert go().frequency_months == months
    else:
        with pytest.raises(InputError, match="AUD-FREQ"):
            go()
    assert audits.longest_frequency(9_999_999) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"frequency_months": 0},
        {"frequency_months": 121},
        {"planned_for": "2026-02-30"},
        {"planned_for": "2026-01-01xxx"},  # only the first ten characters were read
        {"auditors": []},
        {"scope": " "},
    ],
)
def test_a_plan_is_checked(vault: Vault, bad: dict[str, object]) -> None:
    args: dict[str, object] = {
        "scope": "审计",
        "frequency_months": 12,
        "planned_for": "2026-07-01",
        "auditors": ["甲"],
    }
    with pytest.raises(InputError):
        audits.plan(vault, actor=STAFF, **(args | bad))  # type: ignore[arg-type]


def test_a_finding_closes_when_its_actions_are_done_and_someone_else_verifies(
    vault: Vault,
) -> None:
    plan = _plan(vault, "2026-06-01", "赵六")
    finding = audits.record_finding(
        vault, actor=AUDITOR, audit_id=plan.id, title="访问日志未保留", severity_="high"
    )
    assert finding.severity is Severity.HIGH and finding.open
    with pytest.raises(InputError):  # no remediation yet
        audits.close_finding(vault, actor=AUDITOR, finding_id=finding.id)
    finding = audits.add_action(
        vault,
        actor=STAFF,
        finding_id=finding.id,
        text="开启日志保留",
        department="technology",
        due="2026-07-01",
    )
    finding = audits.add_action(
        vault,
        actor=STAFF,
        finding_id=finding.id,
        text="更新制度",
        department="legal",
        due="2026-08-01",
    )
    first, second = finding.actions
    audits.complete_action(vault, actor=STAFF, action_id=first.id)
    with pytest.raises(InputError, match="1"):  # one action still open
        audits.close_finding(vault, actor=AUDITOR, finding_id=finding.id)
    audits.complete_action(vault, actor=Actor("zhao.liu", Role.OPERATOR), action_id=second.id)
    with pytest.raises(InputError):  # zhao.liu did an action: may not verify it
        audits.close_finding(vault, actor=AUDITOR, finding_id=finding.id)
    audits.add_note(vault, actor=OTHER_AUDITOR, finding_id=finding.id, text="已抽查日志")
    closed = audits.close_finding(vault, actor=OTHER_AUDITOR, finding_id=finding.id)
    assert not closed.open and closed.closed_by == "qian.qi" and len(closed.notes) == 1
    with pytest.raises(InputError):  # closed: no more actions
        audits.add_action(
            vault,
            actor=STAFF,
            finding_id=finding.id,
            text="x",
            department="legal",
            due="2026-09-01",
        )


def test_findings_and_actions_are_checked(vault: Vault) -> None:
    plan = _plan(vault, "2026-06-01", "赵六")
    with pytest.raises(InputError):
        audits.record_finding(vault, actor=AUDITOR, audit_id=plan.id, title="x", severity_="severe")
    with pytest.raises(InputError):
        audits.record_finding(vault, actor=AUDITOR, audit_id="nope", title="x", severity_="low")
    f = audits.record_finding(vault, actor=AUDITOR, audit_id=plan.id, title="x", severity_="LOW")
    with pytest.raises(InputError):
        audits.add_action(
            vault, actor=STAFF, finding_id=f.id, text="x", department="sales", due="2026-07-01"
        )
    with pytest.raises(InputError):
        audits.add_action(
            vault, actor=STAFF, finding_id=f.id, text="x", department="hr", due="soon"
        )


def test_calendar_summary_and_next_audit(vault: Vault) -> None:
    plan = _plan(vault, "2026-01-31", "赵六", months=1)
    f = audits.record_finding(
        vault, actor=AUDITOR, audit_id=plan.id, title="未培训", severity_="critical"
    )
    audits.add_action(
        vault, actor=STAFF, finding_id=f.id, text="安排培训", department="hr", due="2026-06-01"
    )
    items = {i.kind: i for i in calendar.collect(vault, TODAY)}
    assert items["audit"].due == _dt.date(2026, 1, 31) and items["audit"].department == "audit"
    assert items["audit-action"].department == "hr"
    assert items["audit-action"].state(TODAY) is calendar.State.OVERDUE
    counts = audits.summary(vault, TODAY)
    assert counts["findings_open"] == 1 and counts["findings_open_critical"] == 1
    assert counts["findings_open_low"] == 0
    assert counts["actions_overdue"] == 1 and counts["audits_overdue"] == 1
    for blank in ("", " \n "):  # completed with nothing said of what was found
        with pytest.raises(InputError, match="结论"):
            audits.complete(vault, actor=AUDITOR, audit_id=plan.id, conclusion=blank)
    done = audits.complete(vault, actor=AUDITOR, audit_id=plan.id, conclusion="基本合规")
    # the next audit is due a month after the day it was completed, in China
    due = add_months(_dt.date.fromisoformat(clock.day(done.completed_at)), 1)
    kinds = {i.kind: i for i in audits.due_items(vault, TODAY)}
    assert "audit" not in kinds and kinds["audit-next"].due == due
    with pytest.raises(InputError, match="已完成"):
        audits.complete(vault, actor=AUDITOR, audit_id=plan.id, conclusion="再次")


def test_the_report_and_the_exports(vault: Vault) -> None:
    plan = _plan(vault, "2026-06-01", "赵六")
    audits.record_finding(
        vault, actor=AUDITOR, audit_id=plan.id, title="告知不完整", severity_="medium"
    )
    report = audits.report(vault, actor=AUDITOR, audit_id=plan.id)
    assert report.kind == "audit" and {c.rule_id for c in report.sections[0].citations} == {
        "PIPL-54",
        "AUD-FREQ",
        "AUD-INDEP",
    }
    assert "告知不完整".encode() in render(report, ReportFormat.HTML)
    assert render(report, ReportFormat.XLSX).startswith(b"PK")
    table = audits.findings_table(vault, actor=AUDITOR)
    assert len(table.rows) == 1
    csv = exports.export("audit-findings", table, exports.ListFormat.CSV)
    assert csv.startswith(b"\xef\xbb\xbf") and "告知不完整".encode() in csv
    xlsx = exports.export("audit-findings", table, exports.ListFormat.XLSX)
    assert xlsx.startswith(b"PK")


def test_the_report_pdf_reads_right(vault: Vault) -> None:
    """The PDF downloaded from the audit page, read back as text: the finding and its action
    are there; no table of nothing (the follow-up notes printed their headings over no row);
    in English the severities in the summary are capitalised like the other figures."""
    import io

    from pypdf import PdfReader

    from baomi.i18n import set_language

    plan = _plan(vault, "2026-06-01", "赵六")
    finding = audits.record_finding(
        vault, actor=AUDITOR, audit_id=plan.id, title="日志保存不足", severity_="high"
    )
    audits.add_action(
        vault,
        actor=STAFF,
        finding_id=finding.id,
        text="延长保存期",
        department="hr",
        due="2026-09-30",
    )
    for lang, expected, absent in (
        ("zh", ("个人信息保护合规审计报告", "日志保存不足", "延长保存期", "第 1 页"), "跟进记录"),
        ("en", ("PI protection compliance audit report", "High", "Critical"), "Follow-up notes"),
    ):
        set_language(lang)
        pdf = render(audits.report(vault, actor=AUDITOR, audit_id=plan.id), ReportFormat.PDF)
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        for words in expected:
            assert words in text, (lang, words)
        assert absent not in text, (lang, text)


#: every service function with the action it needs (unknown ids: allowed calls end in InputError)
CALLS: list[tuple[Action, Callable[[Vault, Actor], object]]] = [
    (
        Action.GOVERN_EDIT,
        lambda v, a: audits.plan(
            v, actor=a, scope="s", frequency_months=12, planned_for="2026-07-01", auditors=["x"]
        ),
    ),
    (
        Action.GOVERN_EDIT,
        lambda v, a: audits.add_action(
            v, actor=a, finding_id="none", text="t", department="hr", due="2026-07-01"
        ),
    ),
    (Action.GOVERN_EDIT, lambda v, a: audits.complete_action(v, actor=a, action_id="none")),
    (
        Action.GOVERN_AUDIT_RECORD,
        lambda v, a: audits.record_finding(v, actor=a, audit_id="none", title="t", severity_="low"),
    ),
    (Action.GOVERN_AUDIT_RECORD, lambda v, a: audits.complete(v, actor=a, audit_id="none")),
    (
        Action.GOVERN_AUDIT_RECORD,
        lambda v, a: audits.add_note(v, actor=a, finding_id="none", text="t"),
    ),
    (Action.GOVERN_AUDIT_RECORD, lambda v, a: audits.close_finding(v, actor=a, finding_id="none")),
    (Action.GOVERN_VIEW, lambda v, a: audits.audits(v, actor=a)),
    (Action.GOVERN_VIEW, lambda v, a: audits.show(v, actor=a, audit_id="none")),
    (Action.GOVERN_VIEW, lambda v, a: audits.report(v, actor=a, audit_id="none")),
    (Action.GOVERN_VIEW, lambda v, a: audits.findings_table(v, actor=a)),
]


@pytest.mark.parametrize("role", list(Role))
def test_permissions_for_every_role(vault: Vault, role: Role) -> None:
    actor = Actor("x", role)
    for action, call in CALLS:
        if role in PERMISSIONS[action]:
            with contextlib.suppress(InputError):  # allowed, refused on the data
                call(vault, actor)
        else:
            with pytest.raises(PermissionDeniedError):
                call(vault, actor)


def test_auditors_record_but_do_not_plan_or_remediate() -> None:
    assert Role.AUDITOR in PERMISSIONS[Action.GOVERN_AUDIT_RECORD]
    assert Role.AUDITOR not in PERMISSIONS[Action.GOVERN_EDIT]
    assert Role.SELLER not in PERMISSIONS[Action.GOVERN_AUDIT_RECORD]
