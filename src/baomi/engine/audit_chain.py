"""The tamper-evident audit chain — pure: canonical events, hashes, checkpoints, verification.

Each event's hash is SHA-256 over its canonical JSON (sorted keys, no whitespace, UTF-8), which
includes its position (``seq``) and the previous event's hash; the first event's previous hash is
:data:`GENESIS`. Changing, deleting, inserting or reordering an event therefore breaks the chain at
that position. An attacker able to rewrite the whole database could recompute every hash, so a
signed checkpoint (Ed25519, key outside the database) pins the chain head at a position: a copy of
the log can be verified with the public key alone.

The storage and service layers persist events; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from baomi.engine.crypto import constant_time_equal, sign, verify_signature

GENESIS = "0" * 64

OUTCOMES = ("success", "failure", "denied")


class AuditAction(StrEnum):
    """What an audit event records; the value is the string stored in the chain (unchanged from
    the chains written before this enumeration, so they still verify)."""

    KEYS_INIT = "keys.init"
    KEYS_ROTATE = "keys.rotate"
    DEAL_CREATE = "deal.create"
    OBJECT_ADD = "object.add"
    DEAL_SHOW = "deal.show"
    DEAL_EXPORT = "deal.export"
    DEAL_DESTROY = "deal.destroy"
    PARTY_ADD = "party.add"
    PARTY_LOOKUP = "party.lookup"
    AUDIT_EXPORT = "audit.export"
    BACKUP_CREATE = "backup.create"
    BACKUP_RESTORE = "backup.restore"
    #: a backup file decrypted and checked (outcome ``success`` or ``failure``)
    BACKUP_VERIFY = "backup.verify"
    PROTECT_RUN = "protect.run"
    PROTECT_DETOKENIZE = "protect.detokenize"
    PROTECT_TRACE = "protect.trace"
    #: a refused attempt (outcome ``denied``); the details name the action and the role
    ACCESS_DENIED = "access.denied"
    # the data room's accounts
    USER_CREATE = "user.create"
    USER_DEPARTMENT = "user.department"
    USER_SETUP = "user.setup"
    USER_TOTP = "user.totp"
    #: a new setup link issued by an administrator (the earlier ones stopped working)
    USER_SETUP_LINK = "user.setup_link"
    #: a user disabled (their sessions ended) or enabled again
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    #: the lock after failed sign-ins lifted by an administrator
    USER_UNLOCK = "user.unlock"
    #: a user's second factor (TOTP) cleared by an administrator (their sessions ended)
    USER_RESET_TOTP = "user.reset_totp"
    AUTH_LOGIN = "auth.login"
    AUTH_LOGOUT = "auth.logout"
    AUTH_EXPIRE = "auth.expire"
    # the data room
    ROOM_OPEN = "room.open"
    ROOM_STAGE = "room.stage"
    ROOM_POLICY = "room.policy"
    MEMBER_ADD = "member.add"
    #: a member's seat taken away; the details count their copies not yet confirmed deleted
    MEMBER_REMOVE = "member.remove"
    NDA_PUBLISH = "nda.publish"
    NDA_ACCEPT = "nda.accept"
    GRANT_SET = "grant.set"
    GRANT_REVOKE = "grant.revoke"
    DOC_UPLOAD = "doc.upload"
    DOC_DOWNLOAD = "doc.download"
    DOC_VIEW = "doc.view"
    COPY_CONFIRM = "copy.confirm"
    QA_ASK = "qa.ask"
    QA_ANSWER = "qa.answer"
    # compliance (services/comply)
    COMPANY_SET = "company.set"
    PROFILE_SET = "profile.set"
    #: a provision of PI to another party recorded (NDS-12): source, region, counts
    PROVISION_RECORD = "provision.record"
    #: a provision record deleted after its retention period
    PROVISION_DELETE = "provision.delete"
    # response (services/respond)
    INCIDENT_REPORT = "incident.report"
    INCIDENT_UPDATE = "incident.update"
    INCIDENT_ATTRIBUTE = "incident.attribute"
    DRILL_UPDATE = "drill.update"
    REQUEST_RECEIVE = "request.receive"
    REQUEST_UPDATE = "request.update"
    SUBJECT_FIND = "subject.find"
    #: a correction or deletion request applied: a document's new version supersedes it
    SUBJECT_APPLY = "subject.apply"
    #: a superseded document version shredded after its retention
    OBJECT_SHRED = "object.shred"
    ASSESSMENT_ANSWER = "assessment.answer"
    ASSESSMENT_EVIDENCE = "assessment.evidence"
    ASSESSMENT_NEW = "assessment.new"
    ASSESSMENT_DELETE = "assessment.delete"
    PIA_RISK = "pia.risk"
    PIA_RISK_REMOVE = "pia.risk_remove"
    PIA_COMPLETE = "pia.complete"
    #: customer notices: a mail-merge export (counts only) and a sending-status import
    NOTICE_EXPORT = "notice.export"
    NOTICE_IMPORT = "notice.import"
    # the compliance checklist and the third-party register (services/comply)
    CHECKLIST_OPEN = "checklist.open"
    CHECKLIST_ITEM_ADD = "checklist.item_add"
    CHECKLIST_ITEM_SET = "checklist.item_set"
    COMPLY_FILE_ADD = "comply.file_add"
    COMPLY_FILE_VIEW = "comply.file_view"
    VENDOR_ADD = "vendor.add"
    VENDOR_SET = "vendor.set"
    VENDOR_CLOSE = "vendor.close"
    # governance (services/govern)
    #: a course assigned to a department or role, or the assignment withdrawn
    TRAINING_ASSIGN = "training.assign"
    TRAINING_UNASSIGN = "training.unassign"
    #: a quiz answered: course, score, passed (the answers stay in the training tables)
    TRAINING_ATTEMPT = "training.attempt"
    #: an internal audit planned, its findings, actions, notes and closure (PIPL-54)
    GOVERN_AUDIT_UPDATE = "govern.audit_update"
    #: a row of the responsibilities (RACI) table changed
    GOVERN_RACI_SET = "govern.raci_set"
    # governance (services/govern): surveys, policy reviews, notifications
    SURVEY_UPDATE = "survey.update"
    #: an anonymous response on the public page (counts only)
    SURVEY_RESPONSE = "survey.response"
    POLICY_UPDATE = "policy.update"
    POLICY_VIEW = "policy.view"
    NOTIFY_SEND = "notify.send"
    USER_EMAIL = "user.email"


@dataclass(frozen=True)
class AuditEvent:
    """One audit event: who did what to which object, when, with which outcome."""

    seq: int
    ts: str
    actor: str
    action: str
    object: str
    outcome: str
    prev_hash: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "actor": self.actor,
            "action": self.action,
            "object": self.object,
            "outcome": self.outcome,
            "prev_hash": self.prev_hash,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class SealedEvent:
    """An event with its hash, as stored."""

    event: AuditEvent
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the chain's hash at position ``seq`` was ``hash``."""

    seq: int
    hash: str
    ts: str
    signature: bytes

    def body(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "ts": self.ts}


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`; ``first_bad`` is a 1-based position."""

    ok: bool
    events: int
    checkpoints: int
    first_bad: int | None = None
    reason: str | None = None


def canonical(data: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event.body())).hexdigest()


def seal_event(event: AuditEvent) -> SealedEvent:
    return SealedEvent(event, event_hash(event))


def checkpoint_message(seq: int, head: str, ts: str) -> bytes:
    return b"baomi-audit-checkpoint/1\n" + canonical({"seq": seq, "hash": head, "ts": ts})


def make_checkpoint(private_key: bytes, seq: int, head: str, ts: str) -> Checkpoint:
    return Checkpoint(seq, head, ts, sign(private_key, checkpoint_message(seq, head, ts)))


def verify_chain(
    events: Iterable[SealedEvent],
    checkpoints: Sequence[Checkpoint] = (),
    public_key: bytes | None = None,
) -> ChainReport:
    """Verify positions, links and hashes, then every checkpoint; name the first bad position."""
    prev = GENESIS
    count = 0
    hashes: dict[int, str] = {}
    for expected, sealed in enumerate(events, start=1):
        ev = sealed.event
        count = expected
        if ev.seq != expected:
            return ChainReport(
                False, count, 0, expected, f"position {ev.seq} found, {expected} expected"
            )
        if not constant_time_equal(ev.prev_hash, prev):
            return ChainReport(False, count, 0, expected, "link to the previous event is broken")
        if not constant_time_equal(event_hash(ev), sealed.hash):
            return ChainReport(False, count, 0, expected, "event content does not match its hash")
        hashes[ev.seq] = sealed.hash
        prev = sealed.hash
    last_good = 0
    for cp in sorted(checkpoints, key=lambda c: c.seq):
        if public_key is None or not verify_signature(
            public_key, checkpoint_message(cp.seq, cp.hash, cp.ts), cp.signature
        ):
            return ChainReport(False, count, 0, cp.seq, "checkpoint signature is invalid")
        stored = hashes.get(cp.seq)
        if stored is None:
            return ChainReport(
                False, count, 0, min(cp.seq, count + 1), "events after this position are missing"
            )
        if not constant_time_equal(stored, cp.hash):
            # A rewritten chain is self-consistent: the checkpoint proves that something after
            # the previous good checkpoint and at or before this one changed.
            return ChainReport(
                False,
                count,
                0,
                last_good + 1,
                f"chain differs from the signed checkpoint at position {cp.seq}",
            )
        last_good = cp.seq
    return ChainReport(True, count, len(checkpoints))
