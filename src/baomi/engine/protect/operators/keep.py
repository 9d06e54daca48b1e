"""``keep``: leave the value unchanged (a policy's explicit exemption of a column)."""

from __future__ import annotations

from typing import ClassVar

from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import KeepParams, OperatorParams


class KeepOperator(Operator[KeepParams]):
    name: ClassVar[str] = "keep"
    params_type: ClassVar[type[OperatorParams]] = KeepParams
    removes: ClassVar[bool] = False
    keeps_format: ClassVar[bool] = True
    uses_entity: ClassVar[bool] = False

    def apply(
        self, value: str, entity: str | None, params: KeepParams, ctx: OperatorContext
    ) -> str:
        return value
