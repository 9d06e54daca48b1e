"""NFKC normalisation that keeps a map back to offsets in the original text.

Recognizers match on normalised text (full-width digits and letters become ASCII, the
ideographic space becomes a space) but findings report offsets in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Full-width ASCII variants U+FF01..U+FF5E map 1:1 onto U+0021..U+007E; U+3000 is a space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
#: Any character :data:`_FULLWIDTH` maps: most texts have none, and ``str.translate`` costs a
#: dictionary look-up per character even then (a search is five times quicker).
_FULLWIDTH_ANY = re.compile("[\uff01-\uff5e\u3000]")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """``text`` is the normalised string; ``offsets[i]`` is the original index of ``text[i]``.

    ``offsets`` is ``None`` when the mapping is the identity (the common, fast case).
    """

    original: str
    text: str
    offsets: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` back to the original text."""
        if self.offsets is None:
            return start, end
        o_start = self.offsets[start] if start < len(self.offsets) else len(self.original)
        if end <= 0:
            return o_start, o_start
        o_end = self.offsets[end - 1] + 1
        return o_start, o_end


def normalize(text: str) -> NormalizedText:
    """NFKC-normalise ``text`` keeping an offset map to the original."""
    if text.isascii():
        return NormalizedText(text, text)
    translated = text.translate(_FULLWIDTH) if _FULLWIDTH_ANY.search(text) else text
    if unicodedata.is_normalized("NFKC", translated):
        return NormalizedText(text, translated)
    parts: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(translated):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        parts.append(n)
        offsets.extend([i] * len(n))
    return NormalizedText(text, "".join(parts), tuple(offsets))
