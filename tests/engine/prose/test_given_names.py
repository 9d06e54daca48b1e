"""Names in Latin letters with no word before them that says so (``Met Justin Glass.``): a
given name of Faker's lists and a surname. English notes on customers abroad kept them in
clear unless a form of address or a verb of talking to someone stood before them."""

from __future__ import annotations

import random

import polars as pl
import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.prose.latin import given_name_spans
from baomi.engine.prose.rules import rule_spans
from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer
from baomi.engine.recognizers.registry import Registry


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Met Justin Glass. Address: 679 Cindy Village", ["Justin Glass"]),
        ("Diana Lowery (d@example.com) asked for the invoice", ["Diana Lowery"]),
        ("Delivery to 46730 Gregory Land, North Michael for Dawn Colon", ["Dawn Colon"]),
        ("Coach: Lisa Tervanne", ["Lisa Tervanne"]),  # a surname in no list, no English word
        ("Michael J. McTavish mjm@example.com", ["Michael J. McTavish"]),
        ("Thanks, Mary Ann Smith", ["Mary Ann Smith"]),
        ("Jean-Benjamin Langlois, reach at 0144612310", ["Jean-Benjamin Langlois"]),
        ("Danny Bennett-Lees lives at Studio 05G", ["Danny Bennett-Lees"]),
        ("Met Édouard de la Torres. Tel 06 99 91 60 11", ["Édouard de la Torres"]),
        ("for Bente van Northeim", ["Bente van Northeim"]),
        ("请把报价发给 Tony Leung 确认", ["Tony Leung"]),
        ("Contact Hans-H. Schulz tomorrow", ["Hans-H. Schulz"]),  # a double name's initial
        ("Anna-M. Berger, 0171 2345678", ["Anna-M. Berger"]),
        # places, companies and things
        ("We ate at Maple Street Grill", []),
        ("preferably in San Jose, Palo Alto or Santa Clara", []),
        ("Grant Thornton LLP audited it", []),
        ("Mrs Smith Called twice", []),  # a verb in no list is no surname
        ("Take Care", []),
        ("Pizza Hut, Taco Bell", []),
        ("Shipped To Customer", []),
    ],
)
def test_given_name_spans(text: str, names: list[str]) -> None:
    assert [text[s:e] for s, e, _ in given_name_spans(text)] == names


def test_the_trigger_rule_keeps_a_name_it_finds_whole() -> None:
    """``Buyer: John Smith``: the trigger rule's span, its word recorded; ``spoke to Bruce
    Ollenbrook``: the trigger kept ``Bruce`` (``Ollenbrook`` is in no list), the given name and the
    surname are the name."""
    assert [(r.rule, r.word) for r in rule_spans("Buyer: John Smith, residing at Flat 3")] == [
        ("trigger", "Buyer:")
    ]
    text = "I spoke to Bruce Ollenbrook at the depot"
    assert [(text[r.start : r.end], r.rule) for r in rule_spans(text)] == [
        ("Bruce Ollenbrook", "given")
    ]


@pytest.fixture(scope="module")
def analyzer() -> TextAnalyzer:
    return TextAnalyzer(Registry([ProsePersonNameRecognizer()]))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Account team: lead Lisa Tervanne", "Lisa Tervanne"),
        (
            "Justin West lives at Unit 0326 Box 9910 and can be reached on 626.661.6630",
            "Justin West",
        ),
        ("Cheung Tai Man 与 Hsieh 来访", "Cheung Tai Man"),
    ],
)
def test_the_recognizer_reports_the_whole_name(
    analyzer: TextAnalyzer, text: str, name: str
) -> None:
    """The model tags a part of such a name (``Lisa``) or none; the rule makes it whole, and
    keeps what the model read before it where that spells a name (``Cheung``)."""
    found = [text[f.start : f.end] for f in analyzer.analyze(text)]
    assert name in found
    assert not [f for f in found if f != name and (f in name or name in f)]


def test_the_prefilter_lets_every_such_text_through() -> None:
    """Random texts of capitalised words, initials, particles and other characters: wherever
    the rule finds a name, the recognizer's prefilter (which decides which cells it reads) and
    the rule's shape (which texts the batched scan gives the rules) match the text."""
    rng = random.Random(17)
    pieces = [
        *("Justin", "Glass", "Mary", "Ann", "J.", "de", "la", "van", "Tervanne", "Street"),
        *("Émilie", "Benoit", "O'Neil", "Mc", "Dermott", "-", "Lees", "San", "Jose", "-H."),
        *(" ", " ", " ", ", ", ".", "客户", "(", "x@y.com", "1"),
    ]
    shape = ProsePersonNameRecognizer().rule_shape()
    assert shape is not None
    prefilter = str(ProsePersonNameRecognizer.prefilter)
    checked = 0
    for _ in range(3000):
        text = "".join(
            rng.choice(pieces) + rng.choice(("", " ")) for _ in range(rng.randint(2, 10))
        )
        if given_name_spans(text):
            checked += 1
            series = pl.Series([text])
            assert series.str.contains(prefilter).item(), text
            assert series.str.contains(shape).item(), text
    assert checked > 100
