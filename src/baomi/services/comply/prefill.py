"""What the PIA fills in itself: each pre-filled question's value, source and status, from the
scan inventory (:mod:`.data`), the deal's profile (:mod:`.profile`), the room's packages and the
measures in place (:mod:`.facts`), in the reader's language."""

from __future__ import annotations

import contextvars
import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from baomi.errors import InputError
from baomi.i18n import set_language, tr
from baomi.services.comply import assessments
from baomi.services.comply.data import DataSummary, deal_data, label, labels_text
from baomi.services.comply.facts import Fact, Status, facts_of
from baomi.services.comply.packages import deal_packages
from baomi.services.comply.profile import Location, Profile, TransferType, profile_of
from baomi.services.comply.rulebook import RuleBook, rules
from baomi.services.permissions import Actor
from baomi.services.vault import Vault

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
class Sources:
    profile: Profile
    data: DataSummary
    facts: Mapping[str, Fact]
    book: RuleBook
    #: distinct recipients of the packages the room made (trace records)
    package_recipients: int = 0


def _none() -> str:
    return tr("未填写", "not entered")


def _prefill(key: str, src: Sources) -> tuple[str, str, str | None]:
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
            f"; {members} recipient-side member{'' if members == 1 else 's'} in the room, "
            f"packages made for {src.package_recipients} "
            f"recipient{'' if src.package_recipients == 1 else 's'}",
        )
        where = tr(f"（{where}{remote}）", f" ({where}{remote})")
        return f"{p.recipient_name or _none()}{where}{room}", deal_source, None
    if key == "purpose":
        return p.purpose or _none(), deal_source, None if p.purpose else Status.ATTENTION.value
    if key == "categories":
        cells = tr("；", "; ").join(f"{label(c)} {n}" for c, n in d.categories.items()) or tr(
            "未发现", "none found"
        )
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
        cats = labels_text(d.sensitive_categories, tr("无", "none"))
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


def _impact_scale(src: Sources) -> str:
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


def prefilled_values(src: Sources) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section in assessments.questionnaire("pia")["sections"]:
        for q in section["questions"]:
            if q.get("prefill"):
                value, source, status = _prefill(q["prefill"], src)
                out[q["id"]] = {"value": value, "source": source, "status": status}
    return out


def in_language(lang: str, fn: Callable[[], Any]) -> Any:
    def run() -> Any:
        set_language(lang)
        return fn()

    return contextvars.copy_context().run(run)


def sources(vault: Vault, actor: Actor, deal_id: str, at: _dt.datetime | None) -> Sources:
    with vault.reading() as session:
        prof = profile_of(session, vault, deal_id)
    facts = {f.id: f for f in facts_of(vault, actor, deal_id, at=at)}
    recipients = {p.recipient for p in deal_packages(vault, deal_id) if p.recipient}
    return Sources(prof, deal_data(vault, deal_id), facts, rules(), len(recipients))
