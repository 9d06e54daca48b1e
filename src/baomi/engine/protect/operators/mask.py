"""``mask``: hide part of a value with Chinese display conventions as defaults.

The conventions per entity (mobile ``138****5678``, resident ID first 6 + last 4 shown …) live
in :mod:`baomi.engine.masking`; this operator applies them to series, the common shapes
vectorised. ``keep_first`` / ``keep_last`` override the convention (counted in characters).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from baomi.engine import divisions, masking
from baomi.engine.protect.operators.base import Operator, OperatorContext, map_unique
from baomi.engine.protect.params import MaskParams, OperatorParams

#: Cells of these shapes take the vectorised (Polars) path; others go value by value.
_FAST_SHAPES: dict[str, str] = {
    # \d is Unicode in Polars' regex engine: full-width digits take the fast path too
    "CN_MOBILE": r"^(?:\(?\+?86\)?[ -]?)?[1１]\d{2}[ -]?\d{4}[ -]?\d{4}$",
    "CN_RESIDENT_ID": r"^\d{17}[\dXx]$",
    "BANK_CARD": r"^\d[\d -]{14,26}\d$",
    "PERSON_NAME": r"^\p{Han}{2,4}$",
    "EMAIL": r"^[^@\s]+@[^@\s]+$",
    "ADDRESS": "",  # divisions.prefix_regex(), built on first use
}


def mask_value(value: str, entity: str | None, params: MaskParams) -> str:
    """The masked form of one value (:func:`baomi.engine.masking.mask_value` with ``params``)."""
    return masking.mask_value(value, entity, params.char, params.keep_first, params.keep_last)


def _keep_expr(
    col: pl.Expr, first: int, last: int, char: str, length: int | None = None
) -> pl.Expr:
    tail = col.str.slice(-last) if last else pl.lit("")
    if length is not None:  # fixed-length shape: a constant run of mask characters
        return pl.concat_str(
            [col.str.slice(0, first), pl.lit(char * (length - first - last)), tail]
        )
    count = (col.str.len_chars().cast(pl.Int64) - first - last).clip(0)
    hidden = pl.lit(char).repeat_by(count).list.join("")
    return pl.concat_str([col.str.slice(0, first), hidden, tail])


class MaskOperator(Operator[MaskParams]):
    name: ClassVar[str] = "mask"
    params_type: ClassVar[type[OperatorParams]] = MaskParams
    coarsens: ClassVar[bool] = True
    carries_marks: ClassVar[bool] = True

    def apply(
        self, value: str, entity: str | None, params: MaskParams, ctx: OperatorContext
    ) -> str:
        return mask_value(value, entity, params)

    def apply_series(
        self, values: pl.Series, entity: str | None, params: MaskParams, ctx: OperatorContext
    ) -> pl.Series:
        shape = _FAST_SHAPES.get(entity or "")
        if shape is None or params.keep_first is not None or params.keep_last is not None:
            return map_unique(values, lambda v: mask_value(v, entity, params))
        c, char = pl.col("v"), params.char
        if entity == "CN_MOBILE":
            fast = c.str.replace(
                r"^((?:\(?\+?86\)?[ -]?)?[1１]\d{2}[ -]?)\d{4}([ -]?\d{4})$",
                "${1}" + char * 4 + "${2}",
            )
        elif entity == "CN_RESIDENT_ID":
            fast = _keep_expr(c, 6, 4, char, 18)
        elif entity == "BANK_CARD":  # last 4 digits shown, separators kept
            tail = c.str.extract(r"((?:\d[ -]?){3}\d)$", 1)
            head = c.str.slice(0, c.str.len_chars() - tail.str.len_chars())
            fast = pl.concat_str([head.str.replace_all(r"\d", char), tail])
        elif entity == "EMAIL":
            fast = c.str.replace(r"^([^@])[^@]*@", "${1}" + char * 3 + "@")
        elif entity == "ADDRESS":
            return self._address(values, params)
        else:  # PERSON_NAME
            n = c.str.len_chars()
            fast = (
                pl.when(n == 2)
                .then(c.str.slice(0, 1) + pl.lit(char))
                .otherwise(_keep_expr(c, 1, 1, char))
            )
        frame = pl.DataFrame({"v": values})
        shaped = frame.select(c.str.contains(shape).fill_null(False)).to_series()
        out = frame.select(pl.when(shaped).then(fast).otherwise(c).alias("v")).to_series()
        return self._rest(values, out, shaped, entity, params)

    def _address(self, values: pl.Series, params: MaskParams) -> pl.Series:
        """Cut after the district: one regex pass extracts the division prefix."""
        c, prefix = pl.col("v"), pl.col("p")
        frame = pl.DataFrame({"v": values}).with_columns(
            c.str.extract(divisions.prefix_regex(), 1).alias("p")
        )
        shaped = frame.select((prefix.str.len_chars() > 0).fill_null(False)).to_series()
        out = frame.select(
            pl.when(prefix.str.len_chars() < c.str.len_chars())
            .then(pl.concat_str([prefix, pl.lit(params.char * 4)]))
            .otherwise(c)
            .alias("v")
        ).to_series()
        return self._rest(values, out, shaped, "ADDRESS", params)

    @staticmethod
    def _rest(
        values: pl.Series, out: pl.Series, shaped: pl.Series, entity: str | None, params: MaskParams
    ) -> pl.Series:
        """Cells outside the vectorised shape, value by value."""
        if bool(shaped.all()) or values.null_count() == values.len():
            return out.alias(values.name)
        rest = values.filter(~shaped)
        mapped = map_unique(rest, lambda v: mask_value(v, entity, params))
        return out.scatter((~shaped).arg_true(), mapped).alias(values.name)
