"""The NDA of a data room: generated from a template with its six parts, published in versions,
accepted by hash (the use cases :func:`publish_nda`, :func:`current_nda`, :func:`accept_nda`).

The six parts (what is confidential, term, liability for breach, protection measures, dispute
resolution, governing law) are sections of ``templates/nda.<lang>.txt``; the template holds no
logic, :class:`NdaTerms` is its whole view model. An acceptance records the SHA-256 of the exact
text the user was shown, so a later change of the text never passes for an accepted one.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import select

from baomi import clock
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import audit
from baomi.services.dataroom import rooms
from baomi.services.dataroom.rooms import Seat
from baomi.services.permissions import Action, Actor
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import Nda, NdaAcceptance, User

#: The six parts every NDA must have, in order, as (zh, en) section titles.
PARTS = (
    ("保密信息", "Confidential information"),
    ("期限", "Term"),
    ("违约责任", "Liability for breach"),
    ("保护措施", "Protection measures"),
    ("争议解决", "Dispute resolution"),
    ("适用法律", "Governing law"),
)


@dataclass(frozen=True)
class NdaTerms:
    deal: str
    target: str
    uscc: str
    discloser: str
    recipient: str
    version: int
    date: str
    term_months: int = 24
    survival_months: int = 36
    forum: str = "中国国际经济贸易仲裁委员会仲裁"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("baomi.services.dataroom", "templates"),
        autoescape=False,  # plain text; the pages escape it when they show it
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(terms: NdaTerms, lang: str = "zh") -> str:
    """The NDA's text in ``lang`` (``zh`` or ``en``)."""
    return _environment().get_template(f"nda.{lang}.txt").render(**asdict(terms))


def text_hash(text: str) -> str:
    """What an acceptance records: SHA-256 of the exact UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- use cases ---------------------------------------------------------------------------------


def published_notice(vault: Vault, deal_ref: str) -> str:
    """What the command line and the room page say after an NDA version was published: the
    room's current version (the caller was allowed to publish it)."""
    with vault.reading() as session:
        deal, _ = rooms._room(session, deal_ref)
        current = rooms._current_nda(session, deal.id)
        version = 0 if current is None else current.version
    return tr(
        f"已发布第 {version} 版保密协议；买方成员接受后方可进入数据室",
        f"version {version} of the NDA is published; the buyer's members accept it before "
        "they enter the room",
    )


def publish_nda(
    vault: Vault,
    *,
    actor: Actor,
    deal_ref: str,
    discloser: str,
    recipient: str,
    lang: str = "zh",
    term_months: int = 24,
) -> str:
    """Publish a new NDA version from the template; earlier acceptances no longer count."""
    rooms._require(vault, actor, Action.NDA_PUBLISH, deal_ref)
    with vault.transaction() as session:
        deal, room = rooms._room(session, deal_ref)
        current = rooms._current_nda(session, deal.id)
        version = 1 if current is None else current.version + 1
        text = render(
            NdaTerms(
                deal=deal.name,
                target=room.target_name,
                uscc=room.target_uscc,
                discloser=discloser,
                recipient=recipient,
                version=version,
                date=clock.day(now()),
                term_months=term_months,
            ),
            lang,
        )
        digest = text_hash(text)
        session.add(
            Nda(
                id=new_id(),
                deal_id=deal.id,
                version=version,
                lang=lang,
                text=text,
                text_sha256=digest,
                created_at=now(),
                created_by=actor.name,
            )
        )
        audit.record(
            session,
            vault,
            actor=actor,
            action=AuditAction.NDA_PUBLISH,
            obj=f"deal:{deal.id}",
            details={"version": version, "sha256": digest},
        )
        return text


def current_nda(vault: Vault, seat_: Seat, deal_ref: str) -> tuple[int, str, str] | None:
    """The NDA a member is asked to accept: (version, text, SHA-256), or ``None`` if none yet."""
    rooms.gate(vault, seat_, Action.NDA_ACCEPT, deal_ref)
    with vault.reading() as session:
        deal, _ = rooms._room(session, deal_ref)
        current = rooms._current_nda(session, deal.id)
        return None if current is None else (current.version, current.text, current.text_sha256)


#: The longest signer's name an acceptance keeps (a person's or a representative's name).
MAX_SIGNER = 100


def accept_nda(
    vault: Vault, seat_: Seat, deal_ref: str, *, text_sha256: str, name: str, client: str = ""
) -> None:
    """Record that the member accepted the exact NDA text whose hash they were shown."""
    rooms.gate(vault, seat_, Action.NDA_ACCEPT, deal_ref)
    with vault.transaction() as session:
        deal, _ = rooms._room(session, deal_ref)
        current = rooms._current_nda(session, deal.id)
        if current is None:
            raise InputError(tr("该交易还没有保密协议", "the deal has no NDA yet"))
        if current.text_sha256 != text_sha256:
            raise InputError(
                tr(
                    "保密协议已更新，请阅读新版本后再接受",
                    "the NDA changed: read the new version first",
                )
            )
        user = session.execute(select(User).where(User.username == seat_.actor.name)).scalar_one()
        if rooms._accepted_current(session, deal.id, user.id):
            return
        if not name.strip():
            raise InputError(tr("请填写签署人姓名", "type your name to accept"))
        if len(name.strip()) > MAX_SIGNER:
            raise InputError(
                tr(
                    f"签署人姓名最多 {MAX_SIGNER} 个字",
                    f"the signer's name is at most {MAX_SIGNER} characters",
                )
            )
        session.add(
            NdaAcceptance(
                id=new_id(),
                nda_id=current.id,
                user_id=user.id,
                accepted_name=name.strip(),
                accepted_at=now(),
                client=client[:64],
                text_sha256=current.text_sha256,
            )
        )
        audit.record(
            session,
            vault,
            actor=seat_.actor,
            action=AuditAction.NDA_ACCEPT,
            obj=f"deal:{deal.id}",
            details={"version": current.version, "sha256": current.text_sha256, "client": client},
        )
