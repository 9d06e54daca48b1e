"""The error answers the JSON API declares in its OpenAPI document, in one place.

Every 4xx the API sends besides 422 is ``{"detail": "<message>"}`` (the exception handlers in
:mod:`baomi.web.app` and FastAPI's ``HTTPException``); routers declare the codes they can send
with :func:`errors` so that clients (and the schemathesis run in ``tests/web``) can rely on them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_MEANING = {
    400: "bad input: a malformed body, a rule of the room",
    401: "not signed in, or the session ended",
    403: "refused by the permission table or the room's state (NDA, stage, grant)",
    404: "not there (yet), or a room the user is not in: the same answer as a missing deal",
    413: "the upload is too large",
    429: "too many sign-in attempts from this address",
}


class ErrorOut(BaseModel):
    detail: str


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a router or route: each code with its meaning and :class:`ErrorOut`."""
    return {code: {"model": ErrorOut, "description": _MEANING[code]} for code in codes}
