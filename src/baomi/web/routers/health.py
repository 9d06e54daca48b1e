"""``GET /api/v1/health``: the service answers and its store is reachable."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from baomi.services import accounts
from baomi.web.deps import VaultDep

router = APIRouter(prefix="/api/v1", tags=["health"])


class HealthPublic(BaseModel):
    status: str
    users: int


@router.get("/health")
def health(vault: VaultDep) -> HealthPublic:
    return HealthPublic(status="ok", users=accounts.count_users(vault))
