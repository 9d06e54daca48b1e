"""The data-subject request register (PIPL 44-50, NDS-23/25, GB/T 35273 §8.7).

- Intake by staff (command line, data room) or by the customer on the public request page; the
  requester gets a reference number.
- Kinds: access/copy, correction, deletion, portability, explanation, withdrawal of consent.
- The requester's contact and the request's text are sealed with the platform's field key;
  identity-verification steps record the method, the result, who and when — never an
  identifier's value (at most a keyed hash of the one checked).
- The answer is due ``S35-8.7.days`` (30) days after receipt; a request not answered, refused or
  closed by then is overdue (strictly after the due instant). A refusal states its reasons
  (PIPL-50).
- Every change is audited with kinds and counts, no personal value.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi.engine import crypto, masking
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError, NotFoundError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.rulebook import RuleBook, rules
from baomi.services.dataroom import rooms
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, Role, authorize, sees
from baomi.services.redaction import mask_text
from baomi.services.respond.incidents import _parse, _timestamp
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import SubjectRequest, SubjectVerification

#: who the audit names for a request from the public page (no account; like a failed sign-in)
PUBLIC = Actor("public request page", Role.BUYER)

MAX_CONTACT = 200
MAX_DETAILS = 5000
MAX_REASON = 5000
#: a public request's contact: an e-mail address or a telephone number, nothing else
_CONTACT = re.compile(
    r"(?:[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9.\-]{1,190}\.[A-Za-z]{2,24}|\+?[0-9][0-9 \-]{5,24})"
)
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class Kind(StrEnum):
    ACCESS = "access"  # access and copy (PIPL-45)
    CORRECTION = "correction"  # PIPL-46
    DELETION = "deletion"  # PIPL-47
    PORTABILITY = "portability"  # PIPL-45 para 3, NDS-25
    EXPLANATION = "explanation"  # PIPL-48
    WITHDRAWAL = "withdrawal"  # withdrawal of consent (PIPL-15, NDS-23)

    @property
    def label(self) -> str:
        return {
            Kind.ACCESS: tr("查阅、复制", "access and copy"),
            Kind.CORRECTION: tr("更正、补充", "correction"),
            Kind.DELETION: tr("删除", "deletion"),
            Kind.PORTABILITY: tr("转移（可携带）", "portability"),
            Kind.EXPLANATION: tr("解释说明处理规则", "explanation of the rules"),
            Kind.WITHDRAWAL: tr("撤回同意", "withdrawal of consent"),
        }[self]


class Status(StrEnum):
    OPEN = "open"
    VERIFIED = "verified"  # the requester's identity was verified
    ANSWERED = "answered"
    REFUSED = "refused"  # with reasons (PIPL-50)
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            Status.OPEN: tr("待核验", "open"),
            Status.VERIFIED: tr("身份已核验", "verified"),
            Status.ANSWERED: tr("已答复", "answered"),
            Status.REFUSED: tr("已拒绝", "refused"),
            Status.CLOSED: tr("已关闭", "closed"),
        }[self]

    @property
    def settled(self) -> bool:
        """The requester has had an answer (or a refusal): the clock stops."""
        return self in (Status.ANSWERED, Status.REFUSED, Status.CLOSED)


class Channel(StrEnum):
    STAFF = "staff"
    PUBLIC = "public"


class Method(StrEnum):
    ID_DOCUMENT = "id_document"  # the identity document was shown
    SMS_CODE = "sms_code"  # a code sent to the mobile on record
    EMAIL_CODE = "email_code"
    ACCOUNT = "account"  # signed in to the customer account
    IN_PERSON = "in_person"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Method.ID_DOCUMENT: tr("查验身份证件", "identity document"),
            Method.SMS_CODE: tr("短信验证码", "SMS code"),
            Method.EMAIL_CODE: tr("邮件验证码", "e-mail code"),
            Method.ACCOUNT: tr("账户登录", "account sign-in"),
            Method.IN_PERSON: tr("当面核验", "in person"),
            Method.OTHER: tr("其他", "other"),
        }[self]


@dataclass(frozen=True)
class Verification:
    method: Method
    passed: bool
    id_hash: str | None
    checked_by: str
    checked_at: str


@dataclass(frozen=True)
class RequestInfo:
    id: str
    reference: str
    deal_id: str | None
    kind: Kind
    channel: Channel
    contact: str
    details: str
    received_at: str
    due_at: str
    status: Status
    reason: str | None
    answered_at: str | None
    closed_at: str | None
    overdue: bool
    #: seconds left until due (negative: overdue by); None once settled
    remaining: float | None
    rule: str
    verifications: tuple[Verification, ...]
    #: the last search for the requester's data: {"entity", "where", "documents", "per_file",
    #: "hits": [[file, sheet, row, column], …]} (see :func:`record_search`)
    search: dict[str, Any] | None = None
    searched_at: str | None = None


# --- rules -----------------------------------------------------------------------------------


def due(received: _dt.datetime, book: RuleBook | None = None) -> _dt.datetime:
    """When the answer is due: ``S35-8.7.days`` days after receipt."""
    days = int((book or rules())["S35-8.7"].param("days"))
    return received + _dt.timedelta(days=days)


def overdue(
    due_at: _dt.datetime, status: Status, at: _dt.datetime | None = None
) -> tuple[bool, float | None]:
    """(overdue, seconds left) at ``at`` (now): overdue strictly after the due instant, and
    only while the requester has had no answer."""
    if status.settled:
        return False, None
    at = at or _dt.datetime.now(_dt.UTC)
    return at > due_at, (due_at - at).total_seconds()


# --- storage ---------------------------------------------------------------------------------


def _aad(request_id: str, part: str) -> bytes:
    return crypto.aad("subject-request", id=request_id, part=part)


def _id_key(vault: Vault) -> bytes:
    return crypto.hkdf(vault.platform_key("index"), "baomi subject verification")


def _info(
    vault: Vault, session: Session, row: SubjectRequest, at: _dt.datetime | None = None
) -> RequestInfo:
    key = vault.platform_key("fields")
    checks = (
        session.execute(
            select(SubjectVerification)
            .where(SubjectVerification.request_id == row.id)
            .order_by(SubjectVerification.checked_at, SubjectVerification.id)
        )
        .scalars()
        .all()
    )
    status = Status(row.status)
    late, remaining = overdue(_parse(row.due_at), status, at)
    return RequestInfo(
        id=row.id,
        reference=row.reference,
        deal_id=row.deal_id,
        kind=Kind(row.kind),
        channel=Channel(row.channel),
        contact=crypto.open_sealed(key, row.contact_sealed, _aad(row.id, "contact")).decode(),
        details=crypto.open_sealed(key, row.details_sealed, _aad(row.id, "details")).decode(),
        received_at=row.received_at,
        due_at=row.due_at,
        status=status,
        reason=(
            crypto.open_sealed(key, row.reason_sealed, _aad(row.id, "reason")).decode()
            if row.reason_sealed is not None
            else None
        ),
        answered_at=row.answered_at,
        closed_at=row.closed_at,
        overdue=late,
        remaining=remaining,
        rule=rules()["S35-8.7"].label(),
        verifications=tuple(
            Verification(Method(c.method), c.passed, c.id_hash, c.checked_by, c.checked_at)
            for c in checks
        ),
        search=(
            json.loads(crypto.open_sealed(key, row.search_sealed, _aad(row.id, "search")))
            if row.search_sealed is not None
            else None
        ),
        searched_at=row.searched_at,
    )


def _find(session: Session, request_id: str) -> SubjectRequest | None:
    """The request by its id or reference number, or ``None``."""
    row = session.get(SubjectRequest, request_id)
    if row is None:
        row = session.execute(
            select(SubjectRequest).where(SubjectRequest.reference == request_id.strip().upper())
        ).scalar_one_or_none()
    return row


def _row(session: Session, request_id: str) -> SubjectRequest:
    row = _find(session, request_id)
    if row is None:
        raise _missing()
    return row


def _missing() -> NotFoundError:
    """What a request id (or reference) that names none answers — and one the actor may not
    see (404)."""
    return NotFoundError(tr("没有该请求", "no such request"))


def _reference() -> str:
    day = _dt.datetime.now(_dt.UTC).strftime("%Y%m%d")
    return f"DSR-{day}-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))


def _check_text(contact: str, details: str) -> None:
    if not contact.strip() or len(contact) > MAX_CONTACT or len(details) > MAX_DETAILS:
        raise InputError(
            tr(
                f"联系方式必填（最多 {MAX_CONTACT} 字），说明最多 {MAX_DETAILS} 字",
                f"contact 1–{MAX_CONTACT} characters, details ≤ {MAX_DETAILS}",
            )
        )


def _store(
    vault: Vault,
    *,
    actor: Actor,
    kind: Kind,
    channel: Channel,
    contact: str,
    details: str,
    received_at: str,
    deal_id: str | None,
) -> RequestInfo:
    _check_text(contact, details)
    request_id = new_id()
    key = vault.platform_key("fields")
    with vault.transaction() as session:
        reference = _reference()
        while session.execute(
            select(SubjectRequest.id).where(SubjectRequest.reference == reference)
        ).first():
            reference = _reference()
        session.add(
            SubjectRequest(
                id=request_id,
                reference=reference,
                deal_id=deal_id,
                kind=kind.value,
                channel=channel.value,
                contact_sealed=crypto.seal(
                    key, contact.strip().encode(), _aad(request_id, "contact")
                ),
                details_sealed=crypto.seal(key, details.encode(), _aad(request_id, "details")),
                received_at=received_at,
                due_at=due(_parse(received_at)).isoformat(),
                created_at=now(),
                created_by=actor.name,
            )
        )
        session.flush()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.REQUEST_RECEIVE,
            obj=f"request:{request_id}",
            details={"deal": deal_id, "kind": kind.value, "channel": channel.value},
        )
        return _info(vault, session, _row(session, request_id))


def receive(
    vault: Vault,
    *,
    actor: Actor,
    kind: Kind,
    contact: str,
    details: str = "",
    received_at: str | None = None,
    deal_ref: str | None = None,
) -> RequestInfo:
    """Staff take in a request (received now, or at ``received_at`` when it came by post).

    A request belongs to a deal's seller unless staff who see every deal take it in: an actor
    scoped to deals (the seller's staff) takes it into its one deal, or names which; a request
    without a deal would be out of their sight at once."""
    authorize(actor, Action.REQUEST_EDIT)  # the role first: a refused role learns nothing more
    deal_id = None
    if deal_ref is not None:
        # a deal outside the actor's scope answers as one that does not exist, as its room does
        deal_id = rooms.deal_or_hidden(vault, actor, Action.REQUEST_EDIT, deal_ref).id
    elif actor.deals is not None:
        if len(actor.deals) != 1:
            raise InputError(
                tr("请选择该请求所属的交易", "choose the deal the request belongs to")
                if actor.deals
                else tr("您不在任何卖方数据室中", "you have no seat on a seller's side")
            )
        (deal_id,) = actor.deals
    authorize(actor, Action.REQUEST_EDIT, deal_id)
    _check_text(contact, details)
    check_contact(contact)
    return _store(
        vault,
        actor=actor,
        kind=kind,
        channel=Channel.STAFF,
        contact=contact,
        details=details,
        received_at=_timestamp(received_at),
        deal_id=deal_id,
    )


def check_contact(contact: str) -> None:
    """A requester's contact is an e-mail address or a telephone number, nothing else (the
    public page and the staff's intake alike)."""
    if not _CONTACT.fullmatch(contact.strip()):
        raise InputError(
            tr(
                "联系方式须为电子邮箱或电话号码",
                "the contact must be an e-mail address or a phone number",
            )
        )


def submit(vault: Vault, *, kind: Kind, contact: str, details: str = "") -> str:
    """A request from the public page (no account): stored, audited; returns only the
    reference number (the requester sees nothing else of the register). The contact must be an
    e-mail address or a telephone number; the text holds no control characters."""
    check_contact(contact)
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in details):
        raise InputError(tr("说明中含有控制字符", "the details hold control characters"))
    return _store(
        vault,
        actor=PUBLIC,
        kind=kind,
        channel=Channel.PUBLIC,
        contact=contact,
        details=details,
        received_at=now(),
        deal_id=None,
    ).reference


def open_counts(vault: Vault, at: _dt.datetime | None = None) -> tuple[int, int]:
    """(requests awaiting an answer, of which overdue) — for the governance dashboard; counts
    only, no permission needed."""
    with vault.reading() as session:
        rows = session.execute(select(SubjectRequest.due_at, SubjectRequest.status)).all()
    waiting = [
        overdue(_dt.datetime.fromisoformat(due_at), Status(status), at)[0]
        for due_at, status in rows
        if not Status(status).settled
    ]
    return len(waiting), sum(waiting)


def _scope(
    vault: Vault, actor: Actor, action: Action, request_id: str, deal_ref: str | None
) -> str:
    """Authorize ``action`` on the request (in ``deal_ref`` if given); returns its id. A request
    of another deal, or outside the actor's deals (one of no deal included: the register does
    not list it to a scoped actor either), answers as one that does not exist (404), and for a
    scoped actor either is a recorded refusal."""
    return audit.require_seen(
        vault,
        actor,
        action,
        kind="request",
        lookup=lambda session: _find(session, request_id),
        deal_ref=deal_ref,
        missing=_missing(),
    )


def authorize_edit(vault: Vault, *, actor: Actor, request_id: str) -> str:
    """Refuse ``actor`` unless it may edit the request; returns its id."""
    return _scope(vault, actor, Action.REQUEST_EDIT, request_id, None)


def get(
    vault: Vault,
    *,
    actor: Actor,
    request_id: str,
    deal_ref: str | None = None,
    at: _dt.datetime | None = None,
) -> RequestInfo:
    """One request by id or reference number."""
    found = _scope(vault, actor, Action.REQUEST_VIEW, request_id, deal_ref)
    with vault.reading() as session:
        return _info(vault, session, _row(session, found), at)


def masked_contact(contact: str) -> str:
    """A contact as the register lists it (PIPL-6, minimum necessary): a phone number
    ``138****5678``, an e-mail address ``w***@example.com`` (:mod:`baomi.engine.masking`); the
    request's own page, where the handler replies, shows it whole."""
    value = contact.strip()
    if "@" in value:
        return masking.mask_value(value, "EMAIL")
    digits = sum(c.isdigit() for c in value)
    if digits >= 11:  # a mobile number, with or without +86 and spaces
        return masking.mask_value(value, "CN_MOBILE")
    return masking.mask_value(value, None, keep_first=0, keep_last=min(4, len(value) // 2))


def register(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str | None = None,
    at: _dt.datetime | None = None,
) -> list[RequestInfo]:
    """The requests (of one deal, or all the actor may see): overdue first, then by due date;
    each contact masked (:func:`masked_contact`) and the identifiers in each details text
    (:func:`~baomi.services.redaction.mask_text`); :func:`get` gives both whole."""
    deal_id = None
    if deal_ref is not None:
        with vault.reading() as session:
            deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.REQUEST_VIEW, deal_id)
    with vault.reading() as session:
        q = select(SubjectRequest)
        if deal_id is not None:
            q = q.where(SubjectRequest.deal_id == deal_id)
        rows = session.execute(q).scalars().all()
        visible = [r for r in rows if sees(actor, r.deal_id)]
        # the list is read by everyone who may view requests: contacts masked there, and the
        # identifiers a requester typed into the details (the request's own page shows both)
        out = [
            replace(info, contact=masked_contact(info.contact), details=mask_text(info.details))
            for info in (_info(vault, session, r, at) for r in visible)
        ]
    return sorted(out, key=lambda r: (not r.overdue, r.status.settled, r.due_at, r.id))


def verify(
    vault: Vault,
    *,
    actor: Actor,
    request_id: str,
    method: Method,
    passed: bool,
    identifier: str | None = None,
    deal_ref: str | None = None,
) -> RequestInfo:
    """Record one identity-verification step. ``identifier`` (the number checked) is kept
    only as a keyed hash; a passed step moves an open request to ``verified``."""
    found = _scope(vault, actor, Action.REQUEST_EDIT, request_id, deal_ref)
    id_hash = None
    if identifier is not None and identifier.strip():
        id_hash = crypto.keyed_hash(_id_key(vault), identifier.strip().upper())[:16]
    with vault.transaction() as session:
        row = _row(session, found)
        if Status(row.status).settled:
            raise InputError(tr("请求已答复或关闭", "the request is already settled"))
        session.add(
            SubjectVerification(
                id=new_id(),
                request_id=row.id,
                method=method.value,
                passed=passed,
                id_hash=id_hash,
                checked_by=actor.name,
                checked_at=now(),
            )
        )
        if passed and row.status == Status.OPEN.value:
            row.status = Status.VERIFIED.value
        session.flush()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.REQUEST_UPDATE,
            obj=f"request:{row.id}",
            details={"verify": method.value, "passed": passed, "hashed": id_hash is not None},
        )
        return _info(vault, session, row)


def set_status(
    vault: Vault,
    *,
    actor: Actor,
    request_id: str,
    status: Status,
    reason: str | None = None,
    at: str | None = None,
    deal_ref: str | None = None,
) -> RequestInfo:
    """Answer, refuse (with reasons, PIPL-50) or close a request.

    An answer needs a verified identity (S35-8.7); a refusal needs its reasons; closing needs
    an answer or a refusal first. ``verified`` is set by :func:`verify` only.
    """
    found = _scope(vault, actor, Action.REQUEST_EDIT, request_id, deal_ref)
    if status in (Status.OPEN, Status.VERIFIED):
        raise InputError(
            tr("只能答复、拒绝或关闭", "a request can only be answered, refused or closed")
        )
    text = (reason or "").strip()
    if status is Status.REFUSED and not text:
        raise InputError(tr("拒绝须说明理由（第五十条）", "a refusal states its reasons (PIPL-50)"))
    if len(text) > MAX_REASON:
        raise InputError(tr(f"理由最多 {MAX_REASON} 字", f"reasons ≤ {MAX_REASON} characters"))
    when = _timestamp(at)
    with vault.transaction() as session:
        row = _row(session, found)
        current = Status(row.status)
        if current is Status.CLOSED:
            raise InputError(tr("请求已关闭", "the request is closed"))
        if _parse(when) < _parse(row.received_at):
            raise InputError(tr("时间早于收到时间", "the time is before the receipt"))
        if status in (Status.ANSWERED, Status.REFUSED) and current.settled:
            # answered or refused once: the first answer is the record of meeting the deadline
            raise InputError(
                tr(
                    f"请求已{'答复' if current is Status.ANSWERED else '拒绝'}",
                    f"the request is {current.value} already",
                )
            )
        if status is Status.ANSWERED and current is not Status.VERIFIED:
            raise InputError(
                tr("答复前须核验身份", "verify the requester's identity before answering")
            )
        if status is Status.CLOSED and not current.settled:
            raise InputError(tr("关闭前须答复或拒绝", "answer or refuse before closing"))
        if status is Status.REFUSED:
            key = vault.platform_key("fields")
            row.reason_sealed = crypto.seal(key, text.encode(), _aad(row.id, "reason"))
        if status in (Status.ANSWERED, Status.REFUSED):
            row.answered_at = when
        if status is Status.CLOSED:
            row.closed_at = when
        row.status = status.value
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.REQUEST_UPDATE,
            obj=f"request:{row.id}",
            details={"status": status.value, "late": _parse(when) > _parse(row.due_at)},
        )
        return _info(vault, session, row)


def record_search(
    vault: Vault,
    *,
    actor: Actor,
    request_id: str,
    entity: str,
    where: str,
    documents: int,
    hits: list[tuple[str, str | None, int, str | None, str | None]],
) -> RequestInfo:
    """Link a search for the requester's data to the request: where it looked, the hits per
    file and their positions — (file, sheet, row, column, vault document or None) — sealed;
    the audit keeps the counts."""
    found = _scope(vault, actor, Action.REQUEST_EDIT, request_id, None)
    per_file: dict[str, int] = {}
    for file, *_ in hits:
        per_file[file] = per_file.get(file, 0) + 1
    search = {
        "entity": entity,
        "where": where,
        "documents": documents,
        "per_file": per_file,
        "hits": [list(h) for h in hits],
    }
    key = vault.platform_key("fields")
    with vault.transaction() as session:
        row = _row(session, found)
        row.search_sealed = crypto.seal(
            key, json.dumps(search, ensure_ascii=False).encode(), _aad(row.id, "search")
        )
        row.searched_at = now()
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.REQUEST_UPDATE,
            obj=f"request:{row.id}",
            details={
                "search": entity,
                "documents": documents,
                "files": len(per_file),
                "occurrences": len(hits),
            },
        )
        return _info(vault, session, row)
