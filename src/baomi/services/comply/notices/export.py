"""The notice texts of a deal (preview) and the mail-merge export of its customer list.

The export decrypts a deal document and writes raw contacts into a file for the mailing house,
so it is restricted like ``deal export`` (:attr:`Action.NOTICE_EXPORT`: the key holders and the
seller) and audited with counts only. Each customer gets a random notice id (not derived from
PI); the database keeps, per notice, only keyed hashes of the contacts under a key derived from
the deal's data key — destroying the deal unlinks them. The file is written to a temporary name
and renamed once the notices are recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from baomi.engine import crypto
from baomi.engine.audit_chain import AuditAction
from baomi.engine.entities import ENTITIES
from baomi.errors import CryptoError, InputError
from baomi.i18n import tr
from baomi.services import audit, deals
from baomi.services.comply.data import deal_data, label
from baomi.services.comply.notices.contacts import Contact, columns_from_inventory, read_contacts
from baomi.services.comply.notices.records import (
    Status,
    deal_id_of,
    deal_records,
    latest_answers,
    person_key,
)
from baomi.services.comply.notices.texts import (
    Channel,
    Facts,
    NoticeKind,
    Rendered,
    facts_of,
    kind_for,
    render,
)
from baomi.services.comply.profile import profile_of
from baomi.services.comply.rulebook import rules
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Notice, NoticeExport, Room

FORMATS = (".csv", ".xlsx")
#: The mail-merge file's columns, in order.
COLUMNS = (
    "notice_id",
    "kind",
    "name",
    "mobile",
    "email",
    "address",
    "channels",
    "letter",
    "sms",
    "sms_segments",
    "email_subject",
    "email_html",
)
#: Entities that are not a person's information (not listed as kinds of PI in a notice).
_NOT_PI = frozenset({"ORGANIZATION", "CN_USCC"})
#: The kinds a notice names first (the contact list's own), then the others in ENTITIES' order.
_FIRST = ("PERSON_NAME", "CN_MOBILE", "EMAIL", "ADDRESS")
#: A cell starting with one of these is a formula to a spreadsheet (CSV/formula injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Preview:
    """A deal's notice for one channel, written to the sample customer."""

    deal_id: str
    kind: NoticeKind
    #: the kind the deal's profile calls for (``kind`` may be another the operator chose)
    recommended: NoticeKind
    text: Rendered


@dataclass(frozen=True)
class ExportResult:
    export_id: str
    deal_id: str
    path: Path
    kind: NoticeKind
    notices: int
    rows: int
    incomplete: int
    repeated: int
    #: customers reachable per channel
    channels: Mapping[str, int] = field(default_factory=dict)
    consent_required: bool = False
    #: consent requests not made again: the customer consented already, or refused less than
    #: ``S35-C.4`` hours ago (NDS-22: no frequent re-asking)
    consented_before: int = 0
    refused_recently: int = 0


def _company(vault: Vault, deal_id: str, deal_name: str) -> str:
    with vault.reading() as session:
        room = session.get(Room, deal_id)
        return room.target_name if room is not None and room.target_name else deal_name


def _kinds(vault: Vault, deal_id: str) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """The kinds of PI the deal's documents hold (entity labels per language) and its sensitive
    categories (PIPL-28), from the scan inventories."""
    summary = deal_data(vault, deal_id)
    order = [*_FIRST, *(e for e in ENTITIES if e not in _FIRST)]
    found = [ENTITIES[e] for e in order if e in summary.entities and e not in _NOT_PI]
    labels = {"zh": tuple(e.label_zh for e in found), "en": tuple(e.label_en for e in found)}
    return labels, summary.sensitive_categories


def deal_facts(vault: Vault, deal_id: str) -> tuple[NoticeKind, Facts]:
    """The notice kind the deal's profile calls for and the facts its notices state. For other
    services, after they authorized."""
    with vault.reading() as session:
        p = profile_of(session, vault, deal_id)
    kind = kind_for(p)
    labels, sensitive = _kinds(vault, deal_id)
    return kind, facts_of(p, _company(vault, deal_id, p.deal_name), labels, sensitive)


def preview(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    channel: Channel,
    kind: NoticeKind | None = None,
    lang: str = "zh",
) -> Preview:
    """The deal's notice text for ``channel``, written to the sample customer (张三)."""
    deal_id = deal_id_of(vault, deal_ref)
    audit.require(vault, actor, Action.COMPLY_VIEW, obj=f"deal:{deal_id}", resource=deal_id)
    recommended, facts = deal_facts(vault, deal_id)
    chosen = kind or recommended
    return Preview(deal_id, chosen, recommended, render(chosen, channel, facts, lang=lang))


@dataclass(frozen=True)
class TableChoice:
    """A deal document the contact list can be read from."""

    id: str
    name: str
    columns: tuple[str, ...]  # the fields found: name, mobile, email, address


#: the entity each contact field is read from, whose name the pages show for the field
FIELD_ENTITIES = {
    "name": "PERSON_NAME",
    "mobile": "CN_MOBILE",
    "email": "EMAIL",
    "address": "ADDRESS",
}


def field_label(field: str) -> str:
    """A contact field (``mobile``) as the pages name it (手机号 / mobile number)."""
    return label(FIELD_ENTITIES[field])


def tables(vault: Vault, *, actor: Actor, deal_ref: str) -> list[TableChoice]:
    """The deal's documents whose scan found a name column and a contact column."""
    deal_id = deal_id_of(vault, deal_ref)
    audit.require(vault, actor, Action.NOTICE_EXPORT, obj=f"deal:{deal_id}", resource=deal_id)
    out = []
    for obj in deals.objects(vault, deal_id):
        plans = columns_from_inventory(obj.inventory)
        if obj.name is None or not plans:
            continue
        fields = {"name"} | {
            f for p in plans for f in ("mobile", "email", "address") if getattr(p, f)
        }
        order = ("name", "mobile", "email", "address")
        out.append(TableChoice(obj.id, obj.name, tuple(f for f in order if f in fields)))
    return out


def _safe(value: str) -> str:
    """A cell a spreadsheet shows as text, not as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(_FORMULA) else value


def _row(
    notice_id: str, kind: NoticeKind, contact: Contact, texts: dict[Channel, Rendered]
) -> list[str]:
    letter, sms, email = (texts.get(c) for c in (Channel.LETTER, Channel.SMS, Channel.EMAIL))
    return [
        notice_id,
        kind.value,
        contact.name,
        contact.mobile,
        contact.email,
        contact.address,
        ",".join(contact.channels),
        letter.body if letter else "",
        sms.body if sms else "",
        str(sms.segments) if sms else "",
        email.subject if email else "",
        email.body if email else "",
    ]


def _write(path: Path, rows: Iterable[list[str]]) -> Path:
    """Write the rows to a temporary file beside ``path`` (0600); the caller renames it."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.chmod(0o600)
    try:
        if path.suffix.lower() == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(COLUMNS)
                writer.writerows([_safe(v) for v in r] for r in rows)
        else:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell

            wb = Workbook(write_only=True)
            ws = wb.create_sheet("notices")
            ws.append(list(COLUMNS))
            for r in rows:
                cells = []
                for v in r:
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"  # text, never a formula
                    cells.append(cell)
                ws.append(cells)
            wb.save(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


#: Notice ids: an upper-case letter, then letters and digits without E, I, L, O, U — a
#: spreadsheet never reads one as a number (``12E45``) and people do not misread it.
ID_ALPHABET = "0123456789ABCDFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 16


def new_notice_id() -> str:
    """A random notice id (``N`` and 15 characters: about 74 bits), not derived from PI."""
    return "N" + "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH - 1))


def contact_key(vault: Vault, deal_id: str) -> bytes:
    """The key of the contacts' keyed hashes: derived from the deal's data key."""
    return crypto.hkdf(vault.deal_key(deal_id), "baomi notices contact")


def _hash(key: bytes, field_name: str, value: str) -> str | None:
    return crypto.keyed_hash(key, f"{field_name}:{value}") if value else None


def not_to_ask(vault: Vault, deal_id: str, kind: NoticeKind, at: dt.datetime) -> dict[str, Status]:
    """The customers (person keys) not to ask for consent again at time ``at``: those who
    consented to a notice of this kind, and those who refused any less than the S35-C.4 wait
    before ``at`` (NDS-22: no frequent re-asking after a refusal)."""
    wait = dt.timedelta(hours=int(rules()["S35-C.4"].param("wait_hours")))
    since = (at.astimezone(dt.UTC) - wait).isoformat(timespec="seconds")
    with vault.reading() as session:
        notices, events = deal_records(session, deal_id)
    same = [n for n in notices if n.kind == kind.value]
    out: dict[str, Status] = {
        who: status
        for who, (_, status) in latest_answers(same, events).items()
        if status is Status.CONSENTED
    }
    for who, (when, status) in latest_answers(notices, events).items():
        if status is Status.REFUSED and when > since:
            out[who] = status
    return out


def export(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    document: str,
    out: Path,
    kind: NoticeKind | None = None,
    lang: str = "zh",
) -> ExportResult:
    """Write the deal's customer list with each customer's notice texts to ``out`` (.csv or
    .xlsx) for mail merge, and record one notice per customer. ``document`` is the deal
    document's id or its name."""
    deal_id = deal_id_of(vault, deal_ref)
    audit.require(vault, actor, Action.NOTICE_EXPORT, obj=f"deal:{deal_id}", resource=deal_id)
    if out.suffix.lower() not in FORMATS:
        raise InputError(tr("导出文件须为 .csv 或 .xlsx", "the export must be .csv or .xlsx"))
    if not out.parent.is_dir():
        raise InputError(tr(f"目录不存在：{out.parent}", f"no such folder: {out.parent}"))
    recommended, facts = deal_facts(vault, deal_id)
    chosen = kind or recommended
    sample = render(chosen, Channel.LETTER, facts, lang=lang)
    if sample.missing:
        raise InputError(
            tr(
                f"通知缺少法定内容：{', '.join(sample.missing)}（请先在 assess profile 中填写）",
                f"the notice lacks required contents: {', '.join(sample.missing)} "
                "(set them with assess profile)",
            )
        )
    found = [o for o in deals.objects(vault, deal_id) if document in (o.id, o.name)]
    if len(found) != 1:
        raise InputError(tr("没有该文件", "no such document"))
    document = found[0].id
    try:
        name, content = deals.open_object(vault, deal_id, document)
        key = contact_key(vault, deal_id)
    except CryptoError as exc:  # the deal was destroyed: nothing to export
        raise InputError(str(exc)) from None
    read = read_contacts(name, content, found[0].inventory)
    if not read.contacts:
        raise InputError(
            tr(
                f"没有可通知的客户：{read.rows} 行均缺少姓名或联系方式",
                f"no customer to notify: all {read.rows} rows lack a name or a contact",
            )
        )
    asked = (
        not_to_ask(vault, deal_id, chosen, dt.datetime.now(dt.UTC))
        if sample.consent_required
        else {}
    )
    export_id, ts = new_id(), now()
    notices: list[Notice] = []
    reach: Counter[str] = Counter()
    skipped: Counter[Status] = Counter()

    def rows() -> Iterator[list[str]]:
        for contact in read.contacts:
            hashes = (
                _hash(key, "mobile", contact.mobile),
                _hash(key, "email", contact.email),
                _hash(key, "address", contact.address),
            )
            answer = asked.get(person_key(*hashes, ""))
            if answer is not None:
                skipped[answer] += 1
                continue
            notice_id = new_notice_id()
            channels = [Channel(c) for c in contact.channels]
            reach.update(c.value for c in channels)
            texts = {
                c: render(chosen, c, facts, customer=contact.name, notice_id=notice_id, lang=lang)
                for c in channels
            }
            notices.append(
                Notice(
                    id=notice_id,
                    deal_id=deal_id,
                    export_id=export_id,
                    kind=chosen.value,
                    consent_required=sample.consent_required,
                    channels=",".join(contact.channels),
                    mobile_hash=hashes[0],
                    email_hash=hashes[1],
                    address_hash=hashes[2],
                    created_at=ts,
                )
            )
            yield _row(notice_id, chosen, contact, texts)

    tmp = _write(out, rows())
    try:
        with vault.transaction() as session:
            session.add(
                NoticeExport(
                    id=export_id,
                    deal_id=deal_id,
                    object_id=document,
                    kind=chosen.value,
                    lang=lang,
                    notices=len(notices),
                    skipped=read.incomplete + read.repeated + sum(skipped.values()),
                    created_at=ts,
                    created_by=actor.name,
                )
            )
            session.flush()
            session.add_all(notices)
            audit.record(
                session,
                vault,
                actor=actor,
                action=AuditAction.NOTICE_EXPORT,
                obj=f"deal:{deal_id}",
                details={
                    "export": export_id,
                    "object": document,
                    "kind": chosen.value,
                    "notices": len(notices),
                    "rows": read.rows,
                    "skipped": read.incomplete + read.repeated,
                    "consented_before": skipped[Status.CONSENTED],
                    "refused_recently": skipped[Status.REFUSED],
                    "channels": dict(sorted(reach.items())),
                },
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(
        export_id,
        deal_id,
        out,
        chosen,
        len(notices),
        read.rows,
        read.incomplete,
        read.repeated,
        dict(sorted(reach.items())),
        sample.consent_required,
        skipped[Status.CONSENTED],
        skipped[Status.REFUSED],
    )
