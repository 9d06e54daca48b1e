"""``hash``: a keyed hash (HMAC-SHA256, hex, truncated). Keyed because an unkeyed hash of a
mobile number or ID is reversed by trying every possible number."""

from __future__ import annotations

from typing import ClassVar

from baomi.engine.protect.feistel import prf
from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import HashParams, OperatorParams


class HashOperator(Operator[HashParams]):
    name: ClassVar[str] = "hash"
    params_type: ClassVar[type[OperatorParams]] = HashParams
    uses_entity: ClassVar[bool] = False

    def apply(
        self, value: str, entity: str | None, params: HashParams, ctx: OperatorContext
    ) -> str:
        key = ctx.key("hash", params.key_id, params.per_recipient)
        return prf(key)(value.strip().encode("utf-8")).hex()[: params.length]

    def recipient_specific(self, params: HashParams) -> bool:
        return params.per_recipient
