"""``suppress``: blank the cell, or (``drop_record``) drop the whole record from a table
(GB/T 37964-2019 Annex A: local suppression / record suppression)."""

from __future__ import annotations

from typing import ClassVar

from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import OperatorParams, SuppressParams


class SuppressOperator(Operator[SuppressParams]):
    name: ClassVar[str] = "suppress"
    params_type: ClassVar[type[OperatorParams]] = SuppressParams
    uses_entity: ClassVar[bool] = False

    def apply(
        self, value: str, entity: str | None, params: SuppressParams, ctx: OperatorContext
    ) -> str:
        return ""

    def drops_record(self, params: SuppressParams) -> bool:
        return params.drop_record
