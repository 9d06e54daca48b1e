"""The ``cascade`` backend: the fast CRF everywhere, LAC (the real wheel) where it is unsure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from baomi.engine.prose import backends
from baomi.engine.prose.cascade import KEEP_MIN, CascadeTagger, combine
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.lac import LacTagger, Word
from baomi.engine.prose.model import CrfTagger
from baomi.engine.prose.spans import EntitySpan
from baomi.engine.recognizers.cn.prose_ner import ProsePersonNameRecognizer

SURE = "客户张伟在恒达信息有限公司上班。"
UNSURE = "华为手机卖得很好，任正非很高兴。"


class RecordingLac(LacTagger):
    """The real LAC tagger, remembering the chunks it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def words_many(self, texts: Sequence[str]) -> list[list[Word]]:
        self.seen.extend(texts)
        return super().words_many(texts)


def cascade(lac: LacTagger, **kwargs: float) -> CascadeTagger:
    return CascadeTagger(CrfTagger(model_name=backends.FAST_MODEL), lac=lac, **kwargs)


@pytest.fixture(scope="module")
def lac() -> RecordingLac:
    return RecordingLac()


def _named(text: str, spans: list[EntitySpan]) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


def _lowest_margin(tagger: CascadeTagger, text: str) -> float:
    decoder, _ = tagger._parts()
    decoder.margins = np.ones(len(text))
    try:
        decoder.tag_many([text])
        return float(decoder.margins.min())
    finally:
        decoder.margins = None


def test_a_sure_chunk_keeps_the_crf_spans_and_an_unsure_one_goes_to_lac(lac: RecordingLac) -> None:
    tagger = cascade(lac)
    lac.seen.clear()
    text = SURE + UNSURE
    (spans,) = tagger.tag_many([text])
    assert lac.seen == [UNSURE]  # only the unsure chunk, cut as the tagger cuts it
    assert (tagger.chunks_seen, tagger.chunks_sent) == (2, 1)
    assert _named(text, spans) == [("张伟", "PER"), ("恒达信息有限公司", "ORG"), ("任正非", "PER")]
    # the fast backend alone cuts the name short there
    fast = backends.get_backend("fast").inner
    assert ("任正", "PER") in _named(UNSURE, fast.tag(UNSURE))


def test_routing_threshold_at_its_boundary(lac: RecordingLac) -> None:
    low = _lowest_margin(cascade(lac), UNSURE)
    for char_min, sent in ((low, 0), (float(np.nextafter(low, 1.0)), 1)):
        tagger = cascade(lac, char_min=char_min)
        tagger.tag_many([UNSURE])
        assert tagger.chunks_sent == sent


def test_a_chunk_without_spans_is_never_sent(lac: RecordingLac) -> None:
    tagger = cascade(lac, char_min=1.0)
    assert tagger.tag_many(["今天天气很好。", "", "  "]) == [[], [], []]
    assert (tagger.chunks_seen, tagger.chunks_sent) == (1, 0)


def test_combine_keeps_sure_crf_persons_and_adds_lac_persons_elsewhere() -> None:
    crf = [
        EntitySpan(0, 2, "PER", KEEP_MIN),  # sure enough: kept
        EntitySpan(3, 5, "PER", float(np.nextafter(KEEP_MIN, 0.0))),  # below: dropped
        EntitySpan(6, 10, "ORG", 0.3),  # addresses and companies stay the CRF's
        EntitySpan(12, 14, "PER", 0.5),  # dropped, LAC has nothing there
    ]
    lac = [
        EntitySpan(0, 3, "PER", 0.85),  # overlaps a kept CRF person: not added
        EntitySpan(3, 6, "PER", 0.85),  # replaces the dropped one
        EntitySpan(8, 9, "PER", 0.85),  # inside the CRF's company: not added
        EntitySpan(10, 12, "ADDR", 0.85),  # LAC's places and companies are not used
    ]
    assert combine(crf, lac) == [
        EntitySpan(0, 2, "PER", KEEP_MIN),
        EntitySpan(3, 6, "PER", 0.85),
        EntitySpan(6, 10, "ORG", 0.3),
    ]
    assert combine(crf, lac, keep_min=0.0) == sorted(crf, key=lambda s: s.start)
    assert combine([], []) == []


def test_batched_spans_do_not_depend_on_the_batch(lac: RecordingLac) -> None:
    tagger = cascade(lac)
    texts = [SURE, UNSURE, "", SURE + UNSURE, "王小明说明天来。"]
    assert tagger.tag_many(texts) == [tagger.tag(t) for t in texts]


def test_cascade_through_the_recognizers_on_generated_text() -> None:
    """Generated business text (made-up names): the names found as ``fast`` finds them, most
    chunks left to the CRF."""
    assert "cascade" in backends.BACKENDS
    generator = SentenceGenerator(23, groups=("crm", "contract", "chat"), salad_share=0.0)
    sentences = list(generator.sentences(60))
    gold = {(k, s, e) for k, x in enumerate(sentences) for s, e, lab in x.spans if lab == "PER"}

    def names(backend: str) -> set[tuple[int, int, int]]:
        recognizer = ProsePersonNameRecognizer(backend)
        return {
            (k, f.start, f.end) for k, x in enumerate(sentences) for f in recognizer.analyze(x.text)
        }

    found, fast = names("cascade"), names("fast")
    assert len(gold) >= 30
    assert len(gold & found) >= 0.95 * len(gold)
    assert len(gold & found) >= len(gold & fast) - 1
    assert len(found - gold) <= len(fast - gold) + 1
    inner = backends.get_backend("cascade").inner
    assert isinstance(inner, CascadeTagger)
    assert inner.chunks_sent <= 0.2 * inner.chunks_seen


def test_route_sends_the_chunks_with_a_low_margin(lac: RecordingLac) -> None:
    """Against the smallest margin of each chunk computed one by one (blank chunks skipped)."""
    from baomi.engine.prose.spans import split_chunks

    texts = ["甲乙。丙丁戊。", "", "  \n己。", "庚辛壬癸。子丑", "寅"]
    rng = np.random.default_rng(7)
    margins = rng.uniform(0.5, 1.0, size=sum(map(len, texts)))
    tagger = cascade(lac, char_min=0.7)
    expected = []
    base = 0
    for k, text in enumerate(texts):
        for s, e in split_chunks(text):
            if text[s:e].strip() and margins[base + s : base + e].min() < 0.7:
                expected.append((k, s, e))
        base += len(text)
    assert 0 < len(expected) < 6  # the seed gives chunks of both kinds
    assert tagger.route(texts, margins) == expected
    assert tagger.chunks_seen == 6
