"""Check-digit arithmetic as pure functions, reused by recognizers, tests and demo data.

Standards: GB 11643-1999 (resident ID, ISO 7064 MOD 11-2), GB 32100-2015 (unified social
credit code, mod 31), ISO/IEC 7812 Luhn (bank cards), the Hong Kong identity card's mod 11
check character (PIPL-RULES §6 HK-ID gives the format), the Taiwan identity card's mod 10
check digit.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

# GB 11643-1999 §8.2: weights W_i = 2^(i-1) mod 11 for positions 18..2.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB/T 2260 province-level codes (first two digits of a resident ID), incl. 71 Taiwan,
# 81 Hong Kong, 82 Macao as used on residence permits. Not a county table: abolished county
# codes stay valid on real IDs (DESIGN.md).
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    }
)


def resident_id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def valid_birth_date(yyyymmdd: str, today: _dt.date | None = None) -> bool:
    """A real calendar date between 1900-01-01 and today."""
    try:
        born = _dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return _dt.date(1900, 1, 1) <= born <= (today or _dt.date.today())


def is_valid_resident_id(value: str, today: _dt.date | None = None) -> bool:
    """18-digit GB 11643 ID (check char, birth date, province) or legacy 15-digit ID."""
    v = value.upper()
    if len(v) == 18:
        return (
            v[:17].isdigit()
            and v[:2] in PROVINCE_CODES
            and valid_birth_date(v[6:14], today)
            and resident_id_check_char(v[:17]) == v[17]
        )
    if len(v) == 15:  # legacy: YYMMDD birth date in the 1900s, no check character
        return v.isdigit() and v[:2] in PROVINCE_CODES and valid_birth_date("19" + v[6:12], today)
    return False


def luhn_check_digit(payload: str) -> str:
    """Luhn (ISO/IEC 7812-1 Annex B) check digit to append to ``payload``."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_luhn_valid(number: str) -> bool:
    """True when the digit string passes the Luhn check."""
    if not number.isdigit() or len(number) < 2:
        return False
    return luhn_check_digit(number[:-1]) == number[-1]


# GB 32100-2015: 31 characters (digits and letters without I, O, Z, S, V).
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    """True for an 18-character GB 32100 unified social credit code with a correct check char."""
    v = value.upper()
    if len(v) != 18 or any(c not in _USCC_ALPHABET for c in v):
        return False
    return uscc_check_char(v[:17]) == v[17]


def hkid_check_char(body: str) -> str:
    """The check character of a Hong Kong identity card number's ``body`` (one or two letters
    and six digits, ``A123456``): letters count A=10 … Z=35, a one-letter body is preceded by
    a blank that counts 36; weights 9…2 over the eight positions; the check is
    ``(11 − Σ mod 11) mod 11``, 10 written ``A`` (``A123456`` → ``3``)."""
    text = body.upper().rjust(8)
    total = 0
    for weight, char in zip(range(9, 1, -1), text, strict=True):
        value = 36 if char == " " else int(char) if char.isdigit() else ord(char) - ord("A") + 10
        total += weight * value
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def is_valid_hkid(value: str) -> bool:
    """True for ``A123456(3)`` / ``AB9876543`` with a correct check character (the brackets
    optional, any case)."""
    text = value.upper().replace("(", "").replace(")", "")
    if not 8 <= len(text) <= 9 or not text[-7:-1].isdigit() or not text[:-7].isalpha():
        return False
    if not text[:-7].isascii():
        return False
    return hkid_check_char(text[:-1]) == text[-1]


#: The two-digit value of a Taiwan identity card number's first letter (the household
#: registration office's area: A Taipei 10 … I 34, O 35, W 32, Z 33)
_TW_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


def tw_id_check_digit(first9: str) -> str:
    """The check digit of a Taiwan identity card number's first nine characters (a letter and
    eight digits, ``A12345678``): the letter's two-digit value weighted 1 and 9, the digits
    8…1, the check making the sum a multiple of 10."""
    code = _TW_LETTERS[first9[0].upper()]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(first9[1:], range(8, 0, -1), strict=True))
    return str((10 - total % 10) % 10)


def is_valid_tw_id(value: str) -> bool:
    """True for ``A123456789``: a letter, 1/2 (a citizen's, by sex) or 8/9 (a resident
    certificate's since 2021), seven digits and a correct check digit (any case)."""
    text = value.upper()
    if len(text) != 10 or text[0] not in _TW_LETTERS or text[1] not in "1289":
        return False
    if not (text[1:].isascii() and text[1:].isdigit()):
        return False
    return tw_id_check_digit(text[:9]) == text[9]


# --------------------------------------------------------------------------- vectorised forms
# The same arithmetic over many values at once (NumPy on a right-aligned digit matrix); a test
# checks they agree with the scalar functions above.


def digit_matrix(values: list[str] | pl.Series, width: int) -> np.ndarray[Any, np.dtype[np.int16]]:
    """``len(values) × width`` digits, right-aligned and left-padded with zeros.

    Longer values keep their last ``width`` characters; non-digit characters give values
    outside 0–9 (callers check the shape separately). A Polars series of ASCII values is
    read straight from its Arrow buffer, without a Python loop.
    """
    if isinstance(values, pl.Series):
        fixed = values.fill_null("").str.zfill(width).str.tail(width)
        # ``width`` characters in ``width`` bytes: ASCII (zfill pads by bytes, not characters)
        raw = _byte_rows(fixed, width) if bool((fixed.str.len_chars() == width).all()) else None
        if raw is not None:
            return raw.astype(np.int16) - 48
        values = values.fill_null("").to_list()
    if not values:
        return np.zeros((0, width), dtype=np.int16)
    padded = "".join(v[-width:].rjust(width, "0") for v in values)
    raw = np.frombuffer(padded.encode("ascii", "replace"), dtype=np.uint8)
    return raw.reshape(len(values), width).astype(np.int16) - 48


def luhn_valid_many(values: list[str] | pl.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Luhn check of each digit string (shape not checked: leading zeros do not count)."""
    d = digit_matrix(values, 24)[:, ::-1]
    doubled = d[:, 1::2] * 2
    doubled -= 9 * (doubled > 9)
    total = d[:, 0::2].sum(axis=1) + doubled.sum(axis=1)
    return np.asarray(total % 10 == 0)


def resident_id_check_ok_many(values: list[str] | pl.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """GB 11643 check character of each 18-character value (other checks separately)."""
    series = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.String)
    d = digit_matrix(series.str.head(17), 17)
    total = (d * np.asarray(_ID_WEIGHTS, dtype=np.int16)).sum(axis=1)
    expected = np.asarray(list(_ID_CHECK))[total % 11]
    last = series.str.slice(17, 1).str.to_uppercase().fill_null("").to_numpy()
    return np.asarray(expected == last)


_PROVINCE_INTS = np.asarray(sorted(int(c) for c in PROVINCE_CODES), dtype=np.int16)
_DAYS_IN_MONTH = np.asarray([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int16)


def valid_birth_dates_many(
    year: np.ndarray[Any, Any],
    month: np.ndarray[Any, Any],
    day: np.ndarray[Any, Any],
    today: _dt.date | None = None,
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """:func:`valid_birth_date` over arrays: a real calendar date, 1900-01-01 to today."""
    y, m, d = (np.asarray(a, dtype=np.int64) for a in (year, month, day))
    month_ok = (m >= 1) & (m <= 12)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    last = _DAYS_IN_MONTH[np.where(month_ok, m, 0)] + ((m == 2) & leap)
    stamp = y * 10_000 + m * 100 + d
    t = today or _dt.date.today()
    in_range = (stamp >= 1900_01_01) & (stamp <= t.year * 10_000 + t.month * 100 + t.day)
    return np.asarray(month_ok & (d >= 1) & (d <= last) & in_range)


def resident_id18_valid_many(
    values: pl.Series, today: _dt.date | None = None
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """:func:`is_valid_resident_id` over 18-character values shaped ``^[0-9]{17}[0-9Xx]$``:
    check character, province and birth date from one digit matrix (no date parsing)."""
    raw = _byte_rows(values, 18)
    d = raw.astype(np.int64) - 48 if raw is not None else digit_matrix(values, 18).astype(np.int64)
    total = d[:, :17] @ np.asarray(_ID_WEIGHTS, dtype=np.int64)
    # ISO 7064 MOD 11-2: _ID_CHECK[t % 11] is the character of (12 - t % 11) % 11, 10 = X.
    expected = (12 - total % 11) % 11
    last = np.where((d[:, 17] == ord("X") - 48) | (d[:, 17] == ord("x") - 48), 10, d[:, 17])
    province = np.isin(d[:, 0] * 10 + d[:, 1], _PROVINCE_INTS)
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    born = valid_birth_dates_many(year, d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13], today)
    return np.asarray((expected == last) & province & born)


def _byte_rows(values: pl.Series, width: int) -> np.ndarray[Any, np.dtype[np.uint8]] | None:
    """The bytes of ``values`` as a ``len × width`` matrix, read from the Arrow buffer without
    a Python loop, when every value is exactly ``width`` bytes and none is null; else None."""
    if not values.len():
        return None
    arrow = values.cast(pl.Binary).to_arrow()
    chunk = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    if chunk.null_count or chunk.type != pa.large_binary():
        return None
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    if not bool((np.diff(offsets) == width).all()):
        return None
    data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[0] + len(chunk) * width].reshape(len(chunk), width)


_USCC_VALUE = np.full(128, -1, dtype=np.int16)
for _i, _c in enumerate(_USCC_ALPHABET):
    _USCC_VALUE[ord(_c)] = _i


def uscc_valid_series(values: pl.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """:func:`uscc_valid_many` over a String series (nulls invalid): read from the Arrow buffer
    when every value is 18 bytes (a value with a non-ASCII byte is shorter than 18 characters:
    invalid), else through :func:`uscc_valid_many`."""
    rows = _byte_rows(values, 18)
    if rows is None:
        return uscc_valid_many(values.fill_null("").to_list())
    ascii_ = (rows < 128).all(axis=1)
    upper = np.where((rows >= 97) & (rows <= 122), rows - 32, rows)
    digits = _USCC_VALUE[np.minimum(upper, 127)]
    shape = ascii_ & (digits >= 0).all(axis=1)
    total = (digits[:, :17] * np.asarray(_USCC_WEIGHTS, dtype=np.int16)).sum(axis=1)
    return np.asarray(shape & (digits[:, 17] == (31 - total % 31) % 31))


def uscc_valid_many(values: list[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """GB 32100 check of each value (18 characters of the alphabet, mod-31 check character)."""
    if not values:
        return np.zeros(0, dtype=bool)
    fixed = "".join(v.upper()[:18].ljust(18, "?") for v in values)
    codes = np.frombuffer(fixed.encode("ascii", "replace"), dtype=np.uint8).reshape(-1, 18)
    digits = _USCC_VALUE[np.minimum(codes, 127)]
    shape = np.asarray([len(v) == 18 for v in values]) & (digits >= 0).all(axis=1)
    total = (digits[:, :17] * np.asarray(_USCC_WEIGHTS, dtype=np.int16)).sum(axis=1)
    return np.asarray(shape & (digits[:, 17] == (31 - total % 31) % 31))
