"""Notifications: an in-app inbox per user (a bell with the unread count on every page) and
e-mail through the SMTP server the settings name (``BAOMI_SMTP_*``: host, port, STARTTLS or
TLS, sender, user; the password from the environment or a 0600 file, never logged), and the
reminder run that tells each calendar item's owner — or its department's users — that the item
is overdue or due soon, once per item per day.

Mail goes one message per recipient (no one sees a colleague's address). A mail that cannot be
sent is logged (counts, never addresses) and leaves the in-app notification in place: the inbox
is the record, e-mail the nudge.
"""

from __future__ import annotations

import datetime as _dt
import logging
import smtplib
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baomi import clock
from baomi.engine.audit_chain import AuditAction
from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services import accounts, audit
from baomi.services.govern import calendar
from baomi.services.govern.calendar import DueItem, State
from baomi.services.permissions import Action, Actor, Role, authorize
from baomi.services.vault import Vault, new_id, now
from baomi.settings import Settings
from baomi.storage.models import Notification, ReminderSent

log = logging.getLogger(__name__)

#: who the audit log names for the reminder run started by the system
SYSTEM = Actor("system", Role.ADMIN)
MAX_TITLE = 200
MAX_BODY = 5000
MAX_LINK = 500


@dataclass(frozen=True)
class NotificationInfo:
    id: str
    title: str
    body: str
    link: str | None
    created_at: str
    read_at: str | None


@dataclass(frozen=True)
class Sent:
    """What one notification did: in-app rows written, mails sent, mails that failed."""

    in_app: int
    mailed: int
    failed: int


@dataclass(frozen=True)
class Reminder:
    """One calendar item the reminder run handled (or would handle, in a dry run)."""

    kind: str
    ref: str
    title: str
    due: str
    state: State
    recipients: tuple[str, ...]
    #: ``sent`` | ``would send`` | ``already sent today`` | ``no recipient``
    outcome: str


# --- e-mail --------------------------------------------------------------------------------------


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host and settings.smtp_from)


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port = settings.smtp_host or "", settings.smtp_port
    timeout = settings.smtp_timeout_seconds
    # the server's certificate and name are always verified (against the system's CAs or the
    # CA file the settings name)
    ca = str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    client: smtplib.SMTP
    if settings.smtp_security == "ssl":
        context = ssl.create_default_context(cafile=ca)
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context(cafile=ca))
        secret = settings.smtp_secret()
        if settings.smtp_user and secret is not None:
            client.login(settings.smtp_user, secret)
    except BaseException:
        client.close()
        raise
    return client


def send_mail(settings: Settings, *, to: Sequence[str], subject: str, body: str) -> tuple[int, int]:
    """Send ``subject``/``body`` to each address in ``to`` (one message each, one connection);
    returns (sent, failed). Nothing is sent when no SMTP host is configured."""
    if not to or not mail_configured(settings):
        return 0, 0
    sent = failed = 0
    try:
        client = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("smtp: cannot connect (%s); %d mail(s) not sent", type(exc).__name__, len(to))
        return 0, len(to)
    with client:
        for address in to:
            message = EmailMessage()
            message["From"] = settings.smtp_from or ""
            message["To"] = address
            message["Subject"] = subject
            message.set_content(body)
            try:
                client.send_message(message)
                sent += 1
            except smtplib.SMTPException as exc:
                failed += 1
                log.warning("smtp: a mail was refused (%s)", type(exc).__name__)
    return sent, failed


# --- in-app notifications ------------------------------------------------------------------------


def _check(title: str, body: str, link: str | None) -> tuple[str, str, str | None]:
    if not title.strip() or len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise InputError(tr("通知标题或正文长度无效", "a notification's title or body is too long"))
    if link is not None and (
        len(link) > MAX_LINK or not link.startswith("/") or link.startswith("//")
    ):
        raise InputError(tr("链接须为本站路径", "the link is a path on this site"))
    return title.strip(), body, link


def _store(
    session: Session,
    vault: Vault,
    actor: Actor,
    usernames: Sequence[str],
    title: str,
    body: str,
    link: str | None,
) -> None:
    at = now()
    for name in usernames:
        session.add(
            Notification(
                id=new_id(), username=name, title=title, body=body, link=link, created_at=at
            )
        )
    audit.record(
        session,
        vault,
        actor=actor,
        action=AuditAction.NOTIFY_SEND,
        obj="notifications",
        details={"recipients": len(usernames)},
    )


def _mail_text(body: str, link: str | None) -> str:
    return body + (f"\n\n{link}" if link else "")


def notify(
    vault: Vault,
    *,
    usernames: Iterable[str],
    title: str,
    body: str = "",
    link: str | None = None,
    actor: Actor = SYSTEM,
) -> Sent:
    """Tell ``usernames``: an in-app notification each, and a mail to each that has an e-mail
    address (no permission check: the services that call it decide who is told what)."""
    names = tuple(dict.fromkeys(u for u in usernames if u))
    title, body, link = _check(title, body, link)
    if not names:
        return Sent(0, 0, 0)
    with vault.transaction() as session:
        _store(session, vault, actor, names, title, body, link)
    addresses = accounts.contacts(vault, names)
    mailed, failed = send_mail(
        vault.settings, to=list(addresses.values()), subject=title, body=_mail_text(body, link)
    )
    return Sent(len(names), mailed, failed)


def inbox(
    vault: Vault, *, actor: Actor, unread_only: bool = False, limit: int = 100
) -> list[NotificationInfo]:
    """``actor``'s own notifications, newest first."""
    authorize(actor, Action.NOTIFICATION_READ)
    query = select(Notification).where(Notification.username == actor.name)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id).limit(max(1, limit))
    with vault.reading() as session:
        return [
            NotificationInfo(n.id, n.title, n.body, n.link, n.created_at, n.read_at)
            for n in session.execute(query).scalars()
        ]


def unread_count(vault: Vault, username: str) -> int:
    """How many unread notifications ``username`` has (for the bell; no permission check)."""
    with vault.reading() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(Notification)
                .where(Notification.username == username, Notification.read_at.is_(None))
            ).scalar_one()
        )


def mark_read(vault: Vault, *, actor: Actor, notification_id: str | None = None) -> int:
    """Mark one of ``actor``'s notifications read (every one with ``None``); returns how many.
    Another user's notification is "not found", never touched."""
    authorize(actor, Action.NOTIFICATION_READ)
    query = update(Notification).where(
        Notification.username == actor.name, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    with vault.transaction() as session:
        if notification_id is not None:
            row = session.get(Notification, notification_id)
            if row is None or row.username != actor.name:
                raise InputError(tr("没有该通知", "no such notification"))
        changed = session.execute(query.values(read_at=now()))
        return int(getattr(changed, "rowcount", 0) or 0)


# --- the reminder run ----------------------------------------------------------------------------


def recipients(vault: Vault, item: DueItem) -> tuple[str, ...]:
    """Who is reminded of ``item``: its owner, else its department's users."""
    if item.owner:
        return (item.owner,)
    if item.department:
        return tuple(accounts.members_of(vault, item.department))
    return ()


def _text(item: DueItem, today: _dt.date) -> tuple[str, str]:
    days = item.days_left(today)
    if days < 0:
        title = tr(f"已逾期 {-days} 天：{item.title}", f"Overdue by {-days} days: {item.title}")
    else:
        title = tr(f"{days} 天后到期：{item.title}", f"Due in {days} days: {item.title}")
    body = tr(f"到期日 {item.due.isoformat()}", f"Due on {item.due.isoformat()}")
    if item.rule:
        body += f" ({item.rule})"
    return title[:MAX_TITLE], body


def remind(
    vault: Vault,
    *,
    actor: Actor,
    today: _dt.date | None = None,
    dry_run: bool = False,
    sources: Iterable[str] | None = None,
) -> list[Reminder]:
    """Remind the owner (or the department) of every calendar item that is overdue or due
    within :data:`calendar.SOON_DAYS`, once per item per day (what was sent is remembered);
    ``dry_run``: say what would be sent and send nothing."""
    authorize(actor, Action.GOVERN_EDIT)
    day = today or clock.today()
    items = calendar.collect(vault, day, calendar.SOURCES if sources is None else sources)
    out: list[Reminder] = []
    for item in items:
        state = item.state(day)
        if state not in (State.OVERDUE, State.SOON):
            continue
        key = f"{item.kind}:{item.ref}"[:200]
        names = recipients(vault, item)
        with vault.reading() as session:
            done = session.execute(
                select(ReminderSent.id).where(
                    ReminderSent.item == key, ReminderSent.day == day.isoformat()
                )
            ).first()
        outcome = (
            "already sent today"
            if done
            else "no recipient"
            if not names
            else "would send"
            if dry_run
            else "sent"
        )
        if outcome == "sent":
            outcome = _send_one(vault, actor, item, key, names, day)
        out.append(
            Reminder(item.kind, item.ref, item.title, item.due.isoformat(), state, names, outcome)
        )
    return out


def _send_one(
    vault: Vault, actor: Actor, item: DueItem, key: str, names: tuple[str, ...], day: _dt.date
) -> str:
    title, body = _text(item, day)
    try:
        with vault.transaction() as session:
            session.add(
                ReminderSent(
                    id=new_id(),
                    item=key,
                    day=day.isoformat(),
                    recipients=len(names),
                    sent_at=now(),
                )
            )
            session.flush()
            _store(session, vault, actor, names, title, body, item.link)
    except IntegrityError:  # another run reminded of it today
        return "already sent today"
    addresses = accounts.contacts(vault, names)
    send_mail(
        vault.settings,
        to=list(addresses.values()),
        subject=title,
        body=_mail_text(body, item.link),
    )
    return "sent"


def summary(vault: Vault, today: _dt.date) -> dict[str, int | float]:
    """Counts for the dashboard: unread notifications in all, reminders sent today."""
    with vault.reading() as session:
        unread = session.execute(
            select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))
        ).scalar_one()
        reminded = session.execute(
            select(func.count())
            .select_from(ReminderSent)
            .where(ReminderSent.day == today.isoformat())
        ).scalar_one()
    return {"unread": int(unread), "reminders_today": int(reminded)}
