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
(the right length, an allocated prefix) is confirmed; any other is no phone number.

A number written as it is dialled at home, without its country code (``9123 4567`` in Hong
Kong, ``(415) 555-0132``, ``0121 496 0650``, ``080-1993-5181``), cannot be checked — no plan
is known without the country — nor told from other digits by its shape alone:
:class:`LocalPhoneRecognizer` reports it only in a column whose header names a phone
(``Phone``, ``电话``) or beside a word that does (``tel``, ``call``, ``电话``, ``手机``…),
written as phone numbers are (groups of digits, an area code in parentheses, an extension
``x875``), seven to twelve digits, and neither a mainland mobile (the mobile recognizer's),
a date nor an address of the internet. A phone number is contact information, general PI
(GB/T 35273-2020 Annex A 个人基本资料); it links one person's records like a mobile.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar

import polars as pl

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
        """E.164: ``+`` and the digits (``+85291234567``); a number that does not parse its
        digits and ``+`` as :class:`LocalPhoneRecognizer` writes them."""
        found = parsed(value)
        return found[1] if found else local_digits(value)

    def validate(self, value: str) -> bool | None:
        """True for a number its country's numbering plan allows, else False."""
        return value.startswith("+") and not value.startswith("+86") and parsed(value) is not None


#: An area code in parentheses, then groups of digits apart by a blank, ``-`` or ``.``; a
#: country code before them where the number is no valid one of its plan (``+44 28 9018 148``
#: under ``Phone``: no other recognizer takes it), but 86 (the mainland's recognizers')
_LOCAL = r"(?:\+(?!86)\d{1,3}[ \-.]?)?(?:\(\d{1,5}\)[ \-.]?)?\d{1,12}(?:[ \-.]\d{1,8}){0,5}"
#: An extension: ``x875``, ``ext. 12``, ``#3``, ``转 806``
_EXTENSION = r"(?:[ ]?(?:x|ext\.?|extn\.?|#|转|分机)[ ]?\d{1,6})"
_EXTENSION_RX = re.compile(_EXTENSION + r"$")
#: What a phone number's shape also holds, and the pattern does not take (read from the
#: number's first digit): a date, year or day first (``2024-03-15``, ``15/03/2024``), an IPv4
#: address, a mainland mobile (most numbers beside 电话 or 手机 are: the mobile recognizer's),
#: and one run of digits of no phone's usual length — a number of one run is a trunk ``0``
#: and 6–11 digits (``0997543231``), eight digits (Hong Kong, Macao, Singapore) or North
#: America's ten (NANP: an area code and an exchange, neither starting with 0 or 1); an
#: order's ``20240315001`` beside 电话 is none
_NOT_OTHER = (
    r"(?!\d{4}[-./]\d{1,2}[-./]\d{1,2}(?![0-9]))"
    r"(?!\d{1,2}[-./]\d{1,2}[-./]\d{2,4}(?![0-9]))"
    r"(?!\d{1,3}(?:\.\d{1,3}){3}(?![0-9]))"
    r"(?!1[3-9]\d(?:[ \-]?\d{4}){2}(?![0-9]))"
    r"(?=[+(]|0\d{6,11}(?![0-9])|\d{8}(?![0-9])|[2-9]\d{2}[2-9]\d{6}(?![0-9])"
    r"|\d{1,12}(?:[ \-.]\d|[ ]?(?:x|ext|#|转|分机)))"
)
#: The pattern below written to start with one character class, so that ``re`` skips in C
#: the positions where no number starts (a third of the time in a column of notes): the
#: first character, the look-behind one further back, then the rest by what it was (the
#: checks of :data:`_NOT_OTHER` one digit on)
_LOCAL_SEARCH = (
    r"(?P<v>[+(\d](?<![0-9A-Za-z+\-./()][+(\d])"
    r"(?:(?<=\+)(?!86)\d{1,3}[ \-.]?(?:\(\d{1,5}\)[ \-.]?)?\d{1,12}"
    r"|(?<=\()\d{1,5}\)[ \-.]?\d{1,12}"
    r"|(?<=\d)"
    r"(?!\d{3}[-./]\d{1,2}[-./]\d{1,2}(?![0-9]))"
    r"(?!\d?[-./]\d{1,2}[-./]\d{2,4}(?![0-9]))"
    r"(?!\d{0,2}(?:\.\d{1,3}){3}(?![0-9]))"
    r"(?!(?<=1)[3-9]\d(?:[ \-]?\d{4}){2}(?![0-9]))"
    r"(?=(?<=0)\d{6,11}(?![0-9])|\d{7}(?![0-9])|(?<=[2-9])\d{2}[2-9]\d{6}(?![0-9])"
    r"|\d{0,11}(?:[ \-.]\d|[ ]?(?:x|ext|#|转|分机)))"
    r"\d{0,11})"
    r"(?:[ \-.]\d{1,8}){0,5}" + _EXTENSION + r"?)(?![0-9A-Za-z])"
)
_MAINLAND_MOBILE = re.compile(r"(?:0086|86)?1[3-9]\d{9}")
#: Words that name a phone, in Chinese: right beside the number (:class:`LocalPhoneZhRecognizer`)
_PHONE_WORDS_ZH = ("电话", "手机", "致电", "来电", "传真", "联系方式")
#: Words that name a phone, in English (lower case; the context window is searched in the
#: normalised, lower-cased text)
_PHONE_WORDS = (
    "tel",
    "phone",
    "call",
    # ``can be reached on …``, ``reach her at …``, ``dial …``
    "reach",
    "dial",
    "mobile",
    "cell",
    "whatsapp",
    "fax",
    "mob.",
    "ph.",
)


#: The Latin words full-width (``ＴＥＬ``), as the prefilter reads the text before NFKC
_WIDE_WORDS = tuple(
    "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w)
    for w in _PHONE_WORDS
    if w.isascii()
)


#: North America's long-distance form, ``1`` and the ten digits apart (``1-403-269-9102``,
#: ``1 (403) 269-9102``): the country code written as it is dialled, no mainland mobile
_NANP_LONG = r"^1[ \-.](?:\(\d{3}\)|\d{3})[ \-.]?\d{3}[ \-.]\d{4}$"
_NANP_LONG_RX = re.compile(_NANP_LONG)


def local_digits(value: str) -> str:
    """The digits of a phone number, its extension left out, after a ``+`` where it has its
    country code (written with a ``+``, or North America's ``1-403-…``)."""
    main = _EXTENSION_RX.sub("", value.strip())
    world = main.startswith("+") or _NANP_LONG_RX.match(main) is not None
    return ("+" if world else "") + "".join(c for c in main if c.isdigit())


_LOCAL_PATTERN = Pattern(
    "local",
    rf"(?<![0-9A-Za-z+\-./()]){_NOT_OTHER}(?P<v>{_LOCAL}{_EXTENSION}?)(?![0-9A-Za-z])",
    # below the mainland landline's: its number, where both read one, is a landline
    0.2,
    context_required=True,
    search_regex=_LOCAL_SEARCH,
)


class LocalPhoneRecognizer(PatternRecognizer):
    """A phone number written without its country code, under a phone's header or beside an
    English word naming one (module docstring)."""

    entity = "PHONE_NUMBER"
    patterns = (_LOCAL_PATTERN,)
    context: ClassVar[tuple[str, ...]] = _PHONE_WORDS
    #: ``Called Helena van Formbach-Lutterveld at (047) 0174681``: the word a name away from
    #: the number
    context_window = 48
    header_hints: ClassVar[tuple[str, ...]] = ("tel", "phone", "mobile", "cell", "fax")
    #: a column of telephone numbers only where its header says so: a column of order numbers
    #: (``2024-0312-77``) has the same shape
    header_required = True
    numeric = True
    #: Rust regex (Polars): a word naming a phone, in any case, half- or full-width (the
    #: context window's words in the normalised text). A word alone: a digit within the
    #: window on either side made a regex that cost ~5 ms per 10,000 cells of every column
    prefilter: ClassVar[str | None] = (
        "(?i)(?:" + "|".join(re.escape(w) for w in (*_PHONE_WORDS, *_WIDE_WORDS)) + ")"
    )
    #: under a phone's header every cell with a digit may be one
    header_prefilter = "[0-9０-９]"
    fast_cell_regex = (
        r"^(?:\+[0-9]{1,3}[ \-.]?)?(?:\([0-9]{1,5}\)[ \-.]?)?[0-9]{1,12}(?:[ \-.][0-9]{1,8}){0,5}"
        r"(?:[ ]?(?:x|ext\.?|extn\.?|#|转|分机)[ ]?[0-9]{1,6})?$"
    )

    def canonical(self, value: str) -> str:
        """The digits, a leading ``+`` kept and the extension left out: ``(0191) 496-0528``
        → ``01914960528``, ``+44 28 9018 148`` → ``+44289018148`` — one number however it
        is written, as distinct values, the individuals count and a data subject's search
        need it."""
        return local_digits(value)

    def canonical_series(self, values: pl.Series) -> pl.Series:
        main = values.str.strip_chars().str.replace(_EXTENSION + "$", "")
        world = main.str.starts_with("+") | main.str.contains(_NANP_LONG)
        plus = pl.when(world).then(pl.lit("+")).otherwise(pl.lit(""))
        frame = pl.DataFrame({"m": main})
        return frame.select(
            pl.concat_str([plus, pl.col("m").str.replace_all(r"[^0-9]", "")]).alias(values.name)
        ).to_series()

    def validate(self, value: str) -> bool | None:
        """False for fewer than seven or more than twelve digits (fifteen after a country
        code, E.164 §6.1) and a mainland mobile; True for a number with its country code that
        the plan allows; else None: no plan is known to check it against (dates, addresses of
        the internet, other mobiles and one run of digits of no phone's length the pattern
        does not take in text; a column of phone numbers takes every run of digits its
        header names, :attr:`fast_cell_regex`)."""
        digits = value.lstrip("+")
        world = value.startswith("+") or digits.startswith("00")
        n = len(digits) - (2 if digits.startswith("00") else 0)
        if not 7 <= n <= (15 if world else 12):
            return False
        mainland = not world or value.startswith(("+86", "0086"))  # +1 692… is no mobile
        if mainland and _MAINLAND_MOBILE.fullmatch(digits):
            return False
        if value.startswith("+") and parsed(value) is not None:
            return True  # a number its country's plan allows (a column's +852 9123 4567)
        return None


_ZH = "|".join(_PHONE_WORDS_ZH)


class LocalPhoneZhRecognizer(LocalPhoneRecognizer):
    """The same numbers after a Chinese word naming a phone, right after it (``电话 9123
    4567``, ``手机：(0191) 496 0528``), within six characters, or before one within four
    (``9123 4567（手机）``, as a list of contacts writes it). Chinese notes
    name a phone beside most mainland mobiles and landlines; so that the recognizer reads only
    the notes that can hold another number, the number starts with none of a mainland mobile's
    ``1`` (no local number elsewhere does either: Hong Kong's, Macao's, Taiwan's and a
    mainland landline's local number start with 2–9, a trunk prefix with 0)."""

    patterns = (
        Pattern(
            "local_zh",
            _LOCAL_PATTERN.regex.replace("(?P<v>", "(?!1)(?P<v>", 1),
            _LOCAL_PATTERN.score,
            context_required=True,
            search_regex=_LOCAL_SEARCH.replace("(?P<v>[+(\\d]", "(?P<v>[+(02-9]", 1),
        ),
    )
    context = _PHONE_WORDS_ZH
    context_window = 6
    #: the word right after the number only (``（手机）``): a window of six after it made a
    #: prefilter of a digit and a word within the six, which passed 17 % of Chinese notes
    context_after = 4
    header_hints = ("电话", "手机", "联系方式", "传真")
    #: Rust regex (Polars): a Chinese word naming a phone, then (within the window) the first
    #: character of a number after a character that no number follows (the pattern's
    #: look-behind); or a digit, at most two characters and the word (a number ends in a
    #: digit, the word lies whole in the four characters after it): a superset of the windows
    prefilter = (
        rf"(?:{_ZH})(?:.{{0,4}}[^0-9A-Za-z+\-./()０-９])?[02-9０２-９(（+＋]"
        rf"|[0-9０-９].{{0,2}}(?:{_ZH})"
    )


def country_code_digits(value: str) -> int:
    """How many digits of ``value`` (a phone number with its country code) are the country
    code; 0 when it does not parse."""
    found = parsed(value.strip())
    return len(str(found[0])) if found else 0


__all__ = [
    "LocalPhoneRecognizer",
    "LocalPhoneZhRecognizer",
    "PhoneRecognizer",
    "country_code_digits",
    "local_digits",
    "parsed",
]
