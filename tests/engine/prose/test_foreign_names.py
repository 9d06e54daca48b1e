"""Names a Chinese model does not read: a Korean name in Hangul among Chinese or English words,
a Han name or a Japanese one with a blank beside an English word (``Met 劉哲瑋.``,
``for 遠藤 美加子``). Notes on customers in Korea, Japan and Taiwan kept them in clear."""

from __future__ import annotations

import random

import polars as pl
import pytest

from baomi.engine.prose.latin import FOREIGN_SHAPE, foreign_script_names
from baomi.engine.prose.rules import rule_spans
from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("客户 최지훈 的联系电话 062-789-3287，地址 강원도 삼척시 테헤란8로 988-58", ["최지훈"]),
        ("016-748-2123（手机）한상훈，寄到 예산군 강남대길 71-35 (진호김김면)", ["한상훈"]),
        ("Passport no. P90966909 for 차경자, reach at 017-171-4521", ["차경자"]),
        ("남궁민수 called about the order", ["남궁민수"]),  # a two-syllable surname
        ("Met 劉哲瑋. Address: 93614 板橋市東湖路95號之4.", ["劉哲瑋"]),
        ("Passport no. B03390757 for 遠藤 美加子, reach at 89-3287-9217", ["遠藤 美加子"]),
        ("Delivery to 香川県青ヶ島村美原町26丁目4番10号 for 佐藤 香織", ["佐藤 香織"]),
        ("蔡文章 lives at 44940 阿里山中興路14號之4 and", ["蔡文章"]),
        ("三浦 和也 lives at 静岡県羽村市戸山32丁目8番11号", ["三浦 和也"]),
        # not names: a Korean sentence's words, places, Chinese words beside an e-mail
        ("이번 주에 회의가 있습니다", []),
        ("경상북도 홍천군 압구정거리 816", []),
        ("请把 Excel 表发给王经理确认", []),
        ("，邮箱 leijing@example.com，直网络历史。", []),
        ("Ships to 高知県目黒区北青山40丁目15番5号.", []),
        ("Delivered to 客户 today", []),  # no surname first
    ],
)
def test_foreign_script_names(text: str, names: list[str]) -> None:
    assert [text[s:e] for s, e in foreign_script_names(text)] == names
    assert [text[r.start : r.end] for r in rule_spans(text) if r.rule == "foreign"] == names
    if not names:
        return
    series = pl.Series([text])
    assert series.str.contains(FOREIGN_SHAPE).item()
    assert series.str.contains(str(ProsePersonNameRecognizer.prefilter)).item()


def test_without_the_shape_the_rules_are_not_tried() -> None:
    """The batched scan passes ``shaped=False`` where its Polars pass found no shape: the
    rule spans then are the trigger and title rules' only."""
    text = "Met 劉哲瑋 and Justin Glass. 联系人：张伟"
    assert {r.rule for r in rule_spans(text)} == {"foreign", "given", "trigger"}
    assert {r.rule for r in rule_spans(text, shaped=False)} == {"trigger"}


def test_the_shape_lets_every_such_text_through() -> None:
    """Random texts of Latin words, Han, kana and Hangul words and punctuation: wherever the
    rule finds a name, the shape (which texts the batched scan gives the rule) and the
    recognizer's prefilter (which cells it reads) match the text."""
    rng = random.Random(26)
    pieces = [
        *(
            "for",
            "Met",
            "lives",
            "at",
            "x@y.com",
            "劉哲瑋",
            "遠藤",
            "美加子",
            "张伟",
            "客户",
            "三浦",
        ),
        *("최지훈", "경상북도", "ヶ", "の", "，", ", ", ".", "(", ")", "1", "的", "到"),
    ]
    shape, prefilter = FOREIGN_SHAPE, str(ProsePersonNameRecognizer.prefilter)
    checked = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) + rng.choice(("", " ")) for _ in range(rng.randint(2, 8)))
        if foreign_script_names(text):
            checked += 1
            series = pl.Series([text])
            assert series.str.contains(shape).item(), text
            assert series.str.contains(prefilter).item(), text
    assert checked > 200


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Passport checked for 遠藤 美加子, reach at the office", "遠藤 美加子"),
        ("Met 劉哲瑋. Invoice sent", "劉哲瑋"),
        ("客户 최지훈 的联系电话已更新", "최지훈"),
    ],
)
def test_the_recognizer_reports_the_rules_name_whole(text: str, name: str) -> None:
    """Where the model tags a part of such a name (``遠藤``), the rule's span is reported."""
    from baomi.engine.analyzer import TextAnalyzer
    from baomi.engine.recognizers.registry import Registry

    analyzer = TextAnalyzer(Registry([ProsePersonNameRecognizer()]))
    assert [text[f.start : f.end] for f in analyzer.analyze(text)] == [name]
