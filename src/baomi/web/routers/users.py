"""Users (administrators only, as the permission table says): create with a setup link, list."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from baomi.services import accounts
from baomi.services.dataroom import rooms
from baomi.services.permissions import Role
from baomi.web.deps import CurrentUser, VaultDep
from baomi.web.responses import errors

api = APIRouter(prefix="/api/v1/users", tags=["users"], responses=errors(400, 401, 403))


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    role: Role
    department: str | None = Field(default=None, max_length=32)


class DepartmentSet(BaseModel):
    department: str | None = Field(default=None, max_length=32)


class EmailSet(BaseModel):
    email: str | None = Field(default=None, max_length=254)


class UserPublicOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    has_password: bool
    totp: bool
    disabled: bool
    department: str | None = None
    has_email: bool = False


class UserCreated(BaseModel):
    user: UserPublicOut
    setup_link: str


@api.get("", responses={403: {}})
def list_users(user: CurrentUser, vault: VaultDep) -> list[UserPublicOut]:
    found = accounts.list_users(vault, actor=rooms.seat_outside(user))
    return [UserPublicOut(**asdict(u)) for u in found]


@api.post("", status_code=201, responses={400: {}, 403: {}})
def create_user(
    body: UserCreate, request: Request, user: CurrentUser, vault: VaultDep
) -> UserCreated:
    created, token = accounts.create_user(
        vault,
        actor=rooms.seat_outside(user),
        username=body.username,
        display_name=body.display_name,
        role=body.role.value,
        department=body.department,
    )
    link = str(request.url_for("setup_page", token=token))
    return UserCreated(user=UserPublicOut(**asdict(created)), setup_link=link)


@api.put("/{username}/department", responses={400: {}, 403: {}})
def set_department(
    username: str, body: DepartmentSet, user: CurrentUser, vault: VaultDep
) -> UserPublicOut:
    """Put a user in a department (services/govern/departments.py), or in none."""
    changed = accounts.set_department(
        vault, actor=rooms.seat_outside(user), username=username, department=body.department
    )
    return UserPublicOut(**asdict(changed))


@api.put("/{username}/email", responses={400: {}, 403: {}})
def set_email(username: str, body: EmailSet, user: CurrentUser, vault: VaultDep) -> UserPublicOut:
    """Set (or remove) the address a user's notifications go to (stored sealed)."""
    changed = accounts.set_email(
        vault, actor=rooms.seat_outside(user), username=username, email=body.email
    )
    return UserPublicOut(**asdict(changed))
