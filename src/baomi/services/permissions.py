"""Who may do what: the acting user, the use cases, and the one permission table.

Every service function takes an :class:`Actor` and calls :func:`authorize` before it does any
work; nothing else in the code base decides a permission (routes and commands declare no rules
of their own). The table is data — :data:`PERMISSIONS`, action → the roles allowed — so the
permission-matrix test (``tests/services/test_permissions.py``) and the data room read the same
thing, and a refusal can be explained (:func:`explain`) before it is raised.

An actor may be scoped to some deals (a buyer sees the deals it was invited to): for an action on
a deal, ``resource`` is the deal id and must be in the actor's scope. An unscoped actor (the
seller's operator at the local command line) reaches every deal its role allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from baomi.errors import PermissionDeniedError
from baomi.i18n import tr


class Role(StrEnum):
    """The roles of the platform's users."""

    #: runs the installation: keys, restores, everything
    ADMIN = "admin"
    #: the seller's staff at the local command line, holding the key
    OPERATOR = "operator"
    #: the transfer platform's staff, who arrange the deal
    BROKER = "broker"
    #: the selling company's own user in the data room
    SELLER = "seller"
    #: the buyer (or its staff) in the data room
    BUYER = "buyer"
    #: a lawyer of either side
    COUNSEL = "counsel"
    #: an internal or external auditor: reads the audit trail, changes nothing
    AUDITOR = "auditor"


#: What each role is called on pages and at the command line (Chinese, English).
ROLE_LABELS = {
    "admin": ("管理员", "administrator"),
    "operator": ("卖方操作员", "seller's operator"),
    "broker": ("经纪方", "broker"),
    "seller": ("卖方成员", "seller member"),
    "buyer": ("买方审阅人", "buyer reviewer"),
    "counsel": ("律师", "counsel"),
    "auditor": ("审计（只读）", "auditor (read-only)"),
}


class Action(StrEnum):
    """Every use case a permission is asked for (one per service function)."""

    KEY_INIT = "key.init"
    KEY_STATUS = "key.status"
    KEY_ROTATE = "key.rotate"
    DEAL_CREATE = "deal.create"
    DEAL_ADD = "deal.add"
    DEAL_LIST = "deal.list"
    DEAL_SHOW = "deal.show"
    DEAL_EXPORT = "deal.export"
    DEAL_DESTROY = "deal.destroy"
    PARTY_ADD = "party.add"
    PARTY_FIND = "party.find"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_EXPORT = "audit.export"
    AUDIT_CHECKPOINT = "audit.checkpoint"
    BACKUP_CREATE = "backup.create"
    BACKUP_VERIFY = "backup.verify"
    BACKUP_RESTORE = "backup.restore"
    CERTIFICATE_VERIFY = "certificate.verify"
    SCAN_RUN = "scan.run"
    PROTECT_RUN = "protect.run"
    PROTECT_DETOKENIZE = "protect.detokenize"
    PROTECT_TRACE = "protect.trace"
    USER_CREATE = "user.create"
    #: a new one-time setup link for a user (the earlier ones stop working): a password reset
    USER_SETUP_LINK = "user.setup_link"
    #: disable a user (their sessions end, they cannot sign in) and enable them again
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    #: lift the lock that failed sign-ins put on an account before it runs out
    USER_UNLOCK = "user.unlock"
    #: clear a user's second factor (TOTP) after a lost authenticator; their sessions end
    USER_RESET_TOTP = "user.reset_totp"
    ROOM_OPEN = "room.open"
    ROOM_STAGE = "room.stage"
    ROOM_POLICY = "room.policy"
    ROOM_VIEW = "room.view"
    MEMBER_ADD = "member.add"
    #: the room's members: user, side, role, NDA accepted
    MEMBER_LIST = "member.list"
    #: take a member's seat away (their access ends at once)
    MEMBER_REMOVE = "member.remove"
    NDA_PUBLISH = "nda.publish"
    NDA_ACCEPT = "nda.accept"
    GRANT_SET = "grant.set"
    GRANT_REVOKE = "grant.revoke"
    #: the room's grants (side, folder, level, who granted them, when), live and ended
    GRANT_LIST = "grant.list"
    DOC_UPLOAD = "doc.upload"
    DOC_VIEW = "doc.view"
    DOC_DOWNLOAD = "doc.download"
    AUDIT_VIEW = "audit.view"
    COPY_LIST = "copy.list"
    COPY_CONFIRM = "copy.confirm"
    QA_VIEW = "qa.view"
    QA_ASK = "qa.ask"
    QA_ANSWER = "qa.answer"
    # compliance: the assessment of a deal and its company (services/comply)
    COMPLY_VIEW = "comply.view"
    COMPLY_EDIT = "comply.edit"
    # response: incidents (services/respond)
    INCIDENT_VIEW = "incident.view"
    INCIDENT_EDIT = "incident.edit"
    DRILL_VIEW = "drill.view"
    DRILL_EDIT = "drill.edit"
    REQUEST_VIEW = "request.view"
    REQUEST_EDIT = "request.edit"
    SUBJECT_FIND = "subject.find"
    #: delete a completed assessment once its retention ended (PIPL-56: at least three years)
    ASSESSMENT_DELETE = "assessment.delete"
    #: the customer contact list for mail merge: decrypts PI from a deal's documents
    NOTICE_EXPORT = "notice.export"
    # governance: the company's management of protection (services/govern)
    GOVERN_VIEW = "govern.view"
    GOVERN_EDIT = "govern.edit"
    #: set a user's department (the RACI, training assignments)
    USER_DEPARTMENT = "user.department"
    #: take one's own training: read the courses assigned, answer a quiz, get the certificate
    TRAINING_TAKE = "training.take"
    #: record an internal audit's findings, follow it up and verify their closure (PIPL-54)
    GOVERN_AUDIT_RECORD = "govern.audit_record"
    #: read and mark one's own in-app notifications (every signed-in user)
    NOTIFICATION_READ = "notification.read"


@dataclass(frozen=True)
class Actor:
    """The acting user: a name (as recorded in the audit log), a role, optionally the deal ids
    it is limited to (``None``: every deal), and the sides of the rooms its account is seated in
    (``seller``, ``buyer``, ``platform``; empty: seated nowhere, or not an account — the command
    line's key holders, the system), which :data:`COMPANY_ONLY` asks about."""

    name: str
    role: Role
    deals: frozenset[str] | None = None
    seats: frozenset[str] = frozenset()


#: Those who hold the seller's key at this machine (the local command line).
_KEY_HOLDERS = frozenset({Role.ADMIN, Role.OPERATOR})
#: Everyone with an account.
_EVERYONE = frozenset(Role)
#: Those who run data rooms: the installation's administrator and the transfer platform.
_ROOM_RUNNERS = frozenset({Role.ADMIN, Role.BROKER})

#: The permission table: each action and the roles allowed to perform it; anything not listed is
#: refused. Decrypting personal data (``deal.export``, ``protect.detokenize``, the parties'
#: fields) stays with few roles; auditors read the trail and change nothing.
PERMISSIONS: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        Action.KEY_INIT: frozenset({Role.ADMIN}),
        Action.KEY_STATUS: _KEY_HOLDERS | {Role.AUDITOR},
        Action.KEY_ROTATE: frozenset({Role.ADMIN}),
        Action.DEAL_CREATE: _KEY_HOLDERS | {Role.BROKER},
        Action.DEAL_ADD: _KEY_HOLDERS | {Role.SELLER},
        Action.DEAL_LIST: _EVERYONE,
        Action.DEAL_SHOW: _EVERYONE - {Role.AUDITOR},
        Action.DEAL_EXPORT: _KEY_HOLDERS | {Role.SELLER, Role.COUNSEL},
        Action.DEAL_DESTROY: _KEY_HOLDERS,
        Action.PARTY_ADD: _KEY_HOLDERS | {Role.BROKER},
        Action.PARTY_FIND: _KEY_HOLDERS | {Role.BROKER},
        Action.AUDIT_VERIFY: _KEY_HOLDERS | {Role.BROKER, Role.SELLER, Role.COUNSEL, Role.AUDITOR},
        Action.AUDIT_EXPORT: _KEY_HOLDERS | {Role.COUNSEL, Role.AUDITOR},
        Action.AUDIT_CHECKPOINT: _KEY_HOLDERS | {Role.AUDITOR},
        Action.BACKUP_CREATE: _KEY_HOLDERS,
        Action.BACKUP_VERIFY: _KEY_HOLDERS | {Role.AUDITOR},
        Action.BACKUP_RESTORE: frozenset({Role.ADMIN}),
        Action.CERTIFICATE_VERIFY: _EVERYONE,
        Action.SCAN_RUN: _KEY_HOLDERS | {Role.SELLER},
        Action.PROTECT_RUN: _KEY_HOLDERS | {Role.SELLER},
        Action.PROTECT_DETOKENIZE: _KEY_HOLDERS,
        Action.PROTECT_TRACE: _KEY_HOLDERS | {Role.SELLER, Role.COUNSEL},
        Action.USER_CREATE: frozenset({Role.ADMIN}),
        # the users page: the installation's administrator alone manages accounts
        Action.USER_SETUP_LINK: frozenset({Role.ADMIN}),
        Action.USER_DISABLE: frozenset({Role.ADMIN}),
        Action.USER_ENABLE: frozenset({Role.ADMIN}),
        Action.USER_UNLOCK: frozenset({Role.ADMIN}),
        Action.USER_RESET_TOTP: frozenset({Role.ADMIN}),
        # the data room; the room's state (NDA, stage, grants) is checked after this table,
        # in services/dataroom/rooms.gate
        Action.ROOM_OPEN: _ROOM_RUNNERS,
        Action.ROOM_STAGE: _ROOM_RUNNERS,
        Action.ROOM_POLICY: _ROOM_RUNNERS | {Role.SELLER},
        Action.ROOM_VIEW: _EVERYONE - {Role.OPERATOR},
        Action.MEMBER_ADD: _ROOM_RUNNERS,
        # who sits on which side: those who run the room, and the seller, who grants each side
        # its folders (the audit page already shows them every member.add)
        Action.MEMBER_LIST: _ROOM_RUNNERS | {Role.SELLER},
        Action.MEMBER_REMOVE: _ROOM_RUNNERS,
        Action.NDA_PUBLISH: _ROOM_RUNNERS,
        Action.NDA_ACCEPT: _EVERYONE - {Role.OPERATOR},
        Action.GRANT_SET: _ROOM_RUNNERS | {Role.SELLER},
        Action.GRANT_REVOKE: _ROOM_RUNNERS | {Role.SELLER},
        Action.GRANT_LIST: _ROOM_RUNNERS | {Role.SELLER},  # those who set and revoke them
        Action.DOC_UPLOAD: frozenset({Role.ADMIN, Role.SELLER}),  # the CLI operator: deal add
        Action.DOC_VIEW: _EVERYONE - {Role.OPERATOR},
        Action.DOC_DOWNLOAD: _EVERYONE - {Role.OPERATOR, Role.AUDITOR},
        Action.AUDIT_VIEW: _ROOM_RUNNERS | {Role.SELLER, Role.COUNSEL, Role.AUDITOR},
        Action.COPY_LIST: _ROOM_RUNNERS | {Role.SELLER, Role.COUNSEL, Role.AUDITOR},
        Action.COPY_CONFIRM: _EVERYONE - {Role.OPERATOR},
        Action.QA_VIEW: _EVERYONE - {Role.OPERATOR},
        # the side (buyer asks, seller answers) is checked by rooms.gate
        Action.QA_ASK: _ROOM_RUNNERS | {Role.BUYER, Role.COUNSEL},
        Action.QA_ANSWER: _ROOM_RUNNERS | {Role.SELLER, Role.COUNSEL},
        # compliance: the seller's side, its counsel and the platform assess; auditors read;
        # the buyer is the recipient being assessed and sees none of it
        Action.COMPLY_VIEW: _KEY_HOLDERS
        | _ROOM_RUNNERS
        | {Role.SELLER, Role.COUNSEL, Role.AUDITOR},
        Action.COMPLY_EDIT: _KEY_HOLDERS | _ROOM_RUNNERS | {Role.SELLER, Role.COUNSEL},
        # incidents: the seller's side and the platform respond; auditors read the register
        Action.INCIDENT_VIEW: _KEY_HOLDERS
        | _ROOM_RUNNERS
        | {Role.SELLER, Role.COUNSEL, Role.AUDITOR},
        Action.INCIDENT_EDIT: _KEY_HOLDERS | _ROOM_RUNNERS | {Role.SELLER, Role.COUNSEL},
        # drills are the company's (the seller's) exercise; auditors read the results
        Action.DRILL_VIEW: _KEY_HOLDERS | _ROOM_RUNNERS | {Role.SELLER, Role.COUNSEL, Role.AUDITOR},
        Action.DRILL_EDIT: _KEY_HOLDERS | {Role.SELLER},
        # data-subject requests are the company's (the seller's) duty to its customers; the
        # platform takes them in, auditors read the register (contacts are sealed)
        Action.REQUEST_VIEW: _KEY_HOLDERS
        | _ROOM_RUNNERS
        | {Role.SELLER, Role.COUNSEL, Role.AUDITOR},
        Action.REQUEST_EDIT: _KEY_HOLDERS | _ROOM_RUNNERS | {Role.SELLER, Role.COUNSEL},
        # finding a person decrypts and reads every document: the key holders only
        Action.SUBJECT_FIND: _KEY_HOLDERS,
        Action.ASSESSMENT_DELETE: _KEY_HOLDERS,
        # customer notices (PIPL-22/23): the contact list holds raw PI, so only those who hold
        # the key and the seller (the processor that notifies its own customers) export it
        Action.NOTICE_EXPORT: _KEY_HOLDERS | {Role.SELLER},
        # governance is the company's (the seller's, with the platform that runs its rooms);
        # auditors read it; the buyer's side and counsel see none of it
        Action.GOVERN_VIEW: _KEY_HOLDERS | _ROOM_RUNNERS | {Role.SELLER, Role.AUDITOR},
        Action.GOVERN_EDIT: _KEY_HOLDERS | _ROOM_RUNNERS | {Role.SELLER},
        Action.USER_DEPARTMENT: frozenset({Role.ADMIN}),
        # training (GB/T 35273 §11.6) is for everyone who handles the company's PI: its own
        # staff and the platform that runs its rooms, auditors and counsel (who read the room's
        # documents); the buyer is another company and trains its own people — and so do the
        # auditors and counsel it brings (COMPANY_ONLY)
        Action.TRAINING_TAKE: _EVERYONE - {Role.BUYER},
        # the auditors record what they find and verify its remediation; the company's staff
        # (govern.edit) plan the audits and remediate, and so do not audit themselves
        Action.GOVERN_AUDIT_RECORD: _KEY_HOLDERS | {Role.AUDITOR},
        Action.NOTIFICATION_READ: _EVERYONE,
    }
)


#: The company's own management of protection (governance: its internal audits and findings,
#: each employee's training record, its policies and surveys; its emergency drills; its staff
#: training), which the role table opens to auditors (and drills and training to counsel).
#: Minimum necessary (PIPL-6): none of it is for the receiving side of a transfer, so an account
#: seated in rooms on the buyer's side and on neither the seller's nor the platform's (an
#: auditor or counsel the buyer brought) is refused it; one seated on the seller's or the
#: platform's side of any room, or in no room, is the company's (or the platform's) and reads
#: it. Training (GB/T 35273 §11.6) is the company's governance of its own people: an outsider
#: taking a course of their own accord would leave an attempt and a certificate in the
#: company's records, as if the company had trained them.
COMPANY_ONLY = frozenset(
    {
        Action.GOVERN_VIEW,
        Action.GOVERN_EDIT,
        Action.GOVERN_AUDIT_RECORD,
        Action.DRILL_VIEW,
        Action.DRILL_EDIT,
        Action.TRAINING_TAKE,
    }
)
#: The side that receives the data (``rooms.RECIPIENT_SIDES``) and the sides that are the
#: company's business (``rooms.COMPANY_SIDES``), as stored in a seat.
RECIPIENT_SEAT = "buyer"
COMPANY_SEATS = frozenset({"seller", "platform"})


def recipient_only(actor: Actor) -> bool:
    """Whether ``actor``'s account is seated on the buyer's side and on no side of the company
    (seller, platform): whom it works for in a transfer is the recipient."""
    return RECIPIENT_SEAT in actor.seats and not actor.seats & COMPANY_SEATS


#: What each action is called in a refusal (Chinese, English): a verb phrase that reads after
#: "无权" / "may not". One entry per :class:`Action` (a test checks both languages).
ACTION_LABELS: Mapping[Action, tuple[str, str]] = MappingProxyType(
    {
        Action.KEY_INIT: ("初始化密钥库", "set up the key store"),
        Action.KEY_STATUS: ("查看密钥状态", "see the keys' status"),
        Action.KEY_ROTATE: ("轮换密钥", "rotate the keys"),
        Action.DEAL_CREATE: ("创建交易", "create a deal"),
        Action.DEAL_ADD: ("向交易添加数据", "add data to a deal"),
        Action.DEAL_LIST: ("列出交易", "list the deals"),
        Action.DEAL_SHOW: ("查看交易", "see a deal"),
        Action.DEAL_EXPORT: ("导出交易数据（解密）", "export a deal's data (decrypted)"),
        Action.DEAL_DESTROY: ("销毁交易数据", "destroy a deal's data"),
        Action.PARTY_ADD: ("登记交易方", "register a party"),
        Action.PARTY_FIND: ("查找交易方", "look up a party"),
        Action.AUDIT_VERIFY: ("校验审计日志", "verify the audit log"),
        Action.AUDIT_EXPORT: ("导出审计日志", "export the audit log"),
        Action.AUDIT_CHECKPOINT: ("签署审计检查点", "sign an audit checkpoint"),
        Action.BACKUP_CREATE: ("创建备份", "create a backup"),
        Action.BACKUP_VERIFY: ("校验备份", "verify a backup"),
        Action.BACKUP_RESTORE: ("从备份恢复", "restore from a backup"),
        Action.CERTIFICATE_VERIFY: ("校验销毁证明", "verify a destruction certificate"),
        Action.SCAN_RUN: ("扫描数据", "scan data"),
        Action.PROTECT_RUN: ("对数据做去标识化处理", "de-identify data"),
        Action.PROTECT_DETOKENIZE: ("还原令牌化的数据", "reverse tokenised data"),
        Action.PROTECT_TRACE: ("追溯泄露副本", "trace a leaked copy"),
        Action.USER_CREATE: ("创建用户", "create users"),
        Action.USER_SETUP_LINK: ("生成用户设置链接", "issue a user's setup link"),
        Action.USER_DISABLE: ("停用用户", "disable users"),
        Action.USER_ENABLE: ("启用用户", "enable users"),
        Action.USER_UNLOCK: ("解锁用户", "unlock users"),
        Action.USER_RESET_TOTP: ("重置用户的两步验证", "reset users' two-step verification"),
        Action.ROOM_OPEN: ("开设数据室", "open a data room"),
        Action.ROOM_STAGE: ("变更交易阶段", "change the deal's stage"),
        Action.ROOM_POLICY: ("设置去标识化策略", "set the de-identification policy"),
        Action.ROOM_VIEW: ("查看数据室", "see the data room"),
        Action.MEMBER_ADD: ("添加成员", "add members"),
        Action.MEMBER_LIST: ("查看成员名单", "see the members"),
        Action.MEMBER_REMOVE: ("移除成员", "remove members"),
        Action.NDA_PUBLISH: ("发布保密协议", "publish the NDA"),
        Action.NDA_ACCEPT: ("接受保密协议", "accept the NDA"),
        Action.GRANT_SET: ("授予文件夹权限", "grant access to a folder"),
        Action.GRANT_REVOKE: ("撤销文件夹权限", "revoke access to a folder"),
        Action.GRANT_LIST: ("查看授权", "see the grants"),
        Action.DOC_UPLOAD: ("上传文件", "upload documents"),
        Action.DOC_VIEW: ("查看文件", "view documents"),
        Action.DOC_DOWNLOAD: ("下载文件", "download documents"),
        Action.AUDIT_VIEW: ("查看审计日志", "see the audit log"),
        Action.COPY_LIST: ("查看已下载副本", "see the copies handed out"),
        Action.COPY_CONFIRM: ("确认副本已删除", "confirm copies deleted"),
        Action.QA_VIEW: ("查看问答", "see the Q&A"),
        Action.QA_ASK: ("提问", "ask questions"),
        Action.QA_ANSWER: ("回答问题", "answer questions"),
        Action.COMPLY_VIEW: ("查看合规评估", "see the compliance assessment"),
        Action.COMPLY_EDIT: ("修改合规评估", "change the compliance assessment"),
        Action.INCIDENT_VIEW: ("查看安全事件", "see incidents"),
        Action.INCIDENT_EDIT: ("登记或处理安全事件", "record or handle incidents"),
        Action.DRILL_VIEW: ("查看应急演练", "see drills"),
        Action.DRILL_EDIT: ("安排或记录应急演练", "plan or record drills"),
        Action.REQUEST_VIEW: ("查看个人权利请求", "see data-subject requests"),
        Action.REQUEST_EDIT: ("登记或处理个人权利请求", "record or handle data-subject requests"),
        Action.SUBJECT_FIND: ("查找个人的数据", "look up a person's data"),
        Action.ASSESSMENT_DELETE: ("删除已完成的评估", "delete a completed assessment"),
        Action.NOTICE_EXPORT: ("导出客户告知联系人", "export the customer contact list"),
        Action.GOVERN_VIEW: ("查看治理", "see governance"),
        Action.GOVERN_EDIT: ("修改治理", "change governance"),
        Action.USER_DEPARTMENT: ("设置用户部门", "set a user's department"),
        Action.TRAINING_TAKE: ("参加培训", "take training"),
        Action.GOVERN_AUDIT_RECORD: ("记录内部审计结果", "record internal audit findings"),
        Action.NOTIFICATION_READ: ("阅读通知", "read notifications"),
    }
)


def action_label(action: Action) -> str:
    """What ``action`` is called, in the current language (a verb phrase)."""
    return tr(*ACTION_LABELS[action])


def role_label(role: Role | str) -> str:
    """What ``role`` is called, in the current language."""
    return tr(*ROLE_LABELS[str(role)])


def explain(actor: Actor, action: Action, resource: str | None = None) -> str | None:
    """Why ``actor`` may not perform ``action`` (on the deal ``resource``); ``None`` if it may."""
    if actor.role not in PERMISSIONS.get(action, frozenset()):
        return tr(
            f"{actor.name} 的角色为{role_label(actor.role)}，无权{action_label(action)}",
            f"{actor.name}, as {role_label(actor.role)}, may not {action_label(action)}",
        )
    if action in COMPANY_ONLY and recipient_only(actor):
        return tr(
            f"{actor.name} 仅在买方就座，无权{action_label(action)}",
            f"{actor.name}, seated on the buyer's side only, may not {action_label(action)}",
        )
    if resource is not None and actor.deals is not None and resource not in actor.deals:
        return tr(
            f"{actor.name} 无权访问交易 {resource}",
            f"{actor.name} has no access to deal {resource}",
        )
    return None


def allowed(actor: Actor, action: Action, resource: str | None = None) -> bool:
    """True when :func:`authorize` would let ``actor`` through."""
    return explain(actor, action, resource) is None


def reaches(actor: Actor, action: Action) -> bool:
    """Whether ``actor`` may perform ``action`` on anything at all: its role allows it and its
    scope is every deal or holds at least one (an actor scoped to no deal reaches nothing). What
    the pages ask before they show a link or a form."""
    return allowed(actor, action) and (actor.deals is None or bool(actor.deals))


def sees(actor: Actor, deal_id: str | None) -> bool:
    """Whether a record of the deal ``deal_id`` (``None``: of no deal) is within ``actor``'s
    scope: every record for an unscoped actor, else only those of the actor's deals. What a
    register lists and what a record's own page shows, so an id opens only what the list
    shows."""
    return actor.deals is None or (deal_id is not None and deal_id in actor.deals)


def authorize(actor: Actor, action: Action, resource: str | None = None) -> None:
    """Let ``actor`` perform ``action`` (on the deal ``resource``), or raise
    :class:`PermissionDeniedError` with the reason."""
    reason = explain(actor, action, resource)
    if reason is not None:
        raise PermissionDeniedError(reason)


def markdown_table() -> str:
    """The table as Markdown (docs/dataroom.md embeds it; a test keeps the two equal)."""
    roles = list(Role)
    lines = [
        "| action | " + " | ".join(r.value for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action in Action:
        marks = " | ".join("✓" if r in PERMISSIONS[action] else "" for r in roles)
        lines.append(f"| `{action.value}` | {marks} |")
    return "\n".join(lines)
