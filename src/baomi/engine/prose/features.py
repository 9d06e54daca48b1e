"""Character features for the CRF tagger — the hot path of prose scanning.

Per character: the character and its neighbours (window ±2), four bigrams, a character-class
trigram, and lexicon flags — surname / given-name character shapes, the position inside the
longest administrative-division name (GB/T 2260 table) and inside an organisation suffix
(有限公司, 银行 …), inside a common word (not a name), and inside a known place or
company name (gazetteers from jieba's dictionary). Digits map to ``0`` and Latin letters to ``A``/``a`` so that numbers and
foreign names share statistics. Lookup tables are built once, on first use.

:mod:`.decoder` computes the same features as integer codes for batches of texts: a change
here must be made there too (``tests/engine/prose/test_decoder.py`` compares the two).
"""

from __future__ import annotations

from functools import cache

from baomi.engine.prose import lexicon

#: Character classes: H Han, D digit, A upper-case Latin, a lower-case Latin, P punctuation,
#: S space, I interpunct (·), O other.
_CLASS_H, _CLASS_O = "H", "O"


@cache
def _tables() -> _Tables:
    return _Tables()


def reset_tables() -> None:
    """Rebuild the lookups on next use (after the training script rewrote a word list)."""
    _tables.cache_clear()


class _Tables:
    """Precomputed lookups (one instance, built lazily)."""

    def __init__(self) -> None:
        self.surname = frozenset(lexicon.SURNAMES)
        self.compound_first = frozenset(s[0] for s in lexicon.COMPOUND_SURNAMES)
        self.compound = frozenset(lexicon.COMPOUND_SURNAMES)
        self.given = frozenset(lexicon.GIVEN_CHARS)
        self.divisions = lexicon.division_names()
        self.div_lengths = _first_char_lengths(self.divisions)
        self.org_suffixes = frozenset(lexicon.ORG_SUFFIXES)
        self.org_lengths = _first_char_lengths(self.org_suffixes)
        self.addr_chars = frozenset(lexicon.ADDRESS_CHARS)
        self.words = lexicon.common_words()
        self.word_lengths = _first_char_lengths(self.words)
        self.gazetteer = {w: "p" for w in lexicon.place_words()}
        self.gazetteer.update({w: "o" for w in lexicon.org_words()})
        self.gaz_words = frozenset(self.gazetteer)
        self.gaz_lengths = _first_char_lengths(self.gaz_words)


def _first_char_lengths(words: frozenset[str]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for w in words:
        lengths.setdefault(w[0], set()).add(len(w))
    return {c: tuple(sorted(v, reverse=True)) for c, v in lengths.items()}


_PUNCT = set("，。！？；：、,.!?;:\"'“”‘’（）()[]【】《》<>—-~…/\\|@#%&*+=_")


def _shape(ch: str) -> tuple[str, str]:
    """(symbol used in n-gram features, class letter) of one character."""
    if ch.isdigit():
        return "0", "D"
    if ch.isascii() and ch.isalpha():
        return ("A", "A") if ch.isupper() else ("a", "a")
    if ch == "·" or ch == "•":
        return "·", "I"
    if ch.isspace():
        return "_", "S"
    if ch in _PUNCT:
        return ch, "P"
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return ch, _CLASS_H
    return ch, _CLASS_O


_SHAPES: dict[str, tuple[str, str]] = {}


def _longest_matches(
    text: str, words: frozenset[str], lengths: dict[str, tuple[int, ...]]
) -> list[str]:
    """Forward maximum matching: per character ``B``/``I``/``E`` inside a lexicon word, or ``-``."""
    n = len(text)
    out = ["-"] * n
    i = 0
    while i < n:
        lens = lengths.get(text[i])
        if lens:
            for k in lens:
                if i + k <= n and text[i : i + k] in words:
                    out[i] = "B"
                    for j in range(i + 1, i + k - 1):
                        out[j] = "I"
                    out[i + k - 1] = "E"
                    i += k
                    break
            else:
                i += 1
        else:
            i += 1
    return out


def _longest_typed(
    text: str, words: dict[str, str], lengths: dict[str, tuple[int, ...]]
) -> list[str]:
    """Like :func:`_longest_matches`, with the word's type appended (``Bp``: begins a place)."""
    n = len(text)
    out = ["-"] * n
    i = 0
    while i < n:
        for k in lengths.get(text[i], ()):
            kind = words.get(text[i : i + k]) if i + k <= n else None
            if kind is not None:
                out[i] = "B" + kind
                for j in range(i + 1, i + k - 1):
                    out[j] = "I" + kind
                out[i + k - 1] = "E" + kind
                i += k
                break
        else:
            i += 1
    return out


def sentence_features(text: str) -> list[list[str]]:
    """Feature strings for every character of ``text`` (one list per character)."""
    t = _tables()
    shapes = _SHAPES
    n = len(text)
    syms: list[str] = []
    cls: list[str] = []
    for ch in text:
        sc = shapes.get(ch)
        if sc is None:
            sc = _shape(ch)
            if len(shapes) < 100_000:
                shapes[ch] = sc
        syms.append(sc[0])
        cls.append(sc[1])
    # Name-shape letters: s surname, c compound-surname start, g given-name char, - other.
    surname, given, cfirst = t.surname, t.given, t.compound_first
    nm: list[str] = []
    for ch in text:
        if ch in surname:
            nm.append("s" if ch not in given else "x")
        elif ch in cfirst:
            nm.append("c")
        elif ch in given:
            nm.append("g")
        else:
            nm.append("-")
    div = _longest_matches(text, t.divisions, t.div_lengths)
    org = _longest_matches(text, t.org_suffixes, t.org_lengths)
    word = _longest_matches(text, t.words, t.word_lengths)
    gaz = _longest_typed(text, t.gazetteer, t.gaz_lengths)
    pad_s = ["^", "^", *syms, "$", "$"]
    pad_c = ["^", *cls, "$"]
    pad_n = ["^", "^", *nm, "$", "$"]
    feats: list[list[str]] = []
    for i in range(n):
        j = i + 2
        c_2, c_1, c0, c1, c2 = pad_s[j - 2], pad_s[j - 1], pad_s[j], pad_s[j + 1], pad_s[j + 2]
        feats.append(
            [
                "c=" + c0,
                "l=" + c_1,
                "r=" + c1,
                "ll=" + c_2,
                "rr=" + c2,
                "lc=" + c_1 + c0,
                "cr=" + c0 + c1,
                "ll2=" + c_2 + c_1,
                "rr2=" + c1 + c2,
                "k=" + pad_c[i] + pad_c[i + 1] + pad_c[i + 2],
                "n=" + pad_n[j - 2] + pad_n[j - 1] + pad_n[j] + pad_n[j + 1] + pad_n[j + 2],
                "d=" + div[i] + (div[i + 1] if i + 1 < n else "$"),
                "o=" + org[i] + (org[i + 1] if i + 1 < n else "$"),
                "w=" + word[i],
                "g=" + gaz[i],
            ]
        )
    return feats
