"""The PI protection impact assessment (PIPL-55/56) along GB/T 39335's process (S393-5).

The questionnaire (``questions/pia.yaml``) has three sections, the three contents Art. 56
requires. Its questions are pre-filled from the scan inventory (:mod:`.data`), the deal's profile
(:mod:`.profile`) and the measures in place (:mod:`.facts`) — kept current while the assessment
is a draft — or answered by people. Risks are listed with an impact (严重/高/中/低) and a
likelihood (低/中/高/很高); their level comes from the matrix of the rule ``S393-D3``, which is
taken from the *draft* of GB/T 39335 (configurable; every output using it says so).

Completing the assessment signs it (the PI protection officer, legal, management), freezes what
the system filled in (a sealed snapshot, in both languages, with the risk levels and the matrix
used) and sets ``keep_until``: completion + PIPL-56's ``keep_years``; it cannot be deleted
before. A destroyed deal keeps its PIA (see :mod:`.assessments` for what is sealed with which
key).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply import assessments, prefill
from baomi.services.comply.assessments import Answer, Evidence, Kind, State
from baomi.services.comply.matrix import (
    MATRIX_RULE,
    Impact,
    Likelihood,
    RiskLevel,
    matrix_rule,
    risk_level,
    unacceptable,
    upgrade_for_scale,
)
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import PiaRisk

__all__ = [
    "MATRIX_RULE",
    "SIGNATORIES",
    "Impact",
    "Likelihood",
    "Pia",
    "PiaQuestion",
    "PiaSection",
    "Risk",
    "RiskLevel",
    "add_evidence",
    "add_risk",
    "answer",
    "as_json",
    "complete",
    "delete",
    "matrix_rule",
    "new_version",
    "remove_risk",
    "risk_level",
    "show",
    "unacceptable",
    "upgrade_for_scale",
]


def as_json(p: Pia) -> dict[str, Any]:
    """The PIA as JSON data (CLI ``--format json``, the API): the view, the questions still to
    answer, the heat map and the matrix's rule with its (un)confirmed status."""
    rule = matrix_rule()
    data: dict[str, Any] = assessments.as_data(p)
    return data | {
        "missing": list(p.missing),
        "heat": [list(r) for r in p.heat()],
        "matrix_rule": {"id": rule.id, "status": rule.status, "confirmed": rule.confirmed},
    }


# --- the view ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PiaQuestion:
    id: str
    section: str
    step: str
    text: str
    rule: str
    #: True when baomi fills it in (``value``); False when people answer (``answer``)
    prefilled: bool
    value: str
    source: str
    status: str | None
    answer: Answer | None
    evidence: tuple[Evidence, ...]

    @property
    def answered(self) -> bool:
        return self.prefilled or self.answer is not None


@dataclass(frozen=True)
class PiaSection:
    id: str
    title: str
    rule: str
    questions: tuple[PiaQuestion, ...]


@dataclass(frozen=True)
class Risk:
    id: str
    title: str
    impact: Impact
    likelihood: Likelihood
    level: RiskLevel
    unacceptable: bool
    created_by: str
    created_at: str


@dataclass(frozen=True)
class Pia:
    deal_id: str
    deal_name: str
    #: 0 before anything was entered (nothing stored yet)
    version: int
    state: State
    created_at: str | None
    completed_at: str | None
    completed_by: str | None
    signatures: Mapping[str, str]
    keep_until: str | None
    sections: tuple[PiaSection, ...]
    risks: tuple[Risk, ...]
    #: the matrix the levels come from (the rule, with its params at completion when frozen)
    matrix: Mapping[str, list[str]]
    unacceptable_from: RiskLevel
    matrix_overridden: bool

    @property
    def missing(self) -> tuple[str, ...]:
        """Questions people still have to answer."""
        return tuple(q.id for s in self.sections for q in s.questions if not q.answered)

    def heat(self) -> tuple[tuple[int, ...], ...]:
        """Counts of risks per impact (rows, severe first) × likelihood (columns, low first)."""
        return tuple(
            tuple(
                sum(1 for r in self.risks if r.impact is i and r.likelihood is lk)
                for lk in Likelihood
            )
            for i in Impact
        )


#: Signatories of a completed PIA, as (key, zh, en).
SIGNATORIES = (
    ("officer", "个人信息保护负责人", "PI protection officer"),
    ("legal", "法务负责人", "Legal"),
    ("management", "管理层", "Management"),
)


def show(vault: Vault, *, actor: Actor, deal_ref: str, at: _dt.datetime | None = None) -> Pia:
    """The deal's latest PIA (an empty draft before anything was entered)."""
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_VIEW)
    return _view(vault, actor, deal_id, at)


def _view(vault: Vault, actor: Actor, deal_id: str, at: _dt.datetime | None) -> Pia:
    with vault.reading() as session:
        deal = find_deal(session, deal_id)
        row = assessments.latest(session, deal_id, Kind.PIA)
        answers = assessments.answers_of(vault, session, row)
        evidence = assessments.evidence_of(session, row)
        risk_rows = (
            []
            if row is None
            else list(
                session.execute(
                    select(PiaRisk)
                    .where(PiaRisk.assessment_id == row.id)
                    .order_by(PiaRisk.created_at)
                ).scalars()
            )
        )
    frozen: dict[str, Any] | None = None
    if row is not None and row.snapshot_sealed is not None:
        frozen = json.loads(
            assessments.open_text(vault, row.snapshot_sealed, assessment_id=row.id, part="snapshot")
        )
    if frozen is not None:
        lang = "en" if tr("zh", "en") == "en" else "zh"
        values = frozen[lang]
        matrix, floor = frozen["matrix"], RiskLevel(frozen["unacceptable"])
        overridden = bool(frozen.get("overridden"))
    else:
        values = prefill.prefilled_values(prefill.sources(vault, actor, deal_id, at))
        rule = matrix_rule()
        matrix, floor = dict(rule.param("matrix")), RiskLevel(rule.param("unacceptable"))
        overridden = rule.overridden
    sections = []
    for spec in assessments.questionnaire("pia")["sections"]:
        questions = []
        for q in spec["questions"]:
            filled = values.get(q["id"]) if q.get("prefill") else None
            questions.append(
                PiaQuestion(
                    q["id"],
                    spec["id"],
                    str(q["step"]),
                    assessments.texts(q["text"]),
                    q["rule"],
                    filled is not None,
                    filled["value"] if filled else "",
                    filled["source"] if filled else "",
                    filled["status"] if filled else None,
                    answers.get(q["id"]),
                    tuple(e for e in evidence if e.question_id == q["id"]),
                )
            )
        sections.append(
            PiaSection(spec["id"], assessments.texts(spec["title"]), spec["rule"], tuple(questions))
        )
    risks = []
    for r in risk_rows:
        impact, likelihood = Impact(r.impact), Likelihood(r.likelihood)
        level = RiskLevel(matrix[impact.value][list(Likelihood).index(likelihood)])
        assert row is not None
        risks.append(
            Risk(
                r.id,
                assessments.open_text(
                    vault, r.title_sealed, assessment_id=row.id, part=f"risk:{r.id}"
                ),
                impact,
                likelihood,
                level,
                level.rank >= floor.rank,
                r.created_by,
                r.created_at,
            )
        )
    return Pia(
        deal_id,
        deal.name,
        0 if row is None else row.version,
        State.DRAFT if row is None else State(row.state),
        None if row is None else row.created_at,
        None if row is None else row.completed_at,
        None if row is None else row.completed_by,
        assessments.signatures(row),
        None if row is None else row.keep_until,
        tuple(sections),
        tuple(risks),
        matrix,
        floor,
        overridden,
    )


# --- use cases -----------------------------------------------------------------------------------


def _spec(question_id: str) -> dict[str, Any]:
    return assessments.find_question("pia", question_id)


def answer(
    vault: Vault, *, actor: Actor, deal_ref: str, question_id: str, text: str, comment: str = ""
) -> None:
    """A person's answer to a question baomi does not fill in."""
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    if _spec(question_id).get("prefill"):
        raise InputError(
            tr(
                "该问题由系统根据扫描清单、交易概况或现有措施填写",
                "baomi fills this question in from the inventory, the deal or the measures",
            )
        )
    body = assessments.checked_text(text, required=True)
    assessments.save_answer(vault, actor, deal_id, Kind.PIA, question_id, body, comment)


def add_evidence(
    vault: Vault, *, actor: Actor, deal_ref: str, question_id: str, name: str, data: bytes
) -> Evidence:
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    _spec(question_id)
    return assessments.add_evidence(vault, actor, deal_id, Kind.PIA, question_id, name, data)


def add_risk(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    title: str,
    impact: Impact,
    likelihood: Likelihood,
) -> str:
    """List a risk; its level is read from the matrix (S393-D3)."""
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    body = assessments.checked_text(title, required=True)
    if len(body) > 200:
        raise InputError(tr("风险名称最多 200 字", "a risk's title has at most 200 characters"))
    level = risk_level(impact, likelihood)
    risk_id = new_id()
    with vault.transaction() as session:
        row = assessments.open_draft(session, vault, actor, deal_id, Kind.PIA)
        session.add(
            PiaRisk(
                id=risk_id,
                assessment_id=row.id,
                title_sealed=assessments.seal_text(
                    vault, body, assessment_id=row.id, part=f"risk:{risk_id}"
                ),
                impact=impact.value,
                likelihood=likelihood.value,
                created_by=actor.name,
                created_at=now(),
            )
        )
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.PIA_RISK,
            obj=f"assessment:{row.id}",
            details={
                "risk": risk_id,
                "impact": impact.value,
                "likelihood": likelihood.value,
                "level": level.value,
            },
        )
    return risk_id


def remove_risk(vault: Vault, *, actor: Actor, deal_ref: str, risk_id: str) -> None:
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    with vault.transaction() as session:
        row = assessments.open_draft(session, vault, actor, deal_id, Kind.PIA)
        risk = session.get(PiaRisk, risk_id)
        if risk is None or risk.assessment_id != row.id:
            raise InputError(tr("没有该风险", "no such risk"))
        session.delete(risk)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.PIA_RISK_REMOVE,
            obj=f"assessment:{row.id}",
            details={"risk": risk_id},
        )


def complete(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    officer: str,
    legal: str,
    management: str,
    at: _dt.datetime | None = None,
) -> Pia:
    """Sign and freeze the draft: every question answered, the three signatories named."""
    deal_id = assessments.deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    names = {"officer": officer, "legal": legal, "management": management}
    for key, name in names.items():
        names[key] = assessments.checked_text(name, required=True)[:100]
    current = _view(vault, actor, deal_id, at)
    if current.version == 0 or current.state is not State.DRAFT:
        raise InputError(tr("没有可完成的草稿", "no draft to complete"))
    if current.missing:
        raise InputError(
            tr(
                f"还有问题未回答：{', '.join(current.missing)}",
                f"questions not answered yet: {', '.join(current.missing)}",
            )
        )
    src = prefill.sources(vault, actor, deal_id, at)
    rule = matrix_rule()
    snapshot = {
        "zh": prefill.in_language(
            "zh", lambda: prefill.prefilled_values(prefill.sources(vault, actor, deal_id, at))
        ),
        "en": prefill.in_language(
            "en", lambda: prefill.prefilled_values(prefill.sources(vault, actor, deal_id, at))
        ),
        "matrix": dict(rule.param("matrix")),
        "unacceptable": rule.param("unacceptable"),
        "overridden": rule.overridden,
        "individuals": src.data.individuals,
        "sensitive_individuals": src.data.sensitive_individuals,
    }
    moment = (at or _dt.datetime.now(_dt.UTC)).isoformat()
    with vault.transaction() as session:
        row = assessments.open_draft(session, vault, actor, deal_id, Kind.PIA)
        row.state = State.COMPLETED.value
        row.completed_at, row.completed_by = moment, actor.name
        row.signatures = json.dumps(names, ensure_ascii=False)
        row.snapshot_sealed = assessments.seal_text(
            vault, json.dumps(snapshot, ensure_ascii=False), assessment_id=row.id, part="snapshot"
        )
        row.keep_until = assessments.keep_until(moment)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.PIA_COMPLETE,
            obj=f"assessment:{row.id}",
            details={
                "deal": deal_id,
                "version": row.version,
                "risks": len(current.risks),
                "unacceptable": sum(1 for r in current.risks if r.unacceptable),
                "keep_until": row.keep_until,
            },
            checkpoint=True,
        )
    return _view(vault, actor, deal_id, at)


def new_version(vault: Vault, *, actor: Actor, deal_ref: str) -> int:
    """Start the next PIA after a completed one (e.g. after a major change, S35-11.4)."""
    return assessments.new_version(vault, actor=actor, deal_ref=deal_ref, kind=Kind.PIA)


def delete(
    vault: Vault, *, actor: Actor, deal_ref: str, version: int, at: _dt.datetime | None = None
) -> None:
    """Delete a PIA version; a completed one only from its ``keep_until`` (PIPL-56)."""
    assessments.delete(vault, actor=actor, deal_ref=deal_ref, kind=Kind.PIA, version=version, at=at)
