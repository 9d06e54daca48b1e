"""``tokenize``: replace a value by a reversible token kept in the encrypted token vault.

Tokens carry no information about the value; the vault (AES-GCM, ``tokens.py``) holds the
originals and ``baomi detokenize`` (with the key, logged) restores them. PIPL-73:
de-identification, not anonymisation.
"""

from __future__ import annotations

from typing import ClassVar

from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import OperatorParams, TokenizeParams
from baomi.errors import ConfigError


class TokenizeOperator(Operator[TokenizeParams]):
    name: ClassVar[str] = "tokenize"
    params_type: ClassVar[type[OperatorParams]] = TokenizeParams
    thread_safe: ClassVar[bool] = False
    needs_vault: ClassVar[bool] = True
    uses_entity: ClassVar[bool] = False
    reversible: ClassVar[bool] = True

    def apply(
        self, value: str, entity: str | None, params: TokenizeParams, ctx: OperatorContext
    ) -> str:
        if ctx.vault is None:
            raise ConfigError("tokenize needs a token vault (give --vault or a key)")
        return ctx.vault.token_for(value.strip(), params.prefix)

    def recipient_specific(self, params: TokenizeParams) -> bool:
        """Tokens are made with the recipient's token key (``package.py``)."""
        return True
