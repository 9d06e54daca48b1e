"""Customer notices of a deal (PIPL-22/23/39): the texts, the mail-merge export, sending status
imported back and the campaign — the JSON API and the page twins. Each handler calls one service;
the permission table decides (``comply.view``, ``comply.edit``, ``notice.export``)."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply import scope
from baomi.services.comply.notices import export as notices
from baomi.services.comply.notices import status
from baomi.services.comply.notices.records import CONSENT_ANSWERS, Status
from baomi.services.comply.notices.texts import Channel, NoticeKind, sms_limits
from baomi.services.comply.reports.model import Citation
from baomi.services.permissions import Action, Actor, allowed
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(
    prefix="/api/v1/rooms/{deal}/comply/notices",
    tags=["comply"],
    responses=errors(400, 401, 403, 404),
)
pages = APIRouter(include_in_schema=False)

#: The largest status file accepted (rows of ids, channels, statuses and times).
MAX_STATUS_BYTES = 20 * 1024 * 1024
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Lang = Literal["zh", "en"]


def _actor(vault: Vault, user: UserPublic, deal: str) -> Actor:
    return scope.seat_actor(vault, user, deal)


# --- the API -----------------------------------------------------------------------------------


class CitationPublic(BaseModel):
    rule_id: str
    source: str
    status: str
    unconfirmed: bool


class TextPublic(BaseModel):
    kind: NoticeKind
    recommended: NoticeKind
    channel: Channel
    lang: str
    title: str
    subject: str
    body: str
    chars: int
    segments: int
    consent_required: bool
    missing: list[str]
    citations: list[CitationPublic]


class CampaignPublic(BaseModel):
    notices: int
    exports: int
    imports: int
    by_kind: dict[str, int]
    channels: dict[str, dict[str, int]]
    unreached: int
    consent_required: int
    consented: int
    refused: int
    consent_pending: int
    reask_wait_hours: int
    citations: list[CitationPublic]


class TablePublic(BaseModel):
    id: str
    name: str
    columns: list[str]


class ExportIn(BaseModel):
    document: str = Field(max_length=300)
    format: Literal["csv", "xlsx"] = "xlsx"
    kind: NoticeKind | None = None
    lang: Lang = "zh"


class ImportPublic(BaseModel):
    import_id: str
    rows: int
    recorded: int
    unknown: int
    duplicates: int
    invalid: int
    problems: list[str]


def _cites(citations: tuple[Citation, ...]) -> list[CitationPublic]:
    return [
        CitationPublic(
            rule_id=c.rule_id, source=c.source, status=c.status, unconfirmed=c.unconfirmed
        )
        for c in citations
    ]


def _text(p: notices.Preview) -> TextPublic:
    t = p.text
    return TextPublic(
        kind=p.kind,
        recommended=p.recommended,
        channel=t.channel,
        lang=t.lang,
        title=t.title,
        subject=t.subject,
        body=t.body,
        chars=t.chars,
        segments=t.segments,
        consent_required=t.consent_required,
        missing=list(t.missing),
        citations=_cites(t.citations),
    )


def _campaign(c: status.Campaign) -> CampaignPublic:
    data = asdict(c)
    data.pop("deal_id")
    data["citations"] = _cites(c.citations)
    return CampaignPublic(**data)


@api.get("")
def campaign(deal: str, user: CurrentUser, vault: VaultDep) -> CampaignPublic:
    return _campaign(status.campaign(vault, actor=_actor(vault, user, deal), deal_ref=deal))


@api.get("/text")
@form_action(Action.COMPLY_VIEW)
def notice_text(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    channel: Channel = Channel.LETTER,
    kind: NoticeKind | None = None,
    lang: Lang = "zh",
) -> TextPublic:
    actor = _actor(vault, user, deal)
    shown = notices.preview(
        vault, actor=actor, deal_ref=deal, channel=channel, kind=kind, lang=lang
    )
    return _text(shown)


@api.get("/tables")
def notice_tables(deal: str, user: CurrentUser, vault: VaultDep) -> list[TablePublic]:
    found = notices.tables(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    return [TablePublic(id=t.id, name=t.name, columns=list(t.columns)) for t in found]


def _export_file(
    vault: Vault, actor: Actor, deal: str, body: ExportIn
) -> tuple[bytes, notices.ExportResult]:
    """The export written to a private temporary folder, read back and removed."""
    with tempfile.TemporaryDirectory(prefix="baomi-notices-") as tmp:
        out = Path(tmp) / f"notices.{body.format}"
        result = notices.export(
            vault,
            actor=actor,
            deal_ref=deal,
            document=body.document,
            out=out,
            kind=body.kind,
            lang=body.lang,
        )
        return out.read_bytes(), result


def _download(content: bytes, fmt: str, result: notices.ExportResult) -> Response:
    name = f"notices-{result.export_id}.{fmt}"
    return Response(
        content,
        media_type=_MEDIA[fmt],
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "x-baomi-notices": str(result.notices),
        },
    )


@api.post(
    "/export",
    response_class=Response,
    responses={200: {"content": {_MEDIA["csv"]: {}, _MEDIA["xlsx"]: {}}}},
)
@form_action(Action.NOTICE_EXPORT)
def notice_export(deal: str, body: ExportIn, user: CurrentUser, vault: VaultDep) -> Response:
    actor = _actor(vault, user, deal)
    content, result = _export_file(vault, actor, deal, body)
    return _download(content, body.format, result)


async def _read(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    out = []
    for f in files:
        data = await f.read(MAX_STATUS_BYTES + 1)
        if len(data) > MAX_STATUS_BYTES:
            raise HTTPException(status_code=413, detail=tr("文件过大", "the file is too large"))
        out.append((f.filename or "status.csv", data))
    return out


def _import_all(
    vault: Vault, actor: Actor, deal: str, payload: list[tuple[str, bytes]]
) -> list[status.ImportResult]:
    return [
        status.import_status(vault, actor=actor, deal_ref=deal, name=name, content=content)
        for name, content in payload
    ]


@api.post("/import", status_code=201, responses=errors(413))
@form_action(Action.COMPLY_EDIT)
async def notice_import(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    files: Annotated[list[UploadFile], File()],
) -> list[ImportPublic]:
    actor = _actor(vault, user, deal)
    payload = await _read(files)
    results = await run_in_threadpool(_import_all, vault, actor, deal, payload)
    return [ImportPublic(**{**asdict(r), "problems": list(r.problems)}) for r in results]


# --- the page ----------------------------------------------------------------------------------


def _back(deal: str, **query: str) -> RedirectResponse:
    qs = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return RedirectResponse(f"/rooms/{quote(deal)}/comply/notices" + (f"?{qs}" if qs else ""), 303)


@pages.get("/rooms/{deal}/comply/notices")
def notices_page(
    deal: str,
    request: Request,
    user: OptionalUser,
    vault: VaultDep,
    token: TokenDep,
    channel: Channel = Channel.LETTER,
    kind: Annotated[str, Query(max_length=20)] = "",  # "" (the form's first option): default
    lang: Lang = "zh",
    error: Annotated[str, Query(max_length=500)] = "",
    message: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = _actor(vault, user, deal)
    view = status.campaign(vault, actor=actor, deal_ref=deal)
    chosen = NoticeKind(kind) if kind in set(NoticeKind) else None
    try:
        shown: notices.Preview | None = notices.preview(
            vault, actor=actor, deal_ref=deal, channel=channel, kind=chosen, lang=lang
        )
    except InputError as exc:  # no transfer type yet: the page says so
        shown, error = None, error or str(exc)
    exports = allowed(actor, Action.NOTICE_EXPORT, view.deal_id)
    return render(
        request,
        "comply/notices.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        view=view,
        shown=shown,
        channel=channel.value,
        channels=[c.value for c in Channel],
        kinds=[k.value for k in NoticeKind],
        kind=chosen.value if chosen else "",
        notice_lang=lang,
        can_edit=allowed(actor, Action.COMPLY_EDIT, view.deal_id),
        tables=notices.tables(vault, actor=actor, deal_ref=deal) if exports else [],
        field_labels={f: notices.field_label(f) for f in notices.FIELD_ENTITIES},
        sms=sms_limits(),
        statuses=["pending", *(s.value for s in Status if s not in CONSENT_ANSWERS)],
        error=error,
        message=message,
    )


@pages.post("/rooms/{deal}/comply/notices/export")
@form_action(Action.NOTICE_EXPORT)
def export_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    document: Annotated[str, Form(max_length=300)],
    format: Annotated[Literal["csv", "xlsx"], Form()] = "xlsx",
    lang: Annotated[Lang, Form()] = "zh",
) -> Response:
    body = ExportIn(document=document, format=format, lang=lang)
    try:
        content, result = _export_file(vault, _actor(vault, user, deal), deal, body)
    except (InputError, PermissionDeniedError) as exc:
        return _back(deal, error=str(exc))
    return _download(content, format, result)


@pages.post("/rooms/{deal}/comply/notices/import")
@form_action(Action.COMPLY_EDIT)
async def import_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    actor = _actor(vault, user, deal)
    try:
        payload = await _read(files)
        results = await run_in_threadpool(_import_all, vault, actor, deal, payload)
    except (InputError, PermissionDeniedError) as exc:
        return _back(deal, error=str(exc))
    lines = [
        tr(
            f"已记录 {r.recorded} 行（未知编号 {r.unknown}，重复 {r.duplicates}，无效 {r.invalid}）",
            f"recorded {r.recorded} rows (unknown ids {r.unknown}, duplicates {r.duplicates}, "
            f"invalid {r.invalid})",
        )
        for r in results
    ] + [p for r in results for p in r.problems]
    return _back(deal, message="\n".join(lines))
