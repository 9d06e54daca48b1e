"""Typed, frozen parameter objects for the protect operators (one class per operator).

Policies are validated into these objects (``policy.py``); operators never take untyped dicts.
Key material is never a parameter: ``key_id`` names a key that the key provider resolves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class OperatorParams:
    """Base of every operator's parameters."""


@dataclass(frozen=True, slots=True)
class KeepParams(OperatorParams):
    """Leave the value as it is (explicit, so a policy can exempt a column)."""


@dataclass(frozen=True, slots=True)
class MaskParams(OperatorParams):
    """Chinese display conventions per entity; ``keep_first``/``keep_last`` override them."""

    char: str = "*"
    keep_first: int | None = None
    keep_last: int | None = None


@dataclass(frozen=True, slots=True)
class PseudonymParams(OperatorParams):
    """Keyed (HMAC-SHA256), consistent pseudonyms in the entity's own format."""

    key_id: str = "pseudonym"
    #: Years per birth-year band kept in a pseudonymised resident ID.
    birth_year_band: int = 10
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
    prefix: str = "TKN"


@dataclass(frozen=True, slots=True)
class GeneralizeParams(OperatorParams):
    """Generalise a value: ``to`` picks the built-in rule, or ``hierarchy`` an ARX file."""

    to: Literal[
        "age_band", "year", "month", "province", "city", "district", "range", "hierarchy"
    ] = "age_band"
    #: Width of an age band or a numeric range.
    width: int = 10
    #: ARX hierarchy CSV (one row per value, ``;``-separated levels) and the level to use.
    hierarchy: str | None = None
    level: int = 1
    #: Reference date for ages (ISO); ``None`` means today.
    as_of: str | None = None


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
    length: int = 16
    per_recipient: bool = False


@dataclass(frozen=True, slots=True)
class SuppressParams(OperatorParams):
    """Blank the cell, or drop the whole record (tables)."""

    drop_record: bool = False
