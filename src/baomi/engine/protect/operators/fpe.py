"""``fpe``: FF3-1 format-preserving encryption of the digits of a value (NIST SP 800-38G
Rev. 1, library ``ff3``). Separators, full-width digits and a mobile's +86 country code stay as
written (:mod:`baomi.engine.protect.spelling`); with ``fix_check`` a resident ID's
(GB 11643) or bank card's (Luhn) check character is recomputed so the result stays well formed.
Reversible with the key (:func:`fpe_decrypt`): GB/T 37964-2019 Annex A "format-preserving
encryption", de-identification under PIPL-73.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import ClassVar

from ff3 import FF3Cipher

from baomi.engine import checksums
from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import FpeParams, OperatorParams
from baomi.engine.protect.spelling import mobile_country_code, spelling

MIN_DIGITS = 6  # FF3-1 needs radix ** length >= 1,000,000
MAX_DIGITS = 56


@lru_cache(maxsize=16)
def _cipher(key: bytes, tweak: str) -> FF3Cipher:
    tweak_hex = hashlib.sha256(tweak.encode("utf-8")).digest()[:7].hex()  # FF3-1: 56-bit tweak
    return FF3Cipher(key.hex(), tweak_hex)


def _check_len(entity: str | None, digits: str, fix_check: bool) -> int:
    """How many trailing digits are a check character to recompute (0 or 1)."""
    if not fix_check:
        return 0
    if entity == "CN_RESIDENT_ID" and len(digits) == 18:
        return 1
    if entity == "BANK_CARD" and 16 <= len(digits) <= 19:
        return 1
    return 0


def _transform(value: str, entity: str | None, key: bytes, params: FpeParams, decrypt: bool) -> str:
    raw = value.strip()
    # canonical digits (full-width folded), written back into the value's own layout: two
    # spellings of one number get one ciphertext, and a +86 country code is not encrypted
    written = spelling(raw, check_x=entity == "CN_RESIDENT_ID")
    cc = mobile_country_code(written.digits) if entity == "CN_MOBILE" else 0
    number = written.digits[cc:]
    tail = _check_len(entity, number, params.fix_check)
    payload = number[: len(number) - tail].removesuffix("X")
    if not payload.isdigit() or not MIN_DIGITS <= len(payload) <= MAX_DIGITS:
        return "*" * len(raw) if not decrypt else raw  # too short to encrypt: hide it
    cipher = _cipher(key, params.tweak + "|" + (entity or ""))
    new = cipher.decrypt(payload) if decrypt else cipher.encrypt(payload)
    if tail:
        if entity == "CN_RESIDENT_ID":
            new += checksums.resident_id_check_char(new)
        else:
            new += checksums.luhn_check_digit(new)
    new += number[len(new) :]  # an ID's X kept when its check character is not recomputed
    return written.fill(written.digits[:cc] + new)


def fpe_encrypt(value: str, entity: str | None, key: bytes, params: FpeParams) -> str:
    return _transform(value, entity, key, params, decrypt=False)


def fpe_decrypt(value: str, entity: str | None, key: bytes, params: FpeParams) -> str:
    return _transform(value, entity, key, params, decrypt=True)


class FpeOperator(Operator[FpeParams]):
    name: ClassVar[str] = "fpe"
    params_type: ClassVar[type[OperatorParams]] = FpeParams
    keeps_format: ClassVar[bool] = True
    reversible: ClassVar[bool] = True

    def apply(self, value: str, entity: str | None, params: FpeParams, ctx: OperatorContext) -> str:
        return fpe_encrypt(value, entity, ctx.key("fpe", params.key_id), params)
