"""``replace``: put the entity tag (``<CN_MOBILE>``) or a fixed text in place of the value."""

from __future__ import annotations

from typing import ClassVar

from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import OperatorParams, ReplaceParams


class ReplaceOperator(Operator[ReplaceParams]):
    name: ClassVar[str] = "replace"
    params_type: ClassVar[type[OperatorParams]] = ReplaceParams
    carries_marks: ClassVar[bool] = True

    def apply(
        self, value: str, entity: str | None, params: ReplaceParams, ctx: OperatorContext
    ) -> str:
        return params.text if params.text is not None else f"<{entity or 'PII'}>"
