"""固定电话 — mainland China landline number with its area code (ITU-T E.164, +86).

Format: ``0AA(A)-[2-9]NNNNNN(N)[-EXT]``

* ``0AA`` / ``0AAA`` — trunk prefix ``0`` and area code: 3 digits for ``010`` (Beijing) and
  ``02x`` (large cities such as Shanghai 021, Guangzhou 020), 4 digits (``0xxx``) elsewhere.
  Written plain, with ``-`` or a space, or in parentheses ``(021)``.
* local number — 7 or 8 digits, never starting with 0 or 1 (those lead to the area code and to
  mobiles/service numbers); may be split before its last four digits (``6552 1234``).
* extension — optional, after ``-``, ``转``, ``ext`` or ``#``.

Only the area-code shape is checked (DESIGN.md): there is no check digit, so the pattern score
is low; context (``电话 座机 tel``) lifts it over the threshold.
"""

from __future__ import annotations

import re

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_NUMBER = re.compile(r"\(?(0\d{2,3})\)?[ -]?([2-9]\d{2,3})[ -]?(\d{4})")

_AREA = r"(?:10|2\d|[3-9]\d{2})"
_LOCAL = r"[ -]?[2-9]\d{2,3}[ -]?\d{4}(?:(?:-|转|(?i:ext)\.?|#)\s*\d{1,6})?"
#: The look-behinds of ``landline``, one character further back: after the first character.
_AFTER_FIRST = r"(?<![0-9A-Za-z][\s\S])(?<!\d[ -][\s\S])"
#: ``landline`` with its look-behinds after each way's first character: the same matches,
#: but the pattern starts with ``0`` or ``(``, so ``re`` skips other positions in C (a notes
#: column's bank-card digits pass the prefilter and held no landline: 7 ms of 23,000 cells).
_LANDLINE_SEARCH = (
    rf"(?P<v>(?:0{_AFTER_FIRST}{_AREA}|\({_AFTER_FIRST}0{_AREA}\)){_LOCAL})(?![0-9A-Za-z])"
)


class CnLandlineRecognizer(PatternRecognizer):
    entity = "CN_LANDLINE"
    numeric = True  # a decimal's fraction is none (base.in_fraction)
    patterns = (
        Pattern(
            "landline",
            rf"(?<![0-9A-Za-z])(?<!\d[ -])(?P<v>(?:0{_AREA}|\(0{_AREA}\)){_LOCAL})(?![0-9A-Za-z])",
            0.3,
            search_regex=_LANDLINE_SEARCH,
        ),
    )
    context = ("电话", "座机", "固话", "传真", "tel", "phone", "fax", "联系")
    header_hints = ("电话", "座机", "固话", "传真", "tel", "phone", "fax")
    #: Rust regex (Polars): the pattern without look-arounds; \d matches full-width digits too.
    prefilter = "[0０]\\d{2,3}[)）]?[ \\-－\u3000]?\\d{3,4}[ \\-－\u3000]?\\d{4}"
    fast_cell_regex = r"^0(?:10|2[0-9]|[3-9][0-9]{2})-?[2-9][0-9]{6,7}$"

    def canonical(self, value: str) -> str:
        """Area code and local number as digits (``01012345678``); the extension is dropped."""
        m = _NUMBER.search(value)
        return "".join(m.groups()) if m else value

    def canonical_series(self, values: pl.Series) -> pl.Series:
        rx = _NUMBER.pattern
        parts = [values.str.extract(rx, i) for i in (1, 2, 3)]
        return (parts[0] + parts[1] + parts[2]).fill_null(values)
