"""What the notice records share: the deal lookup, the sending statuses, who a notice is for
(a person key from the contacts' keyed hashes) and each person's latest consent answer.

Times are stored in UTC (ISO 8601); a sender's time without an offset is read as China Standard
Time (UTC+8), where the customers are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from baomi import clock
from baomi.services.deals import find_deal
from baomi.services.vault import Vault
from baomi.storage.models import Notice, NoticeEvent

CHINA_TIME = clock.CHINA_TIME


class Status(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    REFUSED = "refused_consent"
    CONSENTED = "consented"


#: The statuses that answer a consent request.
CONSENT_ANSWERS = frozenset({Status.REFUSED, Status.CONSENTED})
#: Order of statuses at the same time: the later one in a notice's life wins.
LIFE = {s: i for i, s in enumerate(Status)}


def deal_id_of(vault: Vault, deal_ref: str) -> str:
    """The id of the deal ``deal_ref`` names (an :class:`InputError` if none)."""
    with vault.reading() as session:
        return find_deal(session, deal_ref).id


def utc_iso(text: str) -> str | None:
    """A sender's time (``2026-12-01 10:00``, ``2026/12/01T10:00:00+08:00``) as UTC ISO 8601,
    or ``None`` when it is no time."""
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=CHINA_TIME)
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def person_key(
    mobile_hash: str | None, email_hash: str | None, address_hash: str | None, fallback: str
) -> str:
    """Who a notice is for, across exports: the first contact hash it has."""
    return mobile_hash or email_hash or address_hash or fallback


def person_of(n: Notice) -> str:
    return person_key(n.mobile_hash, n.email_hash, n.address_hash, n.id)


def latest_answers(
    notices: Iterable[Notice], events: Iterable[NoticeEvent]
) -> dict[str, tuple[str, Status]]:
    """Each person's latest consent answer (time, status) over all their notices."""
    person = {n.id: person_of(n) for n in notices}
    out: dict[str, tuple[str, Status]] = {}
    for e in events:
        status = Status(e.status)
        who = person.get(e.notice_id)
        if status not in CONSENT_ANSWERS or who is None:
            continue
        seen = out.get(who)
        if seen is None or (e.at, LIFE[status]) > (seen[0], LIFE[seen[1]]):
            out[who] = (e.at, status)
    return out


def deal_records(session: Session, deal_id: str) -> tuple[list[Notice], list[NoticeEvent]]:
    """The deal's notices and their events."""
    notices = list(session.execute(select(Notice).where(Notice.deal_id == deal_id)).scalars())
    events = list(
        session.execute(select(NoticeEvent).join(Notice).where(Notice.deal_id == deal_id)).scalars()
    )
    return notices, events
