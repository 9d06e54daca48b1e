from __future__ import annotations

import pytest

from baomi.engine.normalize import normalize


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("abc 123", "abc 123"),
        ("手机１３８", "手机138"),
        ("ＡＢＣ＠ｘ．ｃｏｍ", "ABC@x.com"),
        ("a\u3000b", "a b"),  # ideographic space
        ("（０１０）", "(010)"),
        ("㈱", "(株)"),  # NFKC expands one character to three
        ("ﬁle", "file"),
    ],
)
def test_normalised_text(text: str, normalised: str) -> None:
    assert normalize(text).text == normalised


def test_ascii_text_keeps_the_identity_map() -> None:
    n = normalize("13812345678")
    assert n.offsets is None
    assert n.span(2, 5) == (2, 5)


def test_one_to_one_full_width_keeps_offsets() -> None:
    text = "电话１３８"
    n = normalize(text)
    assert n.span(2, 5) == (2, 5)
    assert text[slice(*n.span(2, 5))] == "１３８"


@pytest.mark.parametrize(
    ("text", "needle", "original"),
    [
        ("㈱手机138", "138", "138"),  # expansion before the match shifts offsets
        ("ﬁ卡号６２２２", "6222", "６２２２"),
        ("a㈱b", "(株)", "㈱"),  # a span inside one expanded character maps to it
        ("x\u00bd1", "1\u20442", "\u00bd"),  # ½ -> 1⁄2 (three characters)
    ],
)
def test_expanding_normalisation_maps_spans_back(text: str, needle: str, original: str) -> None:
    n = normalize(text)
    start = n.text.index(needle)
    o_start, o_end = n.span(start, start + len(needle))
    assert text[o_start:o_end] == original


def test_span_at_the_end_and_empty() -> None:
    n = normalize("㈱1")
    assert n.span(len(n.text), len(n.text)) == (2, 2)
