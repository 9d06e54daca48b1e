"""The PIA: pre-filled from the inventory and the deal, people's answers sealed and checked for
personal identifiers, risks, completion and signatures, retention (PIPL-56) and what survives a
deal's destruction."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest
from sqlalchemy import select

from baomi import clock
from baomi.errors import InputError, PermissionDeniedError
from baomi.services import deals, destruction
from baomi.services.comply import assessments, pia
from baomi.services.comply.data import deal_data
from baomi.services.comply.pia import Impact, Likelihood, RiskLevel
from baomi.services.comply.profile import Location, TransferType, set_profile
from baomi.services.comply.reports.assessments import pia_report
from baomi.services.comply.reports.model import ChartKind
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from baomi.storage.models import AssessmentAnswer, AssessmentEvidence, AuditEventRow
from tests.services.fakes import add_files
from tests.vault_support import operator

OPS = operator()
AUDITOR = Actor("aud", Role.AUDITOR)
PDF = b"%PDF-1.4\n% evidence\n"


def _deal(vault: Vault, tmp_path: Path, files: int = 2) -> None:
    deals.create(vault, actor=OPS, name="d")
    paths = []
    for i in range(files):
        path = tmp_path / f"客户{i}.csv"
        path.write_text("身份证号\nx\n", encoding="utf-8")
        paths.append(path)
    add_files(vault, "d", paths)
    set_profile(
        vault,
        actor=OPS,
        deal_ref="d",
        transfer_type=TransferType.ASSET_SALE,
        recipient_name="买方科技有限公司",
        recipient_location=Location.HONG_KONG,
        purpose="尽职调查",
    )


def _answer_all(vault: Vault) -> None:
    for q in pia.show(vault, actor=OPS, deal_ref="d").missing:
        pia.answer(vault, actor=OPS, deal_ref="d", question_id=q, text="已评估：仅提供去标识化样本")


def _complete(vault: Vault, at: _dt.datetime | None = None) -> pia.Pia:
    return pia.complete(
        vault, actor=OPS, deal_ref="d", officer="王主任", legal="李律师", management="张总", at=at
    )


def _question(p: pia.Pia, qid: str) -> pia.PiaQuestion:
    return next(q for s in p.sections for q in s.questions if q.id == qid)


def test_prefill_matches_the_inventory_and_the_deal(vault: Vault, tmp_path: Path) -> None:
    _deal(vault, tmp_path, files=3)
    summary = deal_data(vault, deals.list_deals(vault, actor=OPS)[0].id)
    p = pia.show(vault, actor=OPS, deal_ref="d")
    assert p.version == 0 and [s.id for s in p.sections] == ["purpose", "impact", "measures"]
    individuals = _question(p, "pia.individuals")
    assert individuals.prefilled and individuals.value.startswith(f"{summary.individuals} ")
    assert f"{summary.individuals_at_least}" in individuals.value
    assert all(c in _question(p, "pia.categories").value for c in summary.categories)
    sensitive = _question(p, "pia.sensitive").value
    assert f"{summary.sensitive_individuals} " in sensitive
    assert all(c in sensitive for c in summary.sensitive_categories)
    assert "买方科技有限公司" in _question(p, "pia.recipient").value
    assert "香港" in _question(p, "pia.recipient").value
    assert _question(p, "pia.cross_border").status == "attention"  # Hong Kong is abroad
    assert (
        "2/2" in _question(p, "pia.encryption").value
        or "3/3" in _question(p, "pia.encryption").value
    )
    assert not _question(p, "pia.necessity").prefilled


def test_prefilled_questions_are_not_answered_by_people(vault: Vault, tmp_path: Path) -> None:
    _deal(vault, tmp_path)
    with pytest.raises(InputError):
        pia.answer(vault, actor=OPS, deal_ref="d", question_id="pia.individuals", text="100")
    with pytest.raises(InputError):
        pia.answer(vault, actor=OPS, deal_ref="d", question_id="pia.nope", text="x")


def test_a_personal_identifier_in_free_text_is_refused_and_never_stored(
    vault: Vault, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    with pytest.raises(InputError) as err:
        pia.answer(
            vault,
            actor=OPS,
            deal_ref="d",
            question_id="pia.necessity",
            text="客户 13912345678 同意",
        )
    assert "13912345678" not in str(err.value) and "手机号" in str(err.value)
    with pytest.raises(InputError):
        pia.add_risk(
            vault,
            actor=OPS,
            deal_ref="d",
            title="泄露 a.b@example.com",
            impact=Impact.LOW,
            likelihood=Likelihood.LOW,
        )
    pia.answer(vault, actor=OPS, deal_ref="d", question_id="pia.necessity", text="仅必要字段")
    with vault.reading() as session:
        sealed = session.execute(select(AssessmentAnswer.answer_sealed)).scalar_one()
        details = " ".join(session.execute(select(AuditEventRow.details)).scalars())
    assert "仅必要字段".encode() not in sealed and "仅必要字段" not in details


def test_risks_take_their_level_from_the_matrix(vault: Vault, tmp_path: Path) -> None:
    _deal(vault, tmp_path)
    pia.add_risk(
        vault,
        actor=OPS,
        deal_ref="d",
        title="内部泄露",
        impact=Impact.HIGH,
        likelihood=Likelihood.MEDIUM,
    )
    risk = pia.add_risk(
        vault,
        actor=OPS,
        deal_ref="d",
        title="重标识",
        impact=Impact.SEVERE,
        likelihood=Likelihood.HIGH,
    )
    p = pia.show(vault, actor=OPS, deal_ref="d")
    assert [(r.title, r.level, r.unacceptable) for r in p.risks] == [
        ("内部泄露", RiskLevel.MEDIUM, False),
        ("重标识", RiskLevel.SEVERE, True),
    ]
    assert p.heat()[0][2] == 1 and p.heat()[1][1] == 1 and sum(map(sum, p.heat())) == 2
    pia.remove_risk(vault, actor=OPS, deal_ref="d", risk_id=risk)
    assert len(pia.show(vault, actor=OPS, deal_ref="d").risks) == 1


def test_completion_needs_every_answer_and_freezes_the_assessment(
    vault: Vault, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    pia.answer(vault, actor=OPS, deal_ref="d", question_id="pia.necessity", text="仅必要字段")
    with pytest.raises(InputError, match=r"pia\.legal_basis"):
        _complete(vault)
    _answer_all(vault)
    done = _complete(vault)
    assert done.state.value == "completed" and done.completed_by == OPS.name
    assert dict(done.signatures) == {"officer": "王主任", "legal": "李律师", "management": "张总"}
    with pytest.raises(InputError):  # completed: no change
        pia.answer(vault, actor=OPS, deal_ref="d", question_id="pia.necessity", text="改")
    before = _question(done, "pia.individuals").value
    add_files(vault, "d", [tmp_path / "客户0.csv"])  # the inventory grows afterwards
    assert _question(pia.show(vault, actor=OPS, deal_ref="d"), "pia.individuals").value == before
    assert pia.new_version(vault, actor=OPS, deal_ref="d") == 2
    assert _question(pia.show(vault, actor=OPS, deal_ref="d"), "pia.individuals").value != before


@pytest.mark.parametrize(
    ("offset_days", "allowed"),
    [(-1, False), (0, True), (1, True)],
    ids=["day-before", "at", "after"],
)
def test_a_completed_pia_is_kept_three_years(
    vault: Vault, tmp_path: Path, offset_days: int, allowed: bool
) -> None:
    _deal(vault, tmp_path)
    _answer_all(vault)
    completed = _dt.datetime(2026, 12, 4, 9, 0, tzinfo=_dt.UTC)
    done = _complete(vault, at=completed)
    assert done.keep_until == _dt.datetime(2029, 12, 4, 9, 0, tzinfo=_dt.UTC).isoformat()
    at = _dt.datetime(2029, 12, 4, 9, 0, tzinfo=_dt.UTC) + _dt.timedelta(days=offset_days)
    if allowed:
        pia.delete(vault, actor=OPS, deal_ref="d", version=1, at=at)
        assert pia.show(vault, actor=OPS, deal_ref="d").version == 0
    else:
        with pytest.raises(InputError, match="2029-12-04"):
            pia.delete(vault, actor=OPS, deal_ref="d", version=1, at=at)


def test_a_draft_may_be_deleted_and_only_key_holders_delete(vault: Vault, tmp_path: Path) -> None:
    _deal(vault, tmp_path)
    pia.answer(vault, actor=OPS, deal_ref="d", question_id="pia.necessity", text="仅必要字段")
    with pytest.raises(PermissionDeniedError):
        pia.delete(vault, actor=Actor("c", Role.COUNSEL), deal_ref="d", version=1)
    pia.delete(vault, actor=OPS, deal_ref="d", version=1)
    assert pia.show(vault, actor=OPS, deal_ref="d").version == 0


def test_29_february_is_kept_until_1_march() -> None:
    assert assessments.keep_until("2028-02-29T10:00:00+00:00").startswith("2031-03-01")


def test_evidence_is_checked_sealed_with_the_deal_key_and_shredded_with_it(
    vault: Vault, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    for bad_name, data in (
        ("x.pdf", b"not a pdf"),
        ("x.exe", b"MZ"),
        ("../x.pdf", PDF),
        ("big.pdf", PDF + b"0" * assessments.EVIDENCE_MAX_BYTES),
    ):
        with pytest.raises(InputError):
            pia.add_evidence(
                vault,
                actor=OPS,
                deal_ref="d",
                question_id="pia.necessity",
                name=bad_name,
                data=data,
            )
    ev = pia.add_evidence(
        vault,
        actor=OPS,
        deal_ref="d",
        question_id="pia.necessity",
        name="最小必要说明.pdf",
        data=PDF,
    )
    with vault.reading() as session:
        assert PDF not in session.execute(select(AssessmentEvidence.content_sealed)).scalar_one()
    assert assessments.open_evidence(vault, actor=OPS, deal_ref="d", evidence_id=ev.id) == (
        "最小必要说明.pdf",
        PDF,
    )
    _answer_all(vault)
    pia.add_risk(
        vault,
        actor=OPS,
        deal_ref="d",
        title="内部泄露",
        impact=Impact.HIGH,
        likelihood=Likelihood.HIGH,
    )
    _complete(vault)
    destruction.destroy(vault, actor=OPS, deal_ref="d", out=tmp_path / "cert.json")
    kept = pia.show(vault, actor=OPS, deal_ref="d")  # the PIA outlives the deal (PIPL-56)
    assert kept.state.value == "completed" and kept.risks[0].title == "内部泄露"
    assert _question(kept, "pia.necessity").answer is not None
    assert _question(kept, "pia.necessity").evidence[0].sha256 == ev.sha256
    assert _question(kept, "pia.individuals").value.startswith("2 ")  # the snapshot, not zero
    with pytest.raises(InputError):
        assessments.open_evidence(vault, actor=OPS, deal_ref="d", evidence_id=ev.id)


def test_the_buyer_neither_reads_nor_writes_and_the_auditor_only_reads(
    vault: Vault, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    buyer = Actor("b", Role.BUYER)
    with pytest.raises(PermissionDeniedError):
        pia.show(vault, actor=buyer, deal_ref="d")
    with pytest.raises(PermissionDeniedError):
        pia.answer(vault, actor=buyer, deal_ref="d", question_id="pia.necessity", text="x")
    assert pia.show(vault, actor=AUDITOR, deal_ref="d").version == 0
    with pytest.raises(PermissionDeniedError):
        pia.answer(vault, actor=AUDITOR, deal_ref="d", question_id="pia.necessity", text="x")


def test_the_report_has_the_three_contents_the_risks_and_the_signatures(
    vault: Vault, tmp_path: Path
) -> None:
    _deal(vault, tmp_path)
    _answer_all(vault)
    pia.add_risk(
        vault,
        actor=OPS,
        deal_ref="d",
        title="内部泄露",
        impact=Impact.HIGH,
        likelihood=Likelihood.HIGH,
    )
    done = _complete(vault)
    report = pia_report(done)
    headings = [s.heading for s in report.sections]
    assert any(h.startswith("一、") for h in headings) and any(
        h.startswith("三、") for h in headings
    )
    assert any(h.startswith("二、") for h in headings)
    charts = [c for s in report.sections for c in s.charts]
    assert charts[0].kind is ChartKind.HEATMAP and charts[0].cells[1][2] == 1
    assert [s.name for s in report.signatures] == ["王主任", "李律师", "张总"]
    assert done.keep_until and clock.day(done.keep_until) in report.retention  # China's date
    assert {c.rule_id for c in report.unconfirmed} >= {"S393-D3", "S393-D1", "S393-D2"}
    assert report.kind == "pia" and report.subject == "d"


def test_the_site_matrix_levels_a_draft_and_completion_freezes_it(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deal(vault, tmp_path)
    _answer_all(vault)
    pia.add_risk(
        vault,
        actor=OPS,
        deal_ref="d",
        title="外部攻击",
        impact=Impact.LOW,
        likelihood=Likelihood.HIGH,
    )
    assert pia.show(vault, actor=OPS, deal_ref="d").risks[0].level is RiskLevel.MEDIUM
    site = tmp_path / "rules.yaml"
    site.write_text(
        "S393-D3:\n  params:\n    matrix:\n"
        "      severe: [medium, high, severe, severe]\n"
        "      high: [medium, medium, high, severe]\n"
        "      medium: [low, medium, medium, high]\n"
        "      low: [low, low, high, high]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BAOMI_RULES_FILE", str(site))
    draft = pia.show(vault, actor=OPS, deal_ref="d")
    assert draft.matrix_overridden and draft.risks[0].level is RiskLevel.HIGH
    assert draft.risks[0].unacceptable
    _complete(vault)
    monkeypatch.delenv("BAOMI_RULES_FILE")
    frozen = pia.show(vault, actor=OPS, deal_ref="d")
    assert frozen.risks[0].level is RiskLevel.HIGH and frozen.matrix_overridden
