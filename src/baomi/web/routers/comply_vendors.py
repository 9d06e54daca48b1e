"""The third-party register of a deal's target company: the JSON API
(``/api/v1/rooms/{deal}/comply/vendors…``, ``…/vendor-reminders``, ``…/vendor-files/{file}``) and
the page with its forms (``/rooms/{deal}/comply/vendors``); the helpers it shares with the
checklist are in :mod:`baomi.web.routers.comply_checklist`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from pydantic import BaseModel, Field

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services.comply import scope
from baomi.services.comply import vendors as vd
from baomi.services.permissions import Action, Actor
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.forms import form_choice, form_score
from baomi.web.responses import errors
from baomi.web.routers.comply_checklist import (
    FILE_RESPONSES,
    FilePublic,
    Short,
    actor_in,
    download,
    form_done,
    page,
    read_upload,
)

api = APIRouter(prefix="/api/v1/rooms", tags=["vendors"], responses=errors(400, 401, 403, 404))
pages = APIRouter(include_in_schema=False)


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
    return [_vendor(v) for v in vd.vendors(vault, actor=actor_in(vault, user, deal), deal_ref=deal)]


@api.post("/{deal}/comply/vendors", status_code=201)
@form_action(Action.COMPLY_EDIT)
def add_vendor(deal: str, body: VendorIn, user: CurrentUser, vault: VaultDep) -> VendorPublic:
    actor = actor_in(vault, user, deal)
    return _vendor(vd.save_vendor(vault, actor=actor, deal_ref=deal, data=body.data()))


@api.put("/{deal}/comply/vendors/{vendor}")
@form_action(Action.COMPLY_EDIT)
def set_vendor(
    deal: str, vendor: str, body: VendorIn, user: CurrentUser, vault: VaultDep
) -> VendorPublic:
    actor = actor_in(vault, user, deal)
    return _vendor(
        vd.save_vendor(vault, actor=actor, deal_ref=deal, vendor_id=vendor, data=body.data())
    )


@api.post(
    "/{deal}/comply/vendors/{vendor}/files",
    status_code=201,
    responses=errors(400, 401, 403, 413),
)
@form_action(Action.COMPLY_EDIT)
async def attach_vendor_file(
    deal: str,
    vendor: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    file: Annotated[UploadFile, File()],
    purpose: Annotated[vd.FilePurpose, Form()] = vd.FilePurpose.CONTRACT,
) -> FilePublic:
    name, content = await read_upload(request, file)
    got = vd.attach(
        vault,
        actor=actor_in(vault, user, deal),
        deal_ref=deal,
        vendor_id=vendor,
        purpose=purpose,
        name=name,
        content=content,
    )
    return FilePublic(**asdict(got))


@api.post("/{deal}/comply/vendors/{vendor}/end")
@form_action(Action.COMPLY_EDIT)
def end_vendor(
    deal: str, vendor: str, body: VendorEnd, user: CurrentUser, vault: VaultDep
) -> VendorPublic:
    closed = vd.close_vendor(
        vault,
        actor=actor_in(vault, user, deal),
        deal_ref=deal,
        vendor_id=vendor,
        ending=body.ending,
        confirmed_by=body.confirmed_by,
        confirmed_on=body.confirmed_on,
    )
    return _vendor(closed)


@api.get("/{deal}/comply/vendor-reminders")
@form_action(Action.COMPLY_VIEW)
def vendor_reminders(
    deal: str, user: CurrentUser, vault: VaultDep, days: int | None = None
) -> RemindersPublic:
    if days is not None and not 0 <= days <= 3660:
        raise InputError(tr("天数须为 0–3660", "days must be 0–3660"))
    due = vd.reminders(vault, actor=actor_in(vault, user, deal), deal_ref=deal, days=days)
    return RemindersPublic(
        on=due.on,
        days=due.days,
        ending_soon=[_vendor(v) for v in due.ending_soon],
        ended_unconfirmed=[_vendor(v) for v in due.ended_unconfirmed],
    )


@api.get("/{deal}/comply/vendor-files/{file}", response_class=Response, responses=FILE_RESPONSES)
def vendor_file(deal: str, file: str, user: CurrentUser, vault: VaultDep) -> Response:
    return download(vault, user, deal, file)


# --- pages -------------------------------------------------------------------------------------


@pages.get("/rooms/{deal}/comply/vendors")
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

    return page(request, vault, user, token, deal, "comply/vendors.html", build)


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
        """What the service takes; :class:`InputError` naming a bad field in words."""
        signed = scope.parse_date(self.nda_date, tr("保密协议日期", "NDA date"))
        kind = form_choice(vd.Kind, self.kind, tr("类型", "Kind"))
        return vd.VendorInput(
            name=self.name,
            kind=kind,
            contact=self.contact,
            criteria=tuple(self.criteria),
            nda_signed=signed is not None,
            nda_date=signed,
            contract=tuple(self.contract),
            quality=form_score(self.quality, tr("服务质量", "Quality")),
            security=form_score(self.security, tr("数据安全", "Data security")),
            contract_start=scope.parse_date(self.contract_start, tr("合同开始", "start")),
            contract_end=scope.parse_date(self.contract_end, tr("合同结束", "end")),
            buyer_of=deal if kind is vd.Kind.BUYER else None,
        )


@pages.post("/rooms/{deal}/comply/vendors")
@form_action(Action.COMPLY_EDIT)
def add_vendor_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    form: Annotated[VendorForm, Form()],
) -> Response:
    actor = actor_in(vault, user, deal)
    return form_done(
        request,
        deal,
        "vendors",
        lambda: vd.save_vendor(vault, actor=actor, deal_ref=deal, data=form.data(deal)),
    )


@pages.post("/rooms/{deal}/comply/vendors/{vendor}")
@form_action(Action.COMPLY_EDIT)
def set_vendor_form(
    deal: str,
    vendor: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    form: Annotated[VendorForm, Form()],
) -> Response:
    actor = actor_in(vault, user, deal)
    return form_done(
        request,
        deal,
        "vendors",
        lambda: vd.save_vendor(
            vault, actor=actor, deal_ref=deal, vendor_id=vendor, data=form.data(deal)
        ),
    )


@pages.post("/rooms/{deal}/comply/vendors/{vendor}/files")
@form_action(Action.COMPLY_EDIT)
async def vendor_file_form(
    deal: str,
    vendor: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    purpose: Short,
    file: Annotated[UploadFile, File()],
) -> Response:
    name, content = await read_upload(request, file)
    actor = actor_in(vault, user, deal)
    return form_done(
        request,
        deal,
        "vendors",
        lambda: vd.attach(
            vault,
            actor=actor,
            deal_ref=deal,
            vendor_id=vendor,
            purpose=form_choice(vd.FilePurpose, purpose, tr("文件用途", "Purpose")),
            name=name,
            content=content,
        ),
    )


@pages.post("/rooms/{deal}/comply/vendors/{vendor}/end")
@form_action(Action.COMPLY_EDIT)
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
    proof = await read_upload(request, file) if file is not None and file.filename else None
    actor = actor_in(vault, user, deal)
    return form_done(
        request,
        deal,
        "vendors",
        lambda: vd.close_vendor(
            vault,
            actor=actor,
            deal_ref=deal,
            vendor_id=vendor,
            ending=form_choice(vd.Ending, ending, tr("结束方式", "Ending")),
            confirmed_by=confirmed_by,
            confirmed_on=scope.parse_date(confirmed_on, tr("确认日期", "date")),
            evidence=proof,
        ),
    )
