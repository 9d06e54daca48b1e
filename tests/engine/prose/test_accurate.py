"""The ``ensemble`` backend: the fast CRF first, LAC (the real wheel), the accurate CRF and a
vote where the fast CRF is unsure or found nothing."""

from __future__ import annotations

import numpy as np
import pytest

from baomi.engine.prose import backends
from baomi.engine.prose.accurate import KEEP_MIN, SURE_MIN, VOTED_SCORE, EnsembleTagger, vote
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.lac import LacTagger
from baomi.engine.prose.model import CrfTagger
from baomi.engine.prose.spans import EntitySpan, split_chunks
from baomi.engine.recognizers.cn.prose_ner import (
    ProseAddressRecognizer,
    ProseOrganizationRecognizer,
    ProsePersonNameRecognizer,
)
from tests.engine.prose.test_cascade import SURE, UNSURE, RecordingLac

EMPTY = "今天天气很好。"


@pytest.fixture(scope="module")
def lac() -> RecordingLac:
    return RecordingLac()


def mode(lac: LacTagger, **kwargs: float) -> EnsembleTagger:
    from baomi.engine.prose.accurate import AccurateTagger

    fast = CrfTagger(model_name=backends.FAST_MODEL)
    return EnsembleTagger(fast, AccurateTagger(lac=lac), **kwargs)


def _named(text: str, spans: list[EntitySpan]) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


def _below(x: float) -> float:
    return float(np.nextafter(x, 0.0))


def test_vote_keeps_two_of_three_and_the_accurate_crfs_sure_spans() -> None:
    per, org = KEEP_MIN["PER"], KEEP_MIN["ORG"]
    accurate = [
        EntitySpan(0, 2, "PER", per),  # sure enough alone
        EntitySpan(3, 5, "PER", _below(per)),  # alone and below: dropped
        EntitySpan(6, 8, "PER", 0.3),  # LAC agrees: kept, scored as voted
        EntitySpan(10, 14, "ORG", _below(org)),  # alone and below: dropped
        EntitySpan(20, 26, "ADDR", 0.1),  # the accurate CRF's addresses are always kept
    ]
    lac = [
        EntitySpan(6, 8, "PER", VOTED_SCORE),
        EntitySpan(15, 17, "PER", VOTED_SCORE),  # LAC and fast agree: kept
        EntitySpan(30, 33, "ORG", VOTED_SCORE),  # LAC alone: dropped
    ]
    fast = [
        EntitySpan(15, 17, "PER", 0.6),
        EntitySpan(3, 6, "PER", 0.99),  # fast alone (another span): dropped
        EntitySpan(20, 26, "ORG", 0.99),  # the same offsets, another label: no vote
    ]
    assert vote(accurate, lac, fast) == [
        EntitySpan(0, 2, "PER", per),
        EntitySpan(6, 8, "PER", VOTED_SCORE),
        EntitySpan(15, 17, "PER", VOTED_SCORE),
        EntitySpan(20, 26, "ADDR", 0.1),
    ]
    # a voted span keeps the accurate CRF's score when it is higher
    sure = EntitySpan(0, 2, "PER", 0.97)
    assert vote([sure], [EntitySpan(0, 2, "PER", VOTED_SCORE)], []) == [sure]
    # a label not in keep_min is never kept alone
    assert vote([EntitySpan(0, 2, "PER", 1.0)], [], [], keep_min={}) == []
    assert vote([], [], []) == []


def test_keep_threshold_at_its_boundary() -> None:
    keep = KEEP_MIN["PER"]
    for score, kept in ((_below(keep), False), (keep, True), (float(np.nextafter(keep, 1)), True)):
        assert bool(vote([EntitySpan(0, 2, "PER", score)], [], [])) is kept


def test_route_keeps_the_sure_chunks_with_spans() -> None:
    """Against each chunk's smallest margin and spans, one by one (blank chunks skipped)."""
    texts = ["甲乙。丙丁戊。", "", "  \n己。", "庚辛壬癸。子丑", "寅"]
    rng = np.random.default_rng(3)
    margins = rng.uniform(0.8, 1.0, size=sum(map(len, texts)))
    fast = [[EntitySpan(0, 2, "PER", 1.0), EntitySpan(3, 5, "PER", 1.0)], [], [], [], []]
    fast[3] = [EntitySpan(5, 7, "ORG", 1.0)]
    tagger = EnsembleTagger(CrfTagger(model_name=backends.FAST_MODEL))
    expected = []
    base = 0
    for k, text in enumerate(texts):
        for s, e in split_chunks(text):
            if not text[s:e].strip():
                continue
            found = any(s <= x.start and x.end <= e for x in fast[k])
            if not found or margins[base + s : base + e].min() < SURE_MIN:
                expected.append((k, s, e))
        base += len(text)
    assert tagger.route(texts, fast, margins) == expected
    assert tagger.chunks_seen == 6
    assert 3 <= len(expected) < 6  # both kinds


def test_route_threshold_at_its_boundary() -> None:
    tagger = EnsembleTagger(CrfTagger(model_name=backends.FAST_MODEL))
    fast = [[EntitySpan(0, 2, "PER", 1.0)]]
    for low, sent in ((_below(SURE_MIN), 1), (SURE_MIN, 0), (float(np.nextafter(SURE_MIN, 1)), 0)):
        margins = np.asarray([1.0, low, 1.0])
        assert len(tagger.route(["张伟。"], fast, margins)) == sent


def test_only_unsure_chunks_and_chunks_without_spans_go_to_lac(lac: RecordingLac) -> None:
    tagger = mode(lac)
    lac.seen.clear()
    text = SURE + UNSURE + EMPTY
    (spans,) = tagger.tag_many([text])
    assert lac.seen == [UNSURE, EMPTY]  # the sure chunk with spans stays fast's
    assert (tagger.chunks_seen, tagger.chunks_sent) == (3, 2)
    # in the unsure chunk LAC has 任正非, the two CRFs both cut it short: two of three win
    assert _named(text, spans) == [("张伟", "PER"), ("恒达信息有限公司", "ORG"), ("任正", "PER")]
    fast = backends.get_backend("fast").inner
    assert _named(SURE, fast.tag(SURE)) == _named(text, spans)[:2]


def test_batched_spans_do_not_depend_on_the_batch(lac: RecordingLac) -> None:
    tagger = mode(lac)
    texts = [SURE, UNSURE, "", SURE + UNSURE, "王小明说明天来。", "  "]
    assert tagger.tag_many(texts) == [tagger.tag(t) for t in texts]


def test_a_long_text_is_voted_chunk_by_chunk(lac: RecordingLac) -> None:
    """Many chunks in one text: the same spans as each chunk tagged alone."""
    tagger = mode(lac)
    pieces = [SURE, UNSURE, EMPTY, "请联系司马俊豪确认收货地址。"] * 5
    (spans,) = tagger.tag_many(["".join(pieces)])
    expected: list[EntitySpan] = []
    at = 0
    for piece in pieces:
        expected += [
            EntitySpan(x.start + at, x.end + at, x.label, x.score) for x in tagger.tag(piece)
        ]
        at += len(piece)
    assert spans == expected


def test_accurate_backend_through_the_recognizers_on_generated_text() -> None:
    """Generated business text (made-up names): names, addresses and companies at least as
    ``fast`` finds them, most chunks left to the fast CRF."""
    inner = backends.get_backend("ensemble").inner
    assert isinstance(inner, EnsembleTagger)
    generator = SentenceGenerator(31, groups=("crm", "contract", "form"), salad_share=0.0)
    sentences = list(generator.sentences(60))
    gold = {(k, s, e, lab) for k, x in enumerate(sentences) for s, e, lab in x.spans}
    to_label = {"PERSON_NAME": "PER", "ADDRESS": "ADDR", "ORGANIZATION": "ORG"}

    def found(backend: str) -> set[tuple[int, int, int, str]]:
        recognizers = (
            ProsePersonNameRecognizer(backend),
            ProseAddressRecognizer(backend),
            ProseOrganizationRecognizer(backend),
        )
        return {
            (k, f.start, f.end, to_label[f.entity])
            for k, x in enumerate(sentences)
            for r in recognizers
            for f in r.analyze(x.text)
        }

    inner.chunks_seen = inner.chunks_sent = 0
    ours, fast = found("ensemble"), found("fast")
    assert len(gold) >= 60
    assert len(gold & ours) >= 0.97 * len(gold)
    assert len(gold & ours) >= len(gold & fast) - 1
    assert len(ours - gold) <= len(fast - gold) + 1
    assert inner.chunks_sent <= 0.5 * inner.chunks_seen
