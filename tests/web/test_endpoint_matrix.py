"""The permission table over HTTP: every role × every data-room endpoint, 403 exactly where
:data:`~baomi.services.permissions.PERMISSIONS` says no.

:data:`ENDPOINTS` declares, once, which :class:`Action` each ``/api/`` route exercises (``None``:
no role decides — public, or any signed-in user); a route missing from it fails
:func:`test_every_api_route_is_declared`, so a new endpoint cannot go untested.

One room is prepared per module so that nothing but the role table can refuse: a user per seat
(each role on every side it fits, plus the administrator and the operator, who have no seat),
the NDA accepted by all, the deal in due diligence, a download grant for every side, one small
document. Each request is harmless when allowed (a duplicate, an unknown id, an empty file) so
the cases do not depend on each other's order.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from baomi.engine.protect.policy import DEFAULT_POLICY
from baomi.services import accounts
from baomi.services.dataroom import documents, grants, rooms
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom.demo import DEMO_USCC
from baomi.services.dataroom.rooms import RUNS_ROOMS, SIDE_ONLY, SIDE_ROLES, Level, Side
from baomi.services.permissions import PERMISSIONS, Action, Role
from baomi.web.app import create_app
from tests.web.room_support import SYSTEM, room_home, signed_in

DEAL = "矩阵-001"
CSV = "姓名,备注\n张三,甲\n李四,乙\n".encode()


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # the route's template, as in app.routes
    action: Action | None  # the table's row it exercises; None: no role decides
    url: str = ""  # the concrete request (default: the template with the room's deal)
    body: Callable[[Any], dict[str, Any]] | None = None  # JSON, from the shared state
    files: bool = False  # a multipart upload (an empty file: refused after the gate)
    file_field: str = "files"  # the upload's form field


ROOM = "/api/v1/rooms/{deal}"
COMPLY = "/api/deals/{deal}/comply"

#: Every /api/ route and the action it exercises — the one list the matrix is built from.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/api/v1/health", None),
    Endpoint("POST", "/api/v1/auth/login", None),
    Endpoint("POST", "/api/v1/auth/logout", None),
    Endpoint("GET", "/api/v1/auth/me", None),
    Endpoint("GET", "/api/v1/rooms", None),  # each user's own seats; nothing to refuse
    Endpoint(
        "POST",
        "/api/v1/rooms",
        Action.ROOM_OPEN,
        body=lambda s: {"deal": DEAL, "target_name": "矩阵科技有限公司", "target_uscc": DEMO_USCC},
    ),
    Endpoint("GET", ROOM, Action.ROOM_VIEW),
    Endpoint("POST", ROOM + "/stage", Action.ROOM_STAGE, body=lambda s: {"stage": "due_diligence"}),
    Endpoint(
        "POST",
        ROOM + "/members",
        Action.MEMBER_ADD,
        body=lambda s: {"username": "m.seller.seller", "side": "seller", "role": "seller"},
    ),
    Endpoint(
        "POST",
        ROOM + "/nda",
        Action.NDA_PUBLISH,
        body=lambda s: {"discloser": "卖方", "recipient": "买方"},
    ),
    Endpoint("GET", ROOM + "/nda", Action.NDA_ACCEPT),
    Endpoint(
        "POST",
        ROOM + "/nda/accept",
        Action.NDA_ACCEPT,
        body=lambda s: {"sha256": s.nda_sha256(), "name": "签署人"},
    ),
    Endpoint(
        "POST",
        ROOM + "/grants",
        Action.GRANT_SET,
        body=lambda s: {"side": "buyer", "folder": "/", "level": "download", "days": 30},
    ),
    Endpoint(
        "DELETE",
        ROOM + "/grants/{grant}",
        Action.GRANT_REVOKE,
        url=f"/api/v1/rooms/{DEAL}/grants/no-such-grant",
    ),
    Endpoint("GET", ROOM + "/documents", Action.DOC_VIEW),
    Endpoint("POST", ROOM + "/documents", Action.DOC_UPLOAD, files=True),
    Endpoint("GET", ROOM + "/documents/{document}/download", Action.DOC_DOWNLOAD),
    Endpoint("GET", ROOM + "/audit", Action.AUDIT_VIEW),
    Endpoint("GET", ROOM + "/audit.csv", Action.AUDIT_VIEW),
    Endpoint("POST", "/api/v1/auth/totp/start", None),
    Endpoint("POST", "/api/v1/auth/totp/confirm", None),
    Endpoint("GET", "/api/v1/users", Action.USER_CREATE),
    Endpoint(
        "POST",
        "/api/v1/users",
        Action.USER_CREATE,
        body=lambda s: {"username": f"new.{uuid.uuid4().hex[:8]}", "role": "counsel"},
    ),
    Endpoint(
        "PUT", ROOM + "/policy", Action.ROOM_POLICY, body=lambda s: {"policy": DEFAULT_POLICY}
    ),
    Endpoint("GET", ROOM + "/documents/{document}/preview", Action.DOC_VIEW),
    Endpoint("GET", ROOM + "/questions", Action.QA_VIEW),
    Endpoint("POST", ROOM + "/questions", Action.QA_ASK, body=lambda s: {"text": "名单是否完整？"}),
    Endpoint(
        "POST",
        ROOM + "/questions/{question}/answer",
        Action.QA_ANSWER,
        url=f"/api/v1/rooms/{DEAL}/questions/no-such-question/answer",
        body=lambda s: {"text": "完整"},
    ),
    Endpoint("GET", ROOM + "/copies", Action.COPY_LIST),
    Endpoint("GET", ROOM + "/copies/mine", Action.COPY_CONFIRM),
    Endpoint(
        "POST",
        ROOM + "/copies/confirm-deleted",
        Action.COPY_CONFIRM,
        body=lambda s: {"copies": ["no-such-copy"]},
    ),
    # the compliance checklist and the third-party register (the seller's side assesses)
    Endpoint("GET", COMPLY + "/checklist", Action.COMPLY_VIEW),
    Endpoint(
        "POST",
        COMPLY + "/checklist/items",
        Action.COMPLY_EDIT,
        body=lambda s: {"area": "staff", "title_zh": "矩阵条目"},
    ),
    Endpoint(
        "PATCH",
        COMPLY + "/checklist/items/{item}",
        Action.COMPLY_EDIT,
        url=f"/api/deals/{DEAL}/comply/checklist/items/policy.rules",
        body=lambda s: {"owner": "法务部"},
    ),
    Endpoint(
        "POST",
        COMPLY + "/checklist/items/{item}/evidence",
        Action.COMPLY_EDIT,
        url=f"/api/deals/{DEAL}/comply/checklist/items/policy.rules/evidence",
        files=True,
        file_field="file",
    ),
    Endpoint(
        "GET",
        COMPLY + "/checklist/files/{file}",
        Action.COMPLY_VIEW,
        url=f"/api/deals/{DEAL}/comply/checklist/files/no-such-file",
    ),
    Endpoint("GET", COMPLY + "/vendors", Action.COMPLY_VIEW),
    Endpoint(
        "POST",
        COMPLY + "/vendors",
        Action.COMPLY_EDIT,
        body=lambda s: {"name": "矩阵顾问", "kind": "adviser"},
    ),
    Endpoint(
        "PUT",
        COMPLY + "/vendors/{vendor}",
        Action.COMPLY_EDIT,
        url=f"/api/deals/{DEAL}/comply/vendors/no-such-vendor",
        body=lambda s: {"name": "矩阵顾问", "kind": "adviser"},
    ),
    Endpoint(
        "POST",
        COMPLY + "/vendors/{vendor}/files",
        Action.COMPLY_EDIT,
        url=f"/api/deals/{DEAL}/comply/vendors/no-such-vendor/files",
        files=True,
        file_field="file",
    ),
    Endpoint(
        "POST",
        COMPLY + "/vendors/{vendor}/end",
        Action.COMPLY_EDIT,
        url=f"/api/deals/{DEAL}/comply/vendors/no-such-vendor/end",
        body=lambda s: {"ending": "deleted", "confirmed_by": "李"},
    ),
    Endpoint("GET", COMPLY + "/vendor-reminders", Action.COMPLY_VIEW),
    Endpoint(
        "GET",
        COMPLY + "/vendor-files/{file}",
        Action.COMPLY_VIEW,
        url=f"/api/deals/{DEAL}/comply/vendor-files/no-such-file",
    ),
)


def _seats() -> list[tuple[Role, Side | None]]:
    """Each role on every side it fits; the roles no side takes, without a seat."""
    seated = [(role, side) for side, fits in SIDE_ROLES.items() for role in sorted(fits)]
    placed = {role for role, _ in seated}
    return seated + [(role, None) for role in Role if role not in placed]


SEATS = _seats()


def _username(role: Role, side: Side | None) -> str:
    return f"m.{role.value}.{side.value if side else 'none'}"


def _reaches_rooms(role: Role) -> bool:
    """A role acts in a room when it can hold a seat there or runs rooms without one."""
    return role in RUNS_ROOMS or any(role in fits for fits in SIDE_ROLES.values())


class Room:
    """The module's prepared room, its users' bearer tokens and the shared client."""

    def __init__(
        self, app: FastAPI, client: TestClient, vault: Any, tokens: dict[str, str], doc: str
    ) -> None:
        self.app, self.client, self.vault = app, client, vault
        self.tokens, self.doc = tokens, doc

    def nda_sha256(self) -> str:
        seat = rooms.Seat(SYSTEM, None)
        current = ndas.current_nda(self.vault, seat, DEAL)
        assert current is not None
        return current[2]

    def accept_all(self) -> None:
        """Every seat accepts the current NDA (again, after a publish made a new version)."""
        sha = self.nda_sha256()
        for role, side in SEATS:
            if side is not None:
                user = accounts.session_user(self.vault, self.tokens[_username(role, side)])
                assert user is not None
                seat = rooms.seat(self.vault, user, DEAL)
                ndas.accept_nda(self.vault, seat, DEAL, text_sha256=sha, name="签署人")


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    with room_home(tmp_path_factory.mktemp("matrix"), DEAL) as (settings, vault):
        tokens: dict[str, str] = {}
        for role, side in SEATS:
            name = _username(role, side)
            tokens[name] = signed_in(vault, name, role)
            if side is not None:
                rooms.add_member(
                    vault, actor=SYSTEM, deal_ref=DEAL, username=name, side=side, role=role
                )
        ndas.publish_nda(vault, actor=SYSTEM, deal_ref=DEAL, discloser="卖方", recipient="买方")
        for side in Side:
            grants.set_grant(
                vault,
                actor=SYSTEM,
                deal_ref=DEAL,
                side=side,
                folder="/",
                level=Level.DOWNLOAD,
                days=30,
            )
        (doc,) = documents.upload(
            vault,
            rooms.Seat(SYSTEM, None),
            DEAL,
            [("名单.csv", CSV)],
            folder="资料",
            scanner=lambda _: {},
        )
        app = create_app(settings, vault=vault)
        with TestClient(app) as client:
            prepared = Room(app, client, vault, tokens, doc.id)
            prepared.accept_all()
            yield prepared


def _api_routes(routes: Iterable[BaseRoute], prefix: str = "") -> set[tuple[str, str]]:
    """(method, path) of every /api/ route, into included routers (FastAPI ≥ 0.160 keeps an
    included router as one entry of ``app.routes``, holding ``original_router``)."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found |= _api_routes(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute) and (prefix + route.path).startswith("/api/"):
            found |= {(method, prefix + route.path) for method in route.methods}
    return found


def test_every_api_route_is_declared(room: Room) -> None:
    """A new /api/ endpoint without a row in ENDPOINTS fails here (and so gets one)."""
    declared = {(e.method, e.path) for e in ENDPOINTS}
    assert len(declared) == len(ENDPOINTS), "an endpoint is declared twice"
    routes = _api_routes(room.app.routes)
    in_schema = {
        (method.upper(), path)
        for path, item in room.app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in item
    }
    assert in_schema <= routes  # the walk found every documented endpoint
    assert routes - declared == set(), "endpoints without a row in ENDPOINTS"
    assert declared - routes == set(), "rows in ENDPOINTS for endpoints that no longer exist"


CASES = [
    pytest.param(e, role, side, id=f"{e.method} {e.path} as {_username(role, side)}")
    for e in ENDPOINTS
    if e.action is not None
    for role, side in SEATS
]


@pytest.mark.parametrize(("endpoint", "role", "side"), CASES)
def test_role_table_decides(room: Room, endpoint: Endpoint, role: Role, side: Side | None) -> None:
    assert endpoint.action is not None
    url = endpoint.url or endpoint.path.replace("{deal}", DEAL).replace("{document}", room.doc)
    headers = {"Authorization": f"Bearer {room.tokens[_username(role, side)]}"}
    kwargs: dict[str, Any] = {"headers": headers}
    if endpoint.body is not None:
        kwargs["json"] = endpoint.body(room)
    if endpoint.files:
        kwargs["files"] = [(endpoint.file_field, ("空.csv", io.BytesIO(b""), "text/csv"))]
    r = room.client.request(endpoint.method, url, **kwargs)
    if endpoint.action is Action.NDA_PUBLISH and r.status_code == 200:
        room.accept_all()  # a new version: everyone accepts it again, for the next cases
    sides = SIDE_ONLY.get(endpoint.action)  # the side rule (the buyer asks, the seller answers)
    allowed = (
        role in PERMISSIONS[endpoint.action]
        and _reaches_rooms(role)
        and (sides is None or side is None or side in sides)
    )
    if allowed:
        assert r.status_code != 403, f"{role} refused {endpoint.action}: {r.text}"
        assert r.status_code < 500, r.text
    else:
        assert r.status_code == 403, f"{role} not refused {endpoint.action}: {r.status_code}"
