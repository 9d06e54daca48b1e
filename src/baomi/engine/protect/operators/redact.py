"""``redact``: remove the value (or put a fixed text in its place)."""

from __future__ import annotations

from typing import ClassVar

from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import OperatorParams, RedactParams


class RedactOperator(Operator[RedactParams]):
    name: ClassVar[str] = "redact"
    params_type: ClassVar[type[OperatorParams]] = RedactParams
    uses_entity: ClassVar[bool] = False

    def apply(
        self, value: str, entity: str | None, params: RedactParams, ctx: OperatorContext
    ) -> str:
        return params.text
