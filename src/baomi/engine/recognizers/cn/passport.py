"""护照号 — passport numbers of the PRC and its SARs (PIPL-RULES §6 PASS-1).

Formats (9 characters; letters upper-case, lower case accepted and canonicalised):

* ``E`` + 8 digits — ordinary e-passport, first series (since 2012).
* ``E`` + letter (``A–Z`` without ``I``/``O``) + 7 digits — ordinary e-passport, later series.
* ``DE`` / ``SE`` / ``PE`` + 7 digits — diplomatic, service and official-ordinary passports.
* ``K`` + 8 digits or ``KJ`` + 7 digits — HKSAR passport; ``MA``/``MB`` + 7 digits — Macao SAR.
* ``G`` / ``D`` / ``S`` / ``P`` + 8 digits — older (pre-2012) series (source ``ANYRULE``;
  the exact letter ranges are unconfirmed, PASS-1 status U), scored lower.

No check digit is printed in the number itself (the MRZ check digits are not part of it), so
the score depends on context (``护照 passport``). Sensitive PI: an identity document number
(PIPL-28; GB/T 35273-2020 Annex B).
"""

from __future__ import annotations

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_LEFT = r"(?<![0-9A-Za-z])"
_RIGHT = r"(?![0-9A-Za-z])"


class CnPassportRecognizer(PatternRecognizer):
    entity = "CN_PASSPORT"
    patterns = (
        Pattern(
            "passport",
            _LEFT
            + r"(?P<v>(?i:E\d{8}|E[A-HJ-NP-Z]\d{7}|[DSP]E\d{7}|K\d{8}|KJ\d{7}|M[AB]\d{7}))"
            + _RIGHT,
            0.4,
        ),
        Pattern("passport_legacy", _LEFT + r"(?P<v>(?i:[GDSP]\d{8}))" + _RIGHT, 0.2),
    )
    context = ("护照", "passport", "证件", "旅行证")
    header_hints = ("护照", "passport", "证件号")
    #: Rust regex (Polars): the pattern without look-arounds; \d matches full-width digits too.
    prefilter = r"(?i)[A-ZＡ-Ｚ]\d{7}"
    fast_cell_regex = r"^(?:[EeGg][0-9]{8}|[Ee][A-HJ-NP-Za-hj-np-z][0-9]{7})$"

    def canonical(self, value: str) -> str:
        return value.upper()

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.to_uppercase()
