"""Server-rendered pages: one Jinja2 environment loaded from the package, ``t(zh, en)`` for text.

Templates hold no logic beyond showing what the view gives them; nothing is fetched from the
internet (htmx and the style sheet are served from ``web/static``).
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from baomi import clock
from baomi.i18n import current_language, tr
from baomi.web.security import MESSAGE_PARAMS, MESSAGE_SIG

_PUNCTUATION = (
    ("colon", "：", ": "),
    ("lparen", "（", " ("),
    ("rparen", "）", ")"),
    ("comma", "，", ", "),
    ("semi", "；", "; "),
    ("stop", "。", ". "),
    ("listsep", "、", ", "),
)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("baomi.web", "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = tr
    # punctuation between a template's pieces, in the page's language: full-width marks in
    # Chinese, ASCII ones (with their spaces) in English
    for name, zh, en in _PUNCTUATION:
        env.globals[name] = partial(tr, zh, en)
    env.filters["cst"] = clock.shown  # times as read in China (UTC+8)
    env.filters["cst_day"] = clock.day  # a stored time's date in China
    env.filters["minutes"] = clock.minutes  # a duration for people
    return env


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    page = environment().get_template(template)
    user = context.get("user")
    if user is not None and "unread" not in context:  # the bell in the header
        from baomi.services.govern import notify

        context["unread"] = notify.unread_count(request.app.state.vault, user.username)
    html = page.render(
        request=request,
        lang=current_language(),
        path=request.url.path,
        kept_query=_kept_query(request),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def _kept_query(request: Request) -> str:
    """The page's query for its link in the other language: a filter or a choice stays; the
    language and a message from the address (said in this language, signed for this address)
    do not."""
    dropped = {"lang", MESSAGE_SIG, *MESSAGE_PARAMS}
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in dropped])


def back(path: str, error: str | None = None, *, notice: str | None = None) -> RedirectResponse:
    """Back to ``path`` after its form (POST-redirect-GET): with the refusal as ``?error=``, or
    what was done as ``?notice=`` (signed on the way: ``security.SignedMessages``)."""
    if error is not None:
        return RedirectResponse(f"{path}?error={quote(error)}", status_code=303)
    if notice is not None:
        return RedirectResponse(f"{path}?notice={quote(notice)}", status_code=303)
    return RedirectResponse(path, status_code=303)
