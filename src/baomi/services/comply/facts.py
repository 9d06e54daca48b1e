"""The facts baomi can check about a deal itself, computed from the system each time they are read.

Each :class:`Fact` has a value (in the reader's language), a status — ``ok``, ``attention``,
``problem``, or ``unknown`` when baomi cannot tell yet —, the moment it was checked, where it comes
from, and the rule it serves. The risk assessment answers its system questions from them and the
PIA shows them as the measures in place; nothing is stored, so a rotated key, a revoked grant or
a broken audit chain shows on the next read.

Thresholds are data: the re-identification risk limits of GB/T 37964 Annex B (``S379-B2``), and
the organisation's own policy for key rotation (``ORG-KEY-ROTATE``) and backups
(``ORG-BACKUP-AGE``) — not law, configurable in the site's ``rules.yaml``.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.packages import PackageFacts, deal_packages
from baomi.services.comply.rulebook import RuleBook, rules
from baomi.services.dataroom.grants import folder_label
from baomi.services.dataroom.rooms import LEVEL_LABELS, RECIPIENT_SIDES, SIDE_LABELS, Level, Side
from baomi.services.deals import find_deal
from baomi.services.permissions import Action, Actor, authorize
from baomi.services.vault import Vault
from baomi.storage.models import (
    Assessment,
    AuditEventRow,
    Deal,
    Grant,
    Incident,
    Member,
    Nda,
    NdaAcceptance,
    Room,
    StoredObject,
)


class Status(StrEnum):
    OK = "ok"
    ATTENTION = "attention"
    PROBLEM = "problem"
    #: baomi cannot check it (yet): people answer
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            Status.OK: tr("正常", "ok"),
            Status.ATTENTION: tr("需关注", "attention"),
            Status.PROBLEM: tr("有问题", "problem"),
            Status.UNKNOWN: tr("未知", "unknown"),
        }[self]


@dataclass(frozen=True)
class Fact:
    id: str
    label: str
    value: str
    status: Status
    checked_at: str
    #: where the value comes from and how it is known
    source: str
    #: the rule it serves (an id of the rule book)
    rule: str
    #: the figures behind the value (counts, dates, ids — never a personal value)
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


#: Issue 14's incident register plugs in here: open incidents of a deal, or ``None`` while
#: baomi does not track incidents.
IncidentCounter = Callable[[Vault, str], int | None]


def incidents_not_tracked(vault: Vault, deal_id: str) -> int | None:
    """A counter that tracks nothing (for callers that want the fact left open)."""
    return None


def open_incidents(vault: Vault, deal_id: str) -> int | None:
    """The deal's incidents in the register (:mod:`baomi.services.respond.incidents`) that are
    not closed."""
    with vault.reading() as session:
        return len(
            session.execute(
                select(Incident.id).where(Incident.deal_id == deal_id, Incident.status != "closed")
            )
            .scalars()
            .all()
        )


@dataclass(frozen=True)
class _Context:
    vault: Vault
    actor: Actor
    deal: Deal
    at: _dt.datetime
    book: RuleBook
    incidents: IncidentCounter

    @property
    def iso(self) -> str:
        return self.at.isoformat()


def _parse(ts: str) -> _dt.datetime:
    moment = _dt.datetime.fromisoformat(ts)
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.UTC)


def _days(ctx: _Context, since: str) -> int:
    return (ctx.at - _parse(since)).days


class _Builder(Protocol):
    def __call__(self, value: str, status: Status, **data: Any) -> Fact: ...


def _make(ctx: _Context, fid: str, label: tuple[str, str], rule: str, source: str) -> _Builder:
    """A builder of the fact ``fid``: ``build(value, status, **data)``."""

    def build(value: str, status: Status, **data: Any) -> Fact:
        return Fact(fid, tr(*label), value, status, ctx.iso, source, rule, MappingProxyType(data))

    return build


# --- the facts ---------------------------------------------------------------------------------


def _encryption(ctx: _Context, session: Session) -> Fact:
    build = _make(
        ctx,
        "encryption_at_rest",
        ("静态加密", "Encryption at rest"),
        "PIPL-51",
        tr(
            "保险库：每个文件在写入前以交易数据密钥（AES-256-GCM）密封，没有不加密的写入路径；"
            "逐个核对密文文件存在、长度为明文加 28 字节（随机数与认证标签）、哈希不同于明文",
            "the vault seals every document with the deal's data key (AES-256-GCM) before "
            "writing; there is no unencrypted path. Checked per document: the sealed file exists, "
            "is 28 bytes (nonce and tag) longer than the content and hashes differently",
        ),
    )
    if ctx.deal.status != "active":
        return build(
            tr("交易已销毁：数据密钥已删除", "deal destroyed: its data key is deleted"),
            Status.OK,
            documents=0,
            sealed=0,
        )
    objs = session.execute(
        select(StoredObject).where(
            StoredObject.deal_id == ctx.deal.id, StoredObject.status == "stored"
        )
    ).scalars()
    total = sealed = 0
    overhead = crypto.NONCE_SIZE + crypto.TAG_SIZE
    for obj in objs:
        total += 1
        path = ctx.vault.blobs.path(ctx.deal.id, obj.id)
        if (
            path.is_file()
            and path.stat().st_size == obj.size + overhead
            and obj.blob_sha256 != obj.sha256
        ):
            sealed += 1
    key_present = ctx.deal.id in ctx.vault.load_keystore().get("deals", {})
    if total == sealed and key_present:
        return build(
            tr(f"开启：{sealed}/{total} 个文件已密封", f"on: {sealed}/{total} documents sealed"),
            Status.OK,
            documents=total,
            sealed=sealed,
        )
    return build(
        tr(
            f"异常：{sealed}/{total} 个文件核对通过，数据密钥{'存在' if key_present else '缺失'}",
            f"not as expected: {sealed}/{total} documents check out, data key "
            f"{'present' if key_present else 'missing'}",
        ),
        Status.PROBLEM,
        documents=total,
        sealed=sealed,
    )


def _master_key(ctx: _Context) -> Fact:
    rule = ctx.book["ORG-KEY-ROTATE"]
    limit = int(rule.param("days"))
    build = _make(
        ctx,
        "master_key",
        ("主密钥使用时长", "Master key age"),
        rule.id,
        tr(
            f"密钥库（创建与轮换时间、代数）；轮换周期 {limit} 天为本组织策略，非法律要求",
            f"the key store (created, rotated, generation); the {limit}-day period is the "
            "organisation's policy, not law",
        ),
    )
    store = ctx.vault.load_keystore()
    last = store.get("rotated_at") or store["created_at"]
    age = _days(ctx, last)
    status = Status.OK if age < limit else Status.ATTENTION
    rotated = store.get("rotated_at")
    value = tr(
        f"{age} 天（最近轮换：{clock.day(rotated) if rotated else '从未'}，第 {store['generation']} 代）",
        f"{age} days (last rotated: {clock.day(rotated) if rotated else 'never'}, "
        f"generation {store['generation']})",
    )
    if status is Status.ATTENTION:
        value += tr("，应轮换", "; rotate it")
    return build(
        value,
        status,
        age_days=age,
        rotated_at=rotated,
        created_at=store["created_at"],
        generation=int(store["generation"]),
        rotate_after_days=limit,
    )


def _backup(ctx: _Context, session: Session) -> Fact:
    rule = ctx.book["ORG-BACKUP-AGE"]
    limit = int(rule.param("days"))
    build = _make(
        ctx,
        "backup_verified",
        ("最近一次已验证的备份", "Last verified backup"),
        rule.id,
        tr(
            f"审计日志中的 backup.verify 事件（baomi backup verify 命令）；{limit} 天为本组织策略",
            f"backup.verify events in the audit log (the baomi backup verify command); {limit} days is the "
            "organisation's policy",
        ),
    )
    rows = session.execute(
        select(AuditEventRow)
        .where(AuditEventRow.action == AuditAction.BACKUP_VERIFY.value)
        .order_by(AuditEventRow.seq.desc())
    ).scalars()
    last_ok: AuditEventRow | None = None
    failed_after = False
    for row in rows:
        if row.outcome == "success":
            last_ok = row
            break
        failed_after = True
    if last_ok is None:
        return build(
            tr("没有验证过的备份", "no verified backup"),
            Status.PROBLEM,
            last_verify_failed=failed_after,
        )
    details = json.loads(last_ok.details)
    created = str(details.get("created_at") or last_ok.ts)
    age = _days(ctx, created)
    status = Status.OK if age < limit else Status.ATTENTION
    value = tr(
        f"{clock.day(created)} 创建（{age} 天前），{clock.day(last_ok.ts)} 验证",
        f"created {clock.day(created)} ({age} days ago), verified {clock.day(last_ok.ts)}",
    )
    if failed_after:
        status = Status.PROBLEM
        value += tr("；此后一次验证失败", "; a later verification failed")
    return build(
        value,
        status,
        backup_id=details.get("backup_id"),
        created_at=created,
        verified_at=last_ok.ts,
        age_days=age,
        max_age_days=limit,
        last_verify_failed=failed_after,
    )


def _audit_chain(ctx: _Context) -> Fact:
    build = _make(
        ctx,
        "audit_chain",
        ("审计链完整", "Audit chain intact"),
        "S35-11.7",
        tr(
            "逐条重算审计日志的哈希链并核对签名检查点（与 baomi audit verify 命令相同）",
            "the audit log's hash chain recomputed and its signed checkpoints checked "
            "(as the baomi audit verify command does)",
        ),
    )
    report = audit.verify(ctx.vault, actor=ctx.actor)
    if report.ok:
        return build(
            tr(f"完整：{report.events} 条事件", f"intact: {report.events} events"),
            Status.OK,
            events=report.events,
            checkpoints=report.checkpoints,
        )
    return build(
        tr(
            f"已损坏：第 {report.first_bad} 条起无法验证",
            f"broken: does not verify from position {report.first_bad}",
        ),
        Status.PROBLEM,
        events=report.events,
        first_bad=report.first_bad,
        reason=report.reason,
    )


def k_status(k: int | None, target: int | None) -> Status:
    """A package's smallest k against the k its policy asked for."""
    if k is None or target is None:
        return Status.UNKNOWN
    return Status.OK if k >= target else Status.PROBLEM


def _packages_k(ctx: _Context, packages: list[PackageFacts]) -> Fact:
    build = _make(
        ctx,
        "packages_k",
        ("数据包的 k 匿名", "Packages' k-anonymity"),
        "S379-B2",
        tr(
            "数据室为每个接收方制作的数据包的清单（追踪记录）",
            "the manifests (trace records) of the packages the room made for each recipient",
        ),
    )
    measured = [p for p in packages if p.k is not None]
    if not measured:
        return build(
            tr("还没有做过 k 匿名的数据包", "no k-anonymised package yet"),
            Status.UNKNOWN,
            packages=len(packages),
        )
    short = [p for p in measured if k_status(p.k, p.target_k) is Status.PROBLEM]
    low = min(p.k for p in measured if p.k is not None)
    target = max((p.target_k for p in measured if p.target_k is not None), default=None)
    value = tr(
        f"{len(measured)} 个数据包，最小 k = {low}（目标 {target}）",
        f"{len(measured)} packages, smallest k = {low} (target {target})",
    )
    if short:
        value += tr(f"；{len(short)} 个未达到目标", f"; {len(short)} below target")
    return build(
        value,
        Status.PROBLEM if short else Status.OK,
        packages=len(measured),
        k_min=low,
        target_k=target,
        below_target=[p.package_id for p in short],
    )


def reid_status(max_risk: float, average_risk: float, book: RuleBook | None = None) -> Status:
    """A package's re-identification risk against S379-B2 (controlled sharing): an average above
    the recommended one is a problem, a maximum above the settable one needs attention."""
    rule = (book or rules())["S379-B2"]
    # compared at the standard's precision, as package statuses are (classes of 3 give 0.33)
    decimals = int(rule.param("decimals"))
    if round(average_risk, decimals) > float(rule.param("average_risk")):
        return Status.PROBLEM
    if round(max_risk, decimals) > float(rule.param("max_risk")):
        return Status.ATTENTION
    return Status.OK


def _packages_risk(ctx: _Context, packages: list[PackageFacts]) -> Fact:
    rule = ctx.book["S379-B2"]
    avg_limit, max_limit = float(rule.param("average_risk")), float(rule.param("max_risk"))
    build = _make(
        ctx,
        "packages_risk",
        ("重标识风险", "Re-identification risk"),
        rule.id,
        tr(
            f"数据包清单中的记录重标识风险（1/等价类大小）；受控共享平均 ≤ {avg_limit}，最大 ≤ {max_limit}",
            f"record re-identification risk (1/class size) in the packages' manifests; controlled "
            f"sharing: average ≤ {avg_limit}, maximum ≤ {max_limit}",
        ),
    )
    measured = [p for p in packages if p.max_risk is not None and p.average_risk is not None]
    if not measured:
        return build(
            tr("还没有测量过风险的数据包", "no package with a measured risk yet"),
            Status.UNKNOWN,
            packages=len(packages),
        )
    worst_max = max(p.max_risk for p in measured if p.max_risk is not None)
    worst_avg = max(p.average_risk for p in measured if p.average_risk is not None)
    status = reid_status(worst_max, worst_avg, ctx.book)
    return build(
        tr(
            f"最大 {worst_max:.3f}，平均 {worst_avg:.3f}（{len(measured)} 个数据包）",
            f"maximum {worst_max:.3f}, average {worst_avg:.3f} ({len(measured)} packages)",
        ),
        status,
        max_risk=worst_max,
        average_risk=worst_avg,
        average_limit=avg_limit,
        maximum_limit=max_limit,
        packages=len(measured),
    )


def _room_policy(ctx: _Context, session: Session) -> Fact:
    build = _make(
        ctx,
        "room_policy",
        ("去标识化策略", "De-identification policy"),
        "PIPL-51",
        tr(
            "数据室的设置（接收方只拿到按策略处理的副本）",
            "the room's settings (recipients get copies protected by the policy)",
        ),
    )
    room = session.get(Room, ctx.deal.id)
    if room is None:
        return build(tr("没有数据室", "no data room"), Status.UNKNOWN, policy=None)
    if room.policy:
        digest = crypto.sha256_hex(room.policy.encode())
        return build(
            tr(f"数据室策略（{digest[:12]}）", f"the room's policy ({digest[:12]})"),
            Status.OK,
            policy="room",
            sha256=digest,
        )
    return build(
        tr("默认策略（未单独设置）", "the default policy (none set for the room)"),
        Status.OK,
        policy="default",
    )


def _nda(ctx: _Context, session: Session) -> Fact:
    build = _make(
        ctx,
        "nda_accepted",
        ("接收方成员已接受保密协议", "NDA accepted by the recipient side"),
        "PIPL-51",
        tr(
            "数据室的成员与保密协议接受记录（按当前版本的文本哈希）",
            "the room's members and NDA acceptances (by the hash of the current version's text)",
        ),
    )
    members = (
        session.execute(
            select(Member.user_id).where(
                Member.deal_id == ctx.deal.id, Member.side.in_([s.value for s in RECIPIENT_SIDES])
            )
        )
        .scalars()
        .all()
    )
    if not members:
        return build(
            tr("接收方还没有成员", "no member on the recipient side yet"),
            Status.OK,
            members=0,
            accepted=0,
        )
    current = session.execute(
        select(Nda).where(Nda.deal_id == ctx.deal.id).order_by(Nda.version.desc()).limit(1)
    ).scalar_one_or_none()
    if current is None:
        return build(
            tr("接收方有成员，但没有发布保密协议", "recipient members but no NDA published"),
            Status.PROBLEM,
            members=len(members),
            accepted=0,
        )
    accepted = set(
        session.execute(
            select(NdaAcceptance.user_id).where(NdaAcceptance.nda_id == current.id)
        ).scalars()
    )
    done = sum(1 for m in members if m in accepted)
    return build(
        tr(
            f"{done}/{len(members)} 人已接受第 {current.version} 版",
            f"{done}/{len(members)} accepted version {current.version}",
        ),
        Status.OK if done == len(members) else Status.ATTENTION,
        members=len(members),
        accepted=done,
        version=current.version,
    )


def _grant_row(g: Grant) -> dict[str, str]:
    return {
        "id": g.id,
        "side": g.side,
        "folder": g.folder,
        "level": g.level,
        "expires_at": g.expires_at,
    }


def _grant_text(g: Grant) -> str:
    """A live grant in words: side · folder · level · until the day (never the codes)."""
    side = tr(*SIDE_LABELS[Side(g.side)])
    level = tr(*LEVEL_LABELS[Level(g.level)])
    until = tr(f"至 {clock.day(g.expires_at)}", f"until {clock.day(g.expires_at)}")
    return f"{side} · {folder_label(g.folder)} · {level} · {until}"


def _grants(ctx: _Context, session: Session) -> tuple[Fact, Fact]:
    rows = (
        session.execute(
            select(Grant)
            .where(Grant.deal_id == ctx.deal.id, Grant.revoked_at.is_(None))
            .order_by(Grant.expires_at)
        )
        .scalars()
        .all()
    )
    expired = [g for g in rows if _parse(g.expires_at) <= ctx.at]
    live = [g for g in rows if _parse(g.expires_at) > ctx.at]
    source = tr("数据室的授权（到期时间、撤销时间）", "the room's grants (expiry, revocation)")
    stale = _make(
        ctx,
        "grants_expired",
        ("已过期未撤销的授权", "Expired grants not revoked"),
        "PIPL-51",
        source,
    )
    current = _make(ctx, "grants_live", ("有效授权", "Live grants"), "PIPL-51", source)
    return (
        stale(
            tr(f"{len(expired)} 项", f"{len(expired)}"),
            Status.ATTENTION if expired else Status.OK,
            grants=[_grant_row(g) for g in expired],
        ),
        current(
            tr(
                f"{len(live)} 项：" if live else "无",
                f"{len(live)}: " if live else "none",
            )
            + tr("；", "; ").join(_grant_text(g) for g in live),
            Status.OK,
            grants=[_grant_row(g) for g in live],
        ),
    )


def _incidents(ctx: _Context) -> Fact:
    build = _make(
        ctx,
        "incidents_open",
        ("未结事件", "Open incidents"),
        "PIPL-51",
        tr("本交易的安全事件登记", "the deal's incident register"),
    )
    count = ctx.incidents(ctx.vault, ctx.deal.id)
    if count is None:
        return build(
            tr("未跟踪：事件登记册尚未接入", "not tracked yet: no incident register"),
            Status.UNKNOWN,
            tracked=False,
        )
    return build(
        tr(f"{count} 起", f"{count}"),
        Status.PROBLEM if count else Status.OK,
        tracked=True,
        open=count,
    )


def _pia_completed(ctx: _Context, session: Session) -> Fact:
    build = _make(
        ctx,
        "pia_completed",
        ("个人信息保护影响评估", "PI protection impact assessment"),
        "PIPL-55",
        tr("本交易的影响评估记录", "the deal's PIA records"),
    )
    done = session.execute(
        select(Assessment)
        .where(
            Assessment.deal_id == ctx.deal.id,
            Assessment.kind == "pia",
            Assessment.state == "completed",
        )
        .order_by(Assessment.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if done is None or done.completed_at is None:
        return build(tr("尚未完成", "not completed"), Status.PROBLEM, completed=False)
    return build(
        tr(
            f"第 {done.version} 版已于 {clock.day(done.completed_at)} 完成",
            f"version {done.version} completed {clock.day(done.completed_at)}",
        ),
        Status.OK,
        completed=True,
        version=done.version,
        completed_at=done.completed_at,
    )


# --- use cases -----------------------------------------------------------------------------------


def facts_of(
    vault: Vault,
    actor: Actor,
    deal_id: str,
    *,
    at: _dt.datetime | None = None,
    incidents: IncidentCounter = open_incidents,
) -> list[Fact]:
    """The deal's facts, for other comply services *after* they authorized ``actor``."""
    with vault.reading() as session:
        deal = session.get(Deal, deal_id)
        assert deal is not None
    ctx = _Context(vault, actor, deal, at or _dt.datetime.now(_dt.UTC), rules(), incidents)
    packages = deal_packages(vault, deal_id)
    chain = _audit_chain(ctx)
    with vault.reading() as session:
        stale, live = _grants(ctx, session)
        return [
            _encryption(ctx, session),
            _master_key(ctx),
            _backup(ctx, session),
            chain,
            _packages_k(ctx, packages),
            _packages_risk(ctx, packages),
            _room_policy(ctx, session),
            _nda(ctx, session),
            stale,
            live,
            _incidents(ctx),
            _pia_completed(ctx, session),
        ]


def deal_facts(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    at: _dt.datetime | None = None,
    incidents: IncidentCounter = open_incidents,
) -> list[Fact]:
    """What baomi can check about the deal itself, as of now (or ``at``)."""
    with vault.reading() as session:
        deal_id = find_deal(session, deal_ref).id
    authorize(actor, Action.COMPLY_VIEW, deal_id)
    return facts_of(vault, actor, deal_id, at=at, incidents=incidents)
