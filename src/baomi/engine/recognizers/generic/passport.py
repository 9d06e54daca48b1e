"""护照号码（其他国家或地区）— the passport number of a customer abroad: an American's
``821993518``, a Japanese ``TK1234567``, a German ``C01X00T47``, a Canadian ``AB123456``, a
Singaporean ``E1234567N`` (ICAO Doc 9303 Part 4 §4.2.2: the document number of the machine
readable zone, up to nine characters, letters and digits).

Format: six to nine letters and digits, at least five of them digits (every national format
above; none is all letters). Lower case is canonicalised to upper.

Check: none that the number carries in a form every country shares (the check digit of
Doc 9303 is printed in the machine readable zone, not in the number), and six to nine letters
and digits are the shape of order, invoice and member codes too. So a number is reported only
in a column whose header names a passport (``Passport No.``, ``护照号码``, ``護照號碼``, a
``证件号码`` column of identity documents where a foreign customer's passport stands among
resident IDs) or beside a word that does (``passport``, ``护照``, ``護照``), and it scores below
the PRC passport's recognizer (``E12345678`` beside ``护照`` is that one's: ``cn/passport.py``).
Sensitive PI: an identity document number (PIPL-28; GB/T 35273-2020 Annex B 个人身份信息:
护照), and an ID document in the individuals count: two holders of one phone with two passport
numbers are two people.
"""

from __future__ import annotations

import polars as pl

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

#: Words that name a passport (lower case; the context window is the normalised text)
_PASSPORT_WORDS = ("passport", "护照", "護照", "pass no", "pass. no")


class PassportRecognizer(PatternRecognizer):
    entity = "PASSPORT"
    patterns = (
        Pattern(
            "passport",
            # not before a bracket: 1234567(8) is a Macao card's number
            r"(?<![0-9A-Za-z])(?P<v>(?=(?:[A-Za-z]*\d){5})[A-Za-z0-9]{6,9})(?![0-9A-Za-z(（])",
            0.2,
            context_required=True,
        ),
    )
    context = _PASSPORT_WORDS
    context_window = 20
    header_hints = ("passport", "护照", "護照", "证件号", "證件號", "id document")
    #: ``Passport expiry``, ``护照有效期``: a date, not the number
    header_excludes = ("expir", "issue", "有效期", "签发", "簽發", "country", "国籍", "國籍")
    #: a column of passport numbers only where its header says so
    header_required = True
    #: Rust regex (Polars): a word naming a passport, in any case, half- or full-width
    prefilter = "(?i)(?:passport|ｐａｓｓｐｏｒｔ|护照|護照|pass\\.? no|ｐａｓｓ)"
    #: under a passport's header every cell with a digit may be one
    header_prefilter = "[0-9０-９]"
    fast_cell_regex = r"^[A-Za-z0-9]{6,9}$"

    def canonical(self, value: str) -> str:
        return value.upper()

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.to_uppercase()

    def validate(self, value: str) -> bool | None:
        """False for fewer than five digits (a word, a code of letters); else None: no check
        is known for it."""
        return None if sum(c.isdigit() for c in value) >= 5 else False


__all__ = ["PassportRecognizer"]
