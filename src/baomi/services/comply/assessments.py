"""What the risk assessment and the PIA share: their rows, people's answers and evidence files,
the retention of a completed assessment, and the questionnaires (YAML in ``questions/``).

Where things are kept, and what survives a deal's destruction:

- **answers, comments and risk titles** are sealed with the platform's *assessment key* (HKDF of
  the key store's field key), not the deal's: the PIA must stay readable for three years
  (PIPL-56) after the deal is crypto-shredded. So that no customer's data outlives the deal in
  them, a text holding a personal identifier (a mobile number, an ID number, a bank card, an
  e-mail address… — the scan's recognisers) is refused: people describe categories and counts.
- **evidence files** may hold anything, so they are sealed with the *deal's* data key and are
  shredded with the deal; the assessment keeps their name (identifiers masked), size and SHA-256.
- a **completed** assessment cannot be deleted before ``keep_until`` (completion + the years of
  PIPL-56's ``keep_years``); a draft can be.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import ConfigError, CryptoError, InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.rulebook import rules
from baomi.services.dataroom.uploads import Limits, UploadError, check_upload
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Assessment, AssessmentAnswer, AssessmentEvidence

MAX_TEXT = 4_000
#: An evidence file's size limit (policies, contracts, training records, screenshots as PDF).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class Kind(StrEnum):
    RISK = "risk"
    PIA = "pia"


class State(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Evidence:
    id: str
    question_id: str
    name: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str


@dataclass(frozen=True)
class Answer:
    question_id: str
    answer: str
    comment: str
    answered_by: str
    answered_at: str


# --- questionnaires ----------------------------------------------------------------------------


@cache
def questionnaire(name: str) -> dict[str, Any]:
    """``questions/<name>.yaml`` as data; every rule it cites must be in the rule book."""
    text = (files("baomi.services.comply") / "questions" / f"{name}.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    book = rules()
    for group in doc.get("areas", doc.get("sections", [])):
        for q in group["questions"]:
            if q["rule"] not in book:
                raise ConfigError(f"questions/{name}.yaml: {q['id']} cites unknown {q['rule']}")
    return dict(doc)


def find_question(name: str, question_id: str) -> dict[str, Any]:
    """The entry of ``question_id`` in ``questions/<name>.yaml``; :class:`InputError` if none."""
    doc = questionnaire(name)
    for group in doc.get("areas", doc.get("sections", [])):
        for q in group["questions"]:
            if q["id"] == question_id:
                return dict(q)
    raise InputError(tr(f"没有问题 {question_id}", f"no question {question_id}"))


def texts(entry: dict[str, str]) -> str:
    """A ``{zh, en}`` entry in the reader's language."""
    return tr(entry["zh"], entry["en"])


# --- keys, sealing, free text ------------------------------------------------------------------


def _key(vault: Vault) -> bytes:
    return crypto.hkdf(vault.platform_key("fields"), "baomi comply assessments")


def seal_text(vault: Vault, text: str, *, assessment_id: str, part: str) -> bytes:
    return crypto.seal(
        _key(vault), text.encode(), crypto.aad("assessment", id=assessment_id, part=part)
    )


def open_text(vault: Vault, sealed: bytes, *, assessment_id: str, part: str) -> str:
    return crypto.open_sealed(
        _key(vault), sealed, crypto.aad("assessment", id=assessment_id, part=part)
    ).decode()


@cache
def _analyzer() -> Any:
    from baomi.engine.analyzer import TextAnalyzer
    from baomi.engine.recognizers.registry import Registry

    return TextAnalyzer(Registry.default())


def checked_text(text: str, *, required: bool = False) -> str:
    """``text`` stripped, or :class:`InputError` if it is too long, empty when ``required``, or
    holds a personal identifier (the message names the kind, never the value)."""
    from baomi.engine.documents.names import NAME_ENTITIES
    from baomi.engine.entities import ENTITIES

    text = text.strip()
    if required and not text:
        raise InputError(tr("内容不能为空", "the text is empty"))
    if len(text) > MAX_TEXT:
        raise InputError(tr(f"内容超过 {MAX_TEXT} 个字符", f"longer than {MAX_TEXT} characters"))
    found = sorted({f.entity for f in _analyzer().analyze(text) if f.entity in NAME_ENTITIES})
    if found:
        kinds = "、".join(tr(ENTITIES[e].label_zh, ENTITIES[e].label_en) for e in found)
        raise InputError(
            tr(
                f"评估中不能写入个人信息（发现：{kinds}）；请描述类别和数量",
                f"an assessment must not hold personal data (found: {kinds}); describe "
                "categories and counts",
            )
        )
    return text


# --- rows --------------------------------------------------------------------------------------


def deal_id_for(vault: Vault, actor: Actor, deal_ref: str, action: Action) -> str:
    """The deal's id once ``actor`` may perform ``action`` on it."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, action, deal_id)
    return deal_id


def latest(session: Session, deal_id: str, kind: Kind) -> Assessment | None:
    return session.execute(
        select(Assessment)
        .where(Assessment.deal_id == deal_id, Assessment.kind == kind.value)
        .order_by(Assessment.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_draft(
    session: Session, vault: Vault, actor: Actor, deal_id: str, kind: Kind
) -> Assessment:
    """The deal's draft of ``kind``, created (version 1) on the first answer; a completed one is
    refused (start a new version)."""
    row = latest(session, deal_id, kind)
    if row is None:
        row = _new(session, vault, actor, deal_id, kind, 1)
    if row.state != State.DRAFT:
        raise InputError(
            tr(
                f"第 {row.version} 版已完成，不能再修改；请开始新一版评估",
                f"version {row.version} is completed and cannot change; start a new version",
            )
        )
    return row


def _new(
    session: Session, vault: Vault, actor: Actor, deal_id: str, kind: Kind, version: int
) -> Assessment:
    row = Assessment(
        id=new_id(),
        deal_id=deal_id,
        kind=kind.value,
        version=version,
        state=State.DRAFT.value,
        created_at=now(),
        created_by=actor.name,
        signatures="{}",
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.ASSESSMENT_NEW,
        obj=f"assessment:{row.id}",
        details={"deal": deal_id, "kind": kind.value, "version": version},
    )
    return row


def new_version(vault: Vault, *, actor: Actor, deal_ref: str, kind: Kind) -> int:
    """Start the next version after a completed one (a draft in progress is refused)."""
    deal_id = deal_id_for(vault, actor, deal_ref, Action.COMPLY_EDIT)
    with vault.transaction() as session:
        row = latest(session, deal_id, kind)
        if row is not None and row.state == State.DRAFT:
            raise InputError(tr("已有一版草稿", "a draft is in progress already"))
        return _new(
            session, vault, actor, deal_id, kind, 1 if row is None else row.version + 1
        ).version


def save_answer(
    vault: Vault,
    actor: Actor,
    deal_id: str,
    kind: Kind,
    question_id: str,
    answer: str,
    comment: str,
) -> None:
    """Store a person's answer (sealed) in the deal's draft of ``kind``; audited by question."""
    comment = checked_text(comment)
    with vault.transaction() as session:
        row = open_draft(session, vault, actor, deal_id, kind)
        body = json.dumps({"answer": answer, "comment": comment}, ensure_ascii=False)
        sealed = seal_text(vault, body, assessment_id=row.id, part=f"answer:{question_id}")
        existing = session.execute(
            select(AssessmentAnswer).where(
                AssessmentAnswer.assessment_id == row.id,
                AssessmentAnswer.question_id == question_id,
            )
        ).scalar_one_or_none()
        if existing is None:
            existing = AssessmentAnswer(id=new_id(), assessment_id=row.id, question_id=question_id)
            session.add(existing)
        existing.answer_sealed = sealed
        existing.answered_by, existing.answered_at = actor.name, now()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.ASSESSMENT_ANSWER,
            obj=f"assessment:{row.id}",
            details={"kind": kind.value, "question": question_id, "comment": bool(comment)},
        )


def answers_of(vault: Vault, session: Session, row: Assessment | None) -> dict[str, Answer]:
    if row is None:
        return {}
    out: dict[str, Answer] = {}
    for a in session.execute(
        select(AssessmentAnswer).where(AssessmentAnswer.assessment_id == row.id)
    ).scalars():
        body = json.loads(
            open_text(vault, a.answer_sealed, assessment_id=row.id, part=f"answer:{a.question_id}")
        )
        out[a.question_id] = Answer(
            a.question_id, body["answer"], body["comment"], a.answered_by, a.answered_at
        )
    return out


def add_evidence(
    vault: Vault,
    actor: Actor,
    deal_id: str,
    kind: Kind,
    question_id: str,
    name: str,
    data: bytes,
) -> Evidence:
    """Check an evidence file as the data room checks uploads (size, name, type, content), seal
    it with the deal's key and attach it to ``question_id`` of the deal's draft."""
    accepted = check_upload(
        [(name, data)],
        limits=Limits(max_file_bytes=EVIDENCE_MAX_BYTES, max_total_bytes=EVIDENCE_MAX_BYTES),
    )
    if len(accepted) != 1 or accepted[0].name != name.replace("\\", "/").strip():
        raise UploadError(
            tr("证明材料须为单个文件（不是压缩包）", "evidence is one file, not an archive")
        )
    from baomi.engine.documents.names import mask_identifiers
    from baomi.engine.recognizers.registry import Registry

    shown = mask_identifiers([accepted[0].name], list(Registry.default()))[0][:200]
    key = vault.deal_key(deal_id)
    evidence_id = new_id()
    sealed = crypto.seal(key, data, crypto.aad("evidence", deal=deal_id, id=evidence_id))
    with vault.transaction() as session:
        row = open_draft(session, vault, actor, deal_id, kind)
        item = AssessmentEvidence(
            id=evidence_id,
            assessment_id=row.id,
            deal_id=deal_id,
            question_id=question_id,
            name=shown,
            size=len(data),
            sha256=crypto.sha256_hex(data),
            content_sealed=sealed,
            uploaded_by=actor.name,
            uploaded_at=now(),
        )
        session.add(item)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.ASSESSMENT_EVIDENCE,
            obj=f"assessment:{row.id}",
            details={"question": question_id, "sha256": item.sha256, "size": item.size},
        )
    return _evidence(item)


def _evidence(e: AssessmentEvidence) -> Evidence:
    return Evidence(e.id, e.question_id, e.name, e.size, e.sha256, e.uploaded_by, e.uploaded_at)


def evidence_of(session: Session, row: Assessment | None) -> list[Evidence]:
    if row is None:
        return []
    return [
        _evidence(e)
        for e in session.execute(
            select(AssessmentEvidence)
            .where(AssessmentEvidence.assessment_id == row.id)
            .order_by(AssessmentEvidence.uploaded_at)
        ).scalars()
    ]


def open_evidence(
    vault: Vault, *, actor: Actor, deal_ref: str, evidence_id: str
) -> tuple[str, bytes]:
    """An evidence file's name and content (:class:`InputError` once the deal was destroyed)."""
    deal_id = deal_id_for(vault, actor, deal_ref, Action.COMPLY_VIEW)
    with vault.reading() as session:
        item = session.get(AssessmentEvidence, evidence_id)
    if item is None or item.deal_id != deal_id:
        raise InputError(tr("没有该证明材料", "no such evidence"))
    try:
        content = crypto.open_sealed(
            vault.deal_key(deal_id),
            item.content_sealed,
            crypto.aad("evidence", deal=deal_id, id=evidence_id),
        )
    except CryptoError:
        raise InputError(
            tr("证明材料已随交易一同销毁", "the evidence was destroyed with the deal")
        ) from None
    return item.name, content


# --- retention ---------------------------------------------------------------------------------


def keep_until(completed_at: str) -> str:
    """Completion + PIPL-56's ``keep_years`` (a 29 February rolls to 1 March: at least)."""
    years = int(rules()["PIPL-56"].param("keep_years"))
    start = _dt.datetime.fromisoformat(completed_at)
    try:
        end = start.replace(year=start.year + years)
    except ValueError:
        end = start.replace(year=start.year + years, month=3, day=1)
    return end.isoformat()


def delete(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    kind: Kind,
    version: int,
    at: _dt.datetime | None = None,
) -> None:
    """Delete one version of an assessment: a draft at any time, a completed one only from its
    ``keep_until`` on (PIPL-56)."""
    deal_id = deal_id_for(vault, actor, deal_ref, Action.ASSESSMENT_DELETE)
    moment = at or _dt.datetime.now(_dt.UTC)
    with vault.transaction() as session:
        row = session.execute(
            select(Assessment).where(
                Assessment.deal_id == deal_id,
                Assessment.kind == kind.value,
                Assessment.version == version,
            )
        ).scalar_one_or_none()
        if row is None:
            raise InputError(tr("没有该版本的评估", "no such version"))
        if row.keep_until is not None and moment < _dt.datetime.fromisoformat(row.keep_until):
            raise InputError(
                tr(
                    f"评估须保存至 {clock.day(row.keep_until)}（个人信息保护法第五十六条：至少三年）",
                    f"the assessment is kept until {clock.day(row.keep_until)} (PIPL-56: at least "
                    "three years)",
                )
            )
        _remove(session, row.id)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.ASSESSMENT_DELETE,
            obj=f"assessment:{row.id}",
            details={"deal": deal_id, "kind": kind.value, "version": version},
        )


def _remove(session: Session, assessment_id: str) -> None:
    from baomi.storage.models import PiaRisk

    for model in (AssessmentAnswer, AssessmentEvidence, PiaRisk):
        for item in session.execute(
            select(model).where(model.assessment_id == assessment_id)  # type: ignore[attr-defined]
        ).scalars():
            session.delete(item)
    session.flush()
    row = session.get(Assessment, assessment_id)
    if row is not None:
        session.delete(row)


def signatures(row: Assessment | None) -> dict[str, str]:
    return {} if row is None else dict(json.loads(row.signatures or "{}"))


def as_data(obj: Any) -> Any:
    """A view (dataclasses, enums, mappings, tuples) as plain JSON data, for ``--format json``
    and the API. Properties are not included; callers add what they need."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: as_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): as_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [as_data(v) for v in obj]
    return obj
