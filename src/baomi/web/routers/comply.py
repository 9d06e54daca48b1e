"""A deal's compliance: the overview page (the hub of the compliance pages) and its JSON twin —
the transfer profile, the company's facts, the obligations, each package's legal case, the
duties and the exposure estimate. Each handler resolves the user's seat and calls one service;
the services decide every permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply import duties, exposure, inputs, profile, transfer
from baomi.services.comply.catalog import ReportKind
from baomi.services.comply.duties import Duty
from baomi.services.comply.exposure import Exposure
from baomi.services.comply.profile import CompanyFacts, Exemption, Location, Profile, TransferType
from baomi.services.comply.transfer import Obligation, PackageStatus
from baomi.services.dataroom import rooms
from baomi.services.permissions import Action
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.forms import form_count
from baomi.web.pages import render
from baomi.web.responses import errors

#: every endpoint needs a session and names a deal that may not exist
api = APIRouter(
    prefix="/api/v1/rooms/{deal}/comply", tags=["comply"], responses=errors(400, 401, 403, 404)
)
pages = APIRouter(include_in_schema=False)

#: The compliance pages of a deal, linked from the overview: (path suffix after
#: ``/rooms/{deal}/comply``, Chinese, English). Each compliance area adds its own row.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("", "概览", "Overview"),
    ("pia", "个人信息保护影响评估", "PI impact assessment"),
    ("risk", "风险评估（六个方面）", "Risk assessment (six areas)"),
    ("provisions", "提供记录", "Provision records"),
    ("crossborder", "数据出境", "Cross-border"),
    ("inventory", "个人信息清单", "PI inventory"),
    ("notices", "客户通知", "Customer notices"),
    ("checklist", "合规清单", "Checklist"),
    ("vendors", "第三方", "Third parties"),
)

Short = Field(default="", max_length=200)


class ProfileUpdate(BaseModel):
    transfer_type: TransferType
    recipient_name: str = Short
    recipient_contact: str = Short
    recipient_location: Location = Location.MAINLAND
    remote_access_abroad: bool = False
    purpose: str = Field(default="", max_length=4000)
    exemption: Exemption | None = None


class ProfilePublic(BaseModel):
    deal_id: str
    deal_name: str
    uscc: str
    transfer_type: TransferType | None
    recipient_name: str
    recipient_contact: str
    recipient_location: Location
    remote_access_abroad: bool
    purpose: str
    exemption: Exemption | None
    abroad: bool


class CompanyUpdate(BaseModel):
    ciio: bool = False
    important_data: bool = False
    #: yuan; BigInteger in the database
    turnover_yuan: int | None = Field(default=None, ge=0, le=10**15)
    staff: int | None = Field(default=None, ge=0, le=10**8)
    pi_business: bool = False


def _profile_public(p: Profile) -> ProfilePublic:
    return ProfilePublic(
        deal_id=p.deal_id,
        deal_name=p.deal_name,
        uscc=p.uscc,
        transfer_type=p.transfer_type,
        recipient_name=p.recipient_name,
        recipient_contact=p.recipient_contact,
        recipient_location=p.recipient_location,
        remote_access_abroad=p.remote_access_abroad,
        purpose=p.purpose,
        exemption=p.exemption,
        abroad=p.abroad,
    )


def _seat(vault: VaultDep, user: UserPublic, deal: str) -> rooms.Seat:
    """The user's seat, once the room's gate lets it read the deal's compliance records (the
    buyer's side — its counsel and auditors too — is refused: ``SIDE_ONLY``)."""
    return rooms.admitted(vault, user, deal, Action.COMPLY_VIEW)


@api.get("/profile")
def get_profile(deal: str, user: CurrentUser, vault: VaultDep) -> ProfilePublic:
    seat = _seat(vault, user, deal)
    return _profile_public(profile.profile(vault, actor=seat.actor, deal_ref=deal))


@api.put("/profile")
@form_action(Action.COMPLY_EDIT)
def put_profile(
    deal: str, body: ProfileUpdate, user: CurrentUser, vault: VaultDep
) -> ProfilePublic:
    seat = _seat(vault, user, deal)
    return _profile_public(
        profile.set_profile(vault, actor=seat.actor, deal_ref=deal, **body.model_dump())
    )


@api.get("/company")
def get_company(deal: str, user: CurrentUser, vault: VaultDep) -> CompanyFacts:
    seat = _seat(vault, user, deal)
    return inputs.deal_company(vault, actor=seat.actor, deal_ref=deal)


@api.put("/company")
@form_action(Action.COMPLY_EDIT)
def put_company(deal: str, body: CompanyUpdate, user: CurrentUser, vault: VaultDep) -> CompanyFacts:
    seat = _seat(vault, user, deal)
    return inputs.set_deal_company(vault, actor=seat.actor, deal_ref=deal, **body.model_dump())


@api.get("/obligations")
def get_obligations(deal: str, user: CurrentUser, vault: VaultDep) -> list[Obligation]:
    seat = _seat(vault, user, deal)
    return transfer.deal_obligations(vault, actor=seat.actor, deal_ref=deal)


@api.get("/packages")
def get_packages(deal: str, user: CurrentUser, vault: VaultDep) -> list[PackageStatus]:
    seat = _seat(vault, user, deal)
    return transfer.deal_package_statuses(vault, actor=seat.actor, deal_ref=deal)


@api.get("/duties")
def get_duties(deal: str, user: CurrentUser, vault: VaultDep) -> list[Duty]:
    seat = _seat(vault, user, deal)
    return duties.deal_duties(vault, actor=seat.actor, deal_ref=deal)


@api.get("/exposure")
def get_exposure(deal: str, user: CurrentUser, vault: VaultDep) -> Exposure:
    seat = _seat(vault, user, deal)
    return exposure.deal_exposure(vault, actor=seat.actor, deal_ref=deal)


# --- pages -------------------------------------------------------------------------------------


def _page(deal: str) -> str:
    return f"/rooms/{quote(deal)}/comply"


@pages.get("/rooms/{deal}/comply")
def overview_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    seat = _seat(vault, user, deal)
    prof = profile.profile(vault, actor=seat.actor, deal_ref=deal)
    try:
        company: CompanyFacts | None = inputs.deal_company(vault, actor=seat.actor, deal_ref=deal)
    except InputError:
        company = None  # no room, no company code: the form is not offered
    return render(
        request,
        "comply/overview.html",
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=prof.deal_name,
        base=_page(prof.deal_name),
        sections=[(suffix, tr(zh, en)) for suffix, zh, en in SECTIONS],
        profile=prof,
        company=company,
        obligations=transfer.deal_obligations(vault, actor=seat.actor, deal_ref=deal),
        packages=transfer.deal_package_statuses(vault, actor=seat.actor, deal_ref=deal),
        duties=duties.deal_duties(vault, actor=seat.actor, deal_ref=deal),
        exposure=exposure.deal_exposure(vault, actor=seat.actor, deal_ref=deal),
        can_edit=rooms.can(seat, Action.COMPLY_EDIT),
        transfer_types=[(k.value, inputs.type_name(k)) for k in TransferType],
        locations=[(loc.value, _LOCATIONS[loc]()) for loc in Location],
        exemptions=[(e.value, _EXEMPTIONS[e]()) for e in Exemption],
        error=request.query_params.get("error"),
        reports=[(k.value, k.label) for k in ReportKind],
    )


_LOCATIONS: dict[Location, Callable[[], str]] = {
    Location.MAINLAND: lambda: tr("境内（大陆）", "mainland China"),
    Location.HONG_KONG: lambda: tr("香港", "Hong Kong"),
    Location.MACAO: lambda: tr("澳门", "Macao"),
    Location.TAIWAN: lambda: tr("台湾", "Taiwan"),
    Location.ABROAD: lambda: tr("境外其他地区", "abroad"),
}
_EXEMPTIONS: dict[Exemption, Callable[[], str]] = {
    Exemption.CONTRACT: lambda: tr("订立、履行与个人的合同所必需", "contract with the individual"),
    Exemption.HR: lambda: tr("跨境人力资源管理", "cross-border HR management"),
    Exemption.EMERGENCY: lambda: tr("紧急情况下保护生命健康财产", "emergency"),
}


def _done(deal: str, anchor: str, work: Callable[[], object]) -> Response:
    try:
        work()
    except (InputError, PermissionDeniedError, ValueError) as exc:
        return RedirectResponse(f"{_page(deal)}?error={quote(str(exc))}#{anchor}", 303)
    return RedirectResponse(f"{_page(deal)}#{anchor}", 303)


FormText = Annotated[str, Form(max_length=200)]
FormFlag = Annotated[bool, Form()]


@pages.post("/rooms/{deal}/comply/profile")
@form_action(Action.COMPLY_EDIT)
def profile_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    transfer_type: FormText,
    recipient_location: FormText,
    recipient_name: FormText = "",
    recipient_contact: FormText = "",
    purpose: Annotated[str, Form(max_length=4000)] = "",
    exemption: FormText = "",
    remote_access_abroad: FormFlag = False,
) -> Response:
    seat = _seat(vault, user, deal)
    return _done(
        deal,
        "profile",
        lambda: profile.set_profile(
            vault,
            actor=seat.actor,
            deal_ref=deal,
            transfer_type=TransferType(transfer_type),
            recipient_name=recipient_name,
            recipient_contact=recipient_contact,
            recipient_location=Location(recipient_location),
            remote_access_abroad=remote_access_abroad,
            purpose=purpose,
            exemption=Exemption(exemption) if exemption else None,
        ),
    )


@pages.post("/rooms/{deal}/comply/company")
@form_action(Action.COMPLY_EDIT)
def company_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    turnover_yuan: Annotated[str, Form(max_length=20)] = "",
    staff: Annotated[str, Form(max_length=10)] = "",
    ciio: FormFlag = False,
    important_data: FormFlag = False,
    pi_business: FormFlag = False,
) -> Response:
    seat = _seat(vault, user, deal)
    return _done(
        deal,
        "company",
        lambda: inputs.set_deal_company(
            vault,
            actor=seat.actor,
            deal_ref=deal,
            ciio=ciio,
            important_data=important_data,
            turnover_yuan=form_count(turnover_yuan, tr("营业额", "turnover")),
            staff=form_count(staff, tr("员工人数", "staff")),
            pi_business=pi_business,
        ),
    )
