"""统一社会信用代码 — unified social credit code of an organisation (GB 32100-2015).

Format (18 characters from ``0-9 A-Z`` without ``I O Z S V``; PIPL-RULES §6 USCC-1):
``R T DDDDDD OOOOOOOOO C``

* ``R`` — registering authority (``1`` 机构编制, ``5`` 民政, ``9`` 市场监管, ``Y`` other, …).
* ``T`` — organisation type (for ``9``: ``1`` enterprise, ``2`` 个体工商户, ``3`` farmers' co-op).
* ``DDDDDD`` — administrative division code (GB/T 2260) of the registering authority.
* ``OOOOOOOOO`` — organisation code (GB 11714).
* ``C`` — check character: weights ``3^i mod 31``, ``alphabet[(31 − Σ mod 31) mod 31]``
  (USCC-2, :func:`baomi.engine.checksums.is_valid_uscc`).

Invalid check characters are dropped. A code is an organisation's, but one starting ``92``
identifies a business run by one natural person (USCC-A) and can be PI with a name or address.
"""

from __future__ import annotations

import polars as pl

from baomi.engine.checksums import is_valid_uscc, uscc_valid_series
from baomi.engine.recognizers.base import Pattern, PatternRecognizer

_CHAR = "0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy"


class CnUsccRecognizer(PatternRecognizer):
    entity = "CN_USCC"
    patterns = (
        Pattern(
            "uscc",
            rf"(?<![0-9A-Za-z])(?P<v>[1-9ANYany][{_CHAR}]\d{{6}}[{_CHAR}]{{10}})(?![0-9A-Za-z])",
            0.3,
        ),
    )
    context = ("信用代码", "社会信用", "税号", "纳税人识别号", "uscc", "credit code", "tax id")
    header_hints = ("信用代码", "社会信用", "税号", "纳税人识别号", "uscc", "credit_code", "tax_id")
    #: Rust regex (Polars): the pattern without look-arounds; \d matches full-width digits too.
    prefilter = r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{18}"
    #: GB 32100 mod 31: one code in thirty-one passes
    chance_valid = 1 / 31
    fast_cell_regex = r"^[1-9ANY][0-9A-HJ-NP-RTUWXY][0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"

    def canonical(self, value: str) -> str:
        return value.upper()

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.to_uppercase()

    def validate(self, value: str) -> bool | None:
        return is_valid_uscc(value)

    def validate_series(self, values: pl.Series) -> pl.Series:
        """GB 32100 over many values at once (NumPy)."""
        ok = uscc_valid_series(values)
        return pl.Series(values.name, ok, dtype=pl.Boolean)
