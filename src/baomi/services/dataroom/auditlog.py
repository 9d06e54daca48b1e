"""The audit page of a room: the deal's events, filtered, exported, and the chain's status.

A deal's events are those whose object is the deal, or whose details name it (documents,
grants, downloads), and the later events of what belongs to the deal, which name only
themselves: a grant's revocation, an incident's duties, steps and status, a data-subject
request's verification and answer. Nothing here writes; reading the log is itself allowed by the role table
(``audit.view``) and the room's gate.

Filters are read as people type them (:func:`filter_from`): a day or a time without an offset
is China time (``baomi/clock.py``; the log stores UTC), a day as ``until`` includes that day,
an action names one action or a family (``nda`` is every ``nda.*``, any case), a document is
its id or the id's first characters. A filter that cannot be read is an :class:`InputError`,
never an empty list that reads as "nothing happened".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal, or_, select, union_all

from baomi.clock import CHINA_TIME
from baomi.engine.audit_chain import AuditAction, ChainReport
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Seat
from baomi.services.permissions import Action
from baomi.services.vault import Vault
from baomi.storage.models import AuditEventRow, Grant, Incident, SubjectRequest

MAX_ROWS = 5_000
COLUMNS = ("seq", "ts", "actor", "action", "object", "outcome", "details")


@dataclass(frozen=True)
class AuditFilter:
    """What the page's form typed; :func:`filter_from` checks it (``since``/``until`` are then
    UTC times in the log's format, ``until`` excluded)."""

    user: str | None = None
    action: str | None = None
    document: str | None = None
    since: str | None = None
    until: str | None = None


#: what a person may type as a time: a day, or a day and a time (``T`` or a space), with
#: seconds and an offset if they like
_MOMENT = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_DOCUMENT = re.compile(r"[0-9a-fA-F-]{4,64}")
_ACTION = re.compile(r"[a-z_.]{1,64}")


def _moment(text: str, what: str, end: bool) -> str:
    """``text`` as a UTC time in the log's format; a day alone is its first moment in China,
    or with ``end`` the first moment of the next day (so that ``until`` includes the day)."""
    raw = text.strip()
    offset = _OFFSET.search(raw)
    body = raw[: offset.start()] if offset else raw
    if not _MOMENT.fullmatch(body):
        raise InputError(
            tr(
                f"{what}应为日期，如 2026-12-01 或 2026-12-01 09:30（北京时间）",
                f"{what} must be a date such as 2026-12-01 or 2026-12-01 09:30 (Beijing time)",
            )
        )
    day_only = len(body) <= 10
    try:
        if day_only:
            y, m, d = (int(x) for x in body.split("-"))
            when = dt.datetime(y, m, d, tzinfo=CHINA_TIME)
            if end:
                when += dt.timedelta(days=1)
        else:
            when = dt.datetime.fromisoformat(
                body.replace(" ", "T") + (offset.group() if offset else "")
            )
            if when.tzinfo is None:
                when = when.replace(tzinfo=CHINA_TIME)
    except ValueError:
        raise InputError(tr(f"{what}不是有效日期", f"{what} is not a valid date")) from None
    return when.astimezone(dt.UTC).isoformat()


def filter_from(
    user: str | None = None,
    action: str | None = None,
    document: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> AuditFilter:
    """The filter the form typed, checked and read (module docstring): :class:`InputError`
    for a date, action or document id that cannot be one, or a ``since`` after ``until``."""
    user = (user or "").strip() or None
    act = (action or "").strip().lower() or None
    if act is not None and not _ACTION.fullmatch(act):
        raise InputError(
            tr("没有这种操作，请从列表中选择", "no such action: pick one from the list")
        )
    doc = (document or "").strip().lower() or None
    if doc is not None and not _DOCUMENT.fullmatch(doc):
        raise InputError(
            tr(
                "文件编号应为编号或其前几位（至少 4 位）",
                "a document id is the id or its first characters (at least 4)",
            )
        )
    start = _moment(since, tr("起始日期", "the start date"), end=False) if since else None
    stop = _moment(until, tr("截止日期", "the end date"), end=True) if until else None
    if start is not None and stop is not None and start >= stop:
        raise InputError(tr("起始日期晚于截止日期", "the start date is after the end date"))
    return AuditFilter(user, act, doc, start, stop)


@dataclass(frozen=True)
class EventRow:
    seq: int
    ts: str
    actor: str
    action: str
    object: str
    outcome: str
    details: dict[str, Any]


def _belonging(deal_id: str) -> Select[Any]:
    """The objects of the deal whose later events name only themselves (``grant:ID``,
    ``incident:ID``, ``request:ID``)."""
    return select(
        union_all(
            select(literal("grant:") + Grant.id).where(Grant.deal_id == deal_id),
            select(literal("incident:") + Incident.id).where(Incident.deal_id == deal_id),
            select(literal("request:") + SubjectRequest.id).where(
                SubjectRequest.deal_id == deal_id
            ),
        ).subquery()
    )


def deal_events(
    vault: Vault, seat: Seat, deal_ref: str, filt: AuditFilter | None = None
) -> list[EventRow]:
    """The deal's events, newest first, at most :data:`MAX_ROWS`."""
    rooms.gate(vault, seat, Action.AUDIT_VIEW, deal_ref)
    deal_id = rooms.deal_id(vault, deal_ref)
    f = filt or AuditFilter()
    query = select(AuditEventRow).where(
        or_(
            AuditEventRow.object == f"deal:{deal_id}",
            AuditEventRow.details.contains(json.dumps({"deal": deal_id})[1:-1]),
            AuditEventRow.object.in_(_belonging(deal_id)),
        )
    )
    if f.user:
        query = query.where(AuditEventRow.actor == f.user)
    if f.action:  # one action, or its family (checked by filter_from: no LIKE wildcards)
        family = func.lower(AuditEventRow.action)
        query = query.where(or_(family == f.action, family.startswith(f"{f.action}.")))
    if f.document:  # the id or its first characters (hex and dashes: no LIKE wildcards)
        query = query.where(func.lower(AuditEventRow.object).startswith(f"object:{f.document}"))
    if f.since:  # UTC, the stored format: the strings order as the times do
        query = query.where(AuditEventRow.ts >= f.since)
    if f.until:
        query = query.where(AuditEventRow.ts < f.until)
    query = query.order_by(AuditEventRow.seq.desc()).limit(MAX_ROWS)
    with vault.reading() as session:
        return [
            EventRow(r.seq, r.ts, r.actor, r.action, r.object, r.outcome, json.loads(r.details))
            for r in session.execute(query).scalars()
        ]


def to_csv(events: list[EventRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in events:
        writer.writerow(
            (
                e.seq,
                e.ts,
                e.actor,
                e.action,
                e.object,
                e.outcome,
                json.dumps(e.details, ensure_ascii=False),
            )
        )
    return out.getvalue()


def chain_status(vault: Vault, seat: Seat, deal_ref: str) -> ChainReport:
    """Whether the whole chain verifies (hashes, signed checkpoints, head)."""
    rooms.gate(vault, seat, Action.AUDIT_VIEW, deal_ref)
    return audit.verify(vault, actor=seat.actor)


#: What each audit action is called on the audit page (the code stays in the CSV and the API,
#: and beside the label on the page); every action has one (tests/services/dataroom).
ACTION_LABELS: dict[AuditAction, tuple[str, str]] = {
    AuditAction.KEYS_INIT: ("初始化密钥", "keys initialised"),
    AuditAction.KEYS_ROTATE: ("轮换密钥", "keys rotated"),
    AuditAction.DEAL_CREATE: ("创建交易", "deal created"),
    AuditAction.OBJECT_ADD: ("存入文件", "file stored"),
    AuditAction.DEAL_SHOW: ("查看交易", "deal shown"),
    AuditAction.DEAL_EXPORT: ("导出交易", "deal exported"),
    AuditAction.DEAL_DESTROY: ("销毁交易数据", "deal destroyed"),
    AuditAction.PARTY_ADD: ("登记当事方", "party added"),
    AuditAction.PARTY_LOOKUP: ("查询当事方", "party looked up"),
    AuditAction.AUDIT_EXPORT: ("导出审计日志", "audit log exported"),
    AuditAction.BACKUP_CREATE: ("创建备份", "backup created"),
    AuditAction.BACKUP_RESTORE: ("恢复备份", "backup restored"),
    AuditAction.BACKUP_VERIFY: ("校验备份", "backup verified"),
    AuditAction.PROTECT_RUN: ("去标识化", "package protected"),
    AuditAction.PROTECT_DETOKENIZE: ("还原令牌", "tokens reversed"),
    AuditAction.PROTECT_TRACE: ("泄露溯源", "leak traced"),
    AuditAction.ACCESS_DENIED: ("拒绝访问", "access denied"),
    AuditAction.USER_CREATE: ("创建用户", "user created"),
    AuditAction.USER_DEPARTMENT: ("设置部门", "department set"),
    AuditAction.USER_SETUP: ("设置密码", "password set"),
    AuditAction.USER_TOTP: ("启用动态口令", "authenticator enrolled"),
    AuditAction.USER_SETUP_LINK: ("发出设置链接", "setup link issued"),
    AuditAction.USER_DISABLE: ("停用用户", "user disabled"),
    AuditAction.USER_ENABLE: ("启用用户", "user enabled"),
    AuditAction.USER_UNLOCK: ("解锁用户", "user unlocked"),
    AuditAction.USER_RESET_TOTP: ("重置两步验证", "two-step verification reset"),
    AuditAction.AUTH_LOGIN: ("登录", "signed in"),
    AuditAction.AUTH_LOGOUT: ("退出登录", "signed out"),
    AuditAction.AUTH_EXPIRE: ("会话结束", "session ended"),
    AuditAction.ROOM_OPEN: ("开设数据室", "room opened"),
    AuditAction.ROOM_STAGE: ("变更阶段", "stage changed"),
    AuditAction.ROOM_POLICY: ("设置去标识化策略", "policy set"),
    AuditAction.MEMBER_ADD: ("加入成员", "member added"),
    AuditAction.MEMBER_REMOVE: ("移除成员", "member removed"),
    AuditAction.NDA_PUBLISH: ("发布保密协议", "NDA published"),
    AuditAction.NDA_ACCEPT: ("接受保密协议", "NDA accepted"),
    AuditAction.GRANT_SET: ("授权", "grant set"),
    AuditAction.GRANT_REVOKE: ("撤销授权", "grant revoked"),
    AuditAction.DOC_UPLOAD: ("上传文件", "document uploaded"),
    AuditAction.DOC_DOWNLOAD: ("下载文件", "document downloaded"),
    AuditAction.DOC_VIEW: ("预览文件", "document previewed"),
    AuditAction.COPY_CONFIRM: ("确认删除副本", "copy deletion confirmed"),
    AuditAction.QA_ASK: ("提问", "question asked"),
    AuditAction.QA_ANSWER: ("回答", "question answered"),
    AuditAction.COMPANY_SET: ("填写公司情况", "company facts set"),
    AuditAction.PROFILE_SET: ("填写转让情况", "transfer profile set"),
    AuditAction.PROVISION_RECORD: ("记录个人信息提供", "provision recorded"),
    AuditAction.PROVISION_DELETE: ("删除提供记录", "provision record deleted"),
    AuditAction.INCIDENT_REPORT: ("报告事件", "incident reported"),
    AuditAction.INCIDENT_UPDATE: ("更新事件", "incident updated"),
    AuditAction.INCIDENT_ATTRIBUTE: ("事件溯源", "incident attributed"),
    AuditAction.DRILL_UPDATE: ("更新演练", "drill updated"),
    AuditAction.REQUEST_RECEIVE: ("收到个人权利请求", "request received"),
    AuditAction.REQUEST_UPDATE: ("处理个人权利请求", "request updated"),
    AuditAction.SUBJECT_FIND: ("查找个人信息主体", "data subject searched"),
    AuditAction.SUBJECT_APPLY: ("更正或删除个人信息", "correction or deletion applied"),
    AuditAction.OBJECT_SHRED: ("销毁文件", "file shredded"),
    AuditAction.ASSESSMENT_ANSWER: ("填写评估", "assessment answered"),
    AuditAction.ASSESSMENT_EVIDENCE: ("上传评估证据", "assessment evidence added"),
    AuditAction.ASSESSMENT_NEW: ("新建评估", "assessment started"),
    AuditAction.ASSESSMENT_DELETE: ("删除评估", "assessment deleted"),
    AuditAction.PIA_RISK: ("记录影响评估风险", "PIA risk recorded"),
    AuditAction.PIA_RISK_REMOVE: ("删除影响评估风险", "PIA risk removed"),
    AuditAction.PIA_COMPLETE: ("完成影响评估", "PIA completed"),
    AuditAction.NOTICE_EXPORT: ("导出告知名单", "notices exported"),
    AuditAction.NOTICE_IMPORT: ("导入告知结果", "notice results imported"),
    AuditAction.CHECKLIST_OPEN: ("开始检查清单", "checklist opened"),
    AuditAction.CHECKLIST_ITEM_ADD: ("添加检查项", "checklist item added"),
    AuditAction.CHECKLIST_ITEM_SET: ("更新检查项", "checklist item set"),
    AuditAction.COMPLY_FILE_ADD: ("上传合规附件", "compliance file added"),
    AuditAction.COMPLY_FILE_VIEW: ("查看合规附件", "compliance file viewed"),
    AuditAction.VENDOR_ADD: ("登记第三方", "vendor added"),
    AuditAction.VENDOR_SET: ("更新第三方", "vendor updated"),
    AuditAction.VENDOR_CLOSE: ("结束第三方合作", "vendor closed"),
    AuditAction.TRAINING_ASSIGN: ("分配培训", "training assigned"),
    AuditAction.TRAINING_UNASSIGN: ("取消培训", "training unassigned"),
    AuditAction.TRAINING_ATTEMPT: ("参加培训测验", "training attempted"),
    AuditAction.GOVERN_AUDIT_UPDATE: ("更新内部审计", "internal audit updated"),
    AuditAction.GOVERN_RACI_SET: ("设置职责分工", "RACI set"),
    AuditAction.SURVEY_UPDATE: ("更新问卷", "survey updated"),
    AuditAction.SURVEY_RESPONSE: ("提交问卷", "survey answered"),
    AuditAction.POLICY_UPDATE: ("更新制度", "policy updated"),
    AuditAction.POLICY_VIEW: ("阅读制度", "policy read"),
    AuditAction.NOTIFY_SEND: ("发送通知", "notification sent"),
    AuditAction.USER_EMAIL: ("设置邮箱", "e-mail set"),
}

#: The outcomes an event records.
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "success": ("成功", "success"),
    "denied": ("拒绝", "denied"),
    "failure": ("失败", "failure"),
    "refused": ("拒绝", "refused"),
}


def action_label(action: str) -> str:
    """An action as the page names it (the code itself for one this release does not know)."""
    try:
        zh, en = ACTION_LABELS[AuditAction(action)]
    except (ValueError, KeyError):
        return action
    return tr(zh, en)


def outcome_label(outcome: str) -> str:
    pair = OUTCOME_LABELS.get(outcome)
    return tr(*pair) if pair else outcome


def object_label(obj: str, deal_id: str) -> str:
    """An event's object as the page names it: the deal itself in words, a document or another
    object by its kind and the first characters of its id (the whole id is the row's title, and
    the document filter takes those characters); anything else as it is."""
    kind, _, ident = obj.partition(":")
    if obj == f"deal:{deal_id}":
        return tr("本交易", "this deal")
    if kind == "object" and ident:
        return tr("文件 ", "document ") + ident[:8]
    return obj
