"""Addresses in Latin letters: in free text, as whole cells of an address column, what a mask
shows of them and what a pseudonym makes of them. The addresses are made up (street names
any city has; no one's address)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.masking import mask_value
from baomi.engine.protect.operators.pseudonym import pseudonym_value
from baomi.engine.protect.params import PseudonymParams
from baomi.engine.recognizers.base import resolve_overlaps
from baomi.engine.recognizers.cn.address import AddressRecognizer
from baomi.engine.recognizers.generic.latin_address import (
    CELL_PREFILTER,
    LatinAddressRecognizer,
    classify_cell,
    shown_places,
)
from baomi.engine.recognizers.registry import Registry

R = LatinAddressRecognizer()


def _spans(text: str) -> list[tuple[str, str, float]]:
    return [
        (text[f.start : f.end], f.explanation.pattern, f.score)
        for f in resolve_overlaps(R.analyze(text))
    ]


@pytest.mark.parametrize(
    ("text", "span", "pattern"),
    [
        (
            "No. 88 Jianguo Road, Chaoyang District, Beijing 100022",
            "No. 88 Jianguo Road, Chaoyang District, Beijing 100022",
            "latin_address",
        ),
        (
            "123 Main Street, Apt 4B, Springfield, IL 62704",
            "123 Main Street, Apt 4B, Springfield, IL 62704",
            "latin_address",
        ),
        (
            "Room 1203, Building 5, 1000 Century Avenue, Pudong New Area, Shanghai",
            "Room 1203, Building 5, 1000 Century Avenue, Pudong New Area, Shanghai",
            "latin_address",
        ),
        (
            "Flat 3, 221B Baker Street, London NW1 6XE",
            "Flat 3, 221B Baker Street, London NW1 6XE",
            "latin_address",
        ),
        ("Jianguo Road No. 88, Beijing", "Jianguo Road No. 88, Beijing", "latin_address"),
        # a district named without its division word (a listed one)
        (
            "寄到 699 Hongfeng Road, Pudong, Shanghai",
            "699 Hongfeng Road, Pudong, Shanghai",
            "latin_address",
        ),
        # a direction joined to the street word, as pinyin writes it
        (
            "寄往 8 Xinyuan Nanlu, Chaoyang District",
            "8 Xinyuan Nanlu, Chaoyang District",
            "latin_address",
        ),
        # pinyin street words; glued to Chinese text on both sides
        (
            "客户要求寄到88 Jianguo Lu, Chaoyang Qu，谢谢",
            "88 Jianguo Lu, Chaoyang Qu",
            "latin_address",
        ),
        # a street alone; the neighbourhood after it is no listed place and stays out
        ("Unit 12, 45 Nathan Road, Yau Ma Tei", "Unit 12, 45 Nathan Road", "latin_street"),
        # … unless places follow it
        (
            "地址 Unit 12, 45 Nathan Road, Tsim Sha Tsui, Kowloon, Hong Kong。",
            "Unit 12, 45 Nathan Road, Tsim Sha Tsui, Kowloon, Hong Kong",
            "latin_address",
        ),
        ("He lives at 12 Main St. and works nearby", "12 Main St.", "latin_street"),
    ],
)
def test_addresses_in_text(text: str, span: str, pattern: str) -> None:
    ((found, why, score),) = _spans(text)
    assert (found, why) == (span, pattern)
    assert score >= 0.6


def test_an_address_word_nearby_lifts_a_street_alone() -> None:
    ((_, _, plain),) = _spans("Main office: 12 Main Street")
    ((_, _, told),) = _spans("Ship to 12 Main Street")
    assert plain == 0.6 and told > 0.9
    ((_, _, chinese),) = _spans("收货地址：12 Main Street")
    assert chinese > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "Please call back. The meeting is on Road 5.",  # no number before the street
        "见 Sales Report 第3页",
        "Sent 3 Apple Store items",
        "John Smith",
        "Order 12345 shipped by SF Express",
        "Version 2.3 released",
        "MORE THAN 100 ONE WAY MILES",  # a notice in capitals (from a real workbook)
        "北京市朝阳区建国路88号",  # the Chinese address recognizers' work
    ],
)
def test_no_address(text: str) -> None:
    assert _spans(text) == []


@pytest.mark.parametrize(
    ("cell", "pattern"),
    [
        ("No. 88 Jianguo Road, Chaoyang District, Beijing 100022", "latin_address"),
        # any capitalised words may end an address cell (a neighbourhood)
        ("Unit 12, 45 Nathan Road, Tsim Sha Tsui, Kowloon, Hong Kong", "latin_address"),
        ("88 JIANGUO ROAD, BEIJING", "latin_address"),
        ("88 Jianguo Road", "latin_street"),
        ("Chaoyang District, Beijing", "latin_places"),
        ("Room 1203, Tower A, Chaoyang District, Beijing", "latin_places"),
        ("Call the customer at 12 Main Street please", None),  # a note, not an address
        ("USNV Thomas, FPO AE 61808", "latin_address"),  # a US military address
        ("Unit 0326 Box 9910, DPO AE 28451", "latin_address"),
        ("John Smith", None),
        ("Sales Report 2024", None),
    ],
)
def test_address_cells(cell: str, pattern: str | None) -> None:
    verdict = classify_cell(cell)
    assert (verdict[1] if verdict else None) == pattern
    # the address column's recognizer reads them, whole; a cell of none of the shapes with a
    # digit among words is an address there on its shape alone (weak: no evidence of an
    # address column without the header)
    found = AddressRecognizer().analyze_cell(cell)
    if pattern is None:
        assert [f.explanation.pattern for f in found] in ([], ["address_shape"])
        assert not found or (any(c.isdigit() for c in cell) and " " in cell)
    else:
        (f,) = found
        assert (f.start, f.end, f.explanation.pattern) == (0, len(cell), pattern)


def test_prefilters_let_every_address_through() -> None:
    """The batched scan analyses only the cells a prefilter accepts."""
    cells = [
        "No. 88 Jianguo Road, Chaoyang District, Beijing 100022",
        "客户要求寄到88 Jianguo Lu, Chaoyang Qu",
        "Room 1203, Tower A, Chaoyang District, Beijing",
        "12 Main St.",
        "Chaoyang District, Beijing",
        "Hong Kong",
    ]
    series = pl.Series(cells)
    assert series.str.contains(CELL_PREFILTER).all()
    assert series.str.contains(str(AddressRecognizer.prefilter)).all()
    texts = [c for c in cells if R.analyze(c)]
    assert pl.Series(texts).str.contains(str(R.prefilter)).all()


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (
            "No. 88 Jianguo Road, Chaoyang District, Beijing 100022",
            "****, Chaoyang District, Beijing",
        ),
        ("123 Main Street, Apt 4B, Springfield, IL 62704", "****, Springfield, IL"),
        ("Room 1203, Tower A, Chaoyang District, Beijing", "****, Chaoyang District, Beijing"),
        ("Flat 3, 221B Baker Street, London NW1 6XE", "****, London"),
        ("88 Jianguo Road", "****"),
        ("88 Jianguo Road Chaoyang District Beijing", "****"),  # no comma: nothing told apart
        ("Chaoyang District, Beijing", "Chaoyang District, Beijing"),  # places only: no one's
    ],
)
def test_mask_shows_the_places_as_for_a_chinese_address(value: str, masked: str) -> None:
    assert mask_value(value, "ADDRESS") == masked
    assert shown_places(value) in masked


def test_pseudonym_is_another_street_in_the_same_places() -> None:
    key = b"k" * 32
    value = "No. 88 Jianguo Road, Chaoyang District, Beijing 100022"
    out = pseudonym_value(value, "ADDRESS", key, PseudonymParams())
    assert re.fullmatch(r"\d{1,3} [A-Z][a-z]+ Road, Chaoyang District, Beijing", out)
    assert "Jianguo" not in out and "100022" not in out
    assert out == pseudonym_value(value, "ADDRESS", key, PseudonymParams())
    others = {
        pseudonym_value(value, "ADDRESS", bytes([i]) * 32, PseudonymParams()) for i in range(8)
    }
    assert len(others) > 1
    # a Chinese address keeps its Chinese form
    assert re.fullmatch(
        r"北京市朝阳区.+路\d+号",
        pseudonym_value("北京市朝阳区建国路88号", "ADDRESS", key, PseudonymParams()),
    )


def test_a_column_of_addresses_in_latin_letters_is_an_address_column(tmp_path: Path) -> None:
    from baomi.engine.columns import classify_column

    values = pl.Series(
        [
            "No. 88 Jianguo Road, Chaoyang District, Beijing 100022",
            "123 Main Street, Apt 4B, Springfield, IL 62704",
            "Flat 3, 221B Baker Street, London NW1 6XE",
            "1000 Century Avenue, Pudong New Area, Shanghai",
            "Unit 12, 45 Nathan Road, Tsim Sha Tsui, Kowloon, Hong Kong",
        ]
    )
    registry = Registry.default(plugins=False).without_models()
    for header in ("Address", "Shipping"):  # by the header, and by the values alone
        plan = classify_column(header, values, registry)
        assert (plan.mode, plan.entity) == ("entity", "ADDRESS")
    # the analyzer of free text finds each too
    analyzer = TextAnalyzer(registry)
    for v in values.to_list():
        assert any(f.entity == "ADDRESS" for f in analyzer.analyze(f"备注：寄到 {v}"))


@pytest.mark.timeout(10)
def test_long_runs_of_capitalised_words_are_read_in_linear_time() -> None:
    """A street followed by thirty capitalised words and a lower-case one: every way of
    cutting the words into places was tried (25 words took 16 s, each more twice as long)."""
    words = " ".join(["Abc"] * 30)
    assert classify_cell(f"12 Main Street {words} x") is None
    assert classify_cell(f"12 Main Street, {words}") == (0.9, "latin_address")
    assert classify_cell(", ".join(["Room 1"] * 30) + ", Hong Kong Hong Kong x") is None
    text = "12 Main Street, " + " ".join(["Hong Kong"] * 30) + " Abc District x"
    assert _spans(text)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        (
            "Ships to 679 Cindy Village, North Austinbury, PA 04443.",
            "679 Cindy Village, North Austinbury, PA 04443",
        ),
        (
            "lives at 792 Katie hollow, North Shannon, RH0W 7ZG and",
            "792 Katie hollow, North Shannon, RH0W 7ZG",
        ),
        (
            "寄到 Flat 97, Emma falls, West Julian, L3C 6UZ",
            "Flat 97, Emma falls, West Julian, L3C 6UZ",
        ),
        (
            "new address 9042 Austin Drives, North Gloria, NT K8V2E9.",
            "9042 Austin Drives, North Gloria, NT K8V2E9",
        ),
        (
            "地址 Flat 46 003 Sara Boulevard, Bennettfurt, VIC, 2393",
            "Flat 46 003 Sara Boulevard, Bennettfurt, VIC, 2393",
        ),
        ("地址 Augusta-Täsche-Allee 9, 79290 Beeskow", "Augusta-Täsche-Allee 9, 79290 Beeskow"),
        ("at Yarasingel 929, 1810MP, Baaiduinen and", "Yarasingel 929, 1810MP, Baaiduinen"),
        (
            "new address 240, rue de Maréchal, 14966 Collin; mobile",
            "240, rue de Maréchal, 14966 Collin",
        ),
        (
            "Ships to Via Salieri, 93 Piano 7, 15056, Dernice (AL).",
            "Via Salieri, 93 Piano 7, 15056, Dernice (AL)",
        ),
        (
            "地址 Pasadizo Yéssica Pérez 891, Tarragona, 11929",
            "Pasadizo Yéssica Pérez 891, Tarragona, 11929",
        ),
        # US military addresses
        ("lives at Unit 0326 Box 9910, DPO AE 28451 and", "Unit 0326 Box 9910, DPO AE 28451"),
        ("Ship to USNV Thomas, FPO AE 61808.", "USNV Thomas, FPO AE 61808"),
        ("寄到 PSC 1234, Box 5678, APO AA 12345", "PSC 1234, Box 5678, APO AA 12345"),
    ],
)
def test_addresses_abroad_in_text_by_their_postal_end(text: str, span: str) -> None:
    """Any street word (or none) when the address ends as its country's post writes it."""
    assert [s for s, _, _ in _spans(text)] == [span]
    assert pl.Series([text]).str.contains(str(R.prefilter)).item()


@pytest.mark.parametrize(
    "text",
    [
        "Order 12, Shanghai, 20001 units",  # five digits alone end only a southern street
        "Phase 2 Data Center, Building B",  # no postal end
        "Invoice 2024-03, total 12,500",
        "Meeting on March 5, 2024",
    ],
)
def test_no_address_abroad_without_its_shape(text: str) -> None:
    assert _spans(text) == []


@pytest.mark.timeout(10)
def test_a_long_run_of_places_without_a_postal_end_is_read_in_linear_time() -> None:
    text = "12 Abc Abc" + ", Abc Abc Abc" * 40 + ", 1234"
    assert [s for s, _, _ in _spans(text)] == []
