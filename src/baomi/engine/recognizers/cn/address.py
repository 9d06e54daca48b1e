"""地址 — a postal address in a table column (column-only until the prose model).

Shape of a Chinese address, largest unit first:
``省/自治区/直辖市 → 市/地区/州/盟 → 区/县/旗 → 街道/镇/乡 → 路/街/巷 + 号 → 栋/单元/室``.

* administrative divisions — the real division table (GB/T 2260 names with their adcodes)
  shipped by the ``cpca`` package as ``resources/adcodes.csv``, read directly (importing
  ``cpca`` itself is slow and pulls in ``pkg_resources``), loaded lazily once; province-level
  short forms (``广东``, ``上海``) are accepted at the start of a cell;
* street and number shape — ``路 街 道 巷 弄 胡同 村 镇 乡 小区 大厦 园`` and a number followed by
  ``号 弄 栋 幢 单元 室 楼 层``.

Scores: divisions plus street or number 0.9; street plus number without a division 0.7; a cell
made only of divisions (``北京市朝阳区``) 0.6. A cell is an address only when it *is* one: it
starts with a place name (``中国`` may come first), or, without any division, holds no sentence
punctuation — a note that mentions an address (``备注：…地址上海市…``) is free text, where the
prose model finds the address's own span. An address in Latin letters (``No. 88 Jianguo Road,
Chaoyang District, Beijing``, one abroad) is read by
:mod:`baomi.engine.recognizers.generic.latin_address`. Nothing is checked against a register of
real addresses. Precise location is sensitive when it tracks a person (PIPL-28 行踪轨迹); a contact
address alone is general PI (GB/T 35273-2020 Annex A).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, ClassVar

import polars as pl

from baomi.engine import regex_thread
from baomi.engine.recognizers.cn.cell import HAN, CellRecognizer
from baomi.engine.recognizers.cn.places import SUFFIX_CHARS, division_names, place_names
from baomi.engine.recognizers.generic import latin_address

_SUFFIX = re.compile(f"[{SUFFIX_CHARS}]")
#: Street and number words, and their traditional forms (Taiwan's, Hong Kong's and Macao's
#: addresses: 台北市信義路五段7號9樓, 彌敦道123號)
#: and Japan's blocks (山形県小金井市箪笥町4丁目27番19号)
_STREET = (
    "路|街|大道|道|巷|弄|胡同|衚衕|村|镇|鎮|乡|鄉|小区|小區|大厦|大廈|公寓|园|園|广场|廣場|开发区"
    "|丁目|番地"
)
_NUMBER = r"\d+\s*(?:号|號|弄|衖|栋|棟|幢|单元|單元|室|楼|樓|层|層|座)"
_STREET_RX = re.compile(f"(?:{_STREET})")
#: in Python only where a run of digits starts: from every digit of a long run without 号 after
#: it, ``\d+`` went to the run's end and back (quadratic; Polars' regex is linear anyway)
_NUMBER_RX = re.compile(r"(?<!\d)" + _NUMBER)
_SHAPE_RX = f"(?:{_STREET}|{_NUMBER})"
_ONLY_DIVISIONS = re.compile(f"[{HAN}]+")
_COUNTRY = "中国"
#: Sentence punctuation (after NFKC): a street-and-number cell with it is a note, not an address.
_SENTENCE = re.compile(r"[,.;:!?，。；：！？、]")
_FULL = 0.9
_STREET_NUMBER = 0.7
_DIVISIONS_ONLY = 0.6
#: An address of any country on its shape, in a column whose header says it holds addresses:
#: a digit, two letters of any script, a blank or comma between parts, no sentence — Korea's
#: ``강원도 삼척시 테헤란8로 988-58``, the Netherlands' ``Dirkpad 75, 8900WS, Meerssen``, New
#: Zealand's ``PO Box 45, Mokoawa 2291``, India's ``53/22, Panchal Chowk, Rajkot-217743``. Not
#: of Han characters: a Chinese or Japanese address is read by its parts, and a cell of them
#: that is none (``送货到人民路12号，谢谢``) is a note
_SHAPE_SCORE = 0.6
_ANY_SHAPE = rf"^(?=.*[0-9])(?=(?:.*[^\W\d_]){{2}})(?=.*[ ,])[^@:：，。；！？、;!?{HAN}]{{6,120}}$"
_ANY_SHAPE_RX = re.compile(_ANY_SHAPE)
#: A cell without Han characters and with Latin letters: an address in English or pinyin, if
#: any (:func:`baomi.engine.recognizers.generic.latin_address.classify_cell`)
_LATIN_CELL = re.compile(f"[^{HAN}]*[A-Za-z][^{HAN}]*")


@cache
def _sorted_names() -> list[str]:
    return sorted(division_names()[0])


@cache
def _division_regex() -> str:
    """Rust regex: any division name, matched with a literal prefilter. It compiles in 5.5 ms,
    again whenever Polars' regex cache (32 per thread) has dropped it, and is still faster
    per column than ``contains_any``, which builds its Aho-Corasick automaton of 3,000 names
    on every call (2.8 ms) and scans more slowly (12.4 ms against 1.6 ms on 23,000 address
    cells)."""
    return "|".join(map(re.escape, _sorted_names()))


def _trie(words: Iterable[str]) -> str:
    """Regex text matching exactly ``words`` with their shared prefixes written once
    (``上海市|上海`` → ``上海(?:市)?``): fewer states for Rust's regex to compile."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def text(node: dict[str, Any]) -> str:
        ways = [re.escape(ch) + text(sub) for ch, sub in sorted(node.items()) if ch]
        if not ways:
            return ""
        out = ways[0] if len(ways) == 1 else "(?:" + "|".join(ways) + ")"
        return f"(?:{out})?" if "" in node else out

    return text(root)


@cache
def _start_regex() -> str:
    """Rust/Python regex: a cell that starts with a place name (after an optional 中国). A
    trie of the names: it compiles in 6.9 ms, a plain alternation in 10.8 ms — and Polars
    compiles it again in every partition of a scan (its regex cache holds 32 per thread)."""
    return f"^(?:{_COUNTRY})?(?:{_trie(place_names())})"


@cache
def _place_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(n) for n in place_names()}))


def starts_with_place(cell: str) -> bool:
    """True when ``cell`` starts with a place name, as an address does (``中国`` may come first)."""
    if cell.startswith(_COUNTRY):
        cell = cell[len(_COUNTRY) :]
    names = place_names()
    return any(cell[:n] in names for n in _place_lengths() if n <= len(cell))


@cache
def _lengths() -> tuple[int, ...]:
    return tuple(sorted({len(n) for n in division_names()[0]}))


def divisions_in(cell: str) -> list[tuple[int, int]]:
    """Spans of division names in ``cell`` (each name ends in a suffix character)."""
    names = division_names()[0]
    spans: list[tuple[int, int]] = []
    for m in _SUFFIX.finditer(cell):
        end = m.end()
        for n in _lengths():
            if n > end:
                break
            if cell[end - n : end] in names:
                spans.append((end - n, end))
                break
    return spans


def _shaped(cell: str) -> tuple[int, int, float, str] | None:
    """An address on its shape (:data:`_ANY_SHAPE`), not a sentence in Latin letters."""
    if _ANY_SHAPE_RX.match(cell) and not latin_address.is_prose(cell):
        return 0, len(cell), _SHAPE_SCORE, "address_shape"
    return None


class AddressRecognizer(CellRecognizer):
    entity = "ADDRESS"
    header_hints: ClassVar[tuple[str, ...]] = (
        "地址",
        "住址",
        "收货地址",
        "联系地址",
        "户籍",
        "居住地",
        "所在地",
        "address",
        "addr",
    )
    context: ClassVar[tuple[str, ...]] = ("地址", "住址", "address")
    prefilter = f"[{SUFFIX_CHARS}路街道巷弄村镇鎮乡鄉号號]|丁目|{latin_address.CELL_PREFILTER}"
    #: under an address's header a cell with a digit may be one on its shape alone
    header_prefilter = f"{prefilter}|[0-9]"
    fast_cell_regex = r"^[\p{Han}0-9A-Za-z\-#()（）]{4,80}$"
    #: an address on its shape alone (``address_shape``) is one in an address column, no
    #: evidence of one unless the header says so
    weak_patterns = frozenset({"address_shape"})

    def classify(self, cell: str) -> tuple[int, int, float, str] | None:
        if _LATIN_CELL.fullmatch(cell):
            latin = latin_address.classify_cell(cell)
            return _shaped(cell) if latin is None else (0, len(cell), *latin)
        divisions = divisions_in(cell)
        if not divisions:
            _, short = division_names()
            divisions = [(0, len(s)) for s in short if cell.startswith(s)][:1]
        street = _STREET_RX.search(cell) is not None
        number = _NUMBER_RX.search(cell) is not None
        if divisions and not starts_with_place(cell):
            return None  # a text that mentions a place (客户张三住上海市…)
        if divisions and (street or number):
            return 0, len(cell), _FULL, "division_street"
        if street and number and not _SENTENCE.search(cell):
            return 0, len(cell), _STREET_NUMBER, "street_number"
        if divisions and _ONLY_DIVISIONS.fullmatch(cell) and divisions[-1][1] == len(cell):
            return 0, len(cell), _DIVISIONS_ONLY, "divisions"
        return _shaped(cell)

    def classify_series(self, cells: pl.Series) -> pl.DataFrame | None:
        """:meth:`classify`, vectorised: every division name ends in a suffix character, so
        :func:`divisions_in` finds one exactly when the cell contains one
        (:func:`_division_regex`). Cells starting with ``中国``, cells with only a province
        short form, all-Han cells of divisions alone (the last division must end the cell) and
        cells of Latin letters without Han characters, and cells of none of these shapes that
        may be an address on its shape alone, are left to :meth:`classify` (``python``)."""
        short = division_names()[1]
        v = pl.col("v")
        # each test once (a query repeats an expression used twice: the test for 3,000
        # names ran five times), then combined; the two lists of every division name on the
        # thread that keeps them compiled
        cells = cells.cast(pl.String)
        tests = pl.DataFrame(
            {
                "v": cells,
                "division": regex_thread.contains(cells, _division_regex()),
                "place": regex_thread.contains(cells, _start_regex()),
            }
        ).select(
            "division",
            "place",
            street=v.str.contains(_STREET),
            number=v.str.contains(_NUMBER),
            sentence=v.str.contains(_SENTENCE.pattern),
            short_start=v.str.contains(f"^(?:{'|'.join(map(re.escape, short))})"),
            only_han=v.str.contains(f"^[{HAN}]+$"),
            country=v.str.starts_with(_COUNTRY),
            # no Han character (found at once in a Chinese address) and a Latin letter
            latin=~v.str.contains(f"[{HAN}]") & v.str.contains("[A-Za-z]"),
            # may be an address on its shape (:func:`_shaped`, exact in Python)
            any_shape=v.str.contains("[0-9]")
            & v.str.contains("[ ,]")
            & ~v.str.contains(f"[@:：，。；！？、;!?{HAN}]"),
        )
        division, place = pl.col("division"), pl.col("place")
        shaped = pl.col("street") | pl.col("number")
        street_number = pl.col("street") & pl.col("number")
        sentence, short_start, only_han = (
            pl.col("sentence"),
            pl.col("short_start"),
            pl.col("only_han"),
        )
        python = (
            pl.col("country")
            | (~division & short_start)
            | (division & place & ~shaped & only_han)
            | pl.col("latin")
        )
        score = (
            pl.when(division & place & shaped)
            .then(pl.lit(_FULL))
            .when(~division & street_number & ~sentence)
            .then(pl.lit(_STREET_NUMBER))
        )
        pattern = (
            pl.when(division).then(pl.lit("division_street")).otherwise(pl.lit("street_number"))
        )
        python = python | (score.is_null() & pl.col("any_shape"))
        return tests.select(
            score=score.cast(pl.Float64), pattern=pattern, python=python.fill_null(False)
        )

    def validate_series(self, values: pl.Series) -> pl.Series:
        """A division name (:func:`_division_regex`), a place name at the start and the
        street/number shape, vectorised."""
        short = division_names()[1]
        v = pl.col("v")
        values = values.cast(pl.String)
        named = pl.lit(regex_thread.contains(values, _division_regex()))
        place = pl.lit(regex_thread.contains(values, _start_regex()))
        division = named | v.str.contains(f"^(?:{'|'.join(short)})")
        ok = (division & place & v.str.contains(_SHAPE_RX)).fill_null(False)
        return self.confirmed_where(values, ok)
