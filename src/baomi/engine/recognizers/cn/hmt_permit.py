"""港澳/台湾通行证 — travel permits of Hong Kong, Macao and Taiwan residents (PIPL-RULES §6).

Formats:

* ``H`` / ``M`` + 8 digits, or + 10 digits — 港澳居民来往内地通行证 ("回乡证"): ``H`` Hong Kong,
  ``M`` Macao; 8-digit personal number, the card version adds a 2-digit issue count
  (HKM-1; the meaning of the 10-digit form is unconfirmed).
* 8 digits — 台湾居民来往大陆通行证 ("台胞证", card version, TW-1). A bare 8-digit number is
  far too common, so it is reported **only with context** (``台胞证 台湾 通行证``).

No check digit. Sensitive PI: an identity document number (PIPL-28; GB/T 35273-2020 Annex B).
"""

from __future__ import annotations

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_TAIWAN = "taiwan"


class CnHmtPermitRecognizer(PatternRecognizer):
    entity = "CN_HMT_PERMIT"
    patterns = (
        Pattern("hk_macao", r"(?<![0-9A-Za-z])(?P<v>[HMhm]\d{8}(?:\d{2})?)(?![0-9A-Za-z])", 0.4),
        # TW-1: a bare 8-digit number is only a permit with context
        Pattern(
            _TAIWAN, r"(?<![0-9A-Za-z])(?P<v>\d{8})(?![0-9A-Za-z])", 0.2, context_required=True
        ),
    )
    context = ("通行证", "回乡证", "台胞证", "港澳", "台湾", "permit", "证件")
    header_hints = ("通行证", "回乡证", "台胞证", "港澳", "台湾", "permit")
    #: Rust regex (Polars): the pattern without look-arounds; \d matches full-width digits too.
    prefilter = r"(?i)[HMＨＭ]\d{8}|通行证|回乡证|台胞证|港澳|台湾|permit|证件"
    fast_cell_regex = r"^[HMhm][0-9]{8}(?:[0-9]{2})?$"

    def canonical(self, value: str) -> str:
        return value.upper()

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.to_uppercase()
