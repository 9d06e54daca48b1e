from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from sqlalchemy import select

from baomi.errors import InputError, NotFoundError, PermissionDeniedError
from baomi.services import deals
from baomi.services.permissions import Actor, Role
from baomi.services.respond import incidents
from baomi.services.respond.incidents import Clock, Grade, Status
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow

OP = Actor("op", Role.OPERATOR)
T0 = _dt.datetime(2026, 12, 1, 8, 0, tzinfo=_dt.UTC)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, Grade.BELOW),
        (999_999, Grade.BELOW),
        (1_000_000, Grade.RELATIVELY_MAJOR),  # "以上" includes the number (INC-G4)
        (1_000_001, Grade.RELATIVELY_MAJOR),
        (9_999_999, Grade.RELATIVELY_MAJOR),
        (10_000_000, Grade.MAJOR),
        (99_999_999, Grade.MAJOR),
        (100_000_000, Grade.ESPECIALLY_MAJOR),
        (100_000_001, Grade.ESPECIALLY_MAJOR),
    ],
)
def test_grade_at_the_exact_thresholds(n: int, expected: Grade) -> None:
    assert incidents.grade(n) is expected


def _incident(vault: Vault, n: int, *, ciio: bool = False) -> incidents.IncidentInfo:
    return incidents.report(
        vault,
        actor=OP,
        title="CRM 导出文件外泄",
        discovered_at=T0.isoformat(),
        individuals=n,
        ciio=ciio,
    )


def _clock(info: incidents.IncidentInfo, at: _dt.datetime, clock: Clock) -> incidents.Deadline:
    return next(d for d in incidents.deadlines(info, at) if d.clock is clock)


@pytest.mark.parametrize(("ciio", "hours"), [(False, 4), (True, 1)])
def test_the_provincial_report_is_due_4_hours_after_discovery_1_for_ciio(
    vault: Vault, ciio: bool, hours: int
) -> None:
    info = _incident(vault, 1_000_000, ciio=ciio)
    due = T0 + _dt.timedelta(hours=hours)
    assert not _clock(info, due - _dt.timedelta(seconds=1), Clock.PROVINCIAL).overdue
    at_due = _clock(info, due, Clock.PROVINCIAL)
    assert not at_due.overdue and at_due.remaining == 0
    late = _clock(info, due + _dt.timedelta(seconds=1), Clock.PROVINCIAL)
    assert late.overdue and late.remaining == -1


def test_below_relatively_major_there_is_no_hour_clock_but_notice_is_immediate(
    vault: Vault,
) -> None:
    info = _incident(vault, 999_999)
    clocks = {d.clock: d for d in incidents.deadlines(info, T0 + _dt.timedelta(minutes=1))}
    assert Clock.PROVINCIAL not in clocks
    assert clocks[Clock.REGULATOR].immediate and clocks[Clock.REGULATOR].overdue
    assert clocks[Clock.INDIVIDUALS].overdue
    done = incidents.mark(
        vault, actor=OP, incident_id=info.id, clock=Clock.REGULATOR, at=T0.isoformat()
    )
    clocks = {d.clock: d for d in incidents.deadlines(done, T0 + _dt.timedelta(hours=9))}
    assert not clocks[Clock.REGULATOR].overdue and clocks[Clock.REGULATOR].done_at


def test_a_duty_done_stays_done_when_it_is_marked_again(vault: Vault) -> None:
    """Marking a duty done a second time overwrote when it was done with now, so the record
    no longer showed the notice went out in time: the first time stands, the second is an
    error."""
    info = _incident(vault, 999_999)
    incidents.mark(vault, actor=OP, incident_id=info.id, clock=Clock.REGULATOR, at=T0.isoformat())
    with pytest.raises(InputError):
        incidents.mark(vault, actor=OP, incident_id=info.id, clock=Clock.REGULATOR)
    again = incidents.get(vault, actor=OP, incident_id=info.id)
    done = {d.clock: d for d in incidents.deadlines(again, T0)}[Clock.REGULATOR].done_at
    assert done is not None and _dt.datetime.fromisoformat(done) == T0


def test_the_summary_report_is_due_30_days_after_handling_ends(vault: Vault) -> None:
    info = _incident(vault, 2_000_000)
    assert Clock.SUMMARY not in {d.clock for d in incidents.deadlines(info, T0)}
    with pytest.raises(InputError):
        incidents.mark(vault, actor=OP, incident_id=info.id, clock=Clock.SUMMARY)
    ended = T0 + _dt.timedelta(days=2)
    info = incidents.set_status(
        vault, actor=OP, incident_id=info.id, status=Status.HANDLED, at=ended.isoformat()
    )
    due = ended + _dt.timedelta(days=30)
    assert not _clock(info, due, Clock.SUMMARY).overdue
    assert _clock(info, due + _dt.timedelta(seconds=1), Clock.SUMMARY).overdue


def test_closing_needs_every_duty_done(vault: Vault) -> None:
    info = _incident(vault, 10)
    with pytest.raises(InputError):
        incidents.set_status(vault, actor=OP, incident_id=info.id, status=Status.CLOSED)
    incidents.mark(vault, actor=OP, incident_id=info.id, clock=Clock.REGULATOR)
    # the measures avoided harm: individuals need not be notified (PIPL-57)
    incidents.set_status(
        vault, actor=OP, incident_id=info.id, status=Status.HANDLED, harm_avoided=True
    )
    closed = incidents.set_status(vault, actor=OP, incident_id=info.id, status=Status.CLOSED)
    assert closed.status is Status.CLOSED
    assert incidents.open_count(vault) == 0


def test_counts_come_from_the_linked_documents_inventories(vault: Vault, tmp_path: Path) -> None:
    deal = deals.create(vault, actor=OP, name="d")
    f = tmp_path / "a.csv"
    f.write_text("x\n1\n", encoding="utf-8")
    inv = {"summary": {"estimated_individuals": 1234, "individuals_with_sensitive": 56}}
    added = deals.add(vault, actor=OP, deal_ref="d", paths=[f], scanner=lambda _p: inv)
    object_id = added[0].id
    assert deal.id
    info = incidents.report(
        vault, actor=OP, title="t", deal_ref="d", objects=[object_id], discovered_at=None
    )
    assert (info.individuals, info.sensitive_individuals, info.counted_from) == (
        1234,
        56,
        "inventory",
    )
    with pytest.raises(InputError):
        incidents.report(vault, actor=OP, title="t", deal_ref="d", objects=["nope"])


def test_titles_are_sealed_and_buyers_see_nothing(vault: Vault) -> None:
    info = _incident(vault, 5)
    raw = Path(vault.settings.sqlalchemy_url.removeprefix("sqlite:///"))
    if raw.exists():
        assert "CRM 导出文件外泄".encode() not in raw.read_bytes()
    assert incidents.get(vault, actor=OP, incident_id=info.id).title == "CRM 导出文件外泄"
    with pytest.raises(PermissionDeniedError):
        incidents.get(vault, actor=Actor("b", Role.BUYER), incident_id=info.id)
    with pytest.raises(PermissionDeniedError):
        incidents.register(vault, actor=Actor("b", Role.BUYER))


def test_playbook_steps_tick_and_finish(vault: Vault) -> None:
    info = _incident(vault, 5)
    assert [s.step for s in info.steps] == ["isolate", "preserve", "restore", "notify", "review"]
    info = incidents.step(
        vault, actor=OP, incident_id=info.id, step_name="isolate", tick=["revoke_access"]
    )
    isolate = info.steps[0]
    assert isolate.started_at and not isolate.done_at
    assert dict((k, t) for k, _, t in isolate.checklist) == {
        "revoke_access": True,
        "stop_flow": False,
    }
    info = incidents.step(vault, actor=OP, incident_id=info.id, step_name="isolate", done=True)
    assert info.steps[0].done_by == "op"
    with pytest.raises(InputError):
        incidents.step(vault, actor=OP, incident_id=info.id, step_name="isolate", tick=["zzz"])


def test_a_future_discovery_time_is_refused(vault: Vault) -> None:
    future = (_dt.datetime.now(_dt.UTC) + _dt.timedelta(days=1)).isoformat()
    with pytest.raises(InputError):
        incidents.report(vault, actor=OP, title="t", discovered_at=future)


def test_the_individual_notice_has_the_three_contents_pipl_57_requires(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.services.respond.notices import (
        Channel,
        NoticeFacts,
        individual_notice,
        regulator_report,
    )

    monkeypatch.setenv("BAOMI_LANG", "zh")
    info = _incident(vault, 1_000_000)
    facts = NoticeFacts(
        categories="姓名、手机号",
        cause="外包商误配置共享链接",
        harm="收到诈骗电话",
        measures="关闭链接并通知接收方删除",
        advice="警惕自称客服的来电",
        contact="400-000-0000",
        company="示例科技有限公司",
    )
    letter = individual_notice(info, facts, Channel.EMAIL)
    for part in (
        "姓名、手机号",
        "外包商误配置共享链接",
        "收到诈骗电话",
        "关闭链接",
        "警惕",
        "400-000-0000",
    ):
        assert part in letter
    assert "PIPL-57" in letter
    # discovered at 08:00 UTC: the notice, read by customers, says 16:00 Beijing time
    assert "北京时间 2026-12-01 16:00" in letter and "08:00" not in letter
    sms = individual_notice(info, facts, Channel.SMS)
    assert "400-000-0000" in sms and len(sms) < len(letter)
    report = regulator_report(info, facts)
    assert "较大" in report and "1,000,000" in report and "4 小时" in report


def test_the_regulator_report_pdf_carries_the_contents_inc_7_requires(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from pypdf import PdfReader

    from baomi.services.comply.reports.render import ReportFormat, render
    from baomi.services.respond.notices import NoticeFacts, regulator_report_model

    monkeypatch.setenv("BAOMI_LANG", "zh")
    info = _incident(vault, 10_000_000)
    facts = NoticeFacts(
        "姓名、手机号",
        "外包商误配置",
        "诈骗电话",
        "关闭链接",
        "警惕来电",
        "400-000-0000",
        "示例科技有限公司",
    )
    model = regulator_report_model(info, facts)
    text = (
        "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(render(model, ReportFormat.PDF))).pages
        )
        .replace(" ", "")
        .replace("\n", "")
    )
    for part in (
        "示例科技有限公司",
        "400-000-0000",
        "10,000,000",
        "外包商误配置",
        "关闭链接",
        "重大",
    ):
        assert part in text, part
    # every clock of the register is in the table, and the rules behind them are cited
    assert len(model.sections[-1].tables[0].rows) == len(incidents.deadlines(info))
    assert {"PIPL-57", "INC-4", "INC-8"} <= {c.rule_id for c in model.sections[-1].citations}


def test_the_restore_step_verifies_restores_to_scratch_and_times_it(
    vault: Vault, tmp_path: Path
) -> None:
    from baomi.services import backup

    deals.create(vault, actor=OP, name="d")
    f = tmp_path / "a.csv"
    f.write_text("x\n1\n", encoding="utf-8")
    deals.add(vault, actor=OP, deal_ref="d", paths=[f], scanner=lambda _p: None)
    archive = tmp_path / "b.baomi-backup"
    backup.create(vault, actor=OP, out=archive)
    info = _incident(vault, 3)
    info, result = incidents.restore_step(vault, actor=OP, incident_id=info.id, backup_path=archive)
    restore = next(s for s in info.steps if s.step == "restore")
    assert result.documents == 1 and result.seconds > 0
    assert restore.seconds == result.seconds
    assert all(ticked for _, _, ticked in restore.checklist)
    assert not list(Path(vault.settings.home).glob("baomi-restore-*"))
    with pytest.raises(PermissionDeniedError):  # counsel may respond, not open backups
        incidents.restore_step(
            vault, actor=Actor("c", Role.COUNSEL), incident_id=info.id, backup_path=archive
        )


def test_identifiers_typed_in_a_description_are_masked_before_it_is_stored(vault: Vault) -> None:
    """Minimum necessary (PIPL-6): everyone with ``incident.view`` reads an incident's
    description, and none needs a customer's identifiers from it; what the scan's recognizers
    find is masked before the text is sealed (the form asks for no customer data at all)."""
    from tests.vault_support import mobile, resident_id

    typed = f"客户 {mobile(3)} 的身份证 {resident_id(3)} 被发到外部邮箱"
    info = incidents.report(vault, actor=OP, title=f"泄露 {mobile(4)}", description=typed)
    shown = incidents.get(vault, actor=OP, incident_id=info.id)
    for raw in (mobile(3), resident_id(3), mobile(4)):
        assert raw not in shown.description and raw not in shown.title
    assert mobile(3)[:3] + "****" + mobile(3)[-4:] in shown.description
    assert "被发到外部邮箱" in shown.description  # the words are kept


def test_another_deals_incident_answers_as_one_that_does_not_exist(vault: Vault) -> None:
    """Asked for under its room, another deal's incident said "该交易没有此事件" and an unknown
    id "没有该事件": a member of one room could tell which incident ids exist elsewhere. Both
    answer alike now (404, no id), and a member's refusals are recorded."""
    for name in ("d1", "d2"):
        deals.create(vault, actor=OP, name=name)
    ours = incidents.report(vault, actor=OP, title="t", deal_ref="d1", individuals=1)
    theirs = incidents.report(vault, actor=OP, title="t", deal_ref="d2", individuals=1)
    seller = Actor("s", Role.SELLER, deals=frozenset({ours.deal_id or ""}))
    assert incidents.get(vault, actor=seller, incident_id=ours.id, deal_ref="d1").id == ours.id
    said = set()
    for asked in (theirs.id, "0" * 32):
        for actor in (seller, OP):  # a member, and the platform that sees every deal
            with pytest.raises(NotFoundError) as err:
                incidents.get(vault, actor=actor, incident_id=asked, deal_ref="d1")
            said.add(str(err.value))
        with pytest.raises(NotFoundError):
            incidents.set_status(
                vault, actor=seller, incident_id=asked, deal_ref="d1", status=Status.HANDLED
            )
    assert said == {"没有该事件"}
    with vault.reading() as s:
        denied = s.execute(
            select(AuditEventRow.object).where(AuditEventRow.action == "access.denied")
        ).scalars()
        assert sorted(denied) == sorted([f"incident:{theirs.id}"] * 2 + ["incident:-"] * 2)
    assert incidents.get(vault, actor=OP, incident_id=theirs.id).status is Status.OPEN


def _stored_unmasked(vault: Vault, incident_id: str, title: str, description: str) -> None:
    """Make ``incident_id`` look as an incident stored before masking: its texts sealed as
    typed, without the marker."""
    from baomi.engine import crypto
    from baomi.storage.models import Incident

    key = vault.platform_key("fields")
    with vault.transaction() as session:
        row = session.get(Incident, incident_id)
        assert row is not None and row.masked  # what report() stores now carries the marker
        row.title_sealed = crypto.seal(key, title.encode(), incidents._aad(row.id, "title"))
        row.description_sealed = crypto.seal(
            key, description.encode(), incidents._aad(row.id, "description")
        )
        row.masked = False


def test_older_incidents_are_masked_and_resealed_by_remask(vault: Vault) -> None:
    """Incidents stored before descriptions were masked kept the identifiers typed in them:
    ``remask`` masks and re-seals every incident without the marker, one ``incident.update``
    event each (no value in it), and a second run has nothing left to do."""
    from tests.vault_support import mobile, resident_id

    old = incidents.report(vault, actor=OP, title="旧事件", description="")
    new = incidents.report(vault, actor=OP, title="新事件", description="已遮蔽")
    typed = f"客户 {mobile(5)} 的身份证 {resident_id(5)} 被发到外部邮箱"
    _stored_unmasked(vault, old.id, f"泄露 {mobile(6)}", typed)
    assert mobile(5) in incidents.get(vault, actor=OP, incident_id=old.id).description
    assert incidents.unmasked(vault, actor=OP) == 1

    with pytest.raises(PermissionDeniedError):  # auditors read the register, change nothing
        incidents.remask(vault, actor=Actor("a", Role.AUDITOR))
    assert incidents.remask(vault, actor=OP) == 1

    shown = incidents.get(vault, actor=OP, incident_id=old.id)
    for raw in (mobile(5), resident_id(5), mobile(6)):
        assert raw not in shown.description and raw not in shown.title
    assert "被发到外部邮箱" in shown.description
    assert incidents.get(vault, actor=OP, incident_id=new.id).description == "已遮蔽"
    with vault.reading() as session:
        events = [
            e
            for e in session.execute(select(AuditEventRow)).scalars()
            if e.action == "incident.update" and '"remasked"' in e.details
        ]
    assert [e.object for e in events] == [f"incident:{old.id}"]
    assert mobile(5) not in events[0].details and mobile(6) not in events[0].details
    assert incidents.unmasked(vault, actor=OP) == 0
    assert incidents.remask(vault, actor=OP) == 0  # nothing left: no event
