"""The PIA, the six-area risk assessment and the facts: the JSON API under
``/api/v1/rooms/{deal}/comply`` and the pages under ``/rooms/{deal}/comply``. Each handler resolves
the user's seat in the deal and calls one service; the services decide every permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError, PermissionDeniedError
from baomi.i18n import tr
from baomi.services import accounts
from baomi.services.accounts import UserPublic
from baomi.services.comply import assessments, facts, pia, risk, scope
from baomi.services.comply.assessments import EVIDENCE_MAX_BYTES, as_data
from baomi.services.comply.facts import Status
from baomi.services.comply.pia import Impact, Likelihood
from baomi.services.comply.reports.assessments import pia_report, risk_report
from baomi.services.comply.risk import Choice
from baomi.services.permissions import Action, Actor, allowed
from baomi.services.vault import Vault
from baomi.web.deps import CurrentUser, OptionalUser, TokenDep, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.pages import render
from baomi.web.responses import errors

api = APIRouter(
    prefix="/api/v1/rooms/{deal}/comply", tags=["comply"], responses=errors(400, 401, 403, 404)
)
pages = APIRouter(include_in_schema=False)

Text = Annotated[str, Field(max_length=assessments.MAX_TEXT)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
FormText = Annotated[str, Form(max_length=assessments.MAX_TEXT)]
FormShort = Annotated[str, Form(max_length=200)]


def _actor(vault: Vault, user: UserPublic, deal: str) -> Actor:
    return scope.seat_actor(vault, user, deal)


async def _evidence(request: Request, files: list[UploadFile]) -> tuple[str, bytes] | None:
    """The one evidence file of a request (size-limited before it is read), or ``None``."""
    if int(request.headers.get("content-length") or 0) > EVIDENCE_MAX_BYTES + 1024 * 1024:
        raise HTTPException(status_code=413, detail=tr("上传内容过大", "the upload is too large"))
    chosen = [f for f in files if f.filename]
    if not chosen:
        return None
    if len(chosen) > 1:
        raise InputError(tr("每次上传一个证明材料", "one evidence file at a time"))
    return chosen[0].filename or "", await chosen[0].read(EVIDENCE_MAX_BYTES + 1)


# --- API ---------------------------------------------------------------------------------------


class EvidenceOut(BaseModel):
    id: str
    question_id: str
    name: str
    size: int
    sha256: str


async def _attach(
    add: Callable[..., assessments.Evidence],
    actor: Actor,
    deal: str,
    question: str,
    request: Request,
    files: list[UploadFile],
    vault: Vault,
) -> EvidenceOut:
    got = await _evidence(request, files)
    if got is None:
        raise InputError(tr("没有文件", "no file"))
    ev = add(vault, actor=actor, deal_ref=deal, question_id=question, name=got[0], data=got[1])
    return EvidenceOut(**{k: getattr(ev, k) for k in EvidenceOut.model_fields})


class RiskAnswerIn(BaseModel):
    answer: Choice
    comment: Text = ""


class PiaAnswerIn(BaseModel):
    answer: Annotated[str, Field(min_length=1, max_length=assessments.MAX_TEXT)]
    comment: Text = ""


class RiskIn(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    impact: Impact
    likelihood: Likelihood


class RiskOut(BaseModel):
    id: str
    level: str
    unacceptable: bool
    matrix_rule: str
    confirmed: bool


class SignIn(BaseModel):
    officer: Name
    legal: Name
    management: Name


class VersionOut(BaseModel):
    version: int


@api.get("/facts")
def get_facts(deal: str, user: CurrentUser, vault: VaultDep) -> list[dict[str, Any]]:
    found = facts.deal_facts(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    return [as_data(f) for f in found]


@api.get("/risk")
def get_risk(deal: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    r = risk.assessment(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    data: dict[str, Any] = as_data(r)
    return data | {"complete": r.complete}


@api.get("/risk/report")
def get_risk_report(deal: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    r = risk.assessment(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    data: dict[str, Any] = as_data(risk_report(r))
    return data


@api.put("/risk/answers/{question}", status_code=204)
@form_action(Action.COMPLY_EDIT)
def put_risk_answer(
    deal: str, question: str, body: RiskAnswerIn, user: CurrentUser, vault: VaultDep
) -> None:
    risk.answer(
        vault,
        actor=_actor(vault, user, deal),
        deal_ref=deal,
        question_id=question,
        choice=body.answer,
        comment=body.comment,
    )


@api.post("/risk/answers/{question}/evidence", status_code=201, responses=errors(413))
@form_action(Action.COMPLY_EDIT)
async def post_risk_evidence(
    deal: str,
    question: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    files: Annotated[list[UploadFile], File()],
) -> EvidenceOut:
    return await _attach(
        risk.add_evidence, _actor(vault, user, deal), deal, question, request, files, vault
    )


@api.get("/pia")
def get_pia(deal: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    return pia.as_json(pia.show(vault, actor=_actor(vault, user, deal), deal_ref=deal))


@api.get("/pia/report")
def get_pia_report(deal: str, user: CurrentUser, vault: VaultDep) -> dict[str, Any]:
    p = pia.show(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    data: dict[str, Any] = as_data(pia_report(p))
    return data


@api.put("/pia/answers/{question}", status_code=204)
@form_action(Action.COMPLY_EDIT)
def put_pia_answer(
    deal: str, question: str, body: PiaAnswerIn, user: CurrentUser, vault: VaultDep
) -> None:
    pia.answer(
        vault,
        actor=_actor(vault, user, deal),
        deal_ref=deal,
        question_id=question,
        text=body.answer,
        comment=body.comment,
    )


@api.post("/pia/answers/{question}/evidence", status_code=201, responses=errors(413))
@form_action(Action.COMPLY_EDIT)
async def post_pia_evidence(
    deal: str,
    question: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    files: Annotated[list[UploadFile], File()],
) -> EvidenceOut:
    return await _attach(
        pia.add_evidence, _actor(vault, user, deal), deal, question, request, files, vault
    )


@api.post("/pia/risks", status_code=201)
@form_action(Action.COMPLY_EDIT)
def post_pia_risk(deal: str, body: RiskIn, user: CurrentUser, vault: VaultDep) -> RiskOut:
    risk_id = pia.add_risk(
        vault,
        actor=_actor(vault, user, deal),
        deal_ref=deal,
        title=body.title,
        impact=body.impact,
        likelihood=body.likelihood,
    )
    level = pia.risk_level(body.impact, body.likelihood)
    rule = pia.matrix_rule()
    return RiskOut(
        id=risk_id,
        level=level.value,
        unacceptable=pia.unacceptable(level),
        matrix_rule=rule.label(),
        confirmed=rule.confirmed,
    )


@api.delete("/pia/risks/{risk_id}", status_code=204)
def delete_pia_risk(deal: str, risk_id: str, user: CurrentUser, vault: VaultDep) -> None:
    pia.remove_risk(vault, actor=_actor(vault, user, deal), deal_ref=deal, risk_id=risk_id)


@api.post("/pia/complete")
@form_action(Action.COMPLY_EDIT)
def post_pia_complete(
    deal: str, body: SignIn, user: CurrentUser, vault: VaultDep
) -> dict[str, Any]:
    p = pia.complete(
        vault,
        actor=_actor(vault, user, deal),
        deal_ref=deal,
        officer=body.officer,
        legal=body.legal,
        management=body.management,
    )
    return pia.as_json(p)


@api.post("/pia/new", status_code=201)
def post_pia_new(deal: str, user: CurrentUser, vault: VaultDep) -> VersionOut:
    return VersionOut(
        version=pia.new_version(vault, actor=_actor(vault, user, deal), deal_ref=deal)
    )


@api.get(
    "/evidence/{evidence}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_evidence(deal: str, evidence: str, user: CurrentUser, vault: VaultDep) -> Response:
    name, content = assessments.open_evidence(
        vault, actor=_actor(vault, user, deal), deal_ref=deal, evidence_id=evidence
    )
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


# --- pages -------------------------------------------------------------------------------------


def _back(deal: str, page: str, work: Callable[[], object], anchor: str = "") -> Response:
    target = f"/rooms/{quote(deal)}/comply/{page}"
    try:
        work()
    except (InputError, PermissionDeniedError, ValueError) as exc:
        return RedirectResponse(f"{target}?error={quote(str(exc))}{anchor}", 303)
    return RedirectResponse(f"{target}{anchor}", 303)


def _page(
    request: Request,
    user: UserPublic | None,
    token: str | None,
    vault: Vault,
    deal: str,
    template: str,
    build: Callable[[Actor], dict[str, Any]],
) -> Response:
    if user is None or token is None:
        return RedirectResponse("/login", status_code=303)
    actor = _actor(vault, user, deal)
    context = build(actor)
    return render(
        request,
        template,
        user=user,
        csrf=accounts.csrf_token(vault, token),
        deal=deal,
        can_edit=allowed(actor, Action.COMPLY_EDIT),
        status_labels={s.value: s.label for s in Status},
        error=request.query_params.get("error"),
        **context,
    )


@pages.get("/rooms/{deal}/comply/pia")
def pia_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    def build(actor: Actor) -> dict[str, Any]:
        p = pia.show(vault, actor=actor, deal_ref=deal)
        rule = pia.matrix_rule()
        return {
            "pia": p,
            "rule": rule,
            "impacts": list(Impact),
            "likelihoods": list(Likelihood),
            "matrix": [(i, [pia.risk_level(i, lk) for lk in Likelihood]) for i in Impact],
            "heat": p.heat(),
            "signatories": [(k, tr(zh, en)) for k, zh, en in pia.SIGNATORIES],
        }

    return _page(request, user, token, vault, deal, "comply/pia.html", build)


@pages.post("/rooms/{deal}/comply/pia/answer")
async def pia_answer_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    question: FormShort,
    answer: FormText = "",
    comment: FormText = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    actor = _actor(vault, user, deal)
    got = await _evidence(request, files or [])

    def work() -> None:
        if answer.strip():
            pia.answer(
                vault,
                actor=actor,
                deal_ref=deal,
                question_id=question,
                text=answer,
                comment=comment,
            )
        if got is not None:
            pia.add_evidence(
                vault, actor=actor, deal_ref=deal, question_id=question, name=got[0], data=got[1]
            )

    return _back(deal, "pia", work, f"#{quote(question)}")


@pages.post("/rooms/{deal}/comply/pia/risk")
def pia_risk_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    title: FormShort,
    impact: FormShort,
    likelihood: FormShort,
) -> Response:
    actor = _actor(vault, user, deal)
    return _back(
        deal,
        "pia",
        lambda: pia.add_risk(
            vault,
            actor=actor,
            deal_ref=deal,
            title=title,
            impact=Impact(impact),
            likelihood=Likelihood(likelihood),
        ),
        "#risks",
    )


@pages.post("/rooms/{deal}/comply/pia/risk/{risk_id}/remove")
def pia_risk_remove_form(deal: str, risk_id: str, user: CurrentUser, vault: VaultDep) -> Response:
    actor = _actor(vault, user, deal)
    return _back(
        deal,
        "pia",
        lambda: pia.remove_risk(vault, actor=actor, deal_ref=deal, risk_id=risk_id),
        "#risks",
    )


@pages.post("/rooms/{deal}/comply/pia/complete")
def pia_complete_form(
    deal: str,
    user: CurrentUser,
    vault: VaultDep,
    officer: FormShort,
    legal: FormShort,
    management: FormShort,
) -> Response:
    actor = _actor(vault, user, deal)
    return _back(
        deal,
        "pia",
        lambda: pia.complete(
            vault, actor=actor, deal_ref=deal, officer=officer, legal=legal, management=management
        ),
        "#sign",
    )


@pages.post("/rooms/{deal}/comply/pia/new")
def pia_new_form(deal: str, user: CurrentUser, vault: VaultDep) -> Response:
    actor = _actor(vault, user, deal)
    return _back(deal, "pia", lambda: pia.new_version(vault, actor=actor, deal_ref=deal))


@pages.get("/rooms/{deal}/comply/risk")
def risk_page(
    deal: str, request: Request, user: OptionalUser, vault: VaultDep, token: TokenDep
) -> Response:
    def build(actor: Actor) -> dict[str, Any]:
        return {
            "assessment": risk.assessment(vault, actor=actor, deal_ref=deal),
            "choices": list(Choice),
        }

    return _page(request, user, token, vault, deal, "comply/risk.html", build)


@pages.post("/rooms/{deal}/comply/risk/answer")
async def risk_answer_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    question: FormShort,
    answer: FormShort = "",
    comment: FormText = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    actor = _actor(vault, user, deal)
    got = await _evidence(request, files or [])

    def work() -> None:
        if answer:
            risk.answer(
                vault,
                actor=actor,
                deal_ref=deal,
                question_id=question,
                choice=Choice(answer),
                comment=comment,
            )
        if got is not None:
            risk.add_evidence(
                vault, actor=actor, deal_ref=deal, question_id=question, name=got[0], data=got[1]
            )

    return _back(deal, "risk", work, f"#{quote(question)}")
