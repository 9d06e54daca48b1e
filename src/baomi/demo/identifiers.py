"""Generated identifiers with computed check digits, their messy written forms, and decoys.

Every function takes a seeded ``random.Random`` so a data set is reproducible. Check digits come
from :mod:`baomi.engine.checksums` (GB 11643 for resident IDs, Luhn for bank cards), the same
functions the recognizers use. Decoys are built to *fail* those checks.
"""

from __future__ import annotations

import datetime as dt
import random

from baomi.engine.checksums import (
    is_valid_resident_id,
    luhn_check_digit,
    resident_id_check_char,
)

#: Allocated mainland mobile prefixes (PIPL-RULES.md MOB-1), basic operators and MVNOs.
MOBILE_PREFIXES: tuple[str, ...] = (
    *(f"13{d}" for d in range(10)),
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "170", "171", "172", "173", "175", "176", "177", "178",
    *(f"18{d}" for d in range(10)),
    "190", "191", "192", "193", "195", "196", "197", "198", "199",
)  # fmt: skip

#: UnionPay issuer prefixes (PIPL-RULES.md BANK-1: 62…) with the card length used for each.
CARD_BINS: tuple[tuple[str, int], ...] = (
    ("622202", 19),  # debit, large state bank
    ("622848", 19),
    ("621700", 19),
    ("621226", 19),
    ("623058", 19),
    ("622262", 19),
    ("621661", 19),
    ("622700", 19),
    ("622588", 16),  # debit, joint-stock bank
    ("628288", 16),  # credit
    ("625965", 16),
    ("622609", 17),
    ("621483", 18),
)

#: Bank names for 开户行 fields (no branch is a real address of anyone).
BANK_NAMES: tuple[str, ...] = (
    "中国工商银行",
    "中国农业银行",
    "中国建设银行",
    "中国银行",
    "交通银行",
    "招商银行",
    "平安银行",
    "中国邮政储蓄银行",
)

_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def to_fullwidth(text: str) -> str:
    """ASCII → full-width forms (``138`` → ``１３８``), as typed with a Chinese IME."""
    return text.translate(_FULLWIDTH)


def birth_date(rng: random.Random, min_age: int, max_age: int, today: dt.date) -> dt.date:
    """A birth date giving an age in ``[min_age, max_age]`` on ``today``."""
    oldest = today.replace(year=today.year - max_age - 1) + dt.timedelta(days=1)
    youngest = today.replace(year=today.year - min_age)
    return oldest + dt.timedelta(days=rng.randrange((youngest - oldest).days + 1))


def resident_id(rng: random.Random, address_code: str, born: dt.date, male: bool) -> str:
    """An 18-character GB 11643 ID: address code, birth date, sequence (odd = male), check."""
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{address_code}{born:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def mobile_number(rng: random.Random) -> str:
    """An 11-digit mainland mobile number with an allocated prefix."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def bank_card(rng: random.Random) -> str:
    """A Luhn-valid UnionPay card number (16–19 digits) that is not also a valid resident ID."""
    while True:
        bin_, length = rng.choice(CARD_BINS)
        body = bin_ + "".join(str(rng.randrange(10)) for _ in range(length - len(bin_) - 1))
        card = body + luhn_check_digit(body)
        if not is_valid_resident_id(card):
            return card


def format_mobile(rng: random.Random, number: str) -> str:
    """The number as people write it: plain, spaced, +86 with dashes, (+86), or full-width.

    The whole returned string (country prefix included) is the PI span in the ground truth.
    """
    style = rng.random()
    if style < 0.55:
        return number
    if style < 0.70:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style < 0.80:
        return f"+86-{number[:3]}-{number[3:7]}-{number[7:]}"
    if style < 0.88:
        return f"(+86){number}"
    if style < 0.94:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return to_fullwidth(number)


def format_resident_id(rng: random.Random, value: str) -> str:
    """Mostly as issued; a lowercase ``x`` check character now and then."""
    return value.lower() if value.endswith("X") and rng.random() < 0.5 else value


def format_bank_card(rng: random.Random, card: str) -> str:
    """Mostly plain digits; sometimes grouped by four as printed on the card."""
    if rng.random() < 0.3:
        return " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    return card


def decoy_order_number(rng: random.Random, address_codes: tuple[str, ...]) -> str:
    """An 18-digit order number that is *not* a resident ID (GB 11643 check fails).

    Half look exactly like an ID (a real address code, a plausible date, a sequence) with a
    wrong check character — the hard case for a pattern-only detector; half start with the
    order date.
    """
    if rng.random() < 0.5:
        day = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        first17 = f"{rng.choice(address_codes)}{day:%Y%m%d}{rng.randrange(1000):03d}"
    else:
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1000))
        first17 = f"{day:%Y%m%d}{rng.randrange(10**9):09d}"
    right = resident_id_check_char(first17)
    wrong = rng.choice([c for c in "0123456789" if c != right])
    return first17 + wrong


def serial_number(rng: random.Random) -> str:
    """A 16-digit transaction serial (流水号): random digits, about 10 % pass Luhn by chance."""
    return str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(15))


def member_number(rng: random.Random) -> str:
    """An 11-digit member number starting ``10``–``12``: mobile-shaped, never a mobile prefix."""
    return rng.choice(("10", "11", "12")) + f"{rng.randrange(10**9):09d}"


def is_decoy_order_number(value: str) -> bool:
    """True when ``value`` is 18 digits whose GB 11643 check character is wrong."""
    return (
        len(value) == 18
        and value.isdigit()
        and resident_id_check_char(value[:17]) != value[17]
        and not is_valid_resident_id(value)
    )


__all__ = [
    "BANK_NAMES",
    "CARD_BINS",
    "MOBILE_PREFIXES",
    "bank_card",
    "birth_date",
    "decoy_order_number",
    "format_bank_card",
    "format_mobile",
    "format_resident_id",
    "is_decoy_order_number",
    "member_number",
    "mobile_number",
    "resident_id",
    "serial_number",
    "to_fullwidth",
]
