"""The risk assessment in six areas — leakage in transit, storage and use; insiders; outsiders;
technical measures; management; legal (``questions/risk.yaml``).

Questions baomi can answer are answered from :mod:`~baomi.services.comply.facts` on every read
(ok → yes, attention → partly, problem → no; an ``unknown`` fact leaves the question to people);
people answer the rest (yes / partly / no / na, a comment, evidence files). Each area gets a score
(points as a percentage of what its answered questions can reach) and a level from the scale in
the questionnaire.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services.comply import assessments
from baomi.services.comply.assessments import Answer, Evidence, Kind
from baomi.services.comply.facts import (
    Fact,
    IncidentCounter,
    Status,
    facts_of,
    open_incidents,
)
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault


class Choice(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NA = "na"

    @property
    def label(self) -> str:
        return {
            Choice.YES: tr("是", "yes"),
            Choice.PARTLY: tr("部分", "partly"),
            Choice.NO: tr("否", "no"),
            Choice.NA: tr("不适用", "n/a"),
        }[self]


POINTS = {Choice.YES: 2, Choice.PARTLY: 1, Choice.NO: 0}
FROM_FACT = {Status.OK: Choice.YES, Status.ATTENTION: Choice.PARTLY, Status.PROBLEM: Choice.NO}


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return {
            Level.LOW: tr("低风险", "low risk"),
            Level.MEDIUM: tr("中风险", "medium risk"),
            Level.HIGH: tr("高风险", "high risk"),
        }[self]


@dataclass(frozen=True)
class RiskQuestion:
    id: str
    area: str
    text: str
    rule: str
    #: the fact that answers it (``None``: people answer)
    fact: Fact | None
    choice: Choice | None
    #: ``system`` (from the fact), ``person`` or ``None`` (unanswered)
    answered_from: str | None
    answer: Answer | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    questions: tuple[RiskQuestion, ...]
    #: percent of the reachable points (``None``: nothing answered)
    score: float | None
    level: Level | None
    answered: int


@dataclass(frozen=True)
class RiskAssessment:
    deal_id: str
    deal_name: str
    checked_at: str
    areas: tuple[Area, ...]
    facts: tuple[Fact, ...]

    @property
    def complete(self) -> bool:
        return all(a.answered == len(a.questions) for a in self.areas)


def level_of(score: float, scale: list[dict[str, Any]] | None = None) -> Level:
    """The level of a score on the questionnaire's scale (``levels``, highest ``min`` first)."""
    for step in scale or assessments.questionnaire("risk")["levels"]:
        if score >= float(step["min"]):
            return Level(step["level"])
    raise InputError(f"no level for score {score}")


def score_of(choices: list[Choice]) -> float | None:
    counted = [c for c in choices if c is not Choice.NA]
    if not counted:
        return None
    return 100.0 * sum(POINTS[c] for c in counted) / (2 * len(counted))


def question_spec(question_id: str) -> dict[str, Any]:
    """The questionnaire's entry for ``question_id``; :class:`InputError` if there is none."""
    return assessments.find_question("risk", question_id)


def assessment(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    at: _dt.datetime | None = None,
    incidents: IncidentCounter = open_incidents,
) -> RiskAssessment:
    """The six areas as of now: facts filled in, people's answers, scores and levels."""
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_VIEW)
    facts = {f.id: f for f in facts_of(vault, actor, deal_id, at=at, incidents=incidents)}
    with vault.reading() as session:
        deal = find_deal(session, deal_id)
        row = assessments.latest(session, deal_id, Kind.RISK)
        answers = assessments.answers_of(vault, session, row)
        evidence = assessments.evidence_of(session, row)
    areas = []
    for spec in assessments.questionnaire("risk")["areas"]:
        questions = []
        for q in spec["questions"]:
            fact = facts.get(q["fact"]) if q.get("fact") else None
            given = answers.get(q["id"])
            choice: Choice | None = None
            source: str | None = None
            if fact is not None and fact.status in FROM_FACT:
                choice, source = FROM_FACT[fact.status], "system"
            elif given is not None:
                choice, source = Choice(given.answer), "person"
            questions.append(
                RiskQuestion(
                    q["id"],
                    spec["id"],
                    assessments.texts(q["text"]),
                    q["rule"],
                    fact,
                    choice,
                    source,
                    given,
                    tuple(e for e in evidence if e.question_id == q["id"]),
                )
            )
        chosen = [q.choice for q in questions if q.choice is not None]
        score = score_of(chosen)
        areas.append(
            Area(
                spec["id"],
                assessments.texts(spec["title"]),
                tuple(questions),
                score,
                None if score is None else level_of(score),
                len(chosen),
            )
        )
    moment = next(iter(facts.values())).checked_at
    return RiskAssessment(deal_id, deal.name, moment, tuple(areas), tuple(facts.values()))


def answer(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    question_id: str,
    choice: Choice,
    comment: str = "",
) -> None:
    """A person's answer to a question baomi cannot answer itself."""
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    question_spec(question_id)  # a fact's answer wins while baomi can check it (see module doc)
    assessments.save_answer(vault, actor, deal_id, Kind.RISK, question_id, choice.value, comment)


def add_evidence(
    vault: Vault, *, actor: Actor, deal_ref: str, question_id: str, name: str, data: bytes
) -> Evidence:
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    question_spec(question_id)
    return assessments.add_evidence(vault, actor, deal_id, Kind.RISK, question_id, name, data)
