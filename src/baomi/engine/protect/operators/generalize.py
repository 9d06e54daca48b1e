"""``generalize``: replace a value by a coarser one.

Built-in rules: birth date → age band (``30-39``), date → month (``1990-05``) or year, address →
province / city / district (GB/T 2260 divisions from cpca's table), number → range. Or any ARX
hierarchy file at a chosen level. GB/T 37964-2019 Annex A: generalisation.
"""

from __future__ import annotations

import datetime as _dt
from typing import ClassVar

from baomi.engine.protect import divisions
from baomi.engine.protect.hierarchy import SUPPRESSED, number_range, parse_date
from baomi.engine.protect.operators.base import Operator, OperatorContext
from baomi.engine.protect.params import GeneralizeParams, OperatorParams


def _age(born: _dt.date, today: _dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def generalize_value(value: str, params: GeneralizeParams, as_of: _dt.date | None = None) -> str:
    """The generalised form of one value under a built-in rule (not ``hierarchy``)."""
    raw = value.strip()
    if not raw:
        return value
    to = params.to
    if to in ("age_band", "year", "month"):
        born = parse_date(raw)
        if born is None:
            if to == "age_band" and raw.isdigit():  # already an age
                return number_range(int(raw), params.width)
            return SUPPRESSED
        if to == "year":
            return str(born.year)
        if to == "month":
            return f"{born.year}-{born.month:02d}"
        today = as_of or (
            _dt.date.fromisoformat(params.as_of) if params.as_of else _dt.date.today()
        )
        age = _age(born, today)
        if age < 0:  # born after the reference date: not a birth date of anyone yet
            return SUPPRESSED
        return number_range(age, params.width)
    if to in ("province", "city", "district"):
        div = divisions.parse(raw)
        if div is None:
            return SUPPRESSED
        if to == "province":
            return div.province
        if to == "city":
            return div.province + div.city
        return div.province + div.city + div.district
    if to == "range":
        try:
            return number_range(float(raw), params.width)
        except ValueError:
            return SUPPRESSED
    return SUPPRESSED


class GeneralizeOperator(Operator[GeneralizeParams]):
    name: ClassVar[str] = "generalize"
    params_type: ClassVar[type[OperatorParams]] = GeneralizeParams
    coarsens: ClassVar[bool] = True
    carries_marks: ClassVar[bool] = True
    uses_entity: ClassVar[bool] = False

    def apply(
        self, value: str, entity: str | None, params: GeneralizeParams, ctx: OperatorContext
    ) -> str:
        if params.to == "hierarchy":
            if not params.hierarchy:
                return SUPPRESSED
            return ctx.hierarchy(params.hierarchy).generalize(value, params.level)
        return generalize_value(value, params)
