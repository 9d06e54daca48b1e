"""The six-area risk assessment: system questions answered from the facts and kept current,
people's answers, scores and levels at their boundaries, the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.errors import InputError
from baomi.services import deals
from baomi.services.comply import facts, risk
from baomi.services.comply.assessments import questionnaire
from baomi.services.comply.reports.assessments import risk_report
from baomi.services.comply.reports.model import stamp
from baomi.services.comply.risk import Choice, Level, level_of, score_of
from baomi.services.comply.rulebook import rules
from baomi.services.vault import Vault
from tests.vault_support import operator

OPS = operator()


def test_six_areas_every_question_cites_a_rule_of_the_book() -> None:
    doc = questionnaire("risk")
    assert [a["id"] for a in doc["areas"]] == [
        "leakage",
        "insiders",
        "outsiders",
        "technical",
        "management",
        "legal",
    ]
    book = rules()
    assert all(q["rule"] in book for a in doc["areas"] for q in a["questions"])
    for section in questionnaire("pia")["sections"]:
        assert all(q["rule"] in book for q in section["questions"])


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (79, Level.MEDIUM),
        (80, Level.LOW),
        (81, Level.LOW),
        (59, Level.HIGH),
        (60, Level.MEDIUM),
        (61, Level.MEDIUM),
    ],
)
def test_levels_at_the_scale_boundaries(score: float, level: Level) -> None:
    assert level_of(score) is level


def test_scores_leave_out_na() -> None:
    assert score_of([Choice.YES, Choice.PARTLY, Choice.NO, Choice.NA]) == 50.0
    assert score_of([Choice.NA]) is None
    assert score_of([Choice.YES] * 4 + [Choice.NO]) == 80.0


def test_facts_answer_their_questions_and_people_the_rest(vault: Vault) -> None:
    deals.create(vault, actor=OPS, name="d")
    r = risk.assessment(vault, actor=OPS, deal_ref="d", incidents=facts.incidents_not_tracked)
    by_id = {q.id: q for a in r.areas for q in a.questions}
    assert by_id["insiders.audit_chain"].choice is Choice.YES
    assert by_id["insiders.audit_chain"].answered_from == "system"
    assert by_id["technical.backup"].choice is Choice.NO  # never verified
    assert by_id["outsiders.incidents"].choice is None  # not tracked: people answer
    risk.answer(
        vault, actor=OPS, deal_ref="d", question_id="outsiders.incidents", choice=Choice.YES
    )
    risk.answer(
        vault, actor=OPS, deal_ref="d", question_id="management.rules", choice=Choice.PARTLY,
        comment="制度在修订",
    )  # fmt: skip
    tracked = risk.assessment(vault, actor=OPS, deal_ref="d")  # the incident register answers
    assert {q.id: q for a in tracked.areas for q in a.questions}[
        "outsiders.incidents"
    ].answered_from == "system"
    r = risk.assessment(vault, actor=OPS, deal_ref="d", incidents=facts.incidents_not_tracked)
    by_id = {q.id: q for a in r.areas for q in a.questions}
    assert by_id["outsiders.incidents"].answered_from == "person"
    assert by_id["management.rules"].answer is not None
    assert by_id["management.rules"].answer.comment == "制度在修订"
    management = next(a for a in r.areas if a.id == "management")
    assert management.score == 50.0 and management.level is Level.HIGH and management.answered == 1
    assert not r.complete
    with pytest.raises(InputError):
        risk.answer(vault, actor=OPS, deal_ref="d", question_id="nope", choice=Choice.YES)


def test_evidence_attaches_to_a_risk_question(vault: Vault, tmp_path: Path) -> None:
    deals.create(vault, actor=OPS, name="d")
    risk.add_evidence(
        vault, actor=OPS, deal_ref="d", question_id="insiders.training", name="培训记录.pdf",
        data=b"%PDF-1.4\n",
    )  # fmt: skip
    r = risk.assessment(vault, actor=OPS, deal_ref="d")
    training = next(q for a in r.areas for q in a.questions if q.id == "insiders.training")
    assert [e.name for e in training.evidence] == ["培训记录.pdf"]


def test_the_report_has_an_area_per_section_and_the_facts(vault: Vault) -> None:
    deals.create(vault, actor=OPS, name="d")
    assessed = risk.assessment(vault, actor=OPS, deal_ref="d")
    report = risk_report(assessed)
    assert report.kind == "risk" and len(report.summary) == 6
    assert len(report.sections) == 7
    facts = report.sections[-1].tables[0]
    assert len(facts.rows) == len(facts.tones) and facts.rows
    # when each fact was checked: China time with its zone, as the report's own time (the
    # report printed the stored UTC time cut at the seconds, "2026-12-06T04:31:52")
    assert [row[3] for row in facts.rows] == [stamp(f.checked_at) for f in assessed.facts]
    assert all(row[3].endswith(" UTC+8") for row in facts.rows)
    assert stamp(assessed.checked_at) in report.sections[-1].paragraphs[0]


def test_a_fact_answers_its_question_once_baomi_can_check_it(vault: Vault) -> None:
    deals.create(vault, actor=OPS, name="d")
    risk.answer(
        vault, actor=OPS, deal_ref="d", question_id="outsiders.incidents", choice=Choice.YES
    )
    untracked = risk.assessment(
        vault, actor=OPS, deal_ref="d", incidents=facts.incidents_not_tracked
    )
    by_id = {q.id: q for a in untracked.areas for q in a.questions}
    assert by_id["outsiders.incidents"].answered_from == "person"
    tracked = risk.assessment(vault, actor=OPS, deal_ref="d", incidents=lambda v, d: 1)
    by_id = {q.id: q for a in tracked.areas for q in a.questions}
    assert by_id["outsiders.incidents"].answered_from == "system"
    assert by_id["outsiders.incidents"].choice is Choice.NO  # one open incident
