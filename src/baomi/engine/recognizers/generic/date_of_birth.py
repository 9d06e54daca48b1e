"""出生日期 — date of birth (GB/T 7408 / ISO 8601 calendar dates, as written in China).

Formats: ``1990-03-07``, ``1990/3/7``, ``1990.3.7`` (one separator throughout),
``1990年3月7日`` (also ``号``), and the compact ``19900307`` — the compact form is reported
**only with context** (an 8-digit number is far too common).

* year — ``19xx`` or ``20xx``; month ``1–12``; day ``1–31`` (with or without a leading zero).

Validation: a real calendar date between 1900-01-01 and today (the same rule as the birth
date inside a resident ID, GB 11643); an impossible date (``1990-02-30``) is dropped. A date
is only a birth date in context (``出生 生日 birth dob``), so the pattern score stays below the
analyzer threshold without it.
"""

from __future__ import annotations

import datetime as _dt
import re

import polars as pl

from baomi.engine.checksums import valid_birth_date
from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_COMPACT = "compact"
_M = r"(?:0?[1-9]|1[0-2])"
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_PARTS = re.compile(r"(\d{4})\D*?(\d{1,2})\D*?(\d{1,2})")
#: A value :meth:`DateOfBirthRecognizer.canonical` leaves as it is (``YYYY-MM-DD``).
_CANONICAL = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class DateOfBirthRecognizer(PatternRecognizer):
    entity = "DATE_OF_BIRTH"
    patterns = (
        Pattern(
            "date",
            rf"(?<![0-9A-Za-z.])(?P<v>(?:19|20)\d{{2}}(?P<s>[-/.]){_M}(?P=s){_D})(?!\d|\.\d)",
            0.3,
        ),
        Pattern("date_zh", rf"(?<!\d)(?P<v>(?:19|20)\d{{2}} ?年 ?{_M} ?月 ?{_D} ?[日号])", 0.35),
        Pattern(
            _COMPACT,
            r"(?<![0-9A-Za-z])(?P<v>(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
            r"(?![0-9A-Za-z])",
            0.2,
            context_required=True,
        ),
    )
    context = ("出生", "生日", "诞辰", "birth", "dob", "born")
    header_hints = ("出生", "生日", "birth", "dob", "birthday")
    #: Any date column validates as a date; only the header makes it a birth date.
    header_required = True
    #: Rust regex (Polars): the pattern without look-arounds; \d matches full-width digits too.
    prefilter = r"\d{4}\s*[-/.年．／－]|出生|生日|诞辰|(?i:birth|dob|born)"
    fast_cell_regex = r"^(?:19|20)[0-9]{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])$"

    def canonical(self, value: str) -> str:
        """``YYYY-MM-DD``."""
        m = _PARTS.match(value)
        if m is None:
            return value
        return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"

    def canonical_series(self, values: pl.Series) -> pl.Series:
        if values.str.contains(_CANONICAL).fill_null(False).all():
            return values  # a date column's cells: already canonical (three regex passes less)
        rx = "^" + _PARTS.pattern
        year = values.str.extract(rx, 1)
        month = values.str.extract(rx, 2).str.zfill(2)
        day = values.str.extract(rx, 3).str.zfill(2)
        return (year + "-" + month + "-" + day).fill_null(values)

    def validate(self, value: str) -> bool | None:
        return None if valid_birth_date(value.replace("-", "")) else False

    def validate_series(self, values: pl.Series) -> pl.Series:
        """:meth:`validate` in Polars when every value is ``YYYY-MM-DD`` in ASCII digits (what
        :meth:`canonical` makes of a date column): a real date (``str.to_date``) between
        1900-01-01 and today; otherwise value by value."""
        if not values.str.contains(_CANONICAL).fill_null(False).all():
            return super().validate_series(values)
        born = values.str.to_date("%Y-%m-%d", strict=False)
        ok = born.is_between(_dt.date(1900, 1, 1), _dt.date.today()).fill_null(False)
        return (
            pl.select(pl.when(ok).then(pl.lit(None, dtype=pl.Boolean)).otherwise(pl.lit(False)))
            .to_series()
            .alias("ok")
        )
