"""Latin-script spans the prose model tags as names: kept when they spell a name, dropped
when they are English words or cut a word (:mod:`baomi.engine.prose.latin`)."""

from __future__ import annotations

import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.prose.latin import (
    cuts_a_word,
    english_words,
    faker_english_words,
    faker_person_words,
    given_name_words,
    implausible_latin_name,
    is_name_word,
    person_name_words,
)
from baomi.engine.prose.spans import EntitySpan
from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer
from baomi.engine.recognizers.registry import Registry


class EveryWord:
    """Tags every run of Latin letters, and every listed Chinese surface, as a name."""

    name = "every-word"

    def __init__(self, *han: str) -> None:
        self.han = han

    def tag(self, text: str) -> list[EntitySpan]:
        import re

        spans = [EntitySpan(m.start(), m.end(), "PER", 0.9) for m in re.finditer("[A-Za-z]+", text)]
        for surface in self.han:
            i = text.find(surface)
            if i >= 0:
                spans.append(EntitySpan(i, i + len(surface), "PER", 0.9))
        return sorted(spans, key=lambda s: s.start)


def _names(text: str, backend: object) -> list[str]:
    rec = ProsePersonNameRecognizer(backend)  # type: ignore[arg-type]
    return [text[f.start : f.end] for f in rec.analyze(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("请查看 Sales Report 和 Order Export", []),  # English words, and a surname beside one
        ("导出到 Excel 后发给 VIP 客户", []),
        # the words of one name are one name (the models tag them apart)
        ("联系 John Smith 确认订单", ["John Smith"]),
        ("请 Zhang Wei 回电，ZHANGSAN 和 XiaoMing 也在", ["Zhang Wei", "ZHANGSAN", "XiaoMing"]),
        ("Cheung Tai Man 与 Hsieh 来访", ["Cheung Tai Man", "Hsieh"]),
        ("Mary-Jane 来电", ["Mary-Jane"]),
        ("Customer Mary Johnson 来电", ["Mary Johnson"]),  # Customer is judged apart
        ("Mark Smith 的 Bill Payment", ["Mark Smith"]),  # an English word beside a name
        ("请 Will 明天回电", ["Will"]),  # alone, it may be a name: kept
        ("Dear Mary，您的订单已发货", ["Mary"]),  # a greeting is no word against the name
        ("John 和 Smith 各一份", ["John", "Smith"]),  # two people, not joined
    ],
)
def test_latin_words_are_names_only_when_they_spell_one(text: str, names: list[str]) -> None:
    assert _names(text, EveryWord()) == names


def test_a_span_that_cuts_a_word_is_no_name() -> None:
    backend = EveryWord()
    backend.tag = lambda text: [EntitySpan(0, 7, "PER", 0.9), EntitySpan(8, 12, "PER", 0.9)]  # type: ignore[method-assign]
    assert _names("CustomerList.xlsx", backend) == []


def test_a_trigger_word_makes_any_latin_word_a_name() -> None:
    """The veto is for the model's spans alone: 联系人 says what follows is a name."""
    assert _names("联系人：Sales", EveryWord()) == ["Sales"]


def test_chinese_names_are_not_judged_by_their_latin_neighbours() -> None:
    assert _names("张伟明 Report 已发", EveryWord("张伟明")) == ["张伟明"]


def test_the_shipped_word_lists_are_fakers() -> None:
    """The lists ship as files (importing Faker's eighty locales cost every scan ~0.4 s):
    they must be what the locked Faker gives (``python -m baomi.engine.prose.latin``)."""
    assert person_name_words() == faker_person_words()
    assert english_words() == faker_english_words()
    assert given_name_words() == faker_person_words(given_only=True)
    assert {"justin", "lisa", "émilie"} <= given_name_words() < person_name_words()


def test_the_word_lists() -> None:
    names, english = person_name_words(), english_words()
    assert {"john", "mary", "svensson", "tomaszewski"} <= names
    assert {"report", "order", "customer", "sales"} <= english
    assert not {"zhang", "john", "mary"} & english
    assert all(is_name_word(w) for w in ("Zhang", "xiaoming", "LIU", "Cheung", "Tsang", "J"))
    assert not any(is_name_word(w) for w in ("Report", "Excel", "VIP", "Custome"))


@pytest.mark.parametrize(
    ("text", "start", "end", "cut"),
    [
        ("CustomerList", 0, 7, True),
        ("CustomerList", 8, 12, True),
        ("Customer List", 9, 13, False),
        ("张伟E", 0, 3, False),  # ends in a letter, nothing after it
        ("张伟Ex", 0, 3, True),
        ("A1 Bob2", 3, 6, False),  # digits are no letters
    ],
)
def test_cuts_a_word(text: str, start: int, end: int, cut: bool) -> None:
    assert cuts_a_word(text, start, end) is cut


def test_spans_without_latin_letters_are_never_judged() -> None:
    assert not implausible_latin_name("客户报告", 0, 2)
    assert not implausible_latin_name("(+86)", 0, 5)


def test_the_default_model_on_business_text() -> None:
    """The symptom, through the shipped model and every recognizer: no name in an English
    title, a name in an English sentence still found."""
    analyzer = TextAnalyzer(Registry.default())
    text = "请查看 Sales Report 和 Order Export，导出到 Excel"
    assert [f for f in analyzer.analyze(text) if f.entity == "PERSON_NAME"] == []
    for text, names in (
        ("客户 John Smith 投诉配送延迟", ["John Smith"]),
        # a capitalised word that is no name beside one is judged apart, not joined to it
        ("Called John Smith at 13812345678 about his order", ["John Smith"]),
        ("Customer Mary Johnson complained about late delivery", ["Mary Johnson"]),
    ):
        found = [text[f.start : f.end] for f in analyzer.analyze(text) if f.entity == "PERSON_NAME"]
        assert found == names, text


def test_joining_a_long_run_of_initials_takes_linear_time() -> None:
    """Each join checked the whole span joined so far again (its words, its lower case): a
    notes cell of ``a b a b …`` (100,000 characters, every letter an initial) kept the
    default scan in ``join_latin`` for minutes. The span is one name run, found in
    milliseconds; the bound is generous (the quadratic join takes minutes)."""
    import time

    from baomi.engine.prose.latin import join_latin

    text = "a b " * 25_000
    spans = [(i, i + 1, 0.6) for i in range(0, len(text), 2)]
    began = time.perf_counter()
    assert join_latin(text, spans) == [(0, len(text) - 1, 0.6)]
    assert time.perf_counter() - began < 5.0
    # a greeting still starts no name, a word that spells none still breaks the run
    assert join_latin("Dear Mary Lee", [(0, 4, 0.6), (5, 9, 0.6), (10, 13, 0.6)]) == [
        (0, 4, 0.6),
        (5, 13, 0.6),
    ]
