"""A keyed permutation of ``[0, n)`` : a balanced Feistel network with an HMAC-SHA256 round
function and cycle walking (the construction of FFX / NIST SP 800-38G, with HMAC as the PRF).

Pseudonyms built on it are consistent (same key, same value → same pseudonym) and
collision-free (a permutation), so joins on pseudonymised columns still work.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from math import isqrt

ROUNDS = 8


class Prf:
    """HMAC-SHA256 (RFC 2104) with the key pads hashed once, for many short messages."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def __call__(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


@lru_cache(maxsize=32)
def prf(key: bytes) -> Prf:
    return Prf(key)


def permute(x: int, n: int, key: bytes, tweak: bytes = b"", rounds: int = ROUNDS) -> int:
    """The image of ``x`` (``0 <= x < n``) under the keyed permutation of ``[0, n)``."""
    if not 0 <= x < n:
        raise ValueError("value outside the permutation domain")
    if n <= 1:
        return x
    f = prf(key)
    m = isqrt(n - 1) + 1  # m * m >= n
    width = (m.bit_length() + 7) // 8 + 1
    prefixes = [tweak + bytes((i,)) for i in range(rounds)]
    while True:
        left, right = divmod(x, m)
        for prefix in prefixes:
            digest = f(prefix + right.to_bytes(width, "big"))
            left, right = right, (left + int.from_bytes(digest[:12], "big")) % m
        x = left * m + right
        if x < n:  # cycle walking keeps the permutation inside [0, n)
            return x


def keyed_index(value: str, n: int, key: bytes, tweak: bytes = b"") -> int:
    """A keyed, uniform-ish index in ``[0, n)`` for ``value`` (not a permutation)."""
    digest = prf(key)(tweak + value.encode("utf-8"))
    return int.from_bytes(digest[:12], "big") % n
