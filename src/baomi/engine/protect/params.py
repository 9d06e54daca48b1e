"""Typed, frozen parameter objects for the protect operators (one class per operator).

Policies are validated into these objects (``policy.py``); operators never take untyped dicts.
Key material is never a parameter: ``key_id`` names a key that the key provider resolves.
Value constraints (``Field(ge=...)``) are checked by pydantic when a policy is loaded; fields
that only make sense together are checked in ``__post_init__`` (:class:`ParamError` names the
parameter, so the policy error points at its line).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from baomi.i18n import tr


class ParamError(ValueError):
    """Parameters that do not fit together; ``field`` is the one to point the user at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


#: A token prefix: 1-16 letters or digits of any script (``TKN``, ``tk``, ``客户``). No ``_``
#: (it separates the prefix from the token body), no spaces or punctuation, so that
#: ``baomi detokenize`` finds every token again, whatever text surrounds it.
TOKEN_PREFIX = re.compile(r"[^\W_]{1,16}")


@dataclass(frozen=True, slots=True)
class OperatorParams:
    """Base of every operator's parameters."""


@dataclass(frozen=True, slots=True)
class KeepParams(OperatorParams):
    """Leave the value as it is (explicit, so a policy can exempt a column)."""


@dataclass(frozen=True, slots=True)
class MaskParams(OperatorParams):
    """Chinese display conventions per entity; ``keep_first``/``keep_last`` override them."""

    char: Annotated[str, Field(min_length=1, max_length=1)] = "*"
    keep_first: Annotated[int | None, Field(ge=0)] = None
    keep_last: Annotated[int | None, Field(ge=0)] = None


@dataclass(frozen=True, slots=True)
class PseudonymParams(OperatorParams):
    """Keyed (HMAC-SHA256), consistent pseudonyms in the entity's own format."""

    key_id: str = "pseudonym"
    #: Years per birth-year band kept in a pseudonymised resident ID.
    birth_year_band: Annotated[int, Field(ge=1)] = 10
    #: Keep the resident ID's sex digit parity (GB 11643: odd = male).
    keep_sex: bool = True
    #: Derive a recipient-specific key (fingerprint, see ``fingerprint.py``).
    per_recipient: bool = True


@dataclass(frozen=True, slots=True)
class FpeParams(OperatorParams):
    """FF3-1 format-preserving encryption of the digits of a value (NIST SP 800-38G Rev.1)."""

    key_id: str = "fpe"
    tweak: str = "baomi"
    #: Recompute a resident ID / bank card check character after encrypting the payload.
    fix_check: bool = True


@dataclass(frozen=True, slots=True)
class TokenizeParams(OperatorParams):
    """Reversible tokens kept in the encrypted token vault (``tokens.py``)."""

    key_id: str = "tokens"
    #: See :data:`TOKEN_PREFIX`; validated when the policy is loaded.
    prefix: str = "TKN"


@dataclass(frozen=True, slots=True)
class GeneralizeParams(OperatorParams):
    """Generalise a value: ``to`` picks the built-in rule, or ``hierarchy`` an ARX file."""

    to: Literal[
        "age_band", "year", "month", "province", "city", "district", "range", "hierarchy"
    ] = "age_band"
    #: Width of an age band or a numeric range.
    width: Annotated[int, Field(gt=0)] = 10
    #: ARX hierarchy CSV (one row per value, ``;``-separated levels) and the level to use
    #: (level 0 is the value itself: ``keep`` says that explicitly).
    hierarchy: str | None = None
    level: Annotated[int, Field(ge=1)] = 1
    #: Reference date for ages (ISO); ``None`` means today.
    as_of: str | None = None

    def __post_init__(self) -> None:
        if self.to == "hierarchy" and not self.hierarchy:
            raise ParamError(
                "to",
                tr(
                    "to: hierarchy 需要 hierarchy:（ARX 层次文件）",
                    "to: hierarchy needs hierarchy: (an ARX hierarchy file)",
                ),
            )
        if self.hierarchy and self.to != "hierarchy":
            raise ParamError(
                "hierarchy",
                tr(
                    "hierarchy 只用于 to: hierarchy",
                    "hierarchy is only used with to: hierarchy",
                ),
            )
        if self.as_of is not None:
            try:
                _dt.date.fromisoformat(self.as_of)
            except ValueError:
                raise ParamError(
                    "as_of",
                    tr(
                        "as_of 须为 ISO 日期（如 2025-01-01）",
                        "as_of must be an ISO date (like 2025-01-01)",
                    ),
                ) from None


@dataclass(frozen=True, slots=True)
class RedactParams(OperatorParams):
    """Remove the value (or replace it with a fixed text)."""

    text: str = ""


@dataclass(frozen=True, slots=True)
class ReplaceParams(OperatorParams):
    """Replace the value with the entity tag (``<CN_MOBILE>``) or a fixed text."""

    text: str | None = None


@dataclass(frozen=True, slots=True)
class HashParams(OperatorParams):
    """Keyed hash (HMAC-SHA256), hex, truncated to ``length`` characters."""

    key_id: str = "hash"
    #: Hex characters kept of the 64 of HMAC-SHA256.
    length: Annotated[int, Field(ge=1, le=64)] = 16
    per_recipient: bool = False


@dataclass(frozen=True, slots=True)
class SuppressParams(OperatorParams):
    """Blank the cell, or drop the whole record (tables)."""

    drop_record: bool = False
