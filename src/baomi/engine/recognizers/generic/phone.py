"""国际电话号码 — a phone number of another country or region, written with its country code
(ITU-T E.164, E.123): a Hong Kong or Macao customer's ``+852 9123 4567``, ``+853 6612 3456``,
Taiwan's ``+886 912 345 678``, an overseas buyer's ``+1 (415) 555-0132``, ``+44 20 7946 0958``.

Format: ``+CC`` — the country calling code, one to three digits (E.164 §6.2), ``86`` excepted
(mainland numbers are the mobile and landline recognizers') — then the national number, its
groups separated by a blank, ``-`` or ``.``, an area code possibly in parentheses; at most
fifteen digits in all (E.164 §6.1). A country code in parentheses (``(+852) 9123 4567``) is
read too.

Check: the number is parsed and checked against the numbering plan of its country or region
with ``phonenumbers`` (Google's libphonenumber metadata, Apache-2.0): a number its plan allows
(the right length, an allocated prefix) is confirmed; any other is no phone number. A number
written without its country code (``9123 4567``, ``(415) 555-0132``) cannot be told from other
digits and is not reported. A phone number is contact information, general PI (GB/T
35273-2020 Annex A 个人基本资料); it links one person's records like a mobile.
"""

from __future__ import annotations

from functools import lru_cache

from baomi.engine.recognizers.base import Pattern, PatternRecognizer

#: ``+`` and a country code other than 86 (``+852``, ``+1``, ``+44``)
_CC = r"\+(?!86)[1-9]\d{0,2}"
_NUMBER = rf"{_CC}\)?(?:[ \-.]?\(\d{{1,4}}\))?(?:[ \-.]?\d{{1,6}}){{1,6}}"


@lru_cache(maxsize=4096)
def parsed(value: str) -> tuple[int, str] | None:
    """``value``'s country calling code and its E.164 form (``+85291234567``; an Italian
    number's leading zero kept) when ``phonenumbers`` finds it a valid number of some country
    or region, else None."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code is None or not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return number.country_code, e164


class PhoneRecognizer(PatternRecognizer):
    entity = "PHONE_NUMBER"
    patterns = (
        Pattern(
            "e164",
            rf"(?<![0-9A-Za-z+])(?P<v>\(?{_NUMBER})(?![0-9])",
            0.5,
        ),
    )
    context = ("电话", "手机", "联系", "tel", "phone", "mobile", "whatsapp", "call")
    header_hints = ("电话", "手机", "联系方式", "tel", "phone", "mobile", "cell")
    #: Rust regex (Polars): a plus and a country code's first digits other than 86 (half- or
    #: full-width) — the patterns' cells hold one
    prefilter = r"[+＋](?:[1-79１-７９]|[8８][0-57-9０-５７-９])"
    fast_cell_regex = r"^\+(?:[1-79]|8[0-57-9])[0-9]{0,2}(?:[ \-]?[0-9]{1,6}){1,6}$"

    def canonical(self, value: str) -> str:
        """E.164: ``+`` and the digits (``+85291234567``); as written when no number parses."""
        found = parsed(value)
        return found[1] if found else value

    def validate(self, value: str) -> bool | None:
        """True for a number its country's numbering plan allows, else False."""
        return value.startswith("+") and not value.startswith("+86") and parsed(value) is not None


def country_code_digits(value: str) -> int:
    """How many digits of ``value`` (a phone number with its country code) are the country
    code; 0 when it does not parse."""
    found = parsed(value.strip())
    return len(str(found[0])) if found else 0


__all__ = ["PhoneRecognizer", "country_code_digits", "parsed"]
