"""台湾身份证号码 — the Taiwan identity card number (國民身分證統一編號) of a customer in Taiwan,
or the number of a resident certificate issued there since 2021, as the household
registration rules of Taiwan's Ministry of the Interior give it.

Format: ``A123456789`` — a letter (the registration area: A Taipei …), ``1`` or ``2`` (sex),
or ``8`` / ``9`` on a resident certificate, seven digits and a check digit; lower case is
canonicalised to upper.

Check: the letter's two-digit value (A=10 … H=17, J=18 … V=29, X=30, Y=31, W=32, Z=33, I=34,
O=35) weighted 1 and 9, the next eight digits 8…1 and the check digit 1: the sum is a multiple
of 10 (:func:`baomi.engine.checksums.tw_id_check_digit`). A number whose check fails is none.
A letter and nine digits is a common shape of order and invoice codes too, which pass the check
one time in ten, so the number is reported only beside a context word (``身分證``, ``身份证``,
``台湾``, ``統一編號``, ``ID No``) or in a column whose header names an identity card. Sensitive
PI: an identity document number (PIPL-28; GB/T 35273-2020 Annex B).
"""

from __future__ import annotations

import polars as pl

from baomi.engine.checksums import is_valid_tw_id
from baomi.engine.recognizers.base import Pattern, PatternRecognizer


class TwIdRecognizer(PatternRecognizer):
    entity = "TW_ID"
    patterns = (
        Pattern(
            "tw_id",
            r"(?<![0-9A-Za-z])(?P<v>[A-Za-z][1289]\d{8})(?![0-9A-Za-z])",
            0.3,
            context_required=True,
        ),
    )
    context = (
        "身分證",
        "身分证",
        "身份证",
        "台湾",
        "臺灣",
        "台灣",
        "統一編號",
        "统一编号",
        "id no",
        "id card",
    )
    header_hints = ("身分證", "身分证", "身份证", "台湾", "臺灣", "台灣", "統一編號", "统一编号")
    chance_valid = 1 / 10
    #: Rust regex (Polars): the pattern with its look-arounds as characters consumed
    prefilter = r"(?:^|[^0-9A-Za-z])[A-Za-zＡ-Ｚａ-ｚ][1289１２８９]\d{8}(?:$|[^0-9A-Za-z])"
    fast_cell_regex = r"^[A-Z][1289][0-9]{8}$"

    def canonical(self, value: str) -> str:
        return value.upper()

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.to_uppercase()

    def validate(self, value: str) -> bool | None:
        return is_valid_tw_id(value)


__all__ = ["TwIdRecognizer"]
