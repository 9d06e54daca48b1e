"""Per-recipient fingerprints: what makes each package traceable to the recipient it was made for.

Two kinds of marks, both surviving shuffled rows, reordered columns and a re-save in another
format:

* **invisible marks** — after every value a display operator changed (mask, generalize,
  replace) in tables and in prose, one zero-width character (U+200B = 0, U+200C = 1) carries one
  bit of the package's random 64-bit fingerprint; which bit is chosen by the last six bytes of
  the visible text before it, so equal values stay equal (grouping and joins still work);
* **recipient-keyed values** — pseudonyms (and recipient-keyed hashes) are derived from a
  recipient-specific key, so the values themselves differ per recipient. The sender keeps
  8-byte digests of them in the trace record.

The trace record (``<package_id>.json``: recipient, fingerprint, digests) is kept by the sender,
outside the package; ``trace.py`` matches a leaked fragment against a folder of them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

import polars as pl

MARK0 = "\u200b"
MARK1 = "\u200c"
MARKS = frozenset((MARK0, MARK1))
FP_BITS = 64
#: Bit index = the last 6 UTF-8 bytes of the visible text before a mark, as an integer, mod 61
#: (a prime; computable in Polars, so tables are marked without a Python loop).
_INDEX_MOD = 61
_TAIL_BYTES = 6
_STRIP = str.maketrans({MARK0: None, MARK1: None})
RECORD_KIND = "baomi-trace-record"
SCHEME = "baomi-fp-1"
MAX_DIGESTS = 400_000


def strip_marks(text: str) -> str:
    return text.translate(_STRIP)


def _bit_index(visible: str) -> int:
    return int.from_bytes(visible[-_TAIL_BYTES:].encode("utf-8")[-_TAIL_BYTES:], "big") % _INDEX_MOD


def mark_for(visible: str, fingerprint: int) -> str:
    """The mark to append after ``visible`` (only its last few bytes matter)."""
    bit = (fingerprint >> _bit_index(visible)) & 1
    return MARK1 if bit else MARK0


def mark_series(values: pl.Series, fingerprint: int) -> pl.Series:
    """Every non-empty value with its mark appended (vectorised :func:`mark_for`)."""
    table = pl.Series([mark_for_index(i, fingerprint) for i in range(_INDEX_MOD)], dtype=pl.String)
    c = pl.col("v")
    index = (
        c.str.encode("hex").str.slice(-2 * _TAIL_BYTES).str.to_integer(base=16, strict=False)
        % _INDEX_MOD
    )
    frame = pl.DataFrame({"v": values}).with_columns(index.alias("i"))
    marks = table.gather(frame["i"].fill_null(0).cast(pl.UInt32))
    out = frame.with_columns(m=marks).select(
        pl.when(c.is_not_null() & (c != "")).then(c + pl.col("m")).otherwise(c).alias("v")
    )
    return out.to_series().alias(values.name)


def mark_for_index(index: int, fingerprint: int) -> str:
    return MARK1 if (fingerprint >> index) & 1 else MARK0


def extract_marks(text: str) -> list[tuple[int, int]]:
    """``(bit index, bit)`` for every mark in ``text``."""
    out: list[tuple[int, int]] = []
    visible: list[str] = []
    for ch in text:
        if ch in MARKS:
            out.append((_bit_index("".join(visible[-_TAIL_BYTES:])), 1 if ch == MARK1 else 0))
        else:
            visible.append(ch)
    return out


def digest(value: str) -> bytes:
    """8-byte digest of a recipient-keyed output value (marks removed, trimmed)."""
    return hashlib.sha256(strip_marks(value).strip().encode("utf-8")).digest()[:8]


def pack_digests(digests: Iterable[bytes]) -> tuple[str, int]:
    """Sorted unique digests as base64, thinned to at most ``MAX_DIGESTS`` (by digest value,
    so the same values are kept in every run); returns the text and the thinning modulus."""
    unique = sorted(set(digests))
    modulus = 1
    while len(unique) // modulus > MAX_DIGESTS:
        modulus *= 2
    if modulus > 1:
        unique = [d for d in unique if int.from_bytes(d[:4], "big") % modulus == 0]
    return base64.b64encode(b"".join(unique)).decode(), modulus


def unpack_digests(text: str) -> set[bytes]:
    raw = base64.b64decode(text)
    return {raw[i : i + 8] for i in range(0, len(raw), 8)}
