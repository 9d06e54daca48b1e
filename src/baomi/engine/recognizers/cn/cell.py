"""The base of the column-only recognizers (names, addresses, organisations): one decision about
a whole (stripped) cell, and the Han character class they share."""

from __future__ import annotations

import polars as pl

from baomi.engine.normalize import NormalizedText, normalize
from baomi.engine.recognizers.base import PatternRecognizer
from baomi.engine.types import Explanation, Finding, Validation

#: Han ideographs (CJK Extension A and the unified block), as literal characters so the same
#: class works in Python ``re`` and in Polars' Rust regex.
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
#: ``validate`` confirms a whole value at or above this score (shared by the cell recognizers).
CONFIDENT = 0.85


class CellRecognizer(PatternRecognizer):
    """Base of the column-only recognizers: one decision about a whole (stripped) cell.

    Subclasses implement :meth:`classify` on the normalised, stripped cell; it returns the
    span inside that string, a score and a pattern name, or ``None``.
    """

    column_only = True
    patterns = ()

    def classify(self, cell: str) -> tuple[int, int, float, str] | None:
        raise NotImplementedError

    def classify_series(self, cells: pl.Series) -> pl.DataFrame | None:
        """:meth:`classify` of many cells at once, where a subclass can say it in Polars.

        ``cells`` are normalised and stripped (String, no nulls). Returns one row per cell with
        ``score`` (Float64, null: no finding), ``pattern`` (String) and ``python`` (Boolean:
        this cell is left to :meth:`classify`); a finding always spans the whole cell. The
        default, ``None``: every cell goes through :meth:`classify`.
        """
        return None

    def validate(self, value: str) -> bool | None:
        """True when the whole value is a confident match; else cannot tell."""
        hit = self.classify(value)
        if hit is not None and hit[:2] == (0, len(value)) and hit[2] >= CONFIDENT:
            return True
        return None

    @staticmethod
    def confirmed_where(
        values: pl.Series, ok: pl.Expr, rejected: pl.Expr | None = None
    ) -> pl.Series:
        """``True`` where ``ok`` (an expression over column ``v``) holds, ``False`` where
        ``rejected`` holds, else null (cannot tell)."""
        unknown = pl.lit(None, dtype=pl.Boolean)
        if rejected is not None:
            unknown = pl.when(rejected).then(pl.lit(False)).otherwise(unknown)
        expr = pl.when(ok).then(pl.lit(True)).otherwise(unknown)
        frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
        return frame.select(expr.alias("ok")).get_column("ok").alias(values.name)

    def analyze(self, text: str, norm: NormalizedText | None = None) -> list[Finding]:
        return self.analyze_cell(text, norm)

    def analyze_cell(self, text: str, norm: NormalizedText | None = None) -> list[Finding]:
        norm = norm or normalize(text)
        stripped = norm.text.strip()
        if not stripped:
            return []
        hit = self.classify(stripped)
        if hit is None:
            return []
        offset = norm.text.index(stripped)
        start, end, score, pattern = hit
        o_start, o_end = norm.span(offset + start, offset + end)
        return [
            Finding(
                entity=self.entity,
                start=o_start,
                end=o_end,
                score=score,
                explanation=Explanation(self.name, pattern, Validation.UNKNOWN),
                value=self.canonical(stripped[start:end]),
            )
        ]
