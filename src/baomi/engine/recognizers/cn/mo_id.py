"""澳门身份证号码 — the Macao resident identity card number (BIR) of a customer in Macao
(PIPL-RULES §6 MO-ID).

Format: ``1234567(8)`` — ``1``, ``5`` or ``7`` (the kind of card), six digits and a digit in
brackets; written also without the brackets (``12345678``).

Check: the digit in brackets is a check digit whose algorithm is not published (PIPL-RULES
gives the format only), so nothing is checked: seven digits and a bracketed one are the shape of
extensions and references too, and an eight-digit number of anything. The number is therefore
reported only beside a context word (``澳门``, ``身份证``, ``BIR``, ``Macao``) or in a column whose header
names the card, at the pattern's score lifted by that context. Sensitive PI: an identity
document number (PIPL-28; GB/T 35273-2020 Annex B).
"""

from __future__ import annotations

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_LEFT = r"(?<![0-9A-Za-z])"
_RIGHT = r"(?![0-9A-Za-z])"


class MoIdRecognizer(PatternRecognizer):
    entity = "MO_ID"
    patterns = (
        Pattern("mo_id", _LEFT + r"(?P<v>[157]\d{6}\(\d\))" + _RIGHT, 0.45, context_required=True),
        # not before a bracket: 12345678(9) is no card's number written plainly
        Pattern(
            "mo_id_plain", _LEFT + r"(?P<v>[157]\d{7})(?![0-9A-Za-z(])", 0.3, context_required=True
        ),
    )
    context = ("澳门", "澳門", "身份证", "身份證", "bir", "macao", "macau")
    header_hints = ("澳门身份证", "澳門身份證", "澳门居民身份证", "bir", "macao id", "macau id")
    #: Rust regex (Polars): the patterns with their look-arounds as characters consumed
    prefilter = r"(?:^|[^0-9A-Za-z])[157１５７]\d{6}(?:[(（]\d[)）]|\d)(?:$|[^0-9A-Za-z])"
    fast_cell_regex = r"^[157][0-9]{6}\([0-9]\)$"

    def canonical(self, value: str) -> str:
        """``1234567(8)``: the last digit in brackets."""
        digits = "".join(c for c in value if c.isdigit())
        return f"{digits[:7]}({digits[7]})" if len(digits) == 8 else value

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.replace(r"^([157][0-9]{6})\(?([0-9])\)?$", "${1}(${2})")


__all__ = ["MoIdRecognizer"]
