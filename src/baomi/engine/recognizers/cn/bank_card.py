"""银行卡号 — payment card / bank account card number (ISO/IEC 7812-1).

Format: 16–19 digits (15 for American Express), printed plain or in groups of four separated by
spaces or dashes (``6222 0212 3456 7890 123``).

* ``IIN`` — issuer identification number, the first 6–8 digits. Issuer prefixes recognised
  (PIPL-RULES §6 BANK-1, source ``BT-TYPE``): UnionPay ``62``/``81``; Visa ``4``; Mastercard
  ``51–55`` and ``2221–2720``; JCB ``3528–3589``; American Express ``34``/``37`` (15 digits);
  Discover ``6011``/``65``.
* account number — assigned by the issuer.
* check digit — Luhn (ISO/IEC 7812-1 Annex B, :func:`baomi.engine.checksums.is_luhn_valid`).

Luhn and the issuer prefix are a **confidence signal, not a hard filter** (BANK-2: not every
UnionPay card is Luhn-valid): Luhn-valid with a known issuer is confirmed; Luhn-valid with an
unknown issuer, or a Luhn-failing UnionPay number, keeps the pattern score; any other
Luhn-failing number is kept at a low score, so context (``卡号 银行卡 账号 card``) still reports
it (``reject_on_invalid = False``). A number that validates as a resident ID (GB 11643) is
never reported here, even with context: the resident-ID recognizer, earlier in the registry,
reports it.
Sensitive PI: financial account (PIPL-28; GB/T 35273-2020 Annex B).
"""

from __future__ import annotations

import re

import polars as pl

from baomi.engine.checksums import is_luhn_valid, is_valid_resident_id, luhn_valid_many
from baomi.engine.recognizers.base import Pattern, PatternRecognizer
from baomi.engine.recognizers.cn.resident_id import CnResidentIdRecognizer

#: Issuer prefixes (and lengths) as one regex over the canonical digits; both the Python and
#: the Polars (Rust) engines accept it.
ISSUER_REGEX = (
    r"^(?:(?:62|81)[0-9]{14,17}"  # UnionPay 16-19 (BANK-1)
    r"|4[0-9]{15}(?:[0-9]{3})?"  # Visa 16 / 19
    r"|(?:5[1-5][0-9]{2}|222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}"  # Mastercard
    r"|35(?:2[89]|[3-8][0-9])[0-9]{12,15}"  # JCB 16-19
    r"|3[47][0-9]{13}"  # American Express 15
    r"|(?:6011|65[0-9]{2})[0-9]{12,15}"  # Discover 16-19
    r")$"
)
_ISSUER = re.compile(ISSUER_REGEX)
_UNIONPAY = ("62", "81")
_NON_DIGIT = re.compile(r"\D")
_MAX_LEN = 19


def _is_resident_id(value: str) -> bool:
    return len(value) in (15, 18) and is_valid_resident_id(value)


class BankCardRecognizer(PatternRecognizer):
    entity = "BANK_CARD"
    numeric = True  # a decimal's fraction is none (base.in_fraction)
    patterns = (
        # (?<!\d\.): the digits of a decimal fraction (0.6286231544426748) are not a card
        Pattern("card", r"(?<![0-9A-Za-z])(?<!\d\.)(?P<v>\d{16,19})(?![0-9A-Za-z])", 0.4),
        Pattern(
            "card_grouped",
            r"(?<![0-9A-Za-z])(?<!\d[ -])(?<!\d\.)(?P<v>\d{4}(?P<s>[ -])\d{4}(?:(?P=s)\d{4}){2}(?:(?P=s)\d{1,3})?)"
            r"(?![0-9A-Za-z]|[ -]\d)",
            0.4,
        ),
        Pattern(
            "amex",
            r"(?<![0-9A-Za-z])(?<!\d\.)(?P<v>3[47]\d{2}[ -]?\d{6}[ -]?\d{5})(?![0-9A-Za-z])",
            0.3,
        ),
    )
    reject_on_invalid = False
    rejected_score = 0.2
    context = (
        "卡号",
        "银行卡",
        "账号",
        "帐号",
        "账户",
        "开户",
        "储蓄卡",
        "信用卡",
        "card",
        "account",
    )
    header_hints = (
        "卡号",
        "银行卡",
        "账号",
        "帐号",
        "账户",
        "开户行",
        "card",
        "account",
        "acct",
    )
    #: Rust regex (Polars): the pattern without look-arounds; \d matches full-width digits too.
    prefilter = (
        "\\d{15}|\\d{4}(?:[ \\-－\u3000]\\d{4}){2}|\\d{4}[ \\-－\u3000]?\\d{6}[ \\-－\u3000]?\\d{5}"
    )
    #: Luhn (ISO/IEC 7812-1): one number in ten passes
    chance_valid = 1 / 10
    #: One card number as people write it (16–19 digits, or groups of four). Cells that are
    #: valid resident IDs are excluded from this path and meet every recognizer (GB 11643 wins).
    fast_cell_regex = r"^(?:[0-9]{16,19}|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?)$"

    def canonical(self, value: str) -> str:
        return _NON_DIGIT.sub("", value)

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.replace_all(r"[^0-9]", "")

    def validate(self, value: str) -> bool | None:
        if not value.isdigit() or not 15 <= len(value) <= _MAX_LEN:
            return False
        if _is_resident_id(value):
            return False
        luhn = is_luhn_valid(value)
        if luhn and _ISSUER.match(value):
            return True
        if luhn or value.startswith(_UNIONPAY):
            return None
        return False

    def excluded(self, value: str) -> bool:
        """A valid resident ID is never reported as a card (GB 11643 wins)."""
        return _is_resident_id(value)

    def excluded_series(self, values: pl.Series) -> pl.Series:
        maybe_id = values.str.len_chars().is_in([15, 18])
        if not maybe_id.any():
            return maybe_id
        return CnResidentIdRecognizer().validate_series(values).fill_null(False) & maybe_id

    def validate_series(self, values: pl.Series) -> pl.Series:
        """Luhn over variable length, issuer prefix and resident-ID exclusion, vectorised."""
        v = pl.col("v")
        luhn = pl.Series("luhn", luhn_valid_many(values))
        frame = pl.DataFrame({"v": values}, schema={"v": pl.String}).with_columns(
            shape=v.str.contains(r"^[0-9]{15,19}$").fill_null(False),
            luhn=luhn,
            issuer=v.str.contains(ISSUER_REGEX).fill_null(False),
            unionpay=v.str.contains(r"^(?:62|81)").fill_null(False),
            rid=pl.lit(False),
        )
        maybe_id = frame.get_column("shape") & values.str.len_chars().is_in([15, 18])
        if maybe_id.any():
            rid = CnResidentIdRecognizer().validate_series(values).fill_null(False) & maybe_id
            frame = frame.with_columns(rid=rid)
        ok = (
            pl.when(~pl.col("shape") | pl.col("rid"))
            .then(pl.lit(False))
            .when(pl.col("luhn") & pl.col("issuer"))
            .then(pl.lit(True))
            .when(pl.col("luhn") | pl.col("unionpay"))
            .then(pl.lit(None, dtype=pl.Boolean))
            .otherwise(pl.lit(False))
        )
        return frame.select(ok.alias("ok")).get_column("ok").alias(values.name)
