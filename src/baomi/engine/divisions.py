"""China's administrative divisions (GB/T 2260 codes) from cpca's bundled table.

Used to cut an address after its district (mask) and to generalise it to the province, city
or district (generalize), and to tell a bare place name (深圳, 广东省深圳市, 美国) from an
address (:func:`place_only`). The table is read directly from cpca's package data (importing
cpca itself is slow); nothing is read at import time.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl

from baomi.engine.adcodes import adcodes_path


@dataclass(frozen=True, slots=True)
class Division:
    """The administrative prefix of an address; ``end`` is where it ends in the text."""

    province: str
    city: str
    district: str
    end: int


@dataclass(frozen=True, slots=True)
class _Table:
    by_code: dict[str, str]
    codes_by_name: dict[str, tuple[str, ...]]
    pattern: re.Pattern[str]


@cache
def _table() -> _Table:
    by_code: dict[str, str] = {}
    codes_by_name: dict[str, list[str]] = {}
    with adcodes_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"][:6], row["name"]
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            by_code[code] = name
            codes_by_name.setdefault(name, []).append(code)
    names = sorted(codes_by_name, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in names))
    return _Table(by_code, {k: tuple(v) for k, v in codes_by_name.items()}, pattern)


@cache
def prefix_regex() -> str:
    """A Rust/Polars regex capturing up to three division names at the start of a text (the
    vectorised form of :func:`parse`'s prefix, used to cut addresses after the district)."""
    names = sorted(_table().codes_by_name, key=len, reverse=True)
    return "^((?:" + "|".join(re.escape(n) for n in names) + "){1,3})"


def parse(address: str) -> Division | None:
    """Province, city and district at the start of ``address`` (contiguous names), or None."""
    table = _table()
    pos = 0
    chosen: list[str] = []
    while True:
        m = table.pattern.match(address, pos)
        if m is None:
            break
        codes = table.codes_by_name[m.group()]
        code = codes[0]
        if chosen:  # prefer a code inside the previous level
            parent = chosen[-1]
            prefix = parent[:2] if parent.endswith("0000") else parent[:4]
            inside = [c for c in codes if c.startswith(prefix)]
            if not inside:
                break
            code = inside[0]
        chosen.append(code)
        pos = m.end()
        if not code.endswith("00"):  # reached a district / county
            break
    if not chosen:
        return None
    deepest = chosen[-1]
    province = table.by_code.get(deepest[:2] + "0000", "")
    city = "" if deepest.endswith("0000") else table.by_code.get(deepest[:4] + "00", "")
    district = "" if deepest.endswith("00") else table.by_code.get(deepest, "")
    if province in ("北京市", "天津市", "上海市", "重庆市"):
        city = ""  # municipalities: the city level repeats the province
    return Division(province, city, district, pos)


def _short(code: str, name: str) -> str | None:
    """A province's or city's usual short form (广东省 → 广东, 深圳市 → 深圳; the prose
    lexicon's :func:`~baomi.engine.prose.lexicon.short_name`), None when it has none."""
    from baomi.engine.prose.lexicon import short_name

    short = short_name(name, 1 if code.endswith("0000") else 2)
    return short if short != name and len(short) >= 2 else None


#: Faker's zh_CN country names, shipped (importing Faker cost a scan ~0.1 s; a test checks
#: the file is what the locked Faker gives).
COUNTRIES_FILE = "countries_zh.txt"


def countries() -> list[str]:
    """Country names in Chinese (:data:`COUNTRIES_FILE`)."""
    text = (resources.files("baomi.engine") / "data" / COUNTRIES_FILE).read_text(encoding="utf-8")
    return text.split()


@cache
def broad_places() -> frozenset[str]:
    """Countries (Faker's zh_CN list: :func:`countries`) and provinces, full and short (广东省,
    广东, 北京): names no person and no one's address is."""
    names = set(countries())
    for code, name in _table().by_code.items():
        if code.endswith("0000"):
            names.add(name)
            if (short := _short(code, name)) is not None:
                names.add(short)
    return frozenset(names)


@cache
def _place_pattern() -> re.Pattern[str]:
    """Up to three place names and nothing else: divisions as written in the table, the short
    forms of provinces and cities (a district's short form is often a common word: 朝阳, 南山,
    so it is not one), and countries."""
    table = _table()
    names = set(table.codes_by_name) | broad_places()
    for code, name in table.by_code.items():
        if code.endswith("00") and (short := _short(code, name)) is not None:
            names.add(short)
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(f"(?:{alternatives}){{1,3}}")


def place_only(value: str) -> bool:
    """Whether ``value`` is only place names — a country, a province, a city or a district
    (深圳, 广东深圳, 北京市朝阳区, 美国): no one's address, and the part of an address that
    masking shows anyway."""
    text = value.strip()
    return bool(text) and _place_pattern().fullmatch(text) is not None


def place_only_series(values: pl.Series) -> pl.Series:
    """:func:`place_only` of every value (String, no nulls), in Polars."""
    anchored = "^\\s*(?:" + _place_pattern().pattern + ")\\s*$"
    return values.str.contains(anchored) & (values.str.strip_chars().str.len_chars() > 0)
