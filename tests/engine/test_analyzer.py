from __future__ import annotations

import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.checksums import is_valid_uscc
from baomi.engine.recognizers.base import Pattern, PatternRecognizer, resolve_overlaps
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Explanation, Finding, Validation
from tests.engine.recognizers.support import fullwidth, luhn, resident_id, uscc

#: The pattern recognizers only; the prose model has its own tests (tests/engine/prose).
ANALYZER = TextAnalyzer(Registry.default(plugins=False).without_models())


def _spans(text: str) -> list[tuple[str, str]]:
    return [(f.entity, text[f.start : f.end]) for f in ANALYZER.analyze(text)]


def test_valid_resident_id_is_never_a_bank_card() -> None:
    rid = resident_id()
    assert _spans(f"卡号{rid}") == [("CN_RESIDENT_ID", rid)]
    assert _spans(f"银行卡{fullwidth(rid)}") == [("CN_RESIDENT_ID", fullwidth(rid))]


def test_card_that_is_not_an_id_stays_a_card() -> None:
    card = luhn("622202123456789012")
    assert _spans(f"身份证号？卡号{card}") == [("BANK_CARD", card)]


def test_card_that_also_passes_gb32100_is_a_card() -> None:
    card = next(
        c for c in (luhn(f"6214835998191{i:04d}") for i in range(10_000)) if is_valid_uscc(c)
    )
    assert _spans(f"退款请打到卡号{card}") == [("BANK_CARD", card)]


def test_all_digit_credit_code_stays_a_credit_code() -> None:
    code = uscc("91110108000012345")
    assert _spans(f"信用代码{code}") == [("CN_USCC", code)]


def test_uscc_wins_over_digit_runs_inside_it() -> None:
    code = uscc()
    assert _spans(f"信用代码{code}") == [("CN_USCC", code)]


def test_one_line_with_many_entities_in_order() -> None:
    rid, card = resident_id(), luhn("622202123456789012")
    text = (
        f"身份证{rid}，手机+86 138-1234-5678，邮箱abc@x.com联系，卡号{card}，"
        "座机010-62345678，车牌京A12345，出生1990年3月7日，IP 192.168.1.10"
    )
    assert _spans(text) == [
        ("CN_RESIDENT_ID", rid),
        ("CN_MOBILE", "+86 138-1234-5678"),
        ("EMAIL", "abc@x.com"),
        ("BANK_CARD", card),
        ("CN_LANDLINE", "010-62345678"),
        ("CN_LICENSE_PLATE", "京A12345"),
        ("DATE_OF_BIRTH", "1990年3月7日"),
        ("IP_ADDRESS", "192.168.1.10"),
    ]


def test_column_only_recognizers_do_not_run_on_prose() -> None:
    assert _spans("张伟住在北京市朝阳区建国路88号，就职于某某科技有限公司") == []


def test_every_finding_explains_itself() -> None:
    for f in ANALYZER.analyze(f"手机13812345678 身份证{resident_id()}"):
        assert f.explanation.recognizer.endswith("Recognizer")
        assert f.explanation.pattern
        assert f.explanation.validation in Validation


def _finding(entity: str, start: int, end: int, score: float) -> Finding:
    return Finding(entity, start, end, score, Explanation("Fake", "p", Validation.UNKNOWN))


@pytest.mark.parametrize(
    ("findings", "kept"),
    [
        ([("A", 0, 18, 0.99), ("B", 0, 18, 0.55)], ["A"]),  # higher score wins
        ([("B", 0, 18, 0.55), ("A", 0, 18, 0.99)], ["A"]),
        ([("A", 0, 18, 0.99), ("B", 0, 18, 0.99)], ["A"]),  # a tie: registry order
        ([("A", 0, 11, 0.9), ("B", 0, 13, 0.9)], ["B"]),  # then the longer span
        ([("A", 0, 4, 0.9), ("B", 5, 9, 0.6)], ["A", "B"]),  # no overlap: both kept
    ],
)
def test_resolve_overlaps(findings: list[tuple[str, int, int, float]], kept: list[str]) -> None:
    assert [f.entity for f in resolve_overlaps([_finding(*x) for x in findings])] == kept


def test_analyzer_takes_its_parts_as_arguments() -> None:
    class DigitsRecognizer(PatternRecognizer):
        entity = "DIGITS"
        patterns = (Pattern("digits", r"\d{3}", 0.4),)

    weak = TextAnalyzer(Registry([DigitsRecognizer()]))
    assert weak.analyze("abc123") == []
    lax = TextAnalyzer(Registry([DigitsRecognizer()]), threshold=0.3)
    assert [(f.start, f.end) for f in lax.analyze("abc１２３")] == [(3, 6)]


def test_a_column_analysed_at_once_gives_each_cell_its_text_findings() -> None:
    """``analyze_column`` (vectorised patterns, batched prose model) and the text analyzer
    (one text at a time) find the same spans, scores and entities; protect relies on it."""
    import random

    import polars as pl

    from baomi.demo import identifiers as ids
    from baomi.engine.batch import analyze_column
    from baomi.engine.prose.generator import SentenceGenerator

    analyzer = TextAnalyzer(Registry.default(plugins=False))  # with the prose model
    rng = random.Random(9)
    texts: list[str | None] = [None, "", "  ", "无"]
    for s in SentenceGenerator(9).sentences(150):
        rid = ids.format_resident_id(rng, resident_id())
        mobile = ids.format_mobile(rng, ids.mobile_number(rng))
        card = ids.format_bank_card(rng, ids.bank_card(rng))
        extra = rng.choice([f"身份证{rid}", f"电话：{mobile}", f"卡号{card}", fullwidth(mobile)])
        texts.append(rng.choice([s.text, f"{s.text}，{extra}", f"{extra}{s.text}"]))
    texts += texts[4:20]  # repeated cells
    found = analyze_column(pl.Series(texts, dtype=pl.String), analyzer.text_recognizers, 0.5)
    by_cell: dict[int, list[tuple[int, int, str, float]]] = {}
    for row in found.iter_rows(named=True):
        by_cell.setdefault(row["idx"], []).append(
            (row["start"], row["end"], row["entity"], round(row["score"], 9))
        )
    total = 0
    for i, text in enumerate(texts):
        want = sorted(
            (f.start, f.end, f.entity, round(f.score, 9)) for f in analyzer.analyze(text or "")
        )
        assert sorted(by_cell.get(i, [])) == want, text
        total += len(want)
    assert total > 300
