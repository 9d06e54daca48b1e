"""Traditional Chinese characters read as the prose models read simplified ones.

The models were trained on simplified text: given ``客戶陳美麗的聯繫電話``, they found no name
(generated held-out sentences in traditional characters: person-name recall 0.66 against 0.97
in simplified; bench/RESULTS.md). Customers in Hong Kong, Macao and Taiwan write their names
and addresses in traditional characters, and so do notes on them. The text the models tag has
each traditional character replaced by its simplified form, one character for one, so that the
spans fall on the original text unchanged; the rules and what is reported read the text as
written.

The table (:data:`T2S_FILE`, ~4,200 pairs) is OpenCC's character-level ``t2s`` conversion as the
locked ``opencc`` wheel gives it (Apache-2.0, ``t2s_chars.LICENSE``): each character of the CJK
blocks converted alone, kept where it becomes one other character. ``python -m
baomi.engine.prose.script`` writes it; a test checks it is what the wheel gives.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path

T2S_FILE = "t2s_chars.txt"
_BLOCKS = ((0x3400, 0xA000), (0xF900, 0xFB00))


@cache
def t2s_pairs() -> tuple[tuple[str, str], ...]:
    """(traditional, simplified) characters as shipped, in code point order."""
    text = (files("baomi.engine.prose") / T2S_FILE).read_text(encoding="utf-8")
    return tuple((line[0], line[2]) for line in text.splitlines() if len(line) == 3)


def opencc_pairs() -> tuple[tuple[str, str], ...]:
    """:func:`t2s_pairs` from the ``opencc`` wheel (a dev dependency): what :func:`build` writes."""
    import opencc  # type: ignore[import-not-found, import-untyped, unused-ignore]

    conv = opencc.OpenCC("t2s")
    pairs = []
    for lo, hi in _BLOCKS:
        for cp in range(lo, hi):
            ch = chr(cp)
            out = conv.convert(ch)
            if out != ch and len(out) == 1:
                pairs.append((ch, out))
    return tuple(pairs)


@cache
def traditional_class() -> str:
    """A character class of the traditional characters (Rust ``regex`` and Python ``re``)."""
    return "[" + "".join(t for t, _ in t2s_pairs()) + "]"


@cache
def _table() -> tuple[re.Pattern[str], dict[int, str]]:
    return re.compile(traditional_class()), {ord(t): s for t, s in t2s_pairs()}


def simplified(text: str) -> str:
    """``text`` with its traditional characters in their simplified forms (the same length;
    the text itself where it has none: a search is quicker than a translation)."""
    rx, table = _table()
    return text.translate(table) if rx.search(text) else text


def build(folder: Path) -> None:
    """Write :data:`T2S_FILE` into ``folder`` (the package's ``prose`` folder)."""
    lines = [f"{t} {s}" for t, s in opencc_pairs()]
    (folder / T2S_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(Path(__file__).parent)
