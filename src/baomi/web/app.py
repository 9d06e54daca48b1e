"""The app factory: ``create_app(settings)`` builds the service; nothing happens at import.
:func:`from_environment` is the factory a worker process imports by name (``baomi serve
--workers N``: ``uvicorn`` starts each worker with ``baomi.web.app:from_environment``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from baomi import __version__
from baomi.errors import InputError, NotFoundError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services.accounts import message_key
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from baomi.web import form_errors
from baomi.web.deps import optional_user
from baomi.web.routers import (
    audit,
    auth,
    comply,
    comply_checklist,
    comply_crossborder,
    comply_notices,
    comply_pia,
    comply_reports,
    comply_vendors,
    documents,
    drills,
    exchange,
    govern,
    govern_audits,
    govern_policies,
    govern_surveys,
    govern_training,
    health,
    home,
    incidents,
    manage,
    notifications,
    requests,
    rooms,
    users,
)
from baomi.web.security import (
    NulGuard,
    SecurityMiddleware,
    SignedMessages,
    csrf_guard,
)


def create_app(settings: Settings, *, vault: Vault | None = None, hsts: bool = False) -> FastAPI:
    """The data room over ``settings``' home; a given ``vault`` is used (and not closed)."""
    owned = vault is None
    store = vault if vault is not None else open_vault(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            store.close()

    app = FastAPI(
        title="baomi data room",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_guard)],
    )
    app.state.settings = settings
    app.state.vault = store
    # the rate limits per address count in the database: one count for every process
    app.state.login_throttle = auth.throttle(store)
    app.state.request_throttle = requests.throttle(store)
    app.state.survey_throttle = govern_surveys.throttle(store)
    app.state.setup_links = users.held_links(store)  # the users page's new links, shown once
    app.add_middleware(NulGuard)
    app.add_middleware(SignedMessages, key=lambda: message_key(store))
    app.add_middleware(SecurityMiddleware, hsts=hsts)  # headers on every answer
    # added last: runs first. A trusted proxy's X-Forwarded-For is the client's address (what
    # the rate limits count); uvicorn is started without its own (baomi serve).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxies())
    app.mount("/static", StaticFiles(directory=str(files("baomi.web") / "static")), name="static")
    for router in (
        health.router,
        auth.api,
        auth.pages,
        rooms.api,
        rooms.pages,
        documents.api,
        documents.pages,
        audit.api,
        audit.pages,
        exchange.api,
        exchange.pages,
        comply_crossborder.api,
        comply_crossborder.pages,
        comply_pia.api,
        comply_pia.pages,
        users.api,
        users.pages,
        comply.api,
        comply.pages,
        incidents.api,
        incidents.pages,
        drills.api,
        drills.pages,
        requests.api,
        requests.pages,
        comply_notices.api,
        comply_notices.pages,
        comply_checklist.api,
        comply_checklist.pages,
        comply_vendors.api,
        comply_vendors.pages,
        manage.pages,
        home.pages,
        comply_reports.api,
        comply_reports.pages,
        govern.api,
        govern.pages,
        govern_training.api,
        govern_training.pages,
        govern_audits.api,
        govern_audits.pages,
        govern_surveys.api,
        govern_surveys.pages,
        govern_policies.api,
        govern_policies.pages,
        notifications.api,
        notifications.pages,
    ):
        app.include_router(router)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        allow = _allowed(app, request.url.path) if exc.status_code == 405 else ""
        if allow:  # Starlette names the methods of the first matching route only
            exc.headers = {**(exc.headers or {}), "Allow": allow}
        if exc.status_code == 404 and (
            not request.url.path.startswith("/api/") or _is_page(request)
        ):
            # an address outside the API that names nothing (or a page's own 404) answers a
            # page, not the framework's {"detail": "Not Found"}
            said = exc.detail if isinstance(exc.detail, str) and exc.detail != "Not Found" else ""
            return _error_page(request, 404, said or tr("没有这个页面", "There is no such page"))
        if isinstance(exc.detail, str) and (_is_page(request) or form_errors.is_form(request)):
            # a page or a page's form refused before its handler (its CSRF token, a rate
            # limit) answers a page in words, not the framework's JSON
            page = _error_page(request, exc.status_code, exc.detail)
            page.headers.update(exc.headers or {})  # Retry-After, Allow
            return page
        return await http_exception_handler(request, exc)

    @app.exception_handler(PermissionDeniedError)
    async def _denied(request: Request, exc: PermissionDeniedError) -> Response:
        if _is_page(request) or form_errors.is_form(request):
            return _error_page(request, 403, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        if _is_page(request) or form_errors.is_form(request):
            return _error_page(request, 404, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(InputError)
    async def _bad_input(request: Request, exc: InputError) -> Response:
        if _is_page(request) or form_errors.is_form(request):
            return _error_page(request, 400, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # the refusal first, for a page's form and the API alike: whoever may not perform the
        # route's action gets the refusal it would get with a valid input, and learns nothing
        # of what the route takes (its choices, its limits)
        user = await run_in_threadpool(optional_user, request)
        if user is None and form_errors.acts(request) and request.url.path.startswith("/api/"):
            # the same as the route's CurrentUser would say (JSON that does not parse is
            # refused before any dependency runs)
            return await _http(
                request, StarletteHTTPException(401, tr("请先登录", "sign in first"))
            )
        try:
            await run_in_threadpool(form_errors.refuse_first, request, user)
        except NotFoundError as hidden:  # a room the user is not in: as a missing deal
            return await _not_found(request, hidden)
        except PermissionDeniedError as denied:
            return await _denied(request, denied)
        except InputError as state:  # the room's state (a deal without a room): as with any body
            return await _bad_input(request, state)
        if _is_page(request) or form_errors.is_form(request):
            # a page's form answers a page: each field and its limit in words, never the value
            return _error_page(request, 422, form_errors.describe(exc.errors()))
        # never echo the input back: it may be a password or a person's identifier
        errors = [
            {"loc": e.get("loc"), "type": e.get("type"), "msg": e.get("msg")} for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    return app


def from_environment() -> FastAPI:
    """The data room over the settings the ``BAOMI_*`` environment names: what each worker of
    ``baomi serve --workers N`` serves (the command puts its settings there,
    :meth:`Settings.as_environment`, before the workers start)."""
    return create_app(Settings())


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _is_page(request: Request) -> bool:
    """A request of a page from a browser: its errors are pages too. So is a browser following
    a link a page gives into the API (a document's download: a GET asking for HTML first);
    the API's own clients, asking for JSON or anything, get JSON."""
    accept = request.headers.get("accept", "")
    if request.url.path.startswith("/api/"):
        return request.method == "GET" and accept.startswith("text/html")
    return "text/html" in accept


def _error_page(request: Request, status: int, message: str) -> Response:
    from baomi.web.pages import render

    titles = {
        400: tr("无法完成", "That did not work"),
        403: tr("无权访问", "Not allowed"),
        404: tr("没有找到", "Not found"),
        422: tr("表单有误", "The form is not valid"),
    }
    title = titles.get(status, tr("出错了", "Something went wrong"))
    return render(request, "error.html", status_code=status, title=title, message=message)


def _allowed(app: FastAPI, path: str) -> str:
    """Every method the API documents for ``path`` (RFC 9110 §15.5.6: a 405 lists them all)."""
    found: set[str] = set()
    for template, item in app.openapi()["paths"].items():
        if compile_path(template)[0].match(path):
            found |= {m.upper() for m in item if m.upper() in _METHODS}
    if "GET" in found:
        found.add("HEAD")
    return ", ".join(m for m in _METHODS if m in found)
