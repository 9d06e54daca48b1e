"""姓名 — a Chinese person's name in a table column (column-only until the prose model).

Format: surname + given name, 2–4 Han characters in all (``张伟``, ``欧阳明月``):

* surname — one character from the common single surnames or two from the compound surnames
  (复姓) in ``engine/data/surnames.txt`` (a lexicon, no personal data);
* given name — the remaining 1–3 characters (at least one);
* an honorific suffix ``先生`` / ``女士`` / ``小姐`` is excluded from the span;
* transliterated and ethnic-minority names join their parts with a middle dot
  (``阿依·买买提``); they carry no Chinese surname and are accepted on shape alone, lower;
* a name in Latin letters (a foreign customer, or a name written in pinyin: ``John Smith``,
  ``Wang Xiaoming``, ``SMITH, John``, ``Mary-Jane O'Neil``): one to four words. Each a name's
  spelling (:func:`baomi.engine.prose.latin.is_name_word`: pinyin, a romanisation, a name of
  Faker's lists) is a name like a surname's — but one word alone, lower: ``Grace`` is a name
  in a name column, yet ``Paris`` and ``Shanghai`` spell names too, and a column of cities must
  not become one of names (a column is classified by its confirmed cells); two to four
  capitalised words of another spelling are a name on shape alone, lower; a placeholder
  (``N/A``, ``Unknown``) is none.

There is no check: this recognizer decides whether a whole cell of a column already suspected
to hold names (by header, ``header_hints``) is a name. :class:`~.cell.CellRecognizer` is the small
base shared with the other column-only recognizers (addresses, organisations).
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar

import polars as pl

from baomi.engine.prose.latin import is_name_word, latin_words
from baomi.engine.prose.lexicon import SURNAME_PARTICLES, surnames
from baomi.engine.recognizers.cn.cell import HAN, CellRecognizer
from baomi.engine.recognizers.cn.places import place_names
from baomi.engine.types import Finding

_DOTS = re.compile("[•・]")
_HONORIFIC = re.compile("(?:先生|女士|小姐)$")
_PLAIN = re.compile(f"[{HAN}]{{2,4}}")
#: Forms of address and degrees around a name in Latin letters (``Dr. Jane Roe``,
#: ``Sig.ra Margherita Scandone``, ``Dipl.-Ing. Gertrud Holzapfel B.Eng.``, ``April Lin
#: DVM``): the name between them is what is read
_LATIN_TITLES = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sig\.ra|Sig\.na|Sig|Dott\.ssa"
    r"|Dott|Ing|Dipl\.-Ing|Avv|Sra|Srta|Sr|Don|Doña|Dña|Mag|Mevr|Dhr)\.?[ ]+)+"
)
_LATIN_SUFFIXES = re.compile(
    r"(?:,?[ ]+(?:Jr|Sr|II|III|IV|PhD|Ph\.D|MD|DDS|DVM|Esq|B\.Eng|M\.Eng|B\.Sc|M\.Sc|MBA|CPA"
    r"|B\.A|M\.A)\.?)+$"
)
#: A name of Han characters with a blank between surname and given name, as Japan writes
#: names and Chinese forms sometimes do (``太田 真綾``, ``王 小明``)
_SPACED = re.compile(f"([{HAN}]{{1,3}})[ \u3000]([{HAN}]{{1,3}})")
#: A Korean name in Hangul (``김민준``, ``김 민준``)
_HANGUL = re.compile("[\uac00-\ud7a3]{1,2}[ \u3000]?[\uac00-\ud7a3]{1,3}")
#: A Japanese name in katakana (``スズキ イチロー``, ``スズキ・イチロー``)
_KATAKANA = re.compile("[\u30a1-\u30fa\u30fc]{2,}[ \u3000・·][\u30a1-\u30fa\u30fc]{2,}")
_DOTTED = re.compile(f"[{HAN}]{{1,8}}(?:·[{HAN}]{{1,8}}){{1,3}}")
#: Cell values that stand in for a missing name ("unknown", "n/a", "customer"): never a name,
#: even where the first character is also a surname (保密, 同上, 空白).
PLACEHOLDERS = frozenset(
    {"未知", "不详", "暂无", "无名", "匿名", "客户", "用户", "先生", "女士", "小姐", "测试", "本人"}
    | {"同上", "待定", "其他", "家属", "空白", "保密", "无"}
)
#: One to six words of Latin letters (``-``, ``'`` and ``.`` inside a word), separated by a
#: space or a comma (``SMITH, John``).
_LATIN = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'.\-]*(?:,? [A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'.\-]*){0,5}")
_PARTICLES = SURNAME_PARTICLES
#: Latin words that stand in for a missing name (lower case)
LATIN_PLACEHOLDERS = frozenset(
    [
        "n",
        "a",
        "na",
        "n/a",
        "none",
        "null",
        "nil",
        "unknown",
        "anonymous",
        "test",
        "tbd",
        "tba",
        "same",
        "self",
        "other",
        "customer",
        "client",
        "user",
        "guest",
        "nobody",
    ]
)
_SURNAME_SCORE = 0.85
_LATIN_SHAPE_SCORE = 0.6
_PLACE_SCORE = 0.6
_DOTTED_SCORE = 0.7
_HONORIFIC_ONLY_SCORE = 0.6  # "王先生": a surname and an honorific still point at a person


@cache
def _lexicon_series() -> tuple[pl.Series, pl.Series, pl.Series, pl.Series]:
    """The lexicons as Polars series, built once for the vectorised checks."""
    single, compound = surnames()

    def series(words: frozenset[str]) -> pl.Series:
        return pl.Series(sorted(words), dtype=pl.String)

    return series(single), series(compound), series(place_names()), series(PLACEHOLDERS)


class PersonNameRecognizer(CellRecognizer):
    entity = "PERSON_NAME"
    header_hints: ClassVar[tuple[str, ...]] = (
        "姓名",
        "名字",
        "联系人",
        "客户名",
        "收货人",
        "持卡人",
        "法定代表人",
        "经办人",
        "负责人",
        "客户经理",
        "业务员",
        "跟进人",
        "name",
        "contact",
    )
    #: ``name`` is in every English header of a thing's name
    header_excludes: ClassVar[tuple[str, ...]] = (
        "company",
        "product",
        "file",
        "brand",
        "item",
        "project",
        "shop",
        "store",
        "city",
        "country",
        "street",
        "org",
        "host",
        "domain",
        "sheet",
        "table",
        "field",
    )
    context: ClassVar[tuple[str, ...]] = ("姓名", "先生", "女士", "name")
    prefilter = (
        f"[{HAN}][ \u3000]?[{HAN}]|[A-Za-zÀ-ɏ]{{2}}|[\uac00-\ud7a3][ \u3000]?[\uac00-\ud7a3]"
        "|[\u30a1-\u30fa\u30fc]{2}"
    )
    #: Names are diverse; a column of a few repeated words (支付方式: 银联卡…) is not one
    #: unless its header names it (five account managers under 经办人).
    min_distinct_share = 0.2
    #: a shape alone (a Latin word, a spaced, Korean or katakana name): read as a name in a
    #: name column, no evidence of one unless the header says so
    weak_patterns = frozenset(
        {"latin_word", "latin_shape", "cjk_spaced", "hangul_name", "kana_name"}
    )
    fast_cell_regex = r"^[\p{Han}·]{2,5}$"

    def canonical(self, value: str) -> str:
        return _DOTS.sub("·", value)

    def canonical_series(self, values: pl.Series) -> pl.Series:
        return values.str.replace_all(_DOTS.pattern, "·")

    def validate(self, value: str) -> bool | None:
        return False if value in PLACEHOLDERS else super().validate(value)

    def classify(self, cell: str) -> tuple[int, int, float, str] | None:
        if cell in PLACEHOLDERS:
            return None
        core = _DOTS.sub("·", _HONORIFIC.sub("", cell))
        single, compound = surnames()
        if core != cell and (core in single or core in compound):
            return 0, len(core), _HONORIFIC_ONLY_SCORE, "surname_honorific"
        spaced = _SPACED.fullmatch(core)
        if spaced is not None:
            joined = spaced[1] + spaced[2]
            known = (len(joined) >= 3 and joined[:2] in compound) or joined[0] in single
            if known and _PLAIN.fullmatch(joined) and joined not in place_names():
                return 0, len(core), _SURNAME_SCORE, "surname"
            return 0, len(core), _LATIN_SHAPE_SCORE, "cjk_spaced"
        if _KATAKANA.fullmatch(cell):
            return 0, len(cell), _LATIN_SHAPE_SCORE, "kana_name"
        if _HANGUL.fullmatch(core):
            return 0, len(core), _LATIN_SHAPE_SCORE, "hangul_name"
        if "·" in core:
            if _DOTTED.fullmatch(core):
                return 0, len(core), _DOTTED_SCORE, "dotted_name"
            return None
        bare = _LATIN_SUFFIXES.sub("", _LATIN_TITLES.sub("", core))
        if bare and _LATIN.fullmatch(bare):
            found = _latin_name(bare)  # the name without its titles decides
            return None if found is None else (0, len(core), found[2], found[3])
        if not _PLAIN.fullmatch(core):
            return None
        if (len(core) >= 3 and core[:2] in compound) or core[0] in single:
            if core in place_names():  # 武汉, 成都: a city column, not a name (cannot tell)
                return 0, len(core), _PLACE_SCORE, "surname_or_place"
            return 0, len(core), _SURNAME_SCORE, "surname"
        return None

    def validate_series(self, values: pl.Series) -> pl.Series:
        """The surname test as one Polars expression (True, False for a placeholder, or null)."""
        single, compound, places, placeholders = _lexicon_series()
        v = pl.col("v")
        n = v.str.len_chars()
        ok = (
            v.str.contains(f"^[{HAN}]{{2,4}}$")
            & ~v.str.contains("(?:先生|女士|小姐)$")
            & ~v.is_in(places.implode())
            & (
                v.str.slice(0, 1).is_in(single.implode())
                | ((n >= 3) & v.str.slice(0, 2).is_in(compound.implode()))
            )
        ).fill_null(False)
        return self.confirmed_where(values, ok, v.is_in(placeholders.implode()))


def _latin_name(cell: str) -> tuple[int, int, float, str] | None:
    """A whole cell of Latin words as a name (the module's rules), or None."""
    words = latin_words(cell)
    if not words or all(w.lower() in LATIN_PLACEHOLDERS for w in words):
        return None
    # the particles of a surname (Ludwig van Beethoven, Alain Lacroix de la Carlier) are no
    # words of their own; the first word is never one
    words = words[:1] + [w for w in words[1:] if w not in _PARTICLES]
    if all(is_name_word(w) for w in words) and any(len(w) > 1 for w in words):
        if len(words) == 1:  # Grace, Xiaoming — and Paris, Shanghai
            return 0, len(cell), _LATIN_SHAPE_SCORE, "latin_word"
        return 0, len(cell), _SURNAME_SCORE, "latin_name"
    if 2 <= len(words) <= 4 and all(w[0].isupper() for w in words):
        return 0, len(cell), _LATIN_SHAPE_SCORE, "latin_shape"
    return None


@cache
def _recognizer() -> PersonNameRecognizer:
    return PersonNameRecognizer()


def labelled_name(label: str, text: str) -> list[Finding]:
    """The name a whole value is, when its label names a person — data beside a document's
    text, under a field's name (``自定义XML：客户姓名``, ``文档变量：联系人``, a nested
    Parquet leaf ``订单[].收货人``): read as a cell of a column so headed (its field, the
    label's last part, against :attr:`PersonNameRecognizer.header_hints`; the value a name
    by :meth:`~PersonNameRecognizer.classify`). None otherwise."""
    field = re.split(r"[：.]|\[\]", label)
    named = [part for part in field if part]
    recognizer = _recognizer()
    if not named or not recognizer.named_by(named[-1]):
        return []
    # the field names a person, as a header can: a name of Latin letters on its shape or one
    # word (收货人: Grace) is one there too
    weak = recognizer.weak_patterns
    return [
        f
        for f in recognizer.analyze_cell(text)
        if f.score >= _SURNAME_SCORE or f.explanation.pattern in weak
    ]
