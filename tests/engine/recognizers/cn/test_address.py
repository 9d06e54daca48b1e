from __future__ import annotations

import random
import re

import polars as pl
import pytest

from baomi.engine.recognizers.cn.address import (
    _COUNTRY,
    AddressRecognizer,
    _start_regex,
    _trie,
    divisions_in,
)
from baomi.engine.recognizers.cn.places import division_names, place_names

R = AddressRecognizer()


@pytest.mark.parametrize(
    ("cell", "pattern"),
    [
        ("北京市朝阳区建国路88号", "division_street"),
        ("广东省深圳市南山区科技园南区12栋", "division_street"),
        ("杭州市文一路1号", "division_street"),
        ("上海浦东新区世纪大道100号", "division_street"),
        ("广东深圳某某小区3栋2单元501室", "division_street"),  # province short form
        ("江苏省南京市玄武区", "divisions"),
        ("人民路12号3单元", "street_number"),
        (" 朝阳区建国路88号 ", "division_street"),
        ("张伟", None),
        ("某某科技有限公司", None),
        ("未知", None),
        ("12号", None),
        ("中国上海市徐汇区漕溪北路1号", "division_street"),
        # a note that mentions an address is not an address cell (the prose model finds the
        # address inside it in text mode)
        ("备注：客户0电话见上，地址上海市徐汇区漕溪北路1号", None),
        ("客户张三住上海市徐汇区漕溪北路1号", None),
        ("送货到人民路12号，谢谢", None),
        # traditional characters: Taiwan's, Hong Kong's and Macao's addresses
        ("台北市信義區信義路五段7號89樓", "street_number"),
        ("19139 苗栗市龍山寺路92號9樓", "street_number"),  # a postcode first
        ("彰化市天母巷5號之4", "street_number"),
        ("香港九龍旺角彌敦道123號", "division_street"),
        ("已回覆，請於下週三再電話聯繫", None),
    ],
)
def test_address_cells(cell: str, pattern: str | None) -> None:
    found = R.analyze_cell(cell)
    if pattern is None:
        assert found == []
        return
    (f,) = found
    assert cell[f.start : f.end] == cell.strip()
    assert f.explanation.pattern == pattern
    assert f.score >= 0.5


def test_division_table_is_read_from_cpca_without_importing_it() -> None:
    import sys

    names, short = division_names()
    assert {"北京市", "朝阳区", "广东省", "南山区"} <= names
    assert "广东" in short and "内蒙古" in short
    assert "cpca" not in sys.modules
    assert divisions_in("北京市朝阳区") == [(0, 3), (3, 6)]


def test_vectorised_validation_agrees_with_per_value() -> None:
    streets = ["建国路88号", "科技园", "3栋2单元", "", "某某大厦", "12号楼"]
    places = ["北京市朝阳区", "广东深圳", "杭州市", "朝阳", "某某", "新区"]
    values = [p + s for p in places for s in streets] + ["张伟", "人民路12号"]
    values += ["客户张三上海市徐汇区漕溪北路1号", "中国北京市朝阳区建国路88号"]
    vectorised = R.validate_series(pl.Series(values)).to_list()
    assert vectorised == [R.validate(v) for v in values]
    assert True in vectorised and None in vectorised


def test_start_regex_trie_matches_as_the_names_alternation() -> None:
    """The place-name start regex is written as a trie (it compiles faster): it must match
    exactly where the plain alternation of the names does, in Polars and in Python."""
    names = sorted(place_names(), key=len, reverse=True)
    plain = f"^(?:{_COUNTRY})?(?:{'|'.join(map(re.escape, names))})"
    rng = random.Random(3)
    texts = [
        text
        for n in rng.sample(names, 600)
        for text in (n, n + "路1号", n[:-1], "中国" + n, "中国" + n[:-1], "x" + n, n[1:])
    ]
    texts += ["".join(rng.sample(names, 2))[: rng.randint(0, 6)] for _ in range(1000)]
    cells = pl.Series(texts)
    assert cells.str.contains(_start_regex()).equals(cells.str.contains(plain))
    assert [bool(re.match(_start_regex(), t)) for t in texts] == [
        bool(re.match(plain, t)) for t in texts
    ]
    assert _trie(["上海", "上海市", "上"]) == "上(?:海(?:市)?)?"


def test_a_long_run_of_digits_is_classified_in_linear_time() -> None:
    """``\\d+\\s*(?:号|…)`` searched a run of digits with no 号 after it from every digit, each
    time to the run's end and back: a 57,000-digit cell in a damaged JSON Lines file took 47 s
    (quadratic). A match can only start where the run does. The bound is generous: the
    quadratic search of these 200,000 digits takes minutes, the linear one milliseconds."""
    import time

    rec = AddressRecognizer()
    began = time.perf_counter()
    assert rec.classify("9" * 200_000) is None
    assert rec.classify("上海市" + "9" * 200_000 + "号") is not None
    assert time.perf_counter() - began < 5.0
