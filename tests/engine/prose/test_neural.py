"""The ``neural`` backend (a character CNN on ONNX Runtime): its input encoding and decoding, and
the backend run for real when its model (``make model-neural``) is in the package."""

from __future__ import annotations

import itertools
from importlib import resources

import numpy as np
import pytest

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.prose import backends
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.prose.neural import (
    MODEL_NAME,
    UNK,
    Lexicons,
    NeuralTagger,
    Vocabulary,
    allowed_transitions,
    encode,
    viterbi,
)
from baomi.engine.recognizers.cn.prose_ner import (
    ProseAddressRecognizer,
    ProseOrganizationRecognizer,
    ProsePersonNameRecognizer,
)
from baomi.engine.recognizers.registry import Registry


def test_encode_pads_and_marks_unknown_characters() -> None:
    vocab = Vocabulary("张伟说")
    chars, grams = encode(["张伟说", "说好"], vocab)
    assert chars.shape == grams.shape == (2, 3)
    assert chars[0].tolist() == [2, 3, 4]
    assert chars[1].tolist() == [4, UNK, 0]  # 好 unknown, then padding
    assert grams[1, 2] == 0 and (grams[:, :2] > 0).all()
    # a chunk's last character has no next one: the same bigram whatever follows in the batch
    alone, _ = encode(["说好"], vocab)
    assert np.array_equal(encode(["说好"], vocab)[1][0], grams[1, :2])
    assert alone[0].tolist() == [4, UNK]


def test_lexicon_bits_mark_words_within_a_chunk() -> None:
    lex = Lexicons()
    vocab = Vocabulary("")
    _, _, feats = encode(["司马俊豪在南京市", "王"], vocab, lex)
    assert feats.shape == (2, 8, lex.n_bits)
    # 司马 is a compound surname: bits 2 (starts) and 3 (covers) on 司 and 3 on 马
    assert feats[0, 0, 2] == feats[0, 0, 3] == feats[0, 1, 3] == 1.0
    assert feats[0, 1, 2] == 0.0
    assert feats[1, 0, 0] == 1.0  # 王, a surname
    assert not feats[1, 1:].any()  # padding
    assert np.array_equal(encode(["王"], vocab, lex)[2][0], feats[1, :1])


def test_viterbi_finds_the_best_allowed_path() -> None:
    labels = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG")
    trans, start = allowed_transitions(labels)
    rng = np.random.default_rng(1)
    logp = np.log(rng.dirichlet(np.ones(5), size=(6, 5)))
    lens = np.array([5, 1, 3, 4, 2, 5])
    paths = viterbi(logp, lens, trans, start)
    for row, n in enumerate(lens):

        def score(path: tuple[int, ...], row: int = row) -> float:
            steps = sum(trans[a, b] for a, b in itertools.pairwise(path))
            return float(start[path[0]] + sum(logp[row, t, k] for t, k in enumerate(path)) + steps)

        best = max(itertools.product(range(5), repeat=int(n)), key=score)
        assert tuple(paths[row, :n]) == best


needs_model = pytest.mark.skipif(
    not resources.files("baomi.engine.prose").joinpath(MODEL_NAME).is_file(),
    reason="the neural model is not in the package (make model-neural)",
)


@needs_model
def test_backend_is_registered_and_finds_generated_names() -> None:
    sentences = list(SentenceGenerator(11, groups=("crm", "complaint")).sentences(40))
    tagged = backends.get_backend("neural").inner.tag_many  # type: ignore[attr-defined]
    spans = tagged([s.text for s in sentences])
    gold = {(k, s, e) for k, x in enumerate(sentences) for s, e, lab in x.spans if lab == "PER"}
    found = {(k, x.start, x.end) for k, row in enumerate(spans) for x in row if x.label == "PER"}
    assert len(gold) >= 20
    assert len(gold & found) >= 0.9 * len(gold)
    assert all(0.0 < x.score <= 1.0 for row in spans for x in row)


@needs_model
def test_spans_do_not_depend_on_the_batch() -> None:
    texts = [s.text for s in SentenceGenerator(5).sentences(30)]
    texts += ["", "好", "请联系司马俊豪确认收货地址。" * 20]
    tagger = NeuralTagger()
    batch = tagger.tag_many(texts)
    assert batch == tagger.tag_many(list(reversed(texts)))[::-1]
    for text, spans in zip(texts, batch, strict=True):
        one = tagger.tag(text)
        assert [(x.start, x.end, x.label) for x in one] == [
            (x.start, x.end, x.label) for x in spans
        ]
        assert np.allclose([x.score for x in one], [x.score for x in spans], atol=1e-5)


@needs_model
def test_recognizers_use_the_neural_backend_unchanged() -> None:
    registry = Registry(
        [
            ProsePersonNameRecognizer("neural"),
            ProseAddressRecognizer("neural"),
            ProseOrganizationRecognizer("neural"),
        ]
    )
    text = "请联系司马俊豪（13571122829）确认收货地址：江苏省南京市鼓楼区中山路88号"
    found = {(text[f.start : f.end], f.entity) for f in TextAnalyzer(registry).analyze(text)}
    assert ("司马俊豪", "PERSON_NAME") in found
