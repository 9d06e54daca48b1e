"""Sending status imported back from the mailing house or SMS gateway, and the campaign view.

A status file (CSV in UTF-8, UTF-8 with BOM, GBK/GB18030 or UTF-16; or XLSX, first sheet) has
a header row with the columns ``notice_id``, ``channel``, ``status``, ``timestamp`` (Chinese
headers 通知编号, 渠道, 状态, 时间 are accepted too). Other columns — a mailing house often sends
the address back — are ignored and never stored. Each row becomes one event of one notice;
rows for notice ids this deal never exported are counted as unknown, rows already imported
(same notice, channel, status and time) as duplicates, rows with a bad channel, status or time
as invalid; all three are reported with their row numbers, never their values.

The campaign view counts per channel the notices in each latest status, and for the notices
that need consent (PIPL-23, PIPL-39) how many consented, refused, or have not answered: a
provision to the recipient of the data of anyone but those who consented is the risk.
"""

from __future__ import annotations

import csv
import datetime as _dt
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from baomi import clock
from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.comply.notices.records import (
    CONSENT_ANSWERS,
    LIFE,
    Status,
    deal_id_of,
    deal_records,
    latest_answers,
    person_of,
    utc_iso,
)
from baomi.services.comply.notices.texts import Channel, NoticeKind, templates
from baomi.services.comply.reports.model import Citation
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Notice, NoticeEvent, NoticeExport, NoticeImport

#: A status file's columns: canonical name → accepted headers (lower case).
HEADERS: dict[str, tuple[str, ...]] = {
    "notice_id": ("notice_id", "notice id", "notice", "id", "通知编号", "编号"),
    "channel": ("channel", "渠道", "发送渠道"),
    "status": ("status", "状态", "发送状态"),
    "timestamp": ("timestamp", "time", "date", "时间", "日期", "发送时间"),
}
#: What each column is called for the user (Chinese, English); the header names stay as above.
HEADER_LABELS: dict[str, tuple[str, str]] = {
    "notice_id": ("通知编号", "notice id"),
    "channel": ("发送渠道", "channel"),
    "status": ("发送状态", "status"),
    "timestamp": ("发送时间", "time sent"),
}
#: The file types a sending-status file may be.
STATUS_SUFFIXES = (".csv", ".tsv", ".xlsx")
_STATUS_WORDS: dict[str, Status] = {
    **{s.value: s for s in Status},
    "refused-consent": Status.REFUSED,
    "refused consent": Status.REFUSED,
    "refused": Status.REFUSED,
    "bounce": Status.BOUNCED,
    "已发送": Status.SENT,
    "发送": Status.SENT,
    "已送达": Status.DELIVERED,
    "送达": Status.DELIVERED,
    "退回": Status.BOUNCED,
    "失败": Status.BOUNCED,
    "拒绝": Status.REFUSED,
    "拒绝同意": Status.REFUSED,
    "不同意": Status.REFUSED,
    "同意": Status.CONSENTED,
    "已同意": Status.CONSENTED,
}
_CHANNEL_WORDS: dict[str, Channel] = {
    **{c.value: c for c in Channel},
    "e-mail": Channel.EMAIL,
    "mail": Channel.EMAIL,
    "post": Channel.LETTER,
    "信函": Channel.LETTER,
    "信件": Channel.LETTER,
    "邮寄": Channel.LETTER,
    "短信": Channel.SMS,
    "邮件": Channel.EMAIL,
    "电子邮件": Channel.EMAIL,
}
#: Row numbers listed per problem in a result (the counts are complete).
_LISTED = 20


@dataclass(frozen=True)
class ImportResult:
    import_id: str
    rows: int
    recorded: int
    unknown: int
    duplicates: int
    invalid: int
    #: e.g. "第 3 行：未知的通知编号" — row numbers (1 = the header) and what is wrong
    problems: tuple[str, ...] = ()


# --- reading the file ------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    """The file's text: UTF-16 by its mark; else UTF-8 or GB 18030, a UTF-8 mark dropped first
    (a Windows tool puts one in front of GBK bytes too)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        content = content.removeprefix(b"\xef\xbb\xbf")
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        tr(
            "无法识别文件编码：请保存为 UTF-8（可带 BOM）或 GBK 编码的 CSV",
            "unknown encoding: save the file as CSV in UTF-8 (with or without BOM) or GBK",
        )
    )


def _csv_rows(content: bytes) -> list[list[str]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _cell(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return "" if value is None else str(value)


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(tr("无法读取 XLSX 文件", "cannot read the XLSX file")) from exc
    try:
        sheet = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_rows(name: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {canonical column: value}) of each data row; the header row is 1."""
    if not content.strip():
        raise InputError(tr("文件为空", "the file is empty"))
    suffix = Path(name).suffix.lower()
    if suffix not in STATUS_SUFFIXES:
        got = suffix or tr("无扩展名", "no extension")
        raise InputError(
            tr(
                f"状态文件须为 CSV、TSV 或 XLSX 文件（收到：{got}）",
                f"the status file must be a CSV, TSV or XLSX file (got: {got})",
            )
        )
    rows = _xlsx_rows(content) if suffix == ".xlsx" else _csv_rows(content)
    header = [h.strip().lower() for h in (rows[0] if rows else [])]
    where: dict[str, int] = {}
    for canonical, names in HEADERS.items():
        index = next((i for i, h in enumerate(header) if h in names), None)
        if index is not None:
            where[canonical] = index
    missing = [c for c in HEADERS if c not in where]
    if missing:
        raise InputError(
            tr(
                f"状态文件缺少列：{'、'.join(HEADER_LABELS[c][0] for c in missing)}（首行须为"
                "列名，如 notice_id,channel,status,timestamp，或 通知编号,渠道,状态,时间）",
                f"the status file lacks the columns "
                f"{', '.join(HEADER_LABELS[c][1] for c in missing)} (the first row must name "
                "them, e.g. notice_id,channel,status,timestamp)",
            )
        )
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        yield number, {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}


# --- import ----------------------------------------------------------------------------------

#: How far ahead of this machine's clock a sender's time may be (clocks differ a little).
_LEEWAY = _dt.timedelta(minutes=5)


def import_status(
    vault: Vault, *, actor: Actor, deal_ref: str, name: str, content: bytes
) -> ImportResult:
    """Record a sending-status file's events for the deal's notices (counts audited)."""
    deal_id = deal_id_of(vault, deal_ref)
    audit.require(vault, actor, Action.COMPLY_EDIT, obj=f"deal:{deal_id}", resource=deal_id)
    parsed = list(read_rows(name, content))
    problems: dict[str, list[int]] = {}
    keys: list[tuple[int, tuple[str, str, str, str]]] = []
    invalid = 0
    for number, row in parsed:
        channel = _CHANNEL_WORDS.get(row["channel"].lower())
        status = _STATUS_WORDS.get(row["status"].lower())
        at = utc_iso(row["timestamp"])
        if at is not None and _dt.datetime.fromisoformat(at) > clock.now() + _LEEWAY:
            at = None  # a status from the future is a mistyped time, not an event
        wrong = (
            "notice_id" if not row["notice_id"] else
            "channel" if channel is None else
            "status" if status is None else
            "timestamp" if at is None else None
        )  # fmt: skip
        if wrong is not None or channel is None or status is None or at is None:
            invalid += 1
            problems.setdefault(f"invalid {wrong}", []).append(number)
            continue
        keys.append((number, (row["notice_id"].upper(), channel.value, status.value, at)))
    numbers = [n for n, _ in parsed]
    import_id = new_id()
    with vault.transaction() as session:
        known = {
            notice_id: set(channels.split(","))
            for notice_id, channels in session.execute(
                select(Notice.id, Notice.channels).where(Notice.deal_id == deal_id)
            )
        }
        held = {
            (e.notice_id, e.channel, e.status, e.at)
            for e in session.execute(
                select(NoticeEvent).join(Notice).where(Notice.deal_id == deal_id)
            ).scalars()
        }
        fresh: list[tuple[str, str, str, str]] = []
        unknown = duplicates = 0
        for number, key in keys:
            if key[0] not in known:
                unknown += 1
                problems.setdefault("unknown notice_id", []).append(number)
            elif key[1] not in known[key[0]]:  # the customer has no such channel
                invalid += 1
                problems.setdefault("channel not in the notice", []).append(number)
            elif key in held:
                duplicates += 1
                problems.setdefault("duplicate", []).append(number)
            else:
                held.add(key)
                fresh.append(key)
        session.add(
            NoticeImport(
                id=import_id,
                deal_id=deal_id,
                sha256=crypto.sha256_hex(content),
                rows=len(numbers),
                recorded=len(fresh),
                unknown=unknown,
                duplicates=duplicates,
                invalid=invalid,
                imported_at=now(),
                imported_by=actor.name,
            )
        )
        session.flush()
        session.add_all(
            NoticeEvent(notice_id=n, import_id=import_id, channel=c, status=s, at=at)
            for n, c, s, at in fresh
        )
        statuses = Counter(k[2] for k in fresh)
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.NOTICE_IMPORT,
            obj=f"deal:{deal_id}",
            details={
                "import": import_id,
                "rows": len(numbers),
                "recorded": len(fresh),
                "unknown": unknown,
                "duplicates": duplicates,
                "invalid": invalid,
                "statuses": dict(sorted(statuses.items())),
            },
        )
    return ImportResult(
        import_id,
        len(numbers),
        len(fresh),
        unknown,
        duplicates,
        invalid,
        tuple(_describe(kind, rows) for kind, rows in problems.items()),
    )


_PROBLEMS = {
    "unknown notice_id": (
        "未知的通知编号（非本交易导出）",
        "unknown notice id (not exported for this deal)",
    ),
    "duplicate": ("重复（已导入过）", "duplicate (already imported)"),
    "invalid notice_id": ("缺少通知编号", "no notice id"),
    "invalid channel": ("渠道无效（letter、sms、email）", "invalid channel (letter, sms, email)"),
    "invalid status": (
        "状态无效（sent、delivered、bounced、refused-consent、consented）",
        "invalid status (sent, delivered, bounced, refused-consent, consented)",
    ),
    "invalid timestamp": (
        "时间无效或在将来（如 2026-12-01 10:00）",
        "invalid time, or one to come (e.g. 2026-12-01 10:00)",
    ),
    "channel not in the notice": (
        "该客户的通知没有此渠道",
        "a channel the customer's notice does not have",
    ),
}


def _describe(kind: str, numbers: list[int]) -> str:
    zh, en = _PROBLEMS[kind]
    shown = ", ".join(str(n) for n in numbers[:_LISTED]) + (" …" if len(numbers) > _LISTED else "")
    return tr(f"{len(numbers)} 行{zh}：第 {shown} 行", f"{len(numbers)} rows, {en}: rows {shown}")


# --- the campaign ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    deal_id: str
    notices: int
    exports: int
    imports: int
    by_kind: dict[str, int] = field(default_factory=dict)
    #: channel → {latest status or "pending": notices}; only the channels notices have
    channels: dict[str, dict[str, int]] = field(default_factory=dict)
    #: notices not yet confirmed delivered (or answered) on any channel
    unreached: int = 0
    consent_required: int = 0
    consented: int = 0
    refused: int = 0
    #: notices that need consent and have no answer: their PI may not be provided (PIPL-23)
    consent_pending: int = 0
    #: after a refusal, no new request before this many hours (S35-C.4; NDS-22)
    reask_wait_hours: int = 0
    citations: tuple[Citation, ...] = ()


def campaign(vault: Vault, *, actor: Actor, deal_ref: str) -> Campaign:
    """How far the deal's notices got: per channel and status, and the consents per customer
    (a customer in several exports counts once, with their latest answer)."""
    deal_id = deal_id_of(vault, deal_ref)
    audit.require(vault, actor, Action.COMPLY_VIEW, obj=f"deal:{deal_id}", resource=deal_id)
    with vault.reading() as session:
        notices, events = deal_records(session, deal_id)
        exports = len(
            session.execute(select(NoticeExport.id).where(NoticeExport.deal_id == deal_id)).all()
        )
        imports = len(
            session.execute(select(NoticeImport.id).where(NoticeImport.deal_id == deal_id)).all()
        )
    latest: dict[tuple[str, str], tuple[str, int, str]] = {}
    for e in events:
        status = Status(e.status)
        key = (e.notice_id, e.channel)
        rank = (e.at, LIFE[status], e.status)
        if status not in CONSENT_ANSWERS and (key not in latest or rank > latest[key]):
            latest[key] = rank
    answers = latest_answers(notices, events)
    channels: dict[str, Counter[str]] = {}
    unreached = 0
    kinds: Counter[str] = Counter()
    asked: set[str] = set()
    for n in notices:
        kinds[n.kind] += 1
        reached = person_of(n) in answers
        for channel in [c for c in n.channels.split(",") if c]:
            current = latest.get((n.id, channel), ("", 0, "pending"))[2]
            channels.setdefault(channel, Counter())[current] += 1
            reached = reached or current == Status.DELIVERED
        unreached += not reached
        if n.consent_required:
            asked.add(person_of(n))
    said = Counter(answers[p][1] for p in asked if p in answers)
    consented, refused = said[Status.CONSENTED], said[Status.REFUSED]
    cited = {r for k in kinds for r in templates()[NoticeKind(k)].rules} | {"S35-C.4", "NDS-22"}
    book = rules()
    return Campaign(
        deal_id,
        len(notices),
        exports,
        imports,
        dict(sorted(kinds.items())),
        {c: dict(sorted(v.items())) for c, v in sorted(channels.items())},
        unreached,
        len(asked),
        consented,
        refused,
        len(asked) - consented - refused,
        int(book["S35-C.4"].param("wait_hours")),
        tuple(Citation(r, book[r].source, book[r].status) for r in sorted(cited)),
    )
