"""The accurate prose tagger: a character CRF that also reads LAC's word tags.

LAC (:mod:`.lac`) knows real Chinese text — which words are people, places and organisations
in news and social media — but misses many names in business text (CRM notes, forms) and
tags no address as a whole; the shipped CRF (:mod:`.model`) is the reverse. This CRF gets
every feature of the shipped one (:func:`~.features.sentence_features`) plus LAC's tag of
the character's word and of its neighbours, and is trained on annotated real text
(UNER Chinese-GSDSIMP, Weibo NER) and generated business text (:mod:`.train_accurate`).

The model file ``zh_ner_lac.crfsuite`` is trained on data under CC BY-SA and ships under
CC BY-SA 4.0 with its attribution (``zh_ner_lac.LICENSE``), apart from the Apache-2.0 code.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pycrfsuite

from baomi.engine.prose import features as feat
from baomi.engine.prose.artefacts import packaged_model
from baomi.engine.prose.decoder import BatchDecoder, CrfWeights, ExtraFeatures
from baomi.engine.prose.features import sentence_features
from baomi.engine.prose.lac import LacTagger, Word
from baomi.engine.prose.model import BATCH_MIN_CHARS, BATCH_MIN_TEXTS
from baomi.engine.prose.spans import EntitySpan, spans_from_tags, split_chunks

MODEL_NAME = "zh_ner_lac.crfsuite"
#: The templates :func:`accurate_features` adds, in its order (CRFsuite sums in item order).
LAC_TEMPLATES = ("a", "al", "ar", "alr", "ac")


def lac_char_tags(length: int, words: list[Word]) -> list[str]:
    """Per character: LAC's tag of its word and the character's place in it (B/I/E/S)."""
    out = ["w-S"] * length
    for s, e, tag in words:
        if e - s == 1:
            out[s] = tag + "-S"
            continue
        out[s] = tag + "-B"
        for k in range(s + 1, e - 1):
            out[k] = tag + "-I"
        out[e - 1] = tag + "-E"
    return out


def accurate_features(chunk: str, lac_tags: Sequence[str]) -> list[list[str]]:
    """The shipped CRF's features of ``chunk`` plus LAC's tags (``lac_tags``: one per char)."""
    feats = sentence_features(chunk)
    pad = ["^", *lac_tags, "$"]
    for i, f in enumerate(feats):
        tag, prev, nxt = pad[i + 1], pad[i], pad[i + 2]
        f.extend(
            (
                "a=" + tag,
                "al=" + prev,
                "ar=" + nxt,
                "alr=" + prev + "|" + tag + "|" + nxt,
                "ac=" + tag + f[0],
            )
        )
    return feats


class LacFeatures(ExtraFeatures):
    """:func:`accurate_features`' LAC templates for the batched decoder, from each text's
    per-character LAC tags (:func:`lac_char_tags`)."""

    def __init__(self, tags: Sequence[Sequence[str]]) -> None:
        self.tags = tags

    def values(self, chunks: list[str], owners: list[tuple[int, int]]) -> dict[str, list[str]]:
        a: list[str] = []
        al: list[str] = []
        ar: list[str] = []
        alr: list[str] = []
        ac: list[str] = []
        shapes = feat._SHAPES
        for chunk, (k, start) in zip(chunks, owners, strict=True):
            pad = ["^", *self.tags[k][start : start + len(chunk)], "$"]
            for i, ch in enumerate(chunk):
                tag, prev, nxt = pad[i + 1], pad[i], pad[i + 2]
                sc = shapes.get(ch)
                sym = sc[0] if sc is not None else feat._shape(ch)[0]
                a.append(tag)
                al.append(prev)
                ar.append(nxt)
                alr.append(prev + "|" + tag + "|" + nxt)
                ac.append(tag + "c=" + sym)
        return dict(zip(LAC_TEMPLATES, (a, al, ar, alr, ac), strict=True))


class AccurateTagger:
    """LAC's word tags, then the CRF that reads them (thread-safe; loads on first use)."""

    name = "accurate"

    def __init__(self, model_path: Path | None = None, lac: LacTagger | None = None) -> None:
        self._path = model_path
        self._lac = lac or LacTagger()
        self._tagger: pycrfsuite.Tagger | None = None
        self._batch: BatchDecoder | None = None
        self._lock = threading.Lock()

    def _model_file(self) -> Path:
        if self._path is not None:
            return self._path
        path = packaged_model(MODEL_NAME)
        if path is None:
            raise FileNotFoundError(
                f"prose model {MODEL_NAME} is missing: run `make model` to build it"
            )
        return path

    def tag(self, text: str) -> list[EntitySpan]:
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        """Spans of every text: LAC on all texts in one batch, then the CRF over every chunk
        in the batched decoder (:mod:`.decoder`, python-crfsuite's tags and scores) — or, for
        a few short texts, python-crfsuite itself, which is quicker there (as
        :meth:`~.model.CrfTagger.tag_many` decides)."""
        if len(texts) < BATCH_MIN_TEXTS and sum(map(len, texts)) < BATCH_MIN_CHARS:
            return self._tag_crfsuite(texts)
        all_words = self._lac.words_many(texts)
        tags = [lac_char_tags(len(t), w) for t, w in zip(texts, all_words, strict=True)]
        return self._decoder().tag_many(texts, LacFeatures(tags))

    def _decoder(self) -> BatchDecoder:
        with self._lock:
            if self._batch is None:
                self._batch = BatchDecoder(CrfWeights(self._model_file()), LAC_TEMPLATES)
            return self._batch

    def _tag_crfsuite(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        """The same spans from python-crfsuite, chunk by chunk (quicker for a few short
        texts; what the decoder is tested against)."""
        all_words = self._lac.words_many(texts)
        out: list[list[EntitySpan]] = []
        with self._lock:
            if self._tagger is None:
                self._tagger = pycrfsuite.Tagger()
                self._tagger.open(str(self._model_file()))
            tagger = self._tagger
            for text, words in zip(texts, all_words, strict=True):
                lac_tags = lac_char_tags(len(text), words)
                spans: list[EntitySpan] = []
                for start, end in split_chunks(text):
                    chunk = text[start:end]
                    if not chunk.strip():
                        continue
                    tags = tagger.tag(accurate_features(chunk, lac_tags[start:end]))
                    for s, e, lab in spans_from_tags(tags):
                        p = min(tagger.marginal(tags[k], k) for k in range(s, e))
                        spans.append(EntitySpan(s + start, e + start, lab, p))
                out.append(spans)
        return out
