"""``mask``: hide part of a value with Chinese display conventions as defaults.

Defaults per entity (JR/T 0171-2020 Annex A "信息屏蔽" style, common display practice):
mobile ``138****5678``; resident ID first 6 + last 4 shown; name ``张*明`` / ``王*``; bank card
last 4; e-mail ``a***@example.com``; address cut after the district. ``keep_first`` /
``keep_last`` override the convention (counted in characters).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from baomi.engine.protect import divisions
from baomi.engine.protect.operators.base import Operator, OperatorContext, map_unique
from baomi.engine.protect.params import MaskParams, OperatorParams

#: (keep_first, keep_last) in characters for entities masked by position.
_POSITIONAL: dict[str, tuple[int, int]] = {
    "CN_RESIDENT_ID": (6, 4),
    "CN_PASSPORT": (1, 2),
    "CN_HMT_PERMIT": (1, 2),
    "CN_USCC": (8, 2),
    "CN_LICENSE_PLATE": (2, 1),
    "DATE_OF_BIRTH": (4, 0),
}
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


def _keep(value: str, first: int, last: int, char: str) -> str:
    n = len(value)
    if first + last >= n:
        return char * n if first + last > 0 and n <= 2 else value[:first] + char * max(n - first, 0)
    return value[:first] + char * (n - first - last) + (value[n - last :] if last else "")


def _mask_digits(value: str, keep_first: int, keep_last: int, char: str) -> str:
    """Mask digit characters by their index among the digits, keeping separators."""
    nd = sum(c.isdigit() for c in value)
    out, i = [], 0
    for c in value:
        if c.isdigit():
            out.append(c if i < keep_first or i >= nd - keep_last else char)
            i += 1
        else:
            out.append(c)
    return "".join(out)


def mask_value(value: str, entity: str | None, params: MaskParams) -> str:
    """The masked form of one value (pure function, used by the operator and tests)."""
    char = params.char
    if params.keep_first is not None or params.keep_last is not None:
        return _keep(value, params.keep_first or 0, params.keep_last or 0, char)
    if entity == "CN_MOBILE":
        nd = sum(c.isdigit() for c in value)
        return _mask_digits(value, nd - 8, 4, char)  # national number: 3 shown, 4 hidden, 4 shown
    if entity == "BANK_CARD":
        return _mask_digits(value, 0, 4, char)
    if entity == "CN_LANDLINE":
        digits = "".join(c for c in value if c.isdigit())
        area = 3 if digits[:2] in ("01", "02") else 4  # 010 and 02x area codes are 3 digits
        return _mask_digits(value, min(area, max(len(digits) - 4, 0)), 2, char)
    if entity == "PERSON_NAME":
        name = value.strip()
        if len(name) <= 1:
            return char
        if len(name) == 2:
            return name[0] + char
        return name[0] + char * (len(name) - 2) + name[-1]
    if entity == "EMAIL":
        local, at, domain = value.partition("@")
        if not at:
            return _keep(value, 1, 0, char)
        return (local[:1] + char * 3) + "@" + domain
    if entity == "ADDRESS":
        div = divisions.parse(value)
        end = div.end if div is not None else 0  # no division: nothing of it is kept
        return value[:end] + char * 4 if end < len(value) else value
    if entity == "IP_ADDRESS" and value.count(".") == 3:
        a, b, _, _ = value.split(".")
        return f"{a}.{b}.{char}.{char}"
    first, last = _POSITIONAL.get(entity or "", (1, 1))
    return _keep(value, first, last, char)


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
