"""手机号 — mainland China mobile number (11 digits, E.164 country code +86).

Format: ``1 N X  HHHH  SSSS`` — 11 digits, written with or without the country code
(``+86``, ``0086``, ``86``, ``(+86)``) and with optional spaces or dashes (``138 1234 5678``).

* ``1NX`` — network prefix; ``N`` is 3–9. The allocated prefixes are listed in
  PIPL-RULES §6 MOB-1 (source ``PHONE``, as of 2022-05); the loose shape ``1[3-9]\\d{9}``
  is MOB-2 (source ``ANYRULE``).
* ``HHHH`` — HLR / area block; ``SSSS`` — subscriber number.

There is no check digit. Validation: an allocated prefix cannot be confirmed (``None``, the
pattern score is kept: the shape alone is strong); an unallocated prefix (e.g. 140, 154, 194)
is kept at a low score so that context (``手机 电话 mobile``) can still report it. Number
portability (since 2019-12-01) means the prefix no longer proves the operator.
"""

from __future__ import annotations

import re

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_MOBILE = r"(?P<v>(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2})"
_REST = r"1[3-9]\d(?:[ -]?\d{4}){2}"
_AFTER_FIRST = r"(?<![0-9A-Za-z+][\s\S])"  # the look-behind, one character later
#: ``mobile`` with its optional country code spelled out, each way in the order the written
#: pattern tries them, and the look-behind after each way's first character: the same matches,
#: but the pattern starts with one of ``+ 0 8 ( 1``, so ``re`` skips other positions in C.
_MOBILE_SEARCH = (
    "(?P<v>"
    + "|".join(
        (
            r"\+" + _AFTER_FIRST + r"86[ -]?" + _REST,
            "0" + _AFTER_FIRST + r"086[ -]?" + _REST,
            "8" + _AFTER_FIRST + r"6[ -]?" + _REST,
            r"\(" + _AFTER_FIRST + r"\+86\)[ -]?" + _REST,
            r"\(" + _AFTER_FIRST + r"86\)[ -]?" + _REST,
            "1" + _AFTER_FIRST + r"[3-9]\d(?:[ -]?\d{4}){2}",
        )
    )
    + r")(?![0-9A-Za-z])"
)
#: ASCII labels a mobile may follow with no separator (``Tel13812345678``).
_LABEL = r"(?:Tel|TEL|tel|mobile|Mobile|MOBILE|phone|Phone|PHONE)"

# PIPL-RULES §6 MOB-1: allocated 3-digit prefixes (basic operators, MVNO 162/165/167/170/171,
# data-only 145/147/149; 174 covers satellite and emergency blocks). IoT 13-digit numbers
# (141/144/146/148) are not 11-digit mobiles and are excluded.
ALLOCATED_PREFIXES = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "147", "149"]
    + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + ["162", "165", "166", "167"]
    + [f"17{d}" for d in range(9)]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
)

_NON_DIGIT = re.compile(r"\D")


class CnMobileRecognizer(PatternRecognizer):
    entity = "CN_MOBILE"
    numeric = True  # a decimal's fraction is none (base.in_fraction)
    patterns = (
        Pattern(
            "mobile",
            r"(?<![0-9A-Za-z+])" + _MOBILE + r"(?![0-9A-Za-z])",
            0.6,
            search_regex=_MOBILE_SEARCH,
        ),
        # glued to an ASCII label (Tel13812345678): its own pattern, so that the main one keeps
        # a plain look-behind (an alternation of look-behinds made it four times slower)
        Pattern("mobile_label", _LABEL + _MOBILE + r"(?![0-9A-Za-z])", 0.6),
    )
    reject_on_invalid = False
    rejected_score = 0.3
    context = ("手机", "电话", "联系方式", "mobile", "phone", "tel", "cell", "contact", "微信")
    header_hints = (
        "手机",
        "电话",
        "联系方式",
        "mobile",
        "phone",
        "tel",
        "cell",
        "contact",
    )
    #: Rust regex (Polars): the pattern without look-arounds; \d matches full-width digits too.
    #: Bounded by non-digits (or the "86" of a country code), as the pattern is: digits
    #: inside a card or ID number do not make their cell a candidate.
    prefilter = (
        "(?:^|[^0-9０-９]|[8８][6６])[1１][3-9３-９]\\d[ \\-－\u3000]?\\d{4}"
        "[ \\-－\u3000]?\\d{4}(?:[^0-9０-９]|$)"
    )
    #: A cell that is one mobile number as people write it (+86, 0086, (+86), spaces, dashes);
    #: ASCII only — full-width digits take the per-cell path, which maps offsets.
    fast_cell_regex = r"^(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}$"

    def canonical(self, value: str) -> str:
        """The 11 national digits, without +86/0086, spaces, dashes or parentheses."""
        return _NON_DIGIT.sub("", value)[-11:]

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.replace_all(r"[^0-9]", "").str.tail(11)

    def validate(self, value: str) -> bool | None:
        if len(value) != 11 or not value.isdigit():
            return False
        return None if value[:3] in ALLOCATED_PREFIXES else False

    def validate_series(self, values: pl.Series) -> pl.Series:
        """Allocated prefix (MOB-1), vectorised: ``None`` when allocated, else ``False``."""
        v = pl.col("v")
        ok = v.str.contains(r"^[0-9]{11}$") & v.str.slice(0, 3).is_in(sorted(ALLOCATED_PREFIXES))
        frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
        return frame.select(pl.when(ok).then(None).otherwise(False)).to_series().alias(values.name)
