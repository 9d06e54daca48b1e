"""香港身份证号码 — the Hong Kong identity card number of a customer in Hong Kong (PIPL-RULES §6
HK-ID; the Immigration Department's format, the OECD's Hong Kong TIN sheet).

Format: ``@123456(#)`` — one or two capital letters, six digits and a check character in
brackets (``A123456(3)``, ``CA182361(1)``); written also without the brackets
(``A1234563``) or in lower case, which is canonicalised to the bracketed upper-case form.

Check: the check character is ``0``–``9`` or ``A``: letters count A=10 … Z=35, a one-letter
number is preceded by a blank counting 36, weights 9…2 over the eight positions, the check is
``(11 − Σ mod 11) mod 11`` with 10 written ``A`` (:func:`baomi.engine.checksums.hkid_check_char`).
A number whose check fails is no identity card number (PIPL-RULES' own example ``K034169(1)``
is a format example: its check character would be ``A``). Written without brackets, seven
characters and a digit are common in order and product codes, so that form is reported only
with context (``身份证 HKID 香港``) or in a column whose header names the card. Sensitive PI: an
identity document number (PIPL-28; GB/T 35273-2020 Annex B).
"""

from __future__ import annotations

import re

import polars as pl

from baomi.engine.checksums import is_valid_hkid
from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_LEFT = r"(?<![0-9A-Za-z])"
_RIGHT = r"(?![0-9A-Za-z])"
_PARTS = re.compile(r"([A-Za-z]{1,2})(\d{6})\(?([0-9Aa])\)?")


class HkIdRecognizer(PatternRecognizer):
    entity = "HK_ID"
    patterns = (
        Pattern("hkid", _LEFT + r"(?P<v>[A-Za-z]{1,2}\d{6}\([0-9Aa]\))" + _RIGHT, 0.5),
        Pattern(
            "hkid_plain",
            _LEFT + r"(?P<v>[A-Za-z]{1,2}\d{6}[0-9Aa])" + _RIGHT,
            0.3,
            context_required=True,
        ),
    )
    context = ("身份证", "身分證", "hkid", "香港", "identity card", "id card", "证件")
    header_hints = ("香港身份证", "身分證", "hkid", "hk id", "identity card")
    chance_valid = 1 / 11
    #: Rust regex (Polars): the patterns with their look-arounds as characters consumed (a
    #: customer number ``C2026000000`` holds a letter and six digits, and is no card)
    prefilter = (
        r"(?:^|[^0-9A-Za-z])[A-Za-zＡ-Ｚａ-ｚ]{1,2}\d{6}(?:[(（][0-9AaＡａ\d][)）]|[0-9AaＡａ\d])"
        r"(?:$|[^0-9A-Za-z])"
    )
    fast_cell_regex = r"^[A-Z]{1,2}[0-9]{6}\([0-9A]\)$"

    def canonical(self, value: str) -> str:
        """``A123456(3)``: upper case, the check character in brackets."""
        m = _PARTS.fullmatch(value)
        return f"{m[1].upper()}{m[2]}({m[3].upper()})" if m else value.upper()

    def canonical_series(self, values: pl.Series) -> pl.Series:
        upper = values.str.to_uppercase()
        return upper.str.replace(r"^([A-Z]{1,2}[0-9]{6})\(?([0-9A])\)?$", "${1}(${2})")

    def validate(self, value: str) -> bool | None:
        return is_valid_hkid(value)


__all__ = ["HkIdRecognizer"]
