"""The permission table over HTTP: every role × every data-room endpoint, 403 exactly where
:data:`~baomi.services.permissions.PERMISSIONS` says no (404 for a role that neither holds a
seat nor runs rooms: a room it is not in is not found, as a missing deal is).

:data:`ENDPOINTS` declares, once, which :class:`Action` each API route (``/api/…``) exercises (``None``:
no role decides — public, or any signed-in user); a route missing from it fails
:func:`test_every_api_route_is_declared`, so a new endpoint cannot go untested.

One room is prepared per module so that nothing but the role table can refuse: a user per seat
(each role on every side it fits, plus the administrator and the operator, who have no seat),
the NDA accepted by all, the deal in due diligence, a download grant for every side, one small
document. Each request is harmless when allowed (a duplicate, an unknown id, an empty file) so
the cases do not depend on each other's order.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
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
from baomi.services.permissions import COMPANY_ONLY, PERMISSIONS, Action, Role
from baomi.web import routers as web_routers
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
    file_field: str = "files"  # the multipart field the upload goes in
    room: bool = True  # inside a deal's room (False: the company's, e.g. drills)


#: every JSON endpoint lives under this prefix (the data room's /api/v1)
API = "/api/"
ROOM = "/api/v1/rooms/{deal}"
COMPLY = "/api/v1/rooms/{deal}/comply"
INCIDENT = ROOM + "/incidents/{incident}"
NO_INCIDENT = f"/api/v1/rooms/{DEAL}/incidents/no-such-incident"
NOTICES = "/api/v1/rooms/{deal}/comply/notices"
#: what a responder enters to draft an incident's notices and report
NOTICE_FACTS = {
    "categories": "姓名",
    "cause": "误发",
    "harm": "骚扰",
    "measures": "撤回",
    "advice": "留意",
    "contact": "400",
    "company": "矩阵科技",
}
TRAINING = "/api/v1/govern/training"
USER = "/api/v1/users/{username}"
NO_USER = "/api/v1/users/no.such.user"
AUDITS = "/api/v1/govern/audits"
NO_AUDIT = AUDITS + "/no-such-audit"

#: Every API route (/api/…) and the action it exercises — the one list the matrix is built from.
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
    # the users page's twins: an unknown user, so that an allowed request changes nothing
    Endpoint(
        "POST",
        USER + "/setup-link",
        Action.USER_SETUP_LINK,
        room=False,
        url=NO_USER + "/setup-link",
    ),
    Endpoint("POST", USER + "/disable", Action.USER_DISABLE, room=False, url=NO_USER + "/disable"),
    Endpoint("POST", USER + "/enable", Action.USER_ENABLE, room=False, url=NO_USER + "/enable"),
    Endpoint("POST", USER + "/unlock", Action.USER_UNLOCK, room=False, url=NO_USER + "/unlock"),
    Endpoint(
        "POST",
        USER + "/reset-totp",
        Action.USER_RESET_TOTP,
        room=False,
        url=NO_USER + "/reset-totp",
    ),
    Endpoint("GET", ROOM + "/members", Action.MEMBER_LIST),
    Endpoint(
        "DELETE",
        ROOM + "/members/{username}",
        Action.MEMBER_REMOVE,
        url=f"/api/v1/rooms/{DEAL}/members/no.such.user",
    ),
    Endpoint("GET", ROOM + "/grants", Action.GRANT_LIST),
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
    Endpoint("GET", COMPLY + "/profile", Action.COMPLY_VIEW),
    Endpoint(
        "PUT", COMPLY + "/profile", Action.COMPLY_EDIT, body=lambda s: {"transfer_type": "merger"}
    ),
    Endpoint("GET", COMPLY + "/company", Action.COMPLY_VIEW),
    Endpoint("PUT", COMPLY + "/company", Action.COMPLY_EDIT, body=lambda s: {"staff": 10}),
    Endpoint("GET", COMPLY + "/obligations", Action.COMPLY_VIEW),
    Endpoint("GET", COMPLY + "/packages", Action.COMPLY_VIEW),
    Endpoint("GET", COMPLY + "/duties", Action.COMPLY_VIEW),
    Endpoint("GET", COMPLY + "/exposure", Action.COMPLY_VIEW),
    # reports (the seller's side, its counsel, the platform and auditors read them)
    Endpoint("GET", COMPLY + "/inventory", Action.COMPLY_VIEW),
    Endpoint("GET", COMPLY + "/inventory/download", Action.COMPLY_VIEW),
    Endpoint(
        "GET",
        COMPLY + "/reports/{kind}",
        Action.COMPLY_VIEW,
        url=f"/api/v1/rooms/{DEAL}/comply/reports/overview?format=json",
    ),
    Endpoint("GET", COMPLY + "/provisions", Action.COMPLY_VIEW),
    Endpoint(
        "POST",
        COMPLY + "/provisions",
        Action.COMPLY_EDIT,
        body=lambda s: {"recipient": "矩阵顾问", "region": "hong_kong", "individuals": 1},
    ),
    Endpoint("GET", COMPLY + "/crossborder", Action.COMPLY_VIEW),
    Endpoint("GET", ROOM + "/incidents", Action.INCIDENT_VIEW),
    Endpoint(
        "POST",
        ROOM + "/incidents",
        Action.INCIDENT_EDIT,
        body=lambda s: {"title": "矩阵测试事件", "individuals": 3},
    ),
    Endpoint("GET", INCIDENT, Action.INCIDENT_VIEW, url=NO_INCIDENT),
    Endpoint(
        "POST",
        INCIDENT + "/clocks",
        Action.INCIDENT_EDIT,
        url=NO_INCIDENT + "/clocks",
        body=lambda s: {"clock": "regulator"},
    ),
    Endpoint(
        "POST",
        INCIDENT + "/status",
        Action.INCIDENT_EDIT,
        url=NO_INCIDENT + "/status",
        body=lambda s: {"status": "handled"},
    ),
    Endpoint(
        "POST",
        INCIDENT + "/steps/{step}",
        Action.INCIDENT_EDIT,
        url=NO_INCIDENT + "/steps/isolate",
        body=lambda s: {"tick": ["revoke_access"]},
    ),
    Endpoint(
        "POST",
        INCIDENT + "/notices",
        Action.INCIDENT_VIEW,
        url=NO_INCIDENT + "/notices",
        body=lambda s: NOTICE_FACTS,
    ),
    Endpoint(
        "POST",
        INCIDENT + "/report",
        Action.INCIDENT_VIEW,
        url=NO_INCIDENT + "/report",
        body=lambda s: NOTICE_FACTS,
    ),
    Endpoint(
        "POST",
        INCIDENT + "/attribution",
        Action.INCIDENT_EDIT,
        url=NO_INCIDENT + "/attribution",
        files=True,
        file_field="sample",
    ),
    Endpoint(
        "PUT",
        "/api/v1/users/{username}/department",
        Action.USER_DEPARTMENT,
        room=False,
        url="/api/v1/users/no.such.user/department",
        body=lambda s: {"department": "legal"},
    ),
    Endpoint("GET", "/api/v1/govern/calendar", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", "/api/v1/govern/dashboard", Action.GOVERN_VIEW, room=False),
    # training: one's own (training.take), the dashboard and assignments (govern.*)
    Endpoint("GET", TRAINING + "/courses", Action.TRAINING_TAKE, room=False),
    Endpoint(
        "GET",
        TRAINING + "/courses/{course}",
        Action.TRAINING_TAKE,
        room=False,
        url=TRAINING + "/courses/law",
    ),
    Endpoint(
        "POST",
        TRAINING + "/courses/{course}/attempts",
        Action.TRAINING_TAKE,
        room=False,
        url=TRAINING + "/courses/law/attempts",
        body=lambda s: {"answers": [0, 0]},  # too few: refused after the table
    ),
    Endpoint("GET", TRAINING + "/mine", Action.TRAINING_TAKE, room=False),
    Endpoint(
        "GET",
        TRAINING + "/attempts/{attempt}",
        Action.TRAINING_TAKE,
        room=False,
        url=TRAINING + "/attempts/no-such-attempt",
    ),
    Endpoint(
        "GET",
        TRAINING + "/attempts/{attempt}/certificate",
        Action.TRAINING_TAKE,
        room=False,
        url=TRAINING + "/attempts/no-such-attempt/certificate",
    ),
    Endpoint(
        "GET",
        TRAINING + "/verify/{code}",
        Action.GOVERN_VIEW,
        room=False,
        url=TRAINING + "/verify/" + "0" * 64,
    ),
    Endpoint("GET", TRAINING + "/assignments", Action.GOVERN_VIEW, room=False),
    Endpoint(
        "POST",
        TRAINING + "/assignments",
        Action.GOVERN_EDIT,
        room=False,
        body=lambda s: {"course": "law", "role": "seller"},
    ),
    Endpoint(
        "DELETE",
        TRAINING + "/assignments/{assignment}",
        Action.GOVERN_EDIT,
        room=False,
        url=TRAINING + "/assignments/no-such-assignment",
    ),
    Endpoint("GET", TRAINING + "/dashboard", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", TRAINING + "/dashboard/export", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", TRAINING + "/exports/assignments", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", AUDITS, Action.GOVERN_VIEW, room=False),
    Endpoint(
        "POST",
        AUDITS,
        Action.GOVERN_EDIT,
        room=False,
        body=lambda s: {  # a new auditor each time: the three-in-a-row rule never refuses
            "scope": "矩阵审计",
            "frequency_months": 12,
            "planned_for": "2026-07-01",
            "auditors": [uuid.uuid4().hex],
        },
    ),
    Endpoint("GET", AUDITS + "/findings/export", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", AUDITS + "/{audit}", Action.GOVERN_VIEW, room=False, url=NO_AUDIT),
    Endpoint(
        "GET", AUDITS + "/{audit}/report", Action.GOVERN_VIEW, room=False, url=NO_AUDIT + "/report"
    ),
    Endpoint(
        "POST",
        AUDITS + "/{audit}/complete",
        Action.GOVERN_AUDIT_RECORD,
        room=False,
        url=NO_AUDIT + "/complete",
        body=lambda s: {},
    ),
    Endpoint(
        "POST",
        AUDITS + "/{audit}/findings",
        Action.GOVERN_AUDIT_RECORD,
        room=False,
        url=NO_AUDIT + "/findings",
        body=lambda s: {"title": "发现", "severity": "low"},
    ),
    Endpoint(
        "POST",
        AUDITS + "/findings/{finding}/actions",
        Action.GOVERN_EDIT,
        room=False,
        url=AUDITS + "/findings/no-such-finding/actions",
        body=lambda s: {"text": "整改", "department": "legal", "due": "2026-08-01"},
    ),
    Endpoint(
        "POST",
        AUDITS + "/actions/{action}/done",
        Action.GOVERN_EDIT,
        room=False,
        url=AUDITS + "/actions/no-such-action/done",
    ),
    Endpoint(
        "POST",
        AUDITS + "/findings/{finding}/notes",
        Action.GOVERN_AUDIT_RECORD,
        room=False,
        url=AUDITS + "/findings/no-such-finding/notes",
        body=lambda s: {"text": "跟进"},
    ),
    Endpoint(
        "POST",
        AUDITS + "/findings/{finding}/close",
        Action.GOVERN_AUDIT_RECORD,
        room=False,
        url=AUDITS + "/findings/no-such-finding/close",
    ),
    Endpoint("GET", "/api/v1/govern/raci", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", "/api/v1/govern/raci/export", Action.GOVERN_VIEW, room=False),
    Endpoint(
        "PUT",
        "/api/v1/govern/raci/activities/{activity}",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/raci/activities/pia",
        body=lambda s: {"cells": {"hr": "C"}},
    ),
    # governance: policy reviews
    Endpoint("GET", "/api/v1/govern/policies", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", "/api/v1/govern/policies/export", Action.GOVERN_VIEW, room=False),
    Endpoint(
        "POST",
        "/api/v1/govern/policies",
        Action.GOVERN_EDIT,
        room=False,
        files=True,
        file_field="file",
    ),
    Endpoint(
        "GET",
        "/api/v1/govern/policies/{policy}",
        Action.GOVERN_VIEW,
        room=False,
        url="/api/v1/govern/policies/no-such-policy",
    ),
    Endpoint(
        "POST",
        "/api/v1/govern/policies/{policy}/versions",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/policies/no-such-policy/versions",
        files=True,
        file_field="file",
    ),
    Endpoint(
        "POST",
        "/api/v1/govern/policies/{policy}/reviews",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/policies/no-such-policy/reviews",
        body=lambda s: {"outcome": "ok"},
    ),
    Endpoint(
        "GET",
        "/api/v1/govern/policies/{policy}/file",
        Action.GOVERN_VIEW,
        room=False,
        url="/api/v1/govern/policies/no-such-policy/file",
    ),
    # notifications: everyone reads and marks their own
    Endpoint("GET", "/api/v1/notifications", Action.NOTIFICATION_READ, room=False),
    Endpoint("POST", "/api/v1/notifications/read", Action.NOTIFICATION_READ, room=False),
    Endpoint(
        "POST",
        "/api/v1/notifications/{notification}/read",
        Action.NOTIFICATION_READ,
        room=False,
        url="/api/v1/notifications/no-such-notification/read",
    ),
    Endpoint(
        "PUT",
        "/api/v1/users/{username}/email",
        Action.USER_CREATE,
        room=False,
        url="/api/v1/users/no.such.user/email",
        body=lambda s: {"email": "matrix@example.com"},
    ),
    # governance: customer surveys (the public form is a page, not an API route)
    Endpoint("GET", "/api/v1/govern/surveys", Action.GOVERN_VIEW, room=False),
    Endpoint("GET", "/api/v1/govern/surveys/export", Action.GOVERN_VIEW, room=False),
    Endpoint(
        "POST",
        "/api/v1/govern/surveys",
        Action.GOVERN_EDIT,
        room=False,
        body=lambda s: {"title": "矩阵问卷"},
    ),
    Endpoint(
        "GET",
        "/api/v1/govern/surveys/{survey}",
        Action.GOVERN_VIEW,
        room=False,
        url="/api/v1/govern/surveys/no-such-survey",
    ),
    Endpoint(
        "POST",
        "/api/v1/govern/surveys/{survey}/questions",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/surveys/no-such-survey/questions",
        body=lambda s: {"kind": "scale", "text": "满意度"},
    ),
    Endpoint(
        "POST",
        "/api/v1/govern/surveys/{survey}/status",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/surveys/no-such-survey/status",
        body=lambda s: {"status": "open"},
    ),
    Endpoint(
        "POST",
        "/api/v1/govern/surveys/{survey}/publish",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/surveys/no-such-survey/publish",
        body=lambda s: {"published": True},
    ),
    Endpoint(
        "GET",
        "/api/v1/govern/surveys/{survey}/results",
        Action.GOVERN_VIEW,
        room=False,
        url="/api/v1/govern/surveys/no-such-survey/results",
    ),
    Endpoint(
        "GET",
        "/api/v1/govern/surveys/{survey}/responses",
        Action.GOVERN_VIEW,
        room=False,
        url="/api/v1/govern/surveys/no-such-survey/responses",
    ),
    Endpoint(
        "POST",
        "/api/v1/govern/surveys/{survey}/actions",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/surveys/no-such-survey/actions",
        body=lambda s: {"text": "x", "department": "legal", "due": "2026-12-31"},
    ),
    Endpoint(
        "POST",
        "/api/v1/govern/surveys/actions/{action}/done",
        Action.GOVERN_EDIT,
        room=False,
        url="/api/v1/govern/surveys/actions/no-such-action/done",
    ),
    Endpoint("GET", "/api/v1/drills", Action.DRILL_VIEW, room=False),
    Endpoint(
        "POST",
        "/api/v1/drills",
        Action.DRILL_EDIT,
        room=False,
        body=lambda s: {"scenario": "矩阵演练", "scheduled_for": "2026-03-01"},
    ),
    Endpoint(
        "POST",
        "/api/v1/drills/{drill}/timings",
        Action.DRILL_EDIT,
        room=False,
        url="/api/v1/drills/no-such-drill/timings",
        body=lambda s: {"step": "isolate", "event": "start"},
    ),
    Endpoint(
        "POST",
        "/api/v1/drills/{drill}/finish",
        Action.DRILL_EDIT,
        room=False,
        url="/api/v1/drills/no-such-drill/finish",
        body=lambda s: {},
    ),
    Endpoint(
        "POST",
        "/api/v1/drills/{drill}/actions",
        Action.DRILL_EDIT,
        room=False,
        url="/api/v1/drills/no-such-drill/actions",
        body=lambda s: {"text": "x", "owner": "legal", "due": "2026-12-31"},
    ),
    # data-subject requests: the public submission (no role decides) and the staff's register
    Endpoint("POST", "/api/v1/requests", None, room=False),
    Endpoint("GET", "/api/v1/subject-requests", Action.REQUEST_VIEW, room=False),
    Endpoint(
        "POST",
        "/api/v1/subject-requests",
        Action.REQUEST_EDIT,
        room=False,
        body=lambda s: {"kind": "access", "contact": "matrix@example.com"},
    ),
    Endpoint(
        "GET",
        "/api/v1/subject-requests/{request_id}",
        Action.REQUEST_VIEW,
        room=False,
        url="/api/v1/subject-requests/no-such-request",
    ),
    Endpoint(
        "POST",
        "/api/v1/subject-requests/{request_id}/verifications",
        Action.REQUEST_EDIT,
        room=False,
        url="/api/v1/subject-requests/no-such-request/verifications",
        body=lambda s: {"method": "sms_code", "passed": True},
    ),
    Endpoint(
        "POST",
        "/api/v1/subject-requests/{request_id}/status",
        Action.REQUEST_EDIT,
        room=False,
        url="/api/v1/subject-requests/no-such-request/status",
        body=lambda s: {"status": "closed"},
    ),
    # one request: search a deal for the requester, the response package, correction/deletion
    Endpoint(
        "POST",
        "/api/v1/subject-requests/{request_id}/search",
        Action.SUBJECT_FIND,
        room=False,
        url="/api/v1/subject-requests/no-such-request/search",
        body=lambda s: {"deal": DEAL, "kind": "CN_MOBILE", "value": "13812345678"},
    ),
    Endpoint(
        "GET",
        "/api/v1/subject-requests/{request_id}/package",
        Action.SUBJECT_FIND,
        room=False,
        url="/api/v1/subject-requests/no-such-request/package",
    ),
    Endpoint(
        "POST",
        "/api/v1/subject-requests/{request_id}/apply",
        Action.SUBJECT_FIND,
        room=False,
        url="/api/v1/subject-requests/no-such-request/apply",
        body=lambda s: {},
    ),
    # the assessment (services/comply): the PIA, the six areas, the facts
    Endpoint("GET", COMPLY + "/facts", Action.COMPLY_VIEW),
    Endpoint("GET", COMPLY + "/risk", Action.COMPLY_VIEW),
    Endpoint("GET", COMPLY + "/risk/report", Action.COMPLY_VIEW),
    Endpoint(
        "PUT",
        COMPLY + "/risk/answers/{question}",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/risk/answers/management.rules",
        body=lambda s: {"answer": "partly"},
    ),
    Endpoint(
        "POST",
        COMPLY + "/risk/answers/{question}/evidence",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/risk/answers/management.rules/evidence",
        files=True,
    ),
    Endpoint("GET", COMPLY + "/pia", Action.COMPLY_VIEW),
    Endpoint("GET", COMPLY + "/pia/report", Action.COMPLY_VIEW),
    Endpoint(
        "PUT",
        COMPLY + "/pia/answers/{question}",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/pia/answers/pia.necessity",
        body=lambda s: {"answer": "仅必要字段"},
    ),
    Endpoint(
        "POST",
        COMPLY + "/pia/answers/{question}/evidence",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/pia/answers/pia.necessity/evidence",
        files=True,
    ),
    Endpoint(
        "POST",
        COMPLY + "/pia/risks",
        Action.COMPLY_EDIT,
        body=lambda s: {"title": "内部泄露", "impact": "high", "likelihood": "medium"},
    ),
    Endpoint(
        "DELETE",
        COMPLY + "/pia/risks/{risk_id}",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/pia/risks/no-such-risk",
    ),
    Endpoint(
        "POST",
        COMPLY + "/pia/complete",
        Action.COMPLY_EDIT,
        body=lambda s: {"officer": "甲", "legal": "乙", "management": "丙"},
    ),
    Endpoint("POST", COMPLY + "/pia/new", Action.COMPLY_EDIT),
    Endpoint(
        "GET",
        COMPLY + "/evidence/{evidence}",
        Action.COMPLY_VIEW,
        url=f"/api/v1/rooms/{DEAL}/comply/evidence/no-such-evidence",
    ),
    Endpoint("GET", NOTICES, Action.COMPLY_VIEW),
    Endpoint("GET", NOTICES + "/text", Action.COMPLY_VIEW),
    Endpoint("GET", NOTICES + "/tables", Action.NOTICE_EXPORT),
    Endpoint(
        "POST",
        NOTICES + "/export",
        Action.NOTICE_EXPORT,
        body=lambda s: {"document": s.doc, "format": "csv"},
    ),
    Endpoint("POST", NOTICES + "/import", Action.COMPLY_EDIT, files=True),
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
        url=f"/api/v1/rooms/{DEAL}/comply/checklist/items/policy.rules",
        body=lambda s: {"owner": "法务部"},
    ),
    Endpoint(
        "POST",
        COMPLY + "/checklist/items/{item}/evidence",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/checklist/items/policy.rules/evidence",
        files=True,
        file_field="file",
    ),
    Endpoint(
        "GET",
        COMPLY + "/checklist/files/{file}",
        Action.COMPLY_VIEW,
        url=f"/api/v1/rooms/{DEAL}/comply/checklist/files/no-such-file",
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
        url=f"/api/v1/rooms/{DEAL}/comply/vendors/no-such-vendor",
        body=lambda s: {"name": "矩阵顾问", "kind": "adviser"},
    ),
    Endpoint(
        "POST",
        COMPLY + "/vendors/{vendor}/files",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/vendors/no-such-vendor/files",
        files=True,
        file_field="file",
    ),
    Endpoint(
        "POST",
        COMPLY + "/vendors/{vendor}/end",
        Action.COMPLY_EDIT,
        url=f"/api/v1/rooms/{DEAL}/comply/vendors/no-such-vendor/end",
        body=lambda s: {"ending": "deleted", "confirmed_by": "李"},
    ),
    Endpoint("GET", COMPLY + "/vendor-reminders", Action.COMPLY_VIEW),
    Endpoint(
        "GET",
        COMPLY + "/vendor-files/{file}",
        Action.COMPLY_VIEW,
        url=f"/api/v1/rooms/{DEAL}/comply/vendor-files/no-such-file",
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
    """(method, path) of every API route (/api/…), into included routers (FastAPI ≥ 0.160 keeps an
    included router as one entry of ``app.routes``, holding ``original_router``)."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found |= _api_routes(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute) and (prefix + route.path).startswith(API):
            found |= {(method, prefix + route.path) for method in route.methods}
    return found


def test_every_api_route_is_declared(room: Room) -> None:
    """A new API endpoint without a row in ENDPOINTS fails here (and so gets one)."""
    declared = {(e.method, e.path) for e in ENDPOINTS}
    assert len(declared) == len(ENDPOINTS), "an endpoint is declared twice"
    routes = _api_routes(room.app.routes)
    in_schema = {
        (method.upper(), path)
        for path, item in room.app.openapi()["paths"].items()
        if path.startswith(API)
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
    if _allowed(endpoint, role, side):
        assert r.status_code != 403, f"{role} refused {endpoint.action}: {r.text}"
        assert r.status_code < 500, r.text
    else:
        assert r.status_code == _refusal(endpoint, role), (
            f"{role} not refused {endpoint.action}: {r.status_code}"
        )


def _allowed(endpoint: Endpoint, role: Role, side: Side | None) -> bool:
    """Whether the table (and the room's rules) let ``role`` seated on ``side`` use
    ``endpoint``; everything else about the room is prepared to let it through."""
    assert endpoint.action is not None
    sides = SIDE_ONLY.get(endpoint.action)  # the side rule (the buyer asks, the seller answers)
    # the company's own records (governance) are not for an account seated on the buyer's side
    # only: each user here holds the one seat it is named for
    company_only = endpoint.action in COMPANY_ONLY and side is Side.BUYER
    return (
        role in PERMISSIONS[endpoint.action]
        and (_reaches_rooms(role) or not endpoint.room)
        and (sides is None or side is None or side in sides)
        and not company_only
    )


def _refusal(endpoint: Endpoint, role: Role) -> int:
    """The status a refused ``role`` gets: 404 for a room when it neither holds a seat nor runs
    rooms (the room is not found, as a missing deal would be, so that its name cannot be
    probed: rooms.hidden), else 403."""
    return 404 if "{deal}" in endpoint.path and not _reaches_rooms(role) else 403


# --- a refused role learns nothing of what an endpoint takes -----------------------------------

#: a value no choice, number, date, flag or short text accepts
NO_SUCH = "no-such-choice-" + "x" * 600


def _routes(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, into included routers (as :func:`_api_routes`)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _routes(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute) and (prefix + route.path).startswith(API):
            yield prefix + route.path, route


def _mangled(value: Any) -> Any:
    """``value`` of a valid body turned into one its field refuses: an enum's or a short
    text's string no choice accepts, a number or a flag as words, a list or a map as a text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "many"
    return NO_SUCH  # a text, a flag, a list, a map


def _invalid_request(endpoint: Endpoint, route: APIRoute, room: Room) -> dict[str, Any]:
    """Keyword arguments for a request of ``endpoint`` whose input cannot be read: every query
    parameter the route takes set to :data:`NO_SUCH`, a JSON body with every field mangled
    (or no object at all), a multipart form without its fields."""
    kwargs: dict[str, Any] = {}
    query = {p.alias: NO_SUCH for p in route.dependant.query_params}
    if query:
        kwargs["params"] = query
    if endpoint.files or any(
        type(p.field_info).__name__ in ("File", "Form") for p in route.dependant.body_params
    ):
        kwargs["data"] = {"__": "x"}  # multipart, its fields and file missing
        kwargs["files"] = [("__", ("x.bin", io.BytesIO(b"x"), "application/octet-stream"))]
    elif route.dependant.body_params:
        body = endpoint.body(room) if endpoint.body is not None else {}
        kwargs["json"] = {k: _mangled(v) for k, v in body.items()} if body else ["no object"]
    return kwargs


def _takes_input(route: APIRoute) -> bool:
    return bool(route.dependant.body_params or route.dependant.query_params)


def _route_table(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    return {
        (method, path): route for path, route in _routes(app.routes) for method in route.methods
    }


def _input_routes() -> set[tuple[str, str]]:
    """(method, path) of the API routes that take a body or a query, from the routers' modules
    (the cases are chosen before the app is made)."""
    found: set[tuple[str, str]] = set()
    for module in pkgutil.iter_modules(web_routers.__path__):
        api = getattr(importlib.import_module(f"{web_routers.__name__}.{module.name}"), "api", None)
        if api is not None:
            found |= {
                (method, path)
                for path, route in _routes(api.routes)
                if _takes_input(route)
                for method in route.methods
            }
    return found


INPUT_ROUTES = _input_routes()
INVALID_CASES = [
    pytest.param(e, role, side, id=f"{e.method} {e.path} as {_username(role, side)}")
    for e in ENDPOINTS
    if e.action is not None and (e.method, e.path) in INPUT_ROUTES
    for role, side in SEATS
    if not _allowed(e, role, side)
]


@pytest.mark.parametrize(("endpoint", "role", "side"), INVALID_CASES)
def test_a_refused_role_is_refused_whatever_it_sends(
    room: Room, endpoint: Endpoint, role: Role, side: Side | None
) -> None:
    """A role the table refuses gets the same refusal with input that cannot be read (an enum
    value no choice has, a missing field, a query out of range) as with a valid one — never a
    422, which would tell it the schema's choices and limits."""
    route = _route_table(room.app)[(endpoint.method, endpoint.path)]
    url = endpoint.url or endpoint.path.replace("{deal}", DEAL).replace("{document}", room.doc)
    url = url.split("?")[0]  # the query is the invalid one
    headers = {"Authorization": f"Bearer {room.tokens[_username(role, side)]}"}
    r = room.client.request(
        endpoint.method, url, headers=headers, **_invalid_request(endpoint, route, room)
    )
    assert r.status_code == _refusal(endpoint, role), (
        f"{role} with an invalid input: {r.status_code} {r.text[:300]}"
    )
    assert NO_SUCH not in r.text
    assert "no-such-choice" not in r.text and "enum" not in r.text


def test_every_endpoint_that_takes_input_names_its_action(room: Room) -> None:
    """Each API route with a body or a query is marked with the action ENDPOINTS declares for
    it (``form_errors.form_action``): what the app asks the table when the input cannot be
    read, before it says what is wrong with it."""
    table = _route_table(room.app)
    assert {key for key, route in table.items() if _takes_input(route)} == INPUT_ROUTES
    wrong = {
        f"{e.method} {e.path}: {getattr(table[(e.method, e.path)].endpoint, 'form_action', None)}"
        for e in ENDPOINTS
        if e.action is not None
        and _takes_input(table[(e.method, e.path)])
        and getattr(table[(e.method, e.path)].endpoint, "form_action", None) is not e.action
    }
    assert wrong == set()


def test_a_malformed_body_from_a_refused_role_is_refused(room: Room) -> None:
    """Not even JSON that does not parse (FastAPI refuses it before any dependency runs) tells
    a refused role more than its refusal; nobody signed in hears "sign in first"."""
    headers = {
        "Authorization": f"Bearer {room.tokens[_username(Role.BUYER, Side.BUYER)]}",
        "Content-Type": "application/json",
    }
    r = room.client.post(f"/api/v1/rooms/{DEAL}/stage", headers=headers, content=b"{nope")
    assert r.status_code == 403, r.text
    r = room.client.post("/api/v1/users", headers=headers, content=b"{nope")
    assert r.status_code == 403, r.text
    # nor a path parameter no choice has (a report's kind)
    r = room.client.get(f"/api/v1/rooms/{DEAL}/comply/reports/{NO_SUCH}", headers=headers)
    assert r.status_code == 403, r.text
    anonymous = {"Content-Type": "application/json"}
    r = room.client.post("/api/v1/users", headers=anonymous, content=b"{nope")
    assert r.status_code == 401, r.text
