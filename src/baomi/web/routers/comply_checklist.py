"""The compliance checklist and the third-party register of a deal's target company: the JSON
API (``/api/deals/{deal}/comply/checklist…``, ``…/vendors…``) and the pages with their forms
(``/deals/{deal}/comply/checklist``, ``/deals/{deal}/comply/vendors``).

Every handler finds the user's seat in the deal and calls one service; the services decide the
permission (``comply.view`` to read, ``comply.edit`` to change).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply import checklist as cl
from baomi.services.comply import scope
from baomi.services.comply import vendors as vd
from baomi.services.comply.reports.checklist import build_checklist_report, percent
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action, Actor, allowed
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(prefix="/api/deals", tags=["checklist", "vendors"], responses=errors(400, 401, 403))
pages = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=200)]
Notes = Annotated[str, Form(max_length=cl.MAX_NOTES)]


def _actor(vault: Vault, user: UserPublic, deal: str) -> Actor:
    return scope.seat_actor(vault, user, deal)


async def _read(request: Request, upload: UploadFile) -> tuple[str, bytes]:
    if int(request.headers.get("content-length") or 0) > scope.MAX_FILE_BYTES + 1024 * 1024:
        raise HTTPException(status_code=413, detail=tr("上传内容过大", "the upload is too large"))
    return upload.filename or "", await upload.read(scope.MAX_FILE_BYTES + 1)


def _download(vault: Vault, user: UserPublic, deal: str, file: str) -> Response:
    name, content = scope.read_file(
        vault, actor=_actor(vault, user, deal), deal_ref=deal, file_id=file
    )
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}},
    400: {},
    403: {},
}


# --- checklist API -----------------------------------------------------------------------------


class FilePublic(BaseModel):
    id: str
    name: str
    size: int
    sha256: str
    created_at: str
    created_by: str


class ItemPublic(BaseModel):
    id: str
    key: str
    area: cl.Area
    title_zh: str
    title_en: str
    rules: list[str]
    clause: str
    status: cl.Status
    owner: str
    due: _dt.date | None
    notes: str
    overdue: bool
    evidence: list[FilePublic]
    updated_at: str
    updated_by: str


class AreaScorePublic(BaseModel):
    area: cl.Area
    done: int
    applicable: int
    items: int
    score: float | None


class TrendPointPublic(BaseModel):
    seq: int
    taken_at: str
    score: float | None


class ChecklistPublic(BaseModel):
    uscc: str
    today: _dt.date
    score: float | None
    areas: list[AreaScorePublic]
    items: list[ItemPublic]
    trend: list[TrendPointPublic]


class ItemCreate(BaseModel):
    area: cl.Area
    title_zh: str = Field(min_length=1, max_length=cl.MAX_TITLE)
    title_en: str = Field(default="", max_length=cl.MAX_TITLE)
    clause: str = Field(default="", max_length=200)
    owner: str = Field(default="", max_length=cl.MAX_OWNER)
    due: _dt.date | None = None
    notes: str = Field(default="", max_length=cl.MAX_NOTES)


class ItemUpdate(BaseModel):
    status: cl.Status | None = None
    owner: str | None = Field(default=None, max_length=cl.MAX_OWNER)
    due: _dt.date | None = None
    clear_due: bool = False
    notes: str | None = Field(default=None, max_length=cl.MAX_NOTES)


def _item(i: cl.Item) -> ItemPublic:
    return ItemPublic(**asdict(i) | {"rules": list(i.rules)})


def _checklist(c: cl.Checklist) -> ChecklistPublic:
    return ChecklistPublic(
        uscc=c.uscc,
        today=c.today,
        score=c.score.overall,
        areas=[AreaScorePublic(**asdict(a), score=a.score) for a in c.score.areas],
        items=[_item(i) for i in c.items],
        trend=[TrendPointPublic(**asdict(p)) for p in c.trend],
    )


@api.get("/{deal}/comply/checklist")
def get_checklist(deal: str, user: CurrentUser, vault: VaultDep) -> ChecklistPublic:
    return _checklist(cl.checklist(vault, actor=_actor(vault, user, deal), deal_ref=deal))


@api.post("/{deal}/comply/checklist/items", status_code=201)
def add_item(deal: str, body: ItemCreate, user: CurrentUser, vault: VaultDep) -> ItemPublic:
    actor = _actor(vault, user, deal)
    return _item(cl.add_item(vault, actor=actor, deal_ref=deal, **body.model_dump()))


@api.patch("/{deal}/comply/checklist/items/{item}")
def set_item(
    deal: str, item: str, body: ItemUpdate, user: CurrentUser, vault: VaultDep
) -> ItemPublic:
    actor = _actor(vault, user, deal)
    return _item(cl.set_item(vault, actor=actor, deal_ref=deal, item=item, **body.model_dump()))


@api.post(
    "/{deal}/comply/checklist/items/{item}/evidence",
    status_code=201,
    responses=errors(400, 401, 403, 413),
)
async def add_evidence(
    deal: str,
    item: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile, File()],
) -> FilePublic:
    name, content = await _read(request, file)
    actor = _actor(vault, user, deal)
    got = cl.add_evidence(vault, actor=actor, deal_ref=deal, item=item, name=name, content=content)
    return FilePublic(**asdict(got))


@api.get(
    "/{deal}/comply/checklist/files/{file}", response_class=Response, responses=_FILE_RESPONSES
)
def checklist_file(deal: str, file: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _download(vault, user, deal, file)


# --- vendors API -------------------------------------------------------------------------------


class VendorIn(BaseModel):
    name: str = Field(min_length=1, max_length=vd.MAX_NAME)
    kind: vd.Kind
    contact: str = Field(default="", max_length=vd.MAX_CONTACT)
    criteria: list[str] = Field(default_factory=list, max_length=50)
    nda_signed: bool = False
    nda_date: _dt.date | None = None
    contract: list[str] = Field(default_factory=list, max_length=50)
    quality: int | None = Field(default=None, ge=1, le=5)
    security: int | None = Field(default=None, ge=1, le=5)
    contract_start: _dt.date | None = None
    contract_end: _dt.date | None = None
    buyer_of: str | None = Field(default=None, max_length=200)

    def data(self) -> vd.VendorInput:
        fields = self.model_dump()
        return vd.VendorInput(
            **fields | {"criteria": tuple(self.criteria), "contract": tuple(self.contract)}
        )


class VendorPublic(BaseModel):
    id: str
    name: str
    kind: vd.Kind
    contact: str
    deal_id: str | None
    deal_name: str | None
    criteria: list[str]
    nda_signed: bool
    nda_date: _dt.date | None
    contract: list[str]
    missing_contract: list[str]
    quality: int | None
    security: int | None
    contract_start: _dt.date | None
    contract_end: _dt.date | None
    risk: int
    band: str
    closed_at: str | None
    ending: vd.Ending | None
    confirmed_by: str | None
    confirmed_on: _dt.date | None
    files: dict[str, list[FilePublic]]


class VendorEnd(BaseModel):
    ending: vd.Ending
    confirmed_by: str = Field(min_length=1, max_length=vd.MAX_NAME)
    confirmed_on: _dt.date | None = None


class RemindersPublic(BaseModel):
    on: _dt.date
    days: int
    ending_soon: list[VendorPublic]
    ended_unconfirmed: list[VendorPublic]


def _vendor(v: vd.VendorInfo) -> VendorPublic:
    return VendorPublic(
        **{k: getattr(v, k) for k in VendorPublic.model_fields if hasattr(v, k)}
        | {
            "criteria": list(v.criteria),
            "contract": list(v.contract),
            "missing_contract": list(v.missing_contract),
            "files": {p: [FilePublic(**asdict(f)) for f in fs] for p, fs in v.files.items()},
        }
    )


@api.get("/{deal}/comply/vendors")
def list_vendors(deal: str, user: CurrentUser, vault: VaultDep) -> list[VendorPublic]:
    return [_vendor(v) for v in vd.vendors(vault, actor=_actor(vault, user, deal), deal_ref=deal)]


@api.post("/{deal}/comply/vendors", status_code=201)
def add_vendor(deal: str, body: VendorIn, user: CurrentUser, vault: VaultDep) -> VendorPublic:
    actor = _actor(vault, user, deal)
    return _vendor(vd.save_vendor(vault, actor=actor, deal_ref=deal, data=body.data()))


@api.put("/{deal}/comply/vendors/{vendor}")
def set_vendor(
    deal: str, vendor: str, body: VendorIn, user: CurrentUser, vault: VaultDep
) -> VendorPublic:
    actor = _actor(vault, user, deal)
    return _vendor(
        vd.save_vendor(vault, actor=actor, deal_ref=deal, vendor_id=vendor, data=body.data())
    )


@api.post(
    "/{deal}/comply/vendors/{vendor}/files",
    status_code=201,
    responses=errors(400, 401, 403, 413),
)
async def attach_vendor_file(
    deal: str,
    vendor: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile, File()],
    purpose: Annotated[vd.FilePurpose, Form()] = vd.FilePurpose.CONTRACT,
) -> FilePublic:
    name, content = await _read(request, file)
    got = vd.attach(
        vault,
        actor=_actor(vault, user, deal),
        deal_ref=deal,
        vendor_id=vendor,
        purpose=purpose,
        name=name,
        content=content,
    )
    return FilePublic(**asdict(got))


@api.post("/{deal}/comply/vendors/{vendor}/end")
def end_vendor(
    deal: str, vendor: str, body: VendorEnd, user: CurrentUser, vault: VaultDep
) -> VendorPublic:
    closed = vd.close_vendor(
        vault,
        actor=_actor(vault, user, deal),
        deal_ref=deal,
        vendor_id=vendor,
        ending=body.ending,
        confirmed_by=body.confirmed_by,
        confirmed_on=body.confirmed_on,
    )
    return _vendor(closed)


@api.get("/{deal}/comply/vendor-reminders")
def vendor_reminders(
    deal: str, user: CurrentUser, vault: VaultDep, days: int | None = None
) -> RemindersPublic:
    if days is not None and not 0 <= days <= 3660:
        raise InputError(tr("天数须为 0–3660", "days must be 0–3660"))
    due = vd.reminders(vault, actor=_actor(vault, user, deal), deal_ref=deal, days=days)
    return RemindersPublic(
        on=due.on,
        days=due.days,
        ending_soon=[_vendor(v) for v in due.ending_soon],
        ended_unconfirmed=[_vendor(v) for v in due.ended_unconfirmed],
    )


@api.get("/{deal}/comply/vendor-files/{file}", response_class=Response, responses=_FILE_RESPONSES)
def vendor_file(deal: str, file: str, user: CurrentUser, vault: VaultDep) -> Response:
    return _download(vault, user, deal, file)


# --- pages -------------------------------------------------------------------------------------


def _page_base(deal: str, area: str) -> str:
    return f"/deals/{quote(deal)}/comply/{area}"


def _back(deal: str, area: str, error: str | None = None) -> Response:
    suffix = f"?error={quote(error)}" if error else ""
    return RedirectResponse(_page_base(deal, area) + suffix, status_code=303)


def _form_done(deal: str, area: str, work: Any) -> Response:
    try:
        work()
    except (InputError, PermissionDeniedError, ValueError) as exc:
        return _back(deal, area, str(exc))
    return _back(deal, area)


def _page(
    request: Request,
    vault: Vault,
    user: UserPublic | None,
    token: str | None,
    deal: str,
    template: str,
    build: Any,
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    context: dict[str, Any] = {
        "user": user,
        "csrf": accounts.csrf_token(vault, token),
        "deal": deal,
        "error": request.query_params.get("error"),
    }
    try:
        actor = _actor(vault, user, deal)
        context["can_edit"] = allowed(actor, Action.COMPLY_EDIT, rooms.deal_id(vault, deal))
        context |= build(actor)
    except PermissionDeniedError as exc:
        return render(request, template, status_code=403, denied=exc.reason, **context)
    return render(request, template, **context)


def trend_marks(
    values: tuple[float, ...], width: int = 600, height: int = 120
) -> list[tuple[float, float]]:
    """SVG coordinates of percentages 0–100 for the page's small trend line (a single point
    stands in the middle)."""
    if len(values) == 1:
        return [(width / 2, round(height - values[0] / 100 * height, 1))]
    step = width / max(len(values) - 1, 1)
    return [(round(i * step, 1), round(height - v / 100 * height, 1)) for i, v in enumerate(values)]


@pages.get("/deals/{deal}/comply/checklist")
def checklist_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    def build(actor: Actor) -> dict[str, Any]:
        view = cl.checklist(vault, actor=actor, deal_ref=deal)
        report = build_checklist_report(view)
        chart = report.sections[0].charts[0]
        marks = trend_marks(chart.values)
        areas = [
            {
                "title": a.title,
                "score": percent(next(s for s in view.score.areas if s.area is a.area).score),
                "items": view.area_items(a.area),
            }
            for a in cl.defaults().areas
        ]
        return {
            "view": view,
            "report": report,
            "areas": areas,
            "chart": chart,
            "marks": marks,
            "points": " ".join(f"{x},{y}" for x, y in marks),
            "statuses": [(s.value, s.label) for s in cl.Status],
            "area_choices": [(a.area.value, a.title) for a in cl.defaults().areas],
        }

    return _page(request, vault, user, token, deal, "comply/checklist.html", build)


@pages.post("/deals/{deal}/comply/checklist/items/{item}")
def set_item_form(
    deal: str,
    item: str,
    user: CurrentUser,
    vault: VaultDep,
    status: Short,
    owner: Annotated[str, Form(max_length=cl.MAX_OWNER)] = "",
    due: Annotated[str, Form(max_length=10)] = "",
    notes: Notes = "",
) -> Response:
    actor = _actor(vault, user, deal)
    return _form_done(
        deal,
        "checklist",
        lambda: cl.set_item(
            vault,
            actor=actor,
            deal_ref=deal,
            item=item,
            status=cl.Status(status),
            owner=owner,
            due=scope.parse_date(due, tr("截止日期", "due")),
            clear_due=not due.strip(),
            notes=notes,
        ),
    )


@pages.post("/deals/{deal}/comply/checklist/items/{item}/evidence")
async def evidence_form(
    deal: str,
    item: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    name, content = await _read(request, file)
    actor = _actor(vault, user, deal)
    return _form_done(
        deal,
        "checklist",
        lambda: cl.add_evidence(
            vault, actor=actor, deal_ref=deal, item=item, name=name, content=content
        ),
    )


@pages.post("/deals/{deal}/comply/checklist/items")
def add_item_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    area: Short,
    title_zh: Annotated[str, Form(max_length=cl.MAX_TITLE)],
    title_en: Annotated[str, Form(max_length=cl.MAX_TITLE)] = "",
    owner: Annotated[str, Form(max_length=cl.MAX_OWNER)] = "",
    due: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    actor = _actor(vault, user, deal)
    return _form_done(
        deal,
        "checklist",
        lambda: cl.add_item(
            vault,
            actor=actor,
            deal_ref=deal,
            area=cl.Area(area),
            title_zh=title_zh,
            title_en=title_en,
            owner=owner,
            due=scope.parse_date(due, tr("截止日期", "due")),
        ),
    )


@pages.get("/deals/{deal}/comply/vendors")
def vendors_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    def build(actor: Actor) -> dict[str, Any]:
        entries = vd.vendors(vault, actor=actor, deal_ref=deal)
        due = vd.reminders(vault, actor=actor, deal_ref=deal)
        cfg = vd.config()
        return {
            "vendors": entries,
            "reminders": due,
            "soon": {v.id for v in due.ending_soon},
            "late": {v.id for v in due.ended_unconfirmed},
            "kinds": [(k.key, k.title) for k in cfg.kinds],
            "kind_titles": {k.key: k.title for k in cfg.kinds},
            "criteria": [(c.key, c.title) for c in cfg.criteria],
            "contract": [(c.key, c.title) for c in cfg.contract],
            "contract_titles": {c.key: c.title for c in cfg.contract},
            "purposes": [
                (vd.FilePurpose.NDA.value, tr("保密协议", "NDA")),
                (vd.FilePurpose.CONTRACT.value, tr("委托处理合同", "contract")),
            ],
            "endings": [(e.value, e.label) for e in (vd.Ending.DELETED, vd.Ending.RETURNED)],
            "bands": {b: vd.band_label(b) for b in vd.BANDS},
        }

    return _page(request, vault, user, token, deal, "comply/vendors.html", build)


class VendorForm(BaseModel):
    """The page's form for a party (adding or changing it): texts as the browser sends them."""

    csrf_token: str = Field(default="", max_length=200)
    name: str = Field(max_length=vd.MAX_NAME)
    kind: str = Field(max_length=24)
    contact: str = Field(default="", max_length=vd.MAX_CONTACT)
    criteria: list[str] = Field(default_factory=list, max_length=50)
    contract: list[str] = Field(default_factory=list, max_length=50)
    nda_date: str = Field(default="", max_length=10)
    quality: str = Field(default="", max_length=1)
    security: str = Field(default="", max_length=1)
    contract_start: str = Field(default="", max_length=10)
    contract_end: str = Field(default="", max_length=10)

    def data(self, deal: str) -> vd.VendorInput:
        """What the service takes; :class:`InputError` or ``ValueError`` for a bad field."""
        signed = scope.parse_date(self.nda_date, tr("保密协议日期", "NDA date"))
        kind = vd.Kind(self.kind)
        return vd.VendorInput(
            name=self.name,
            kind=kind,
            contact=self.contact,
            criteria=tuple(self.criteria),
            nda_signed=signed is not None,
            nda_date=signed,
            contract=tuple(self.contract),
            quality=int(self.quality) if self.quality.strip() else None,
            security=int(self.security) if self.security.strip() else None,
            contract_start=scope.parse_date(self.contract_start, tr("合同开始", "start")),
            contract_end=scope.parse_date(self.contract_end, tr("合同结束", "end")),
            buyer_of=deal if kind is vd.Kind.BUYER else None,
        )


@pages.post("/deals/{deal}/comply/vendors")
def add_vendor_form(
    deal: str, user: CurrentUser, vault: VaultDep, form: Annotated[VendorForm, Form()]
) -> Response:
    actor = _actor(vault, user, deal)
    return _form_done(
        deal,
        "vendors",
        lambda: vd.save_vendor(vault, actor=actor, deal_ref=deal, data=form.data(deal)),
    )


@pages.post("/deals/{deal}/comply/vendors/{vendor}")
def set_vendor_form(
    deal: str,
    vendor: str,
    user: CurrentUser,
    vault: VaultDep,
    form: Annotated[VendorForm, Form()],
) -> Response:
    actor = _actor(vault, user, deal)
    return _form_done(
        deal,
        "vendors",
        lambda: vd.save_vendor(
            vault, actor=actor, deal_ref=deal, vendor_id=vendor, data=form.data(deal)
        ),
    )


@pages.post("/deals/{deal}/comply/vendors/{vendor}/files")
async def vendor_file_form(
    deal: str,
    vendor: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    purpose: Short,
    file: Annotated[UploadFile, File()],
) -> Response:
    name, content = await _read(request, file)
    actor = _actor(vault, user, deal)
    return _form_done(
        deal,
        "vendors",
        lambda: vd.attach(
            vault,
            actor=actor,
            deal_ref=deal,
            vendor_id=vendor,
            purpose=vd.FilePurpose(purpose),
            name=name,
            content=content,
        ),
    )


@pages.post("/deals/{deal}/comply/vendors/{vendor}/end")
async def end_vendor_form(
    deal: str,
    vendor: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    ending: Short,
    confirmed_by: Short,
    confirmed_on: Annotated[str, Form(max_length=10)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    proof = await _read(request, file) if file is not None and file.filename else None
    actor = _actor(vault, user, deal)
    return _form_done(
        deal,
        "vendors",
        lambda: vd.close_vendor(
            vault,
            actor=actor,
            deal_ref=deal,
            vendor_id=vendor,
            ending=vd.Ending(ending),
            confirmed_by=confirmed_by,
            confirmed_on=scope.parse_date(confirmed_on, tr("确认日期", "date")),
            evidence=proof,
        ),
    )
