"""居民身份证号 — PRC resident identity card number (GB 11643-1999).

Format (18 characters): ``AAAAAA YYYYMMDD SSS C``

* ``AAAAAA`` — address code (GB/T 2260) of the county at first registration; the first two
  digits are the province. Only the province is checked: real IDs keep abolished county codes.
* ``YYYYMMDD`` — date of birth, a real calendar date, not in the future.
* ``SSS`` — sequence number; odd for men, even for women.
* ``C`` — check character, ISO 7064 MOD 11-2 over the first 17 digits, ``0-9`` or ``X``.

Legacy 15-digit IDs (before 1999): ``AAAAAA YYMMDD SSS``, no check character.
Sensitive PI: a "specific identity" identifier (PIPL-28; GB/T 35273-2020 Annex B).
"""

from __future__ import annotations

import polars as pl

from baomi.engine.checksums import is_valid_resident_id, resident_id18_valid_many
from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_ID18 = r"(?P<v>\d{6}(?:18|19|20)\d{2}[01]\d[0-3]\d{4}[\dXx])"
#: ASCII labels an ID may follow with no separator (``ID110101…``, ``sfz110101…``).
_LABEL = r"(?:IDCARD|IDCard|IDcard|idcard|ID|Id|id|sfz|SFZ)"


class CnResidentIdRecognizer(PatternRecognizer):
    entity = "CN_RESIDENT_ID"
    numeric = True  # a decimal's fraction is none (base.in_fraction)
    patterns = (
        Pattern(
            "id18",
            r"(?<![0-9A-Za-z])" + _ID18 + r"(?![0-9A-Za-z])",
            0.5,
        ),
        # glued to an ASCII label: its own pattern, so that the main one keeps a plain
        # look-behind (an alternation of look-behinds made it four times slower)
        Pattern("id18_label", _LABEL + _ID18 + r"(?![0-9A-Za-z])", 0.5),
        Pattern("id15", r"(?<![0-9A-Za-z])(?P<v>\d{8}[01]\d[0-3]\d{4})(?![0-9A-Za-z])", 0.2),
    )
    context = ("身份证", "证件", "公民身份", "id card", "id no", "idcard", "identity")
    header_hints = (
        "身份证",
        "证件号",
        "公民身份号码",
        "id_no",
        "idno",
        "id_card",
        "idcard",
        "id number",
        "identity",
    )
    #: 15 or 18 characters bounded by non-digits, as both patterns are (not 16-19-digit cards).
    prefilter = r"(?:^|[^0-9０-９])\d{15}(?:\d{2}[\dXxＸｘ])?(?:[^0-9０-９]|$)"
    #: GB 11643 MOD 11-2: one check character in eleven (a real birth date lowers it)
    chance_valid = 1 / 11
    fast_cell_regex = r"^[0-9]{17}[0-9Xx]$"  # ASCII only: full-width cells take the slow path

    def canonical(self, value: str) -> str:
        return value.upper()

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.to_uppercase()

    def validate(self, value: str) -> bool | None:
        return is_valid_resident_id(value)

    def validate_series(self, values: pl.Series) -> pl.Series:
        """GB 11643 check character, province and birth date, vectorised (NumPy)."""
        out = pl.repeat(False, len(values), eager=True, dtype=pl.Boolean).alias(values.name)
        is18 = values.str.contains(r"^[0-9]{17}[0-9Xx]$").fill_null(False)
        if is18.any():
            idx = is18.arg_true()
            ok = resident_id18_valid_many(values.gather(idx))
            out = out.scatter(idx, pl.Series(ok, dtype=pl.Boolean))
        short = values.str.contains(r"^[0-9]{15}$").fill_null(False)
        if short.any():  # legacy IDs: rare, checked one by one
            idx = short.arg_true()
            legacy = [is_valid_resident_id(x) for x in values.gather(idx).to_list()]
            out = out.scatter(idx, pl.Series(legacy, dtype=pl.Boolean))
        return out
