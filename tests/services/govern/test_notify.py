"""Notifications: the in-app inbox, e-mail through a local SMTP server this test starts
(aiosmtpd, a free port, a handler collecting what arrives), the reminder run once per item per
day, and the SMTP password never in the log."""

from __future__ import annotations

import datetime as _dt
import ipaddress
import logging
import socket
import ssl
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from baomi.errors import InputError, PermissionDeniedError
from baomi.services import accounts
from baomi.services.govern import notify
from baomi.services.govern.calendar import SOON_DAYS, DueItem
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault

ADMIN = Actor("tester", Role.ADMIN)
SELLER = Actor("seller", Role.SELLER)
TODAY = _dt.date(2026, 6, 15)
SECRET = "smtp-Pa55word-for-the-test"
#: the local test server asks for a login without TLS (on 127.0.0.1 only)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every envelope it is given."""

    mails: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.mails.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _auth(
    server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == b"mailer"
        and data.password == SECRET.encode()
    )
    return AuthResult(success=ok)


@pytest.fixture
def smtp(vault: Vault, tmp_path: Path) -> Iterator[Collector]:
    """A local SMTP server (login required, no TLS) and the vault's settings pointing at it,
    the password in a 0600 file."""
    handler = Collector()
    port = _free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_auth,
        auth_required=True,
        auth_require_tls=False,
    )
    secret = tmp_path / "smtp.pw"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    before = vault.settings
    vault.settings = before.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_from": "baomi@example.com",
            "smtp_user": "mailer",
            "smtp_password_file": secret,
        }
    )
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
        vault.settings = before


def _user(vault: Vault, name: str, *, dept: str | None = None, email: str | None = None) -> None:
    accounts.create_user(
        vault, actor=ADMIN, username=name, display_name=name, role="seller", department=dept
    )
    if email:
        accounts.set_email(vault, actor=ADMIN, username=name, email=email)


def test_email_is_checked_sealed_and_admin_only(vault: Vault) -> None:
    _user(vault, "wang.fang")
    with pytest.raises(InputError):
        accounts.set_email(vault, actor=ADMIN, username="wang.fang", email="not-an-address")
    with pytest.raises(PermissionDeniedError):
        accounts.set_email(vault, actor=SELLER, username="wang.fang", email="w@example.com")
    shown = accounts.set_email(vault, actor=ADMIN, username="wang.fang", email="w@example.com")
    assert shown.has_email
    assert accounts.contacts(vault, ["wang.fang"]) == {"wang.fang": "w@example.com"}
    with vault.engine.connect() as conn:
        raw = conn.exec_driver_sql(
            "SELECT email_sealed FROM users WHERE username='wang.fang'"
        ).scalar()
    assert b"example.com" not in bytes(raw)  # sealed, not in clear
    assert not accounts.set_email(vault, actor=ADMIN, username="wang.fang", email=None).has_email


def test_notify_writes_the_inbox_and_mails_those_with_an_address(
    vault: Vault, smtp: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    _user(vault, "wang.fang", email="wang@example.com")
    _user(vault, "li.na", email="li@example.com")
    _user(vault, "zhao.lei")  # no address: in-app only
    caplog.set_level(logging.DEBUG)
    sent = notify.notify(
        vault,
        usernames=["wang.fang", "li.na", "zhao.lei"],
        title="制度复核",
        body="请复核",
        link="/govern",
    )
    assert (sent.in_app, sent.mailed, sent.failed) == (3, 2, 0)
    assert sorted(tuple(m.rcpt_tos) for m in smtp.mails) == [
        ("li@example.com",),
        ("wang@example.com",),
    ]
    assert all(m.mail_from == "baomi@example.com" for m in smtp.mails)
    text = smtp.mails[0].content
    assert isinstance(text, bytes) and b"/govern" in text
    assert SECRET not in caplog.text
    me = Actor("zhao.lei", Role.SELLER)
    (n,) = notify.inbox(vault, actor=me)
    assert n.title == "制度复核" and n.read_at is None
    assert notify.unread_count(vault, "zhao.lei") == 1
    with pytest.raises(InputError):  # someone else's
        notify.mark_read(vault, actor=Actor("li.na", Role.SELLER), notification_id=n.id)
    assert notify.mark_read(vault, actor=me, notification_id=n.id) == 1
    assert notify.unread_count(vault, "zhao.lei") == 0
    assert notify.unread_count(vault, "li.na") == 1


def test_bad_links_and_no_mail_without_a_host(vault: Vault) -> None:
    _user(vault, "wang.fang", email="wang@example.com")
    with pytest.raises(InputError):
        notify.notify(vault, usernames=["wang.fang"], title="x", link="https://evil.example")
    with pytest.raises(InputError):
        notify.notify(vault, usernames=["wang.fang"], title="x", link="//evil.example")
    sent = notify.notify(vault, usernames=["wang.fang"], title="x")
    assert (sent.in_app, sent.mailed, sent.failed) == (1, 0, 0)


def test_an_unreachable_server_keeps_the_inbox(vault: Vault) -> None:
    _user(vault, "wang.fang", email="wang@example.com")
    before = vault.settings
    vault.settings = before.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": _free_port(),
            "smtp_security": "none",
            "smtp_from": "baomi@example.com",
            "smtp_timeout_seconds": 2.0,
        }
    )
    try:
        sent = notify.notify(vault, usernames=["wang.fang"], title="x")
    finally:
        vault.settings = before
    assert (sent.in_app, sent.mailed, sent.failed) == (1, 0, 1)


@pytest.fixture
def items() -> Iterator[str]:
    """A calendar source with one item per state: overdue (owner), due soon at the boundary
    (department), planned one day past it, done."""
    module = types.ModuleType("tests_notify_source")
    module.due_items = lambda vault, today: [  # type: ignore[attr-defined]
        DueItem("review", "late", "数据安全制度", TODAY - _dt.timedelta(days=1), owner="wang.fang"),
        DueItem(
            "review", "soon", "隐私政策", TODAY + _dt.timedelta(days=SOON_DAYS), department="legal"
        ),
        DueItem(
            "review", "later", "远期", TODAY + _dt.timedelta(days=SOON_DAYS + 1), department="legal"
        ),
        DueItem(
            "review", "done", "已完成", TODAY - _dt.timedelta(days=3), owner="wang.fang", done=True
        ),
    ]
    sys.modules[module.__name__] = module
    yield f"{module.__name__}:due_items"
    del sys.modules[module.__name__]


def test_remind_once_per_item_per_day(vault: Vault, smtp: Collector, items: str) -> None:
    _user(vault, "wang.fang", email="wang@example.com")
    _user(vault, "li.na", dept="legal", email="li@example.com")
    _user(vault, "zhou.min", dept="legal")
    with pytest.raises(PermissionDeniedError):
        notify.remind(vault, actor=Actor("a", Role.AUDITOR), today=TODAY, sources=[items])
    dry = notify.remind(vault, actor=SELLER, today=TODAY, dry_run=True, sources=[items])
    assert [(r.ref, r.outcome) for r in dry] == [("late", "would send"), ("soon", "would send")]
    assert smtp.mails == [] and notify.unread_count(vault, "wang.fang") == 0
    done = notify.remind(vault, actor=SELLER, today=TODAY, sources=[items])
    assert {r.ref: r.recipients for r in done} == {
        "late": ("wang.fang",),
        "soon": ("li.na", "zhou.min"),
    }
    assert sorted(m.rcpt_tos[0] for m in smtp.mails) == ["li@example.com", "wang@example.com"]
    assert notify.unread_count(vault, "zhou.min") == 1
    again = notify.remind(vault, actor=SELLER, today=TODAY, sources=[items])
    assert {r.outcome for r in again} == {"already sent today"}
    assert len(smtp.mails) == 2
    tomorrow = notify.remind(
        vault, actor=SELLER, today=TODAY + _dt.timedelta(days=1), sources=[items]
    )
    assert {r.outcome for r in tomorrow} == {"sent"}
    assert notify.summary(vault, TODAY)["reminders_today"] == 2


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test's own CA) and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "baomi test smtp")])
    now = _dt.datetime.now(_dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_starttls_verifies_the_server(vault: Vault, tmp_path: Path) -> None:
    """STARTTLS against a server whose certificate the configured CA file vouches for; without
    that CA the certificate is refused and nothing is sent (the inbox keeps the notification)."""
    _user(vault, "wang.fang", email="wang@example.com")
    cert_file, key_file = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    handler = Collector()
    port = _free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True
    )
    before = vault.settings
    base = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "starttls",
        "smtp_from": "baomi@example.com",
        "smtp_timeout_seconds": 5.0,
    }
    controller.start()
    try:
        vault.settings = before.model_copy(update=base | {"smtp_ca_file": cert_file})
        sent = notify.notify(vault, usernames=["wang.fang"], title="加密传输")
        assert (sent.mailed, sent.failed) == (1, 0)
        assert [m.rcpt_tos for m in handler.mails] == [["wang@example.com"]]
        vault.settings = before.model_copy(update=base)  # the system's CAs do not know it
        refused = notify.notify(vault, usernames=["wang.fang"], title="不应送达")
        assert (refused.in_app, refused.mailed, refused.failed) == (1, 0, 1)
        assert len(handler.mails) == 1
    finally:
        controller.stop()
        vault.settings = before
