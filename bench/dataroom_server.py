"""The data room as ``bench/dataroom_bench.py`` serves it: ``uvicorn --factory
dataroom_server:app`` over the home named by the ``BAOMI_*`` variables.

The one difference from ``baomi serve``: the per-address login throttle (10 a minute, ASVS 2.2.1)
is lifted, because every simulated user signs in from 127.0.0.1. The per-account lockout stays.
"""

from __future__ import annotations

from fastapi import FastAPI

from baomi.settings import Settings
from baomi.web.app import create_app
from baomi.web.security import Throttle


def app() -> FastAPI:
    service = create_app(Settings())
    service.state.login_throttle = Throttle(service.state.vault, "login", limit=1_000_000)
    return service
