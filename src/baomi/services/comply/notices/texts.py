"""The notice texts: which notice a transfer calls for, and its letter, SMS and e-mail.

The texts are data (``templates/<kind>.yaml``, Chinese and English, Jinja2), each citing the
rules it applies (``rules/notices.yaml``). The e-mail's HTML is rendered with autoescape, so a
customer name such as ``<b>`` stays text; letters and SMS are plain text. An SMS shows how many
segments it takes (``templates/channels.yaml``: 70 characters in one Chinese SMS, 67 per
segment when longer).

Which notice follows from the deal's profile (:func:`kind_for`):

- merger, division, and dissolution or bankruptcy *with* a recipient → ``transfer`` (PIPL-22:
  the recipient's name and contact; it continues the duties; a new purpose needs new consent);
- the customer list sold as an asset → ``consent`` (PIPL-23: separate consent; also what a
  due-diligence disclosure needs, TX-2 — the operator may pick it);
- dissolution or bankruptcy *without* a recipient → ``deletion`` (S35-6.4, PIPL-47, S35-9.3(c));
- an equity transfer → ``control`` (TX-1, analysis: recommended, the company stays the processor);
- a recipient outside the mainland, or remote access from abroad → ``crossborder`` (PIPL-39:
  separate consent), except for a deletion notice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from baomi.engine.entities import category_label
from baomi.errors import ConfigError, InputError
from baomi.i18n import current_language, tr
from baomi.services.comply.profile import Location, Profile, TransferType
from baomi.services.comply.reports.model import Citation
from baomi.services.comply.rulebook import rules


class NoticeKind(StrEnum):
    TRANSFER = "transfer"  # PIPL-22
    CONSENT = "consent"  # PIPL-23
    DELETION = "deletion"  # S35-6.4, PIPL-47
    CONTROL = "control"  # TX-1, S35-9.3
    CROSSBORDER = "crossborder"  # PIPL-39


class Channel(StrEnum):
    LETTER = "letter"
    SMS = "sms"
    EMAIL = "email"


LANGUAGES = ("zh", "en")
#: The sample customer every preview is written to (no real person).
SAMPLE_CUSTOMER = "张三"
SAMPLE_NOTICE_ID = "0000000000000000"

_FIELD_LABELS = {
    "recipient_name": ("接收方名称", "the recipient's name"),
    "recipient_contact": ("接收方联系方式", "the recipient's contact"),
    "purpose": ("处理目的", "the purpose"),
}
_LOCATIONS = {
    Location.MAINLAND: ("中国大陆", "the mainland"),
    Location.HONG_KONG: ("香港特别行政区", "Hong Kong"),
    Location.MACAO: ("澳门特别行政区", "Macao"),
    Location.TAIWAN: ("台湾地区", "Taiwan"),
    Location.ABROAD: ("境外", "abroad"),
}
#: A transfer type ends the company without a successor when no recipient is named.
_ENDS = frozenset({TransferType.DISSOLUTION, TransferType.BANKRUPTCY})
_TRANSFERS = frozenset({TransferType.MERGER, TransferType.DIVISION}) | _ENDS


@dataclass(frozen=True)
class Template:
    """One notice kind's texts (per language) and the rules it cites."""

    kind: NoticeKind
    title: Mapping[str, str]
    rules: tuple[str, ...]
    requires: tuple[str, ...]
    letter: Mapping[str, str]
    sms: Mapping[str, str]
    subject: Mapping[str, str]
    html: Mapping[str, str]
    method: Mapping[str, str] = field(default_factory=dict)
    events: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def consent_required(self) -> bool:
        """Whether a rule it applies asks for (separate) consent (PIPL-23, PIPL-39)."""
        book = rules()
        return any(book[r].params.get("consent_required") is True for r in self.rules)

    def citations(self) -> tuple[Citation, ...]:
        book = rules()
        return tuple(Citation(r, book[r].source, book[r].status) for r in self.rules)


@dataclass(frozen=True)
class SmsLimits:
    ucs2_single: int
    ucs2_segment: int
    gsm7_single: int
    gsm7_segment: int


@dataclass(frozen=True)
class Facts:
    """What a deal's notices say besides the customer's name: who notifies, who receives, why,
    and what PI (kinds from the scan inventories, :mod:`baomi.services.comply.data`)."""

    company: str
    transfer_type: TransferType
    recipient_name: str = ""
    recipient_contact: str = ""
    purpose: str = ""
    location: Location = Location.MAINLAND
    #: entity labels per language, e.g. ``{"zh": ("姓名", "手机号"), "en": (...)}``
    kinds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sensitive: tuple[str, ...] = ()
    #: people abroad can access the data (PIPL-39 also for a recipient in the mainland)
    remote_access_abroad: bool = False


@dataclass(frozen=True)
class Rendered:
    """One notice text for one channel."""

    kind: NoticeKind
    channel: Channel
    lang: str
    title: str
    subject: str  # e-mail only
    body: str  # the letter, the SMS, or the e-mail's HTML
    chars: int
    segments: int  # SMS only (0 otherwise)
    consent_required: bool
    citations: tuple[Citation, ...]
    #: required contents (PIPL-22/23/39) the deal's profile does not give yet
    missing: tuple[str, ...] = ()


def _lang_map(entry: Any, name: str, origin: str) -> dict[str, str]:
    if not isinstance(entry, dict) or any(lang not in entry for lang in LANGUAGES):
        raise ConfigError(f"{origin}: {name} needs zh and en")
    return {lang: str(entry[lang]) for lang in LANGUAGES}


def _folder() -> Any:
    return files("baomi.services.comply.notices") / "templates"


@cache
def templates() -> Mapping[NoticeKind, Template]:
    """Every notice kind's template (shipped data; every rule it cites must exist)."""
    book = rules()
    out: dict[NoticeKind, Template] = {}
    for kind in NoticeKind:
        origin = f"{kind.value}.yaml"
        doc = yaml.safe_load((_folder() / origin).read_text(encoding="utf-8"))
        unknown = [r for r in doc.get("rules", []) if r not in book]
        if unknown or not doc.get("rules"):
            raise ConfigError(f"{origin}: unknown or no rules {unknown}")
        email = doc.get("email") or {}
        out[kind] = Template(
            kind,
            _lang_map(doc.get("title"), "title", origin),
            tuple(doc["rules"]),
            tuple(doc.get("requires") or ()),
            _lang_map(doc.get("letter"), "letter", origin),
            _lang_map(doc.get("sms"), "sms", origin),
            _lang_map(email.get("subject"), "email.subject", origin),
            _lang_map(email.get("html"), "email.html", origin),
            _lang_map(doc["method"], "method", origin) if "method" in doc else {},
            {k: _lang_map(v, f"events.{k}", origin) for k, v in (doc.get("events") or {}).items()},
        )
    return out


@cache
def sms_limits() -> SmsLimits:
    doc = yaml.safe_load((_folder() / "channels.yaml").read_text(encoding="utf-8"))
    return SmsLimits(**{k: int(v) for k, v in doc["sms"].items()})


# The GSM 03.38 default alphabet (one septet each) and its extension table (two septets each).
_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = frozenset("^{}\\[~]|€\f")


def sms_segments(text: str, limits: SmsLimits | None = None) -> int:
    """How many SMS segments ``text`` takes: one up to 70 characters when any character needs
    UCS-2 (every Chinese text), else ceil(n / 67); 160 and 153 for the GSM 7-bit alphabet."""
    lim = limits or sms_limits()
    if not text:
        return 0
    if all(c in _GSM7 or c in _GSM7_EXT for c in text):
        n = sum(2 if c in _GSM7_EXT else 1 for c in text)
        single, part = lim.gsm7_single, lim.gsm7_segment
    else:
        n = len(text)
        single, part = lim.ucs2_single, lim.ucs2_segment
    return 1 if n <= single else -(-n // part)


def kind_for(profile: Profile) -> NoticeKind:
    """The notice the deal's transfer calls for (module docstring); an error without a type."""
    t = profile.transfer_type
    if t is None:
        raise InputError(
            tr("请先设置交易的转让类型（assess profile）", "set the deal's transfer type first")
        )
    if t in _ENDS and not profile.recipient_name.strip():
        return NoticeKind.DELETION
    if profile.abroad:
        return NoticeKind.CROSSBORDER
    if t is TransferType.ASSET_SALE:
        return NoticeKind.CONSENT
    if t in _TRANSFERS:
        return NoticeKind.TRANSFER
    return NoticeKind.CONTROL


def facts_of(
    profile: Profile,
    company: str,
    kinds: Mapping[str, tuple[str, ...]],
    sensitive: tuple[str, ...] = (),
) -> Facts:
    """The :class:`Facts` of a deal's profile (``transfer_type`` must be set)."""
    assert profile.transfer_type is not None
    location = profile.recipient_location
    if not location.outside_mainland and profile.remote_access_abroad:
        location = Location.ABROAD
    return Facts(
        company=company,
        transfer_type=profile.transfer_type,
        recipient_name=profile.recipient_name,
        recipient_contact=profile.recipient_contact,
        purpose=profile.purpose,
        location=location,
        kinds=kinds,
        sensitive=sensitive,
        remote_access_abroad=profile.remote_access_abroad,
    )


_env_text = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_env_html = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(value: str) -> str:
    """A value as one line: control characters and line breaks removed (a name from a file
    must not add lines to a letter)."""
    return _CONTROL.sub("", value.replace("\r", " ").replace("\n", " ")).strip()


def _context(
    tpl: Template, facts: Facts, customer: str, notice_id: str, lang: str
) -> tuple[dict[str, str], tuple[str, ...]]:
    given = {
        "recipient_name": facts.recipient_name,
        "recipient_contact": facts.recipient_contact,
        "purpose": facts.purpose,
    }
    missing = tuple(f for f in tpl.requires if not given.get(f, "").strip())

    def value(name: str) -> str:
        text = _clean(given[name])
        if text:
            return text
        zh, en = _FIELD_LABELS[name]
        return f"【待填写：{zh}】" if lang == "zh" else f"[to be filled: {en}]"

    sep = "、" if lang == "zh" else ", "
    kinds = facts.kinds.get(lang) or (
        ("姓名", "联系方式") if lang == "zh" else ("name", "contact details")
    )
    event = tpl.events.get(facts.transfer_type.value, {}).get(lang, "")
    ctx = {
        "customer": _clean(customer),
        "company": _clean(facts.company),
        "recipient": value("recipient_name"),
        "contact": value("recipient_contact"),
        "purpose": value("purpose"),
        "location": _LOCATIONS[facts.location][0 if lang == "zh" else 1],
        "kinds": sep.join(kinds),
        "sensitive": sep.join(category_label(c, lang) for c in facts.sensitive),
        "event": event,
        "notice_id": notice_id,
        "remote": "yes" if facts.remote_access_abroad else "",  # a truthy text for the template
    }
    ctx["method"] = _compiled(tpl.kind, "method", lang).render(ctx)
    return ctx, missing


@cache
def _compiled(kind: NoticeKind, part: str, lang: str) -> Any:
    """A template text compiled once (``part``: letter, sms, subject, html, method)."""
    tpl = templates()[kind]
    texts: Mapping[str, str] = getattr(tpl, part)
    env = _env_html if part == "html" else _env_text
    return env.from_string(texts.get(lang, ""))


def render(
    kind: NoticeKind,
    channel: Channel,
    facts: Facts,
    *,
    customer: str = SAMPLE_CUSTOMER,
    notice_id: str = SAMPLE_NOTICE_ID,
    lang: str | None = None,
) -> Rendered:
    """The text of notice ``kind`` for ``channel``, filled in for one customer."""
    lang = lang or current_language()
    if lang not in LANGUAGES:
        raise InputError(tr(f"不支持的语言 {lang}", f"unsupported language {lang}"))
    tpl = templates()[kind]
    ctx, missing = _context(tpl, facts, customer, notice_id, lang)
    subject = ""
    if channel is Channel.EMAIL:
        subject = _compiled(kind, "subject", lang).render(ctx).strip()
        body = _compiled(kind, "html", lang).render(ctx).strip()
    elif channel is Channel.SMS:
        body = _compiled(kind, "sms", lang).render(ctx).strip()
    else:
        body = _compiled(kind, "letter", lang).render(ctx).strip() + "\n"
    return Rendered(
        kind=kind,
        channel=channel,
        lang=lang,
        title=tpl.title[lang],
        subject=subject,
        body=body,
        chars=len(body),
        segments=sms_segments(body) if channel is Channel.SMS else 0,
        consent_required=tpl.consent_required,
        citations=tpl.citations(),
        missing=missing,
    )
