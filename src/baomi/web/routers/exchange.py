"""Questions and answers, and the copies handed out: the JSON API and the page forms."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from baomi.errors import InputError
from baomi.services.dataroom import copies, qa, rooms
from baomi.services.permissions import Action
from baomi.web.deps import CurrentUser, VaultDep
from baomi.web.form_errors import form_action
from baomi.web.responses import errors

api = APIRouter(
    prefix="/api/v1/rooms", tags=["questions", "copies"], responses=errors(400, 401, 403, 404)
)
pages = APIRouter(include_in_schema=False)


class QuestionCreate(BaseModel):
    text: str = Field(min_length=1, max_length=qa.MAX_TEXT)
    attachment: str | None = Field(default=None, max_length=32)


class AnswerCreate(BaseModel):
    text: str = Field(min_length=1, max_length=qa.MAX_TEXT)
    attachment: str | None = Field(default=None, max_length=32)


class QuestionPublic(BaseModel):
    id: str
    asked_by: str
    asked_at: str
    text: str
    attachment_id: str | None
    answered_by: str | None
    answered_at: str | None
    answer: str | None
    answer_attachment_id: str | None


class QuestionCreated(BaseModel):
    id: str


class CopyPublic(BaseModel):
    id: str
    holder: str
    object_id: str
    package_id: str | None
    individuals: int | None
    provided_at: str | None
    deletion_confirmed_at: str | None


class DeletionConfirm(BaseModel):
    copies: list[str] = Field(min_length=1, max_length=1000)


class Confirmed(BaseModel):
    confirmed: int


@api.get("/{deal}/questions", responses={403: {}})
def list_questions(deal: str, user: CurrentUser, vault: VaultDep) -> list[QuestionPublic]:
    found = qa.questions(vault, rooms.seat(vault, user, deal), deal)
    return [QuestionPublic(**asdict(q)) for q in found]


@api.post("/{deal}/questions", status_code=201, responses={400: {}, 403: {}})
@form_action(Action.QA_ASK)
def ask(deal: str, body: QuestionCreate, user: CurrentUser, vault: VaultDep) -> QuestionCreated:
    seat = rooms.seat(vault, user, deal)
    return QuestionCreated(id=qa.ask(vault, seat, deal, body.text, attachment=body.attachment))


@api.post("/{deal}/questions/{question}/answer", status_code=204, responses={400: {}, 403: {}})
@form_action(Action.QA_ANSWER)
def answer(
    deal: str, question: str, body: AnswerCreate, user: CurrentUser, vault: VaultDep
) -> None:
    seat = rooms.seat(vault, user, deal)
    qa.answer(vault, seat, deal, question, body.text, attachment=body.attachment)


@api.get("/{deal}/copies", responses={403: {}})
@form_action(Action.COPY_LIST)
def list_copies(
    deal: str, user: CurrentUser, vault: VaultDep, outstanding: bool = False
) -> list[CopyPublic]:
    found = copies.copies(vault, rooms.seat(vault, user, deal), deal, outstanding=outstanding)
    return [CopyPublic(**asdict(c)) for c in found]


@api.get("/{deal}/copies/mine", responses={403: {}})
def my_copies(deal: str, user: CurrentUser, vault: VaultDep) -> list[CopyPublic]:
    found = copies.my_copies(vault, rooms.seat(vault, user, deal), deal)
    return [CopyPublic(**asdict(c)) for c in found]


@api.post("/{deal}/copies/confirm-deleted", responses={400: {}, 403: {}})
@form_action(Action.COPY_CONFIRM)
def confirm_deleted(
    deal: str, body: DeletionConfirm, user: CurrentUser, vault: VaultDep
) -> Confirmed:
    seat = rooms.seat(vault, user, deal)
    return Confirmed(confirmed=copies.confirm_deleted(vault, seat, deal, body.copies))


def _back(deal: str, error: str | None = None) -> Response:
    suffix = f"?error={quote(error)}" if error else ""
    return RedirectResponse(f"/rooms/{quote(deal)}{suffix}#qa", status_code=303)


@pages.post("/rooms/{deal}/questions")
def ask_form(
    deal: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    text: Annotated[str, Form(max_length=qa.MAX_TEXT)],
) -> Response:
    try:
        qa.ask(vault, rooms.seat(vault, user, deal), deal, text)
    except InputError as exc:
        return _back(deal, str(exc))
    return _back(deal)


@pages.post("/rooms/{deal}/questions/{question}/answer")
def answer_form(
    deal: str,
    question: str,
    request: Request,
    user: CurrentUser,
    vault: VaultDep,
    text: Annotated[str, Form(max_length=qa.MAX_TEXT)],
) -> Response:
    try:
        qa.answer(vault, rooms.seat(vault, user, deal), deal, question, text)
    except InputError as exc:
        return _back(deal, str(exc))
    return _back(deal)
