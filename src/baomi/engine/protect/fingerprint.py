"""Per-recipient fingerprints: what makes each package traceable to the recipient it was made for.

Two kinds of marks, both surviving shuffled rows, reordered columns and a re-save in another
format:

* **invisible marks** — after every value a display operator changed (mask, generalize,
  replace) in tables and in prose, one zero-width character (U+200B = 0, U+200C = 1) carries one
  bit of the package's random 64-bit fingerprint; which bit is chosen by a checksum of the four
  visible characters before it, so equal values stay equal (grouping and joins still work);
* **recipient-keyed values** — pseudonyms (and recipient-keyed hashes) are derived from a
  recipient-specific key, so the values themselves differ per recipient. The sender keeps
  8-byte digests of them in the trace record.

The trace record (``<package_id>.json``: recipient, fingerprint, digests) is kept by the sender,
outside the package; ``trace.py`` matches a leaked fragment against a folder of them.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Iterable

MARK0 = "\u200b"
MARK1 = "\u200c"
MARKS = frozenset((MARK0, MARK1))
FP_BITS = 64
_STRIP = str.maketrans({MARK0: None, MARK1: None})
RECORD_KIND = "baomi-trace-record"
SCHEME = "baomi-fp-1"
MAX_DIGESTS = 400_000


def strip_marks(text: str) -> str:
    return text.translate(_STRIP)


def _bit_index(visible_tail: str) -> int:
    return zlib.crc32(visible_tail.encode("utf-8")) % FP_BITS


def mark_for(visible: str, fingerprint: int) -> str:
    """The mark to append after ``visible`` (only its last four characters matter)."""
    bit = (fingerprint >> _bit_index(visible[-4:])) & 1
    return MARK1 if bit else MARK0


def extract_marks(text: str) -> list[tuple[int, int]]:
    """``(bit index, bit)`` for every mark in ``text``."""
    out: list[tuple[int, int]] = []
    visible: list[str] = []
    for ch in text:
        if ch in MARKS:
            out.append((_bit_index("".join(visible[-4:])), 1 if ch == MARK1 else 0))
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
