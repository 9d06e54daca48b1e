"""How an identifier is written: its canonical ASCII digits, and the layout to write new ones into.

People write the same number in many ways: a mobile as ``13812345678``, ``138 1234 5678``,
``+86-138-1234-5678``, ``(+86)13812345678``, ``0086 13812345678`` or in full-width digits; a
bank card grouped by four. Operators that compute new digits (``pseudonym``, ``fpe``) work on
the canonical digits — full-width folded to ASCII, separators and the +86 country code set
aside — and write the result back into the value's own layout: separators, country code and
digit width kept. The same number in two spellings therefore gets the same new digits, and
joins on the protected column still work.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Characters that may sit between the digits of a number written "plainly" (grouping,
#: country-code punctuation), ASCII and full-width.
SEPARATORS = frozenset(" -.+()\u3000\uff0d\uff0b\uff08\uff09\u2010\u2011\u2012\u2013\u2014")
_WIDE_ZERO = 0xFF10
_X = frozenset("Xx\uff38\uff58")  # X, x, full-width Ｘ, ｘ


@dataclass(frozen=True, slots=True)
class Spelling:
    """A written value: ``digits`` (ASCII, plus a final ``X`` for a resident ID's check
    character) and where each of them sits in ``text``."""

    text: str
    digits: str
    positions: tuple[int, ...]

    @property
    def plain(self) -> bool:
        """Only digits and separators (no letters or other text around the number)."""
        taken = set(self.positions)
        return all(c in SEPARATORS for i, c in enumerate(self.text) if i not in taken)

    def fill(self, new: str) -> str:
        """``text`` with its digits replaced by ``new`` (as many characters as ``digits``),
        each written in the width (ASCII / full-width) and case of the character it replaces."""
        if len(new) != len(self.positions):
            raise ValueError("fill() needs one character per digit")
        if len(self.positions) == len(self.text) and self.text.isascii():
            return new  # the common case: plain ASCII digits
        out = list(self.text)
        for pos, ch in zip(self.positions, new, strict=True):
            old = out[pos]
            if ch == "X" and old in "x\uff58":
                ch = "x"
            if ord(old) >= 0xFF00:  # full-width
                ch = chr(_WIDE_ZERO + int(ch)) if ch.isdigit() else chr(ord(ch) + 0xFEE0)
            out[pos] = ch
        return "".join(out)


def spelling(text: str, check_x: bool = False) -> Spelling:
    """The digits of ``text`` folded to ASCII; with ``check_x`` a final ``X``/``x``
    (full-width too) counts as the resident ID's check character."""
    if text.isascii() and text.isdigit():
        return Spelling(text, text, tuple(range(len(text))))
    digits: list[str] = []
    positions: list[int] = []
    for i, c in enumerate(text):
        if c.isdecimal():
            digits.append(str(unicodedata.decimal(c)))
            positions.append(i)
    if check_x:
        last = len(text.rstrip()) - 1
        if last >= 0 and text[last] in _X:
            digits.append("X")
            positions.append(last)
    return Spelling(text, "".join(digits), tuple(positions))


def mobile_country_code(digits: str) -> int:
    """How many leading digits of a mobile's ``digits`` are the country code (86 / 0086)."""
    if len(digits) == 13 and digits.startswith("86"):
        return 2
    if len(digits) == 15 and digits.startswith("0086"):
        return 4
    return 0
