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

import contextvars
import datetime as _dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import set_language, tr
from baomi.services import audit
from baomi.services.comply import assessments
from baomi.services.comply.assessments import Answer, Evidence, Kind, State
from baomi.services.comply.data import DataSummary, deal_data
from baomi.services.comply.facts import Fact, Status, facts_of
from baomi.services.comply.packages import deal_packages
from baomi.services.comply.profile import Location, Profile, TransferType, profile_of
from baomi.services.comply.rulebook import Rule, RuleBook, rules
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import PiaRisk


class Impact(StrEnum):
    """Impact on individuals (S393-D1, draft): 严重 / 高 / 中 / 低."""

    SEVERE = "severe"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self.value]()


class Likelihood(StrEnum):
    """Likelihood (S393-D2, draft): 低 / 中 / 高 / 很高 — the matrix's columns in this order."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self.value]()


class RiskLevel(StrEnum):
    """A risk's level (S393-D3, draft), lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self.value]()

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


_LEVEL_LABELS: dict[str, Callable[[], str]] = {
    "severe": lambda: tr("严重", "severe"),
    "high": lambda: tr("高", "high"),
    "medium": lambda: tr("中", "medium"),
    "low": lambda: tr("低", "low"),
    "very_high": lambda: tr("很高", "very high"),
}

MATRIX_RULE = "S393-D3"


def risk_level(impact: Impact, likelihood: Likelihood, book: RuleBook | None = None) -> RiskLevel:
    """The level of a risk by the matrix of ``S393-D3`` (draft; a site file may change it)."""
    matrix = (book or rules())[MATRIX_RULE].param("matrix")
    try:
        return RiskLevel(matrix[impact.value][list(Likelihood).index(likelihood)])
    except (KeyError, IndexError, ValueError):
        raise InputError(
            f"{MATRIX_RULE}: the matrix has no valid cell {impact}/{likelihood}"
        ) from None


def unacceptable(level: RiskLevel, book: RuleBook | None = None) -> bool:
    """Whether the organisation does not accept ``level`` (``S393-D3``'s ``unacceptable``)."""
    floor = RiskLevel((book or rules())[MATRIX_RULE].param("unacceptable"))
    return level.rank >= floor.rank


def matrix_rule() -> Rule:
    return rules()[MATRIX_RULE]


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

_TRANSFER = {
    TransferType.EQUITY: ("股权转让", "equity transfer"),
    TransferType.MERGER: ("合并", "merger"),
    TransferType.DIVISION: ("分立", "division"),
    TransferType.ASSET_SALE: ("资产出售（客户名单）", "asset sale (customer list)"),
    TransferType.DISSOLUTION: ("解散 / 注销", "dissolution / deregistration"),
    TransferType.BANKRUPTCY: ("破产", "bankruptcy"),
}
_LOCATION = {
    Location.MAINLAND: ("中国大陆", "mainland China"),
    Location.HONG_KONG: ("香港", "Hong Kong"),
    Location.MACAO: ("澳门", "Macao"),
    Location.TAIWAN: ("台湾", "Taiwan"),
    Location.ABROAD: ("境外", "abroad"),
}


@dataclass(frozen=True)
class _Sources:
    profile: Profile
    data: DataSummary
    facts: Mapping[str, Fact]
    book: RuleBook
    #: distinct recipients of the packages the room made (trace records)
    package_recipients: int = 0


def _none() -> str:
    return tr("未填写", "not entered")


def _prefill(key: str, src: _Sources) -> tuple[str, str, str | None]:
    """(value, source, status) of a pre-filled question, in the current language."""
    if key.startswith("fact:"):
        fact = src.facts[key[5:]]
        return fact.value, fact.source, fact.status.value
    p, d = src.profile, src.data
    deal_source = tr(
        "交易概况（baomi assess profile）", "the deal's profile (baomi assess profile)"
    )
    scan_source = tr(
        f"扫描清单：{d.scanned}/{d.documents} 个文件已扫描",
        f"scan inventories: {d.scanned}/{d.documents} documents scanned",
    )
    if key == "transfer_type":
        value = tr(*_TRANSFER[p.transfer_type]) if p.transfer_type else _none()
        return value, deal_source, None if p.transfer_type else Status.ATTENTION.value
    if key == "recipient":
        where = tr(*_LOCATION[p.recipient_location])
        remote = (
            tr("；境外可远程访问", "; accessed remotely from abroad")
            if p.remote_access_abroad
            else ""
        )
        members = int(src.facts["nda_accepted"].data.get("members", 0))
        room = tr(
            f"；数据室接收方成员 {members} 人，已为 {src.package_recipients} 个接收方制作数据包",
            f"; {members} recipient-side members in the room, packages made for "
            f"{src.package_recipients} recipients",
        )
        return f"{p.recipient_name or _none()}（{where}{remote}）{room}", deal_source, None
    if key == "purpose":
        return p.purpose or _none(), deal_source, None if p.purpose else Status.ATTENTION.value
    if key == "categories":
        cells = "；".join(f"{c} {n}" for c, n in d.categories.items()) or tr("未发现", "none found")
        return tr(f"{cells}（单元格数）", f"{cells} (cells)"), scan_source, None
    if key == "individuals":
        return (
            tr(
                f"{d.individuals} 人（各文件相加，上限）；至少 {d.individuals_at_least} 人",
                f"{d.individuals} (documents added up, upper bound); at least "
                f"{d.individuals_at_least}",
            ),
            scan_source,
            None,
        )
    if key == "sensitive":
        cats = "、".join(d.sensitive_categories) or tr("无", "none")
        return (
            tr(
                f"{d.sensitive_individuals} 人；类别：{cats}；不满十四周岁 {d.minors}",
                f"{d.sensitive_individuals} individuals; categories: {cats}; under 14: {d.minors}",
            ),
            scan_source,
            None,
        )
    if key == "cross_border":
        value = (
            tr(
                "是：数据出境（含港澳台或境外远程访问）",
                "yes: leaves the mainland (incl. HK, Macao, Taiwan or remote access from abroad)",
            )
            if p.abroad
            else tr("否", "no")
        )
        return value, deal_source, Status.ATTENTION.value if p.abroad else None
    if key == "impact_scale":
        return (
            _impact_scale(src),
            tr(
                "扫描清单与数据包；GB/T 39335 附录D.1（报批稿，未确认）",
                "scan inventories and packages; GB/T 39335 Annex D.1 (draft, unconfirmed)",
            ),
            None,
        )
    raise InputError(f"questions/pia.yaml: unknown prefill {key}")


def _impact_scale(src: _Sources) -> str:
    """S393-D1 (draft): one level up for sensitive PI at scale, one down if de-identified."""
    limit = int(src.book["S393-D1"].param("upgrade_sensitive_individuals"))
    n = src.data.sensitive_individuals
    parts = [
        tr(
            f"敏感个人信息 {n} 人 ≥ {limit}：影响程度宜升一级",
            f"sensitive PI of {n} ≥ {limit} individuals: raise the impact one level",
        )
        if n >= limit
        else tr(
            f"敏感个人信息 {n} 人 < {limit}：不因规模升级",
            f"sensitive PI of {n} < {limit} individuals: no raise for scale",
        )
    ]
    if src.facts["packages_k"].status is Status.OK:
        parts.append(
            tr(
                "提供的数据包已去标识化并达到目标 k：可降一级",
                "the packages provided are de-identified and reach their k: one level down",
            )
        )
    return "；".join(parts)


def upgrade_for_scale(sensitive_individuals: int, book: RuleBook | None = None) -> bool:
    """Whether S393-D1 (draft) raises the impact one level for sensitive PI at this scale."""
    limit = int((book or rules())["S393-D1"].param("upgrade_sensitive_individuals"))
    return sensitive_individuals >= limit


def _prefilled_values(src: _Sources) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section in assessments.questionnaire("pia")["sections"]:
        for q in section["questions"]:
            if q.get("prefill"):
                value, source, status = _prefill(q["prefill"], src)
                out[q["id"]] = {"value": value, "source": source, "status": status}
    return out


def _in_language(lang: str, fn: Callable[[], Any]) -> Any:
    def run() -> Any:
        set_language(lang)
        return fn()

    return contextvars.copy_context().run(run)


def _sources(vault: Vault, actor: Actor, deal_id: str, at: _dt.datetime | None) -> _Sources:
    with vault.reading() as session:
        prof = profile_of(session, deal_id)
    facts = {f.id: f for f in facts_of(vault, actor, deal_id, at=at)}
    recipients = {p.recipient for p in deal_packages(vault, deal_id) if p.recipient}
    return _Sources(prof, deal_data(vault, deal_id), facts, rules(), len(recipients))


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
        values = _prefilled_values(_sources(vault, actor, deal_id, at))
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
    src = _sources(vault, actor, deal_id, at)
    rule = matrix_rule()
    snapshot = {
        "zh": _in_language("zh", lambda: _prefilled_values(_sources(vault, actor, deal_id, at))),
        "en": _in_language("en", lambda: _prefilled_values(_sources(vault, actor, deal_id, at))),
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
