"""Values typed into the pages' forms, read the way people type them."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import TypeVar

from baomi.errors import InputError
from baomi.i18n import tr

#: Thousands separators and spaces people put in a number: 1,200,000 / 1，200，000 / 1 200 000.
_GROUPING = re.compile(r"[,，_\s]")
E = TypeVar("E", bound=Enum)


#: The largest number a form takes: the APIs' largest bound (a turnover in yuan), well inside
#: what a database integer holds (a 20-digit number was an OverflowError, a 500).
MAX_FORM_COUNT = 10**15


def form_count(text: str, what: str, most: int = MAX_FORM_COUNT) -> int | None:
    """A whole number typed in a form (full-width digits and thousands separators allowed),
    at most ``most``; ``None`` when nothing was typed, :class:`InputError` naming ``what``
    for anything else."""
    text = _GROUPING.sub("", unicodedata.normalize("NFKC", text))
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise InputError(tr(f"{what}须为非负整数", f"{what} must be a whole number"))
    value = int(text)
    if value > most:
        raise InputError(tr(f"{what}不能超过 {most:,}", f"{what} cannot exceed {most:,}"))
    return value


def form_choice(choices: type[E], text: str, what: str) -> E:
    """One of ``choices`` picked in a form; :class:`InputError` naming ``what`` (never echoing
    the text) for anything the page's list did not offer."""
    try:
        return choices(text.strip())
    except ValueError:
        raise InputError(
            tr(f"{what}无效，请从列表中选择", f"{what}: not one of the choices")
        ) from None


def form_score(text: str, what: str, low: int = 1, high: int = 5) -> int | None:
    """A score typed in a form, ``low``–``high``; ``None`` when nothing was typed."""
    value = None
    try:
        value = form_count(text, what)
    except InputError:
        pass
    else:
        if value is None or low <= value <= high:
            return value
    raise InputError(
        tr(f"{what}须为 {low}–{high} 的整数", f"{what} must be a whole number from {low} to {high}")
    )


def form_switch(text: str, what: str) -> bool:
    """A form's on/off switch: "1" on, "0" off; :class:`InputError` naming ``what`` for anything
    else (a value no page sends is refused, not read as off)."""
    value = text.strip()
    if value not in ("0", "1"):
        raise InputError(tr(f"{what}：须为 1（是）或 0（否）", f"{what}: 1 (yes) or 0 (no)"))
    return value == "1"
