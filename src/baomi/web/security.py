"""HTTP security of the data room: headers, language, CSRF, rate limits per address.

- Every response carries a Content-Security-Policy without inline script or style, ``nosniff``,
  ``no-referrer``, frame denial and ``no-store`` (OWASP ASVS 14.4, 8.2.1).
- CSRF (ASVS 4.2.2): a state-changing request (POST, PUT, PATCH, DELETE) must present a token in
  the ``X-CSRF-Token`` header or a ``csrf_token`` form field. With a session, the token is the
  session's (an HMAC of its token, :func:`baomi.services.accounts.csrf_token`); before sign-in,
  a random ``baomi_csrf`` cookie the same request repeats (double submit).
- Rate limits per client address (:class:`Throttle`): sign-in (ASVS 2.2.1, on top of the
  per-account lockout that the accounts service keeps), the public request page and surveys.
- Messages a page shows from its address (``?error=``, ``?notice=``… after a form's redirect)
  are shown only when this service put them there: :class:`SignedMessages` signs them in the
  redirect and drops unsigned ones, so a crafted link cannot put its own text in the pages.
- A secret a form's answer shows once (a new setup link) is held by :class:`ShownOnce` for the
  page the form redirects to (POST-redirect-GET): reloading that page reads it again and sends
  no form, and the secret never travels in an address.

All hold with several processes of the data room over one database and key: the messages'
key is derived from the platform's keys, and what a page shows once and the attempts a rate
limit counted wait in the database.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from fastapi import HTTPException, Request

from baomi import clock
from baomi.i18n import SUPPORTED, set_language, tr
from baomi.services import accounts, shown_once, throttle
from baomi.services.vault import Vault

SESSION_COOKIE = "baomi_session"
PRE_CSRF_COOKIE = "baomi_csrf"
LANG_COOKIE = "baomi_lang"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _language(scope: Scope) -> str | None:
    """``?lang=`` first, then the language cookie; ``None``: the default (Chinese)."""
    query: dict[str, list[str]] = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    wanted = query.get("lang", [""])[0]
    if wanted in SUPPORTED:
        return wanted
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(value.decode("latin-1"))
            morsel = cookie.get(LANG_COOKIE)
            if morsel is not None and morsel.value in SUPPORTED:
                return str(morsel.value)
    return None


_NUL_MARKS = (b"\x00", b"\\u0000", b"%00")
_TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded")
MAX_TEXT_BODY = 1024 * 1024


class NulGuard:
    """Pure ASGI: a NUL character anywhere in a request's path, query or text body (JSON, form)
    is a 400 before any handler runs. No text baomi stores may hold one (PostgreSQL refuses it),
    and none has a use; files keep their bytes (multipart bodies are not inspected, their names
    are checked by the upload rules)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if any(mark in raw.lower() for mark in _NUL_MARKS) or "\x00" in scope.get("path", ""):
            await _refuse(send)
            return
        kind = dict(scope.get("headers", [])).get(b"content-type", b"").split(b";")[0].strip()
        if kind not in _TEXT_BODIES:
            await self.app(scope, receive, send)
            return
        chunks: list[Message] = []
        size = 0
        while True:
            message = await receive()
            chunks.append(message)
            size += len(message.get("body", b""))
            if (
                message["type"] != "http.request"
                or not message.get("more_body")
                or size > MAX_TEXT_BODY
            ):
                break
        body = b"".join(m.get("body", b"") for m in chunks)
        if any(mark in body.lower() for mark in _NUL_MARKS):
            await _refuse(send)
            return

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send) -> None:
    body = (
        '{"detail": "' + tr("请求中含有 NUL 字符", "the request holds a NUL character") + '"}'
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


#: The address parameters whose text a page shows as a message.
MESSAGE_PARAMS = frozenset({"error", "manage_error", "note", "notice"})
MESSAGE_SIG = "msig"


class SignedMessages:
    """Pure ASGI: a redirect whose address carries a message (:data:`MESSAGE_PARAMS`) gets a
    signature of the path and the messages (an HMAC with ``key()``, the installation's
    :func:`~baomi.services.accounts.message_key`: every process of the data room signs and
    verifies alike, so the redirect may land on any of them); a request whose messages are not
    so signed has them removed from its query before any page reads it."""

    def __init__(self, app: ASGIApp, key: Callable[[], bytes]) -> None:
        self.app = app
        self._source = key
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        """``key()``, asked the first time a message is signed or checked (the platform's keys
        stay the same when the master key rotates)."""
        if self._key is None:
            self._key = self._source()
        return self._key

    def _sign(self, path: str, pairs: list[tuple[str, str]]) -> str:
        text = path + "\x00" + "\x00".join(f"{k}={v}" for k, v in pairs if k in MESSAGE_PARAMS)
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()[:32]

    def _checked(self, scope: Scope) -> None:
        raw = scope.get("query_string", b"").decode("latin-1")
        if not any(f"{name}=" in raw for name in MESSAGE_PARAMS):
            return
        pairs = parse_qsl(raw, keep_blank_values=True)
        sig = next((v for k, v in pairs if k == MESSAGE_SIG), "")
        keep = [(k, v) for k, v in pairs if k != MESSAGE_SIG]
        if not hmac.compare_digest(sig, self._sign(scope.get("path", ""), keep)):
            keep = [(k, v) for k, v in keep if k not in MESSAGE_PARAMS]
        scope["query_string"] = urlencode(keep).encode("latin-1")

    def _signed(self, location: str) -> str:
        parts = urlsplit(location)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if not any(k in MESSAGE_PARAMS for k, _ in pairs):
            return location
        pairs = [(k, v) for k, v in pairs if k != MESSAGE_SIG]
        # the request's path is decoded (``/rooms/转让-001``), the address's is not
        pairs.append((MESSAGE_SIG, self._sign(unquote(parts.path), pairs)))
        return urlunsplit(parts._replace(query=urlencode(pairs)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self._checked(scope)

        async def send_signed(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (k, self._signed(v.decode("latin-1")).encode("latin-1"))
                    if k.lower() == b"location"
                    else (k, v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_signed)


class SecurityMiddleware:
    """Pure ASGI: sets the request's language and adds the security headers to every answer."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = HEADERS + (
            ((b"strict-transport-security", b"max-age=31536000"),) if hsts else ()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = _language(scope)
        set_language(chosen or "zh")
        query = scope.get("query_string", b"")
        remember = chosen is not None and b"lang=" in query

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in present]
                if remember:  # ?lang= switches the language for the following pages too
                    cookie = f"{LANG_COOKIE}={chosen}; Path=/; Max-Age=31536000; SameSite=Lax"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def presented_csrf(request: Request) -> str | None:
    """The CSRF token a request presents: the header, else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def csrf_guard(request: Request) -> None:
    """The app-wide dependency: refuse a state-changing request without the right token."""
    if request.method not in UNSAFE or request.headers.get("authorization", "").lower().startswith(
        "bearer "
    ):
        return  # a bearer token is no ambient credential: nothing to forge
    presented = await presented_csrf(request)
    session_token = request.cookies.get(SESSION_COOKIE)
    vault = request.app.state.vault
    if session_token and accounts.session_user(vault, session_token) is not None:
        ok = accounts.check_csrf(vault, session_token, presented)
    else:
        pre = request.cookies.get(PRE_CSRF_COOKIE)
        ok = pre is not None and presented is not None and secrets.compare_digest(pre, presented)
    if not ok:
        raise HTTPException(
            status_code=403,
            detail=tr(
                "CSRF 令牌缺失或不正确，请刷新页面", "missing or wrong CSRF token; reload the page"
            ),
        )


class Throttle:
    """At most ``limit`` attempts at the door ``kind`` per client address in ``window`` seconds,
    counted in the database (:mod:`baomi.services.throttle`: under a keyed hash of the address,
    atomically), so that every process of the data room counts every process's attempts."""

    def __init__(
        self,
        vault: Vault,
        kind: str,
        *,
        limit: int = 10,
        window: float = 60.0,
        now: Callable[[], _dt.datetime] = clock.now,
    ) -> None:
        self.vault, self.kind = vault, kind
        self.limit, self.window, self.now = limit, window, now

    def allow(self, client: str) -> bool:
        """Whether ``client`` may make one more attempt now (it then counts)."""
        return throttle.allow(
            self.vault,
            self.kind,
            client,
            limit=self.limit,
            window=self.window,
            moment=self.now(),
        )


T = TypeVar("T")


class ShownOnce(Generic[T]):
    """What a form made that its page shows once, held between the form's redirect and the
    page's next read (POST-redirect-GET) in the database (:mod:`baomi.services.shown_once`:
    sealed, keyed by a keyed hash of the session that made it), so that any process of the
    data room may answer the page: given to that session's next :meth:`take` and forgotten, or
    forgotten after ``seconds`` if the page is not read. A reload of the page reads it again
    (the GET): nothing is made anew, nothing shown again. The value never travels in an
    address, a cookie or a log; a session holds one value of each ``kind`` (a newer one
    replaces it); ``encode`` and ``decode`` turn a value into the text sealed and back."""

    def __init__(
        self,
        vault: Vault,
        kind: str,
        *,
        encode: Callable[[T], str],
        decode: Callable[[str], T],
        seconds: float = shown_once.SECONDS,
        most: int = shown_once.MOST,
        now: Callable[[], _dt.datetime] = clock.now,
    ) -> None:
        self.vault, self.kind = vault, kind
        self.encode, self.decode = encode, decode
        self.seconds, self.most, self.now = seconds, most, now

    def put(self, session_token: str, value: T) -> None:
        shown_once.hold(
            self.vault,
            session_token,
            self.kind,
            self.encode(value).encode("utf-8"),
            moment=self.now(),
            seconds=self.seconds,
            most=self.most,
        )

    def take(self, session_token: str) -> T | None:
        """The value ``session_token``'s session was to be shown, once; ``None`` if none."""
        held = shown_once.take(self.vault, session_token, self.kind, moment=self.now())
        return None if held is None else self.decode(held.decode("utf-8"))
