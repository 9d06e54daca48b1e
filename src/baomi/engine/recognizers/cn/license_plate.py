"""车牌号 — motor vehicle licence plate (PIPL-RULES §6 PLATE-1; GA 36-2018, unconfirmed).

Formats: ``P L XXXXX`` (ordinary, 7 characters) and ``P L XXXXXX`` (new energy, 8 characters),
optionally with ``·``, a dot, dash or space after ``L`` as printed on the plate.

* ``P`` — province abbreviation (京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼),
  or ``使``/``领`` for embassy and consulate vehicles.
* ``L`` — issuing authority (city) letter, ``A–Z`` without ``I``/``O``.
* ordinary: 5 letters/digits, the last may be 挂 学 警 港 澳 (trailer, driving school, police,
  Hong Kong, Macao); at least three of them are digits (a heuristic against words).
* new energy: small vehicles ``D``/``F`` + letter/digit + 4 digits; large vehicles 5 digits +
  ``D``/``F`` (``D`` pure electric, ``F`` other — unconfirmed).

No check character; the plate shape is specific, context (``车牌 车辆 plate``) raises it.
"""

from __future__ import annotations

import re

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_SEP = re.compile(r"[·.\- ]")
_MIN_DIGITS = 3


class CnLicensePlateRecognizer(PatternRecognizer):
    entity = "CN_LICENSE_PLATE"
    patterns = (
        Pattern(
            "new_energy",
            rf"(?<![0-9A-Za-z])(?P<v>[{PROVINCES}][A-HJ-NP-Z][·.\- ]?"
            r"(?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]))(?![0-9A-Za-z])",
            0.6,
        ),
        Pattern(
            "ordinary",
            rf"(?<![0-9A-Za-z])(?P<v>[{PROVINCES}][A-HJ-NP-Z][·.\- ]?"
            r"[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])(?![0-9A-Za-z])",
            0.55,
        ),
    )
    context = ("车牌", "车辆", "号牌", "plate", "车号")
    header_hints = ("车牌", "号牌", "车辆", "plate", "license_no", "vehicle")
    prefilter = rf"[{PROVINCES}][A-ZＡ-Ｚ]"
    fast_cell_regex = (
        rf"^[{PROVINCES}][A-HJ-NP-Z](?:[DF][A-HJ-NP-Z0-9][0-9]{{4}}|[0-9]{{5}}[DF]"
        r"|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])$"
    )

    def canonical(self, value: str) -> str:
        return _SEP.sub("", value)

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.replace_all(_SEP.pattern, "")

    def validate(self, value: str) -> bool | None:
        if sum(c.isdigit() for c in value) < _MIN_DIGITS:
            return False
        return None
