"""Questions and answers of the due diligence: the buyer's side asks, the seller's side answers.

Texts are sealed with the deal's data key (a question may name a customer), bound to the question
and the part (question or answer); an attachment is a document of the room (uploaded the usual
way, so it is scanned and protected like any other). Every question and answer is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Seat
from baomi.services.permissions import Action
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Question, StoredObject, User

MAX_TEXT = 5_000


@dataclass(frozen=True)
class QuestionInfo:
    id: str
    asked_by: str
    asked_at: str
    text: str
    attachment_id: str | None
    answered_by: str | None
    answered_at: str | None
    answer: str | None
    answer_attachment_id: str | None


def _aad(deal_id: str, question_id: str, part: str) -> bytes:
    return crypto.aad("question", deal=deal_id, question=question_id, part=part)


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InputError(tr("内容不能为空", "the text is empty"))
    if len(text) > MAX_TEXT:
        raise InputError(tr(f"内容超过 {MAX_TEXT} 个字符", f"longer than {MAX_TEXT} characters"))
    return text


def _attachment(vault: Vault, deal_id: str, object_id: str | None) -> str | None:
    if object_id is None:
        return None
    with vault.reading() as session:
        obj = session.get(StoredObject, object_id)
    if obj is None or obj.deal_id != deal_id:
        raise InputError(
            tr("附件不是本交易的文件", "the attachment is not a document of this deal")
        )
    return object_id


def _user_id(vault: Vault, username: str) -> str:
    with vault.reading() as session:
        return str(session.execute(select(User.id).where(User.username == username)).scalar_one())


def ask(
    vault: Vault, seat: Seat, deal_ref: str, text: str, *, attachment: str | None = None
) -> str:
    rooms.gate(vault, seat, Action.QA_ASK, deal_ref)
    deal_id = rooms.deal_id(vault, deal_ref)
    body = _text(text)
    attached = _attachment(vault, deal_id, attachment)
    key = vault.deal_key(deal_id)
    question_id = new_id()
    asked_by = _user_id(vault, seat.actor.name)
    with vault.transaction() as session:
        session.add(
            Question(
                id=question_id,
                deal_id=deal_id,
                asked_by=asked_by,
                asked_at=now(),
                text_sealed=crypto.seal(key, body.encode(), _aad(deal_id, question_id, "question")),
                attachment_id=attached,
            )
        )
        audit.record(
            session,
            vault,
            actor=seat.actor,
            action=AuditAction.QA_ASK,
            obj=f"question:{question_id}",
            details={"deal": deal_id, "attachment": attached},
        )
    return question_id


def answer(
    vault: Vault,
    seat: Seat,
    deal_ref: str,
    question_id: str,
    text: str,
    *,
    attachment: str | None = None,
) -> None:
    rooms.gate(vault, seat, Action.QA_ANSWER, deal_ref)
    deal_id = rooms.deal_id(vault, deal_ref)
    body = _text(text)
    attached = _attachment(vault, deal_id, attachment)
    key = vault.deal_key(deal_id)
    answered_by = _user_id(vault, seat.actor.name)
    with vault.transaction() as session:
        q = session.get(Question, question_id)
        if q is None or q.deal_id != deal_id:
            raise InputError(tr("没有该问题", "no such question"))
        if q.answered_at is not None:
            raise InputError(tr("该问题已回答", "the question has been answered"))
        q.answer_sealed = crypto.seal(key, body.encode(), _aad(deal_id, question_id, "answer"))
        q.answered_by, q.answered_at, q.answer_attachment_id = answered_by, now(), attached
        audit.record(
            session,
            vault,
            actor=seat.actor,
            action=AuditAction.QA_ANSWER,
            obj=f"question:{question_id}",
            details={"deal": deal_id, "attachment": attached},
        )


def questions(vault: Vault, seat: Seat, deal_ref: str) -> list[QuestionInfo]:
    """Every question of the deal with its answer, oldest first."""
    rooms.gate(vault, seat, Action.QA_VIEW, deal_ref)
    deal_id = rooms.deal_id(vault, deal_ref)
    key = vault.deal_key(deal_id)
    with vault.reading() as session:
        names = dict(session.execute(select(User.id, User.username)).tuples().all())
        rows = session.execute(
            select(Question).where(Question.deal_id == deal_id).order_by(Question.asked_at)
        ).scalars()
        out = []
        for q in rows:
            text = crypto.open_sealed(key, q.text_sealed, _aad(deal_id, q.id, "question")).decode()
            reply = (
                None
                if q.answer_sealed is None
                else crypto.open_sealed(
                    key, q.answer_sealed, _aad(deal_id, q.id, "answer")
                ).decode()
            )
            out.append(
                QuestionInfo(
                    q.id,
                    names.get(q.asked_by, "?"),
                    q.asked_at,
                    text,
                    q.attachment_id,
                    names.get(q.answered_by) if q.answered_by else None,
                    q.answered_at,
                    reply,
                    q.answer_attachment_id,
                )
            )
    return out
