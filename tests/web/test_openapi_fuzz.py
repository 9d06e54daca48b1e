"""The OpenAPI fuzz test over every operation outside the rooms: accounts, governance, drills,
notifications, customer requests (``openapi_fuzz_support``; the rooms' in
``test_openapi_fuzz_rooms.py``, so that xdist runs the two side by side)."""

from __future__ import annotations

import pytest

from tests.web.openapi_fuzz_support import ROOMS, api, conformance_test, schema, service

pytestmark = pytest.mark.slow  # run by `make test-slow` (and CI), not `make test`
__all__ = ["api", "service"]  # the fixtures the tests use

GOVERN = r"^/api/v1/(govern|drills)"
test_governance_conforms = conformance_test(schema.include(path_regex=GOVERN))
test_accounts_requests_and_the_rest_conform = conformance_test(
    schema.exclude(path_regex=ROOMS).exclude(path_regex=GOVERN)
)
