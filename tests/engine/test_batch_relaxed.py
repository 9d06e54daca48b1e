"""The batched analysis leaves out the cells that a recognizer's patterns, relaxed into one
Rust regex (look-arounds dropped), do not match: that regex must match every cell in which
a written pattern finds a match, or findings would be lost."""

from __future__ import annotations

import re
import sys

import polars as pl
import pytest

from baomi.engine.batch import _CASE_EXTRA, _relaxed, _relaxed_patterns, _rust_of, batchable
from baomi.engine.recognizers.base import Pattern, PatternRecognizer
from baomi.engine.recognizers.registry import Registry
from tests.engine.test_batch_patterns import _texts

ALL = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def _rust(pattern: str, flags: int = 0) -> str:
    parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    return _rust_of(list(parsed), bool(parsed.state.flags & re.IGNORECASE), {})


def _covers(python: str, rust: str) -> None:
    """Every character Python's ``python`` class matches, Rust's ``rust`` matches."""
    wanted = re.findall(python, ALL)
    got = pl.Series(wanted, dtype=pl.String).str.contains(f"^(?:{rust})$")
    missed = [hex(ord(c)) for c, ok in zip(wanted, got.to_list(), strict=True) if not ok]
    assert not missed, (python, missed[:10])


@pytest.mark.parametrize(
    "python",
    [
        r"\d",
        r"\s",
        r"\w",
        r"[\d\s]",
        r"[^\dA-Z]",
        r"[^a]",
        r"\D",
        r"\W",
        r"(?i)[a-z]",
        r"(?i)[A-HJ-NP-Z]",
        r"(?i)[^x]",
        r"(?i)\w",
        r"(?i)[0-9_.]",
        r"(?i)[京津]",
        r".",
        r"(?s:.)",
    ],
)
def test_classes_are_at_least_as_wide(python: str) -> None:
    _covers(python, _rust(python))


@pytest.mark.parametrize("letter", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
def test_a_letter_without_case_matches_what_python_matches(letter: str) -> None:
    _covers(f"(?i){letter}", _rust(f"(?i){letter}"))
    extra = {
        c for c in re.findall(f"(?i){letter}", ALL) if c not in (letter.lower(), letter.upper())
    }
    assert extra == set(_CASE_EXTRA.get(letter.lower(), ""))


def test_back_references_and_assertions() -> None:
    rust = _rust(r"(?<![0-9])(?P<s>[ -])\d{2}(?P=s)\b(?=x)$")
    cells = pl.Series(["1 22 x", "1-22-x", "a 12-", ""])
    assert cells.str.contains(rust).to_list() == [True, True, True, False]


def _recognizers() -> list[PatternRecognizer]:
    return [r for r in Registry.default() if batchable(r) and isinstance(r, PatternRecognizer)]


def test_every_cell_with_a_match_is_kept() -> None:
    texts = _texts(23, 4000) + _texts(29, 2000)
    cells = pl.Series(texts, dtype=pl.String)
    relaxed_some = 0
    for r in _recognizers():
        relaxed = _relaxed(r)
        if relaxed is None:
            continue
        relaxed_some += 1
        kept = cells.str.contains(relaxed).to_list()
        for text, keep in zip(texts, kept, strict=True):
            if not keep:
                assert not any(rx.search(text) for _, rx in r._compiled), (r.name, text)
        assert not all(kept), r.name
    assert relaxed_some >= 8  # the identifier recognizers can all be relaxed


def test_every_cell_with_a_match_of_a_pattern_is_kept_by_its_own() -> None:
    """Each pattern's own relaxed regex (a long column's pattern reads only the cells it
    keeps) keeps every cell in which that pattern matches; the ones that open or close with
    a one-class look-around keep it as a consumed character and leave out more."""
    texts = [*_texts(37, 4000), "123456789012345678", "证件 123456789012345 号", "x123456789012345"]
    cells = pl.Series(texts, dtype=pl.String)
    edged = 0
    for r in _recognizers():
        for (_, rx), relaxed in zip(r._compiled, _relaxed_patterns(r), strict=True):
            if relaxed is None:
                continue
            edged += relaxed.startswith("(?:^|[^")
            kept = cells.str.contains(relaxed).to_list()
            for text, keep in zip(texts, kept, strict=True):
                if not keep:
                    assert rx.search(text) is None, (r.name, rx.pattern, text)
    assert edged >= 10


class _Fifteen(PatternRecognizer):
    entity = "TEST_ID"
    patterns = (Pattern("fifteen", r"(?<![0-9A-Za-z])(?P<v>\d{15})(?![0-9A-Za-z])", 0.5),)


def test_a_look_around_at_an_edge_is_kept_as_a_consumed_character() -> None:
    """``\\d{15}`` alone would keep every cell of 18 digits; with its edges only the cells
    where a run of exactly fifteen digits stands."""
    (relaxed,) = _relaxed_patterns(_Fifteen())
    assert relaxed is not None
    cells = pl.Series(
        ["123456789012345678", "号 123456789012345，", "123456789012345", "a123456789012345"]
    )
    assert cells.str.contains(relaxed).to_list() == [False, True, True, False]


@pytest.mark.parametrize("share", [0.0, 0.05, 0.2, 1.0])
def test_prefilters_joined_first_give_the_same_masks(
    share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baomi.engine import batch

    recognizers = [r for r in Registry.default() if r.prefilter and not r.model_based]
    texts = _texts(31, 1500) + ["北京市朝阳区建国路88号"] * 1500 + ["张三"] * 500
    cells = pl.Series(texts, dtype=pl.String)
    monkeypatch.setattr(batch, "PREFILTER_SHARE", max(share, 0.25))
    monkeypatch.setattr(batch, "PREFILTER_RARE", share)
    got = batch._prefilters(cells, recognizers)
    for k, r in enumerate(recognizers):
        want = cells.str.contains(str(r.prefilter)).to_numpy()
        assert (got[k] == want).all(), r.name


@pytest.mark.parametrize("tail", [[], ["联系电话 13912345678"]])
def test_prefilters_of_a_column_without_identifiers_give_the_same_masks(tail: list[str]) -> None:
    """A column of 男/女 (every prefilter rare on the sample, the join matching no cell): each
    mask all false, as each prefilter alone gives — and a match after the sample still found."""
    from baomi.engine import batch

    recognizers = [r for r in Registry.default() if r.prefilter and not r.model_based]
    cells = pl.Series(["男", "女"] * 600 + tail, dtype=pl.String)
    got = batch._prefilters(cells, recognizers)
    assert set(got) == {k for k, r in enumerate(recognizers) if r.prefilter}
    for k, r in enumerate(recognizers):
        want = cells.str.contains(str(r.prefilter)).to_numpy()
        assert (got[k] == want).all(), r.name
    assert any(mask.any() for mask in got.values()) == bool(tail)
