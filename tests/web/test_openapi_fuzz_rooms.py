"""The OpenAPI fuzz test over the rooms' operations (``openapi_fuzz_support``; the others'
in ``test_openapi_fuzz.py``, so that xdist runs the two side by side)."""

from __future__ import annotations

import pytest

from tests.web.openapi_fuzz_support import ROOMS, api, conformance_test, schema, service

pytestmark = pytest.mark.slow  # run by `make test-slow` (and CI), not `make test`
__all__ = ["api", "service"]  # the fixtures the tests use

COMPLY = r"^/api/v1/rooms/\{deal\}/comply"
test_room_compliance_conforms = conformance_test(schema.include(path_regex=COMPLY))
test_room_other_operations_conform = conformance_test(
    schema.include(path_regex=ROOMS).exclude(path_regex=COMPLY)
)
