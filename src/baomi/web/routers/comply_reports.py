"""Reports in the data room: the deal's PI inventory as a page, as JSON and as a download
(HTML, PDF, XLSX), the reports' stylesheet, and :func:`report_download` for every other report.

- ``GET /api/v1/rooms/{deal}/comply/inventory`` — the inventory report's view model (JSON)
- ``GET /api/v1/rooms/{deal}/comply/inventory/download?format=pdf|xlsx|html|json`` — the file
- ``GET /rooms/{deal}/comply/inventory`` — the page (the report embedded, download links)
- ``GET /api/v1/rooms/{deal}/comply/reports/{kind}?format=pdf|xlsx|html|json`` — any report of
  the catalog (:mod:`baomi.services.comply.catalog`: overview, inventory, PIA, risk,
  cross-border, checklist, third parties, notices) as a file
- ``GET /comply/report.css`` — the reports' stylesheet (the CSP allows no inline style)

The service decides the permission (``comply.view``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply import catalog, scope
from baomi.services.comply.catalog import ReportKind
from baomi.services.comply.reports import inventory
from baomi.services.comply.reports.model import Report
from baomi.services.comply.reports.render import (
    ReportFormat,
    render,
    render_html_fragment,
    render_json,
    stylesheet,
)
from baomi.services.permissions import Action
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render as render_page
from baomi.web.responses import errors

api = APIRouter(prefix="/api/v1/rooms", tags=["reports"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)

MEDIA_TYPES: dict[ReportFormat, str] = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.JSON: "application/json",
}

#: ``responses=`` for a report download route (its 200 content types).
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}},
}


def report_download(report: Report, fmt: ReportFormat) -> Response:
    """``report`` as a file to download, named after its kind and subject."""
    name = f"{report.kind}-{report.subject}.{fmt.value}"
    return Response(
        render(report, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _inventory(vault: Vault, user: UserPublic, deal: str) -> Report:
    actor = scope.seat_actor(vault, user, deal)
    return inventory.deal_inventory_report(vault, actor=actor, deal_ref=deal)


@api.get("/{deal}/comply/inventory")
def inventory_report(deal: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(_inventory(vault, user, deal)))
    return data


@api.get("/{deal}/comply/inventory/download", response_class=Response, responses=DOWNLOAD_RESPONSES)
@form_action(Action.COMPLY_VIEW)
def inventory_download(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.PDF,
) -> Response:
    return report_download(_inventory(vault, user, deal), fmt)


@api.get("/{deal}/comply/reports/{kind}", response_class=Response, responses=DOWNLOAD_RESPONSES)
@form_action(Action.COMPLY_VIEW)
def report_file(
    deal: str,
    kind: ReportKind,
    user: CurrentUser,
    vault: VaultDep,
    fmt: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.PDF,
) -> Response:
    actor = scope.seat_actor(vault, user, deal)
    return report_download(catalog.build(vault, actor=actor, kind=kind, deal_ref=deal), fmt)


@pages.get("/rooms/{deal}/comply/inventory")
def inventory_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    report = _inventory(vault, user, deal)
    return render_page(
        request,
        "comply/inventory.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        report=Markup(render_html_fragment(report)),  # autoescaped by the reports' template
        formats=[f.value for f in ReportFormat],
    )


@pages.get("/comply/report.css")
def report_stylesheet() -> Response:
    return Response(stylesheet(), media_type="text/css; charset=utf-8")
