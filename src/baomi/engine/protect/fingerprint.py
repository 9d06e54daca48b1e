"""Per-recipient fingerprints: what makes each package traceable to the recipient it was made for.

The main marks live in the values themselves (``renderings.py``: each masked value in the
rendering the package's key chooses). This module holds the other two kinds, both surviving
shuffled rows, reordered columns and a re-save in another format:

* **invisible marks**, an extra where the policy asks for them (``fingerprint.invisible``:
  TXT and DOCX prose by default, table cells only with ``cells``) — after a value a display
  operator changed (mask, generalize, replace), zero-width characters (U+200B = 0,
  U+200C = 1) carry bits of the package's random 64-bit fingerprint: one after a table value,
  ``TEXT_MARK_WIDTH`` after a span in text (prose has few spans, so each carries more bits).
  Which bits is decided by the
  *tail* before the mark: the visible text before it, back to the nearest separator (white
  space, ``, ; | " '`` and their full-width forms) and at most six UTF-8 bytes. Protect computes
  the tail from the finished text, exactly as trace reads it back, so a short value (``王*``)
  takes the text before it in; a separator ends it, so a cell reads the same alone or pasted
  into a line of text. Equal table values keep equal marks (grouping and joins still work);
* **recipient-keyed values** — pseudonyms, tokens (and recipient-keyed hashes) are derived
  from a recipient-specific key, so the values themselves differ per recipient. The sender
  keeps 8-byte digests of them in the trace record.

The trace record (``<package_id>.json``: recipient, fingerprint, digests, the renderings key)
is kept by the sender, outside the package; ``trace.py`` matches a leaked fragment against a
folder of them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Iterable

import polars as pl

MARK0 = "\u200b"
MARK1 = "\u200c"
MARKS = frozenset((MARK0, MARK1))
FP_BITS = 64
#: The first mark after a value: bit index = its tail (below) as an integer, mod 61 (a prime;
#: computable in Polars, so tables are marked without a Python loop).
_INDEX_MOD = 61
_TAIL_BYTES = 6
#: Characters that end a tail: a value's mark never depends on what precedes a separator.
_SEPARATORS = "\t\n\x0b\x0c\r \u00a0\u3000,;|\"'\uff0c\uff1b\uff5c"
_SEPARATOR_SET = frozenset(_SEPARATORS)
#: Marks after a span in text (lines, paragraphs, notes cells): char ``j`` carries bit
#: :func:`bit_index` ``(tail, j)``.
TEXT_MARK_WIDTH = 4
_STRIP = str.maketrans({MARK0: None, MARK1: None})
#: ``baomi-fp-3``: renderings (``renderings.py``) and recipient-keyed values, zero-width marks
#: only where the policy asks; ``baomi-fp-2``: zero-width marks after every display value.
SCHEME = "baomi-fp-3"
MAX_DIGESTS = 400_000


def strip_marks(text: str) -> str:
    return text.translate(_STRIP)


def tail(visible: str) -> bytes:
    """The bytes a mark after ``visible`` depends on: the visible text back to the nearest
    separator, at most six characters, its last six UTF-8 bytes (marks are skipped)."""
    return _tail_at(visible, len(visible))


@functools.lru_cache(maxsize=1 << 16)
def bit_index(tail_bytes: bytes, j: int = 0) -> int:
    """The fingerprint bit carried by the ``j``-th mark after a value with ``tail_bytes``."""
    if j == 0:
        return int.from_bytes(tail_bytes, "big") % _INDEX_MOD
    h = hashlib.blake2b(tail_bytes, digest_size=8, person=b"baomi-fp-%d" % j).digest()
    return int.from_bytes(h, "big") % FP_BITS


def mark_for_index(index: int, fingerprint: int) -> str:
    return MARK1 if (fingerprint >> index) & 1 else MARK0


def mark_for(visible: str, fingerprint: int, width: int = 1) -> str:
    """The ``width`` marks to put right after ``visible`` (only its tail matters)."""
    return _marks(tail(visible), fingerprint, width)


@functools.lru_cache(maxsize=1 << 16)
def _marks(tail_bytes: bytes, fingerprint: int, width: int) -> str:
    return "".join(mark_for_index(bit_index(tail_bytes, j), fingerprint) for j in range(width))


def mark_series(values: pl.Series, fingerprint: int) -> pl.Series:
    """Every non-empty value with its mark appended: vectorised :func:`mark_for` for values
    that are whole cells."""
    table = pl.Series([mark_for_index(i, fingerprint) for i in range(_INDEX_MOD)], dtype=pl.String)
    c = pl.col("v")
    tail_expr = c.str.extract(f"([^{_SEPARATORS}]{{0,{_TAIL_BYTES}}})$", 1)
    index = (
        tail_expr.str.encode("hex")
        .str.slice(-2 * _TAIL_BYTES)
        .str.to_integer(base=16, strict=False)
        % _INDEX_MOD
    )
    frame = pl.DataFrame({"v": values}).with_columns(index.alias("i"))
    marks = table.gather(frame["i"].fill_null(0).cast(pl.UInt32))
    out = frame.with_columns(m=marks).select(
        pl.when(c.is_not_null() & (c != "")).then(c + pl.col("m")).otherwise(c).alias("v")
    )
    return out.to_series().alias(values.name)


def splice(
    text: str, edits: Iterable[tuple[int, int, str, bool]], fingerprint: int
) -> tuple[str, list[tuple[int, int, str]]]:
    """``text`` with each ``(start, end, new, marked)`` edit applied (spans do not overlap),
    and the edits as made: a marked edit's ``new`` ends with ``TEXT_MARK_WIDTH`` marks computed
    from the finished text before them, which is what :func:`extract_marks` reads back."""
    parts: list[str] = []
    made: list[tuple[int, int, str]] = []
    pos = 0
    for start, end, new, marked in sorted(edits, key=lambda e: e[0]):
        parts.append(text[pos:start])
        if marked and new:
            new += mark_for(_last_chars(parts, new), fingerprint, TEXT_MARK_WIDTH)
        parts.append(new)
        made.append((start, end, new))
        pos = end
    parts.append(text[pos:])
    return "".join(parts), made


def _last_chars(parts: list[str], new: str) -> str:
    """Enough of the end of ``"".join(parts) + new`` to take a tail from (six visible
    characters, or all of it)."""
    out = new
    for part in reversed(parts):
        if len(strip_marks(out)) >= _TAIL_BYTES:
            break
        out = part + out
    return out


def _tail_at(text: str, end: int) -> bytes:
    """:func:`tail` of ``text[:end]``, without copying the text."""
    chars: list[str] = []
    i = end - 1
    while i >= 0 and len(chars) < _TAIL_BYTES:
        ch = text[i]
        i -= 1
        if ch in MARKS:
            continue
        if ch in _SEPARATOR_SET:
            break
        chars.append(ch)
    return "".join(reversed(chars)).encode("utf-8")[-_TAIL_BYTES:]


def extract_marks(text: str) -> list[tuple[int, int]]:
    """``(bit index, bit)`` for every mark in ``text``."""
    out: list[tuple[int, int]] = []
    j = 0
    t = b""
    for i, ch in enumerate(text):
        if ch in MARKS:
            if j == 0:
                t = _tail_at(text, i)
            out.append((bit_index(t, j), 1 if ch == MARK1 else 0))
            j += 1
        else:
            j = 0
    return out


#: Entities whose recipient-keyed values are evidence in a trace: identifiers drawn from a
#: space so large that a real value equals another's pseudonym only by rare chance. A name
#: pseudonym is a plausible name and often another customer's real one (and an address or a
#: company is no better), so the seller's own data would "match" a package.
TRACEABLE = frozenset(
    {
        "CN_RESIDENT_ID",
        "CN_MOBILE",
        "BANK_CARD",
        "EMAIL",
        "CN_PASSPORT",
        "PASSPORT",
        "CN_HMT_PERMIT",
        "HK_ID",
        "TW_ID",
        "MO_ID",
        "CN_USCC",
        "CN_LANDLINE",
        "PHONE_NUMBER",
    }
)


def traceable(entity: str | None, keeps_format: bool = True) -> bool:
    """Whether a recipient-keyed value of ``entity`` is recorded as trace evidence: an output
    that does not look like the entity (a token, a keyed hash) always is — no real value
    equals it by chance; a real-looking one (a pseudonym) only for the entities above."""
    return entity in TRACEABLE or not keeps_format


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
