"""The accurate prose tagger: a character CRF that also reads LAC's word tags.

LAC (:mod:`.lac`) knows real Chinese text — which words are people, places and organisations
in news and social media — but misses many names in business text (CRM notes, forms) and
tags no address as a whole; the shipped CRF (:mod:`.model`) is the reverse. This CRF gets
every feature of the shipped one (:func:`~.features.sentence_features`) plus LAC's tag of
the character's word and of its neighbours, and is trained on annotated real text
(UNER Chinese-GSDSIMP, Weibo NER) and generated business text (:mod:`.train_accurate`).

The ``ensemble`` backend (:class:`EnsembleTagger`) runs this CRF only where the ``fast``
CRF is unsure, and votes among the three models there (the fast CRF, LAC, this CRF).

The model file ``zh_ner_lac.crfsuite`` is trained on data under CC BY-SA and ships under
CC BY-SA 4.0 with its attribution (``zh_ner_lac.LICENSE``), apart from the Apache-2.0 code.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pycrfsuite

from baomi.engine.prose import features as feat
from baomi.engine.prose.artefacts import packaged_model
from baomi.engine.prose.cascade import MarginDecoder
from baomi.engine.prose.decoder import BatchDecoder, CrfWeights, ExtraFeatures
from baomi.engine.prose.features import sentence_features
from baomi.engine.prose.lac import LacTagger, Word
from baomi.engine.prose.model import BATCH_MIN_CHARS, BATCH_MIN_TEXTS, CrfTagger
from baomi.engine.prose.spans import EntitySpan, spans_from_tags, split_chunks

MODEL_NAME = "zh_ner_lac.crfsuite"
#: The templates :func:`accurate_features` adds, in its order (CRFsuite sums in item order).
LAC_TEMPLATES = ("a", "al", "ar", "alr", "ac")
#: LAC's named-entity tags as span labels (as the ``lac`` backend maps them).
LAC_LABELS = {"PER": "PER", "LOC": "ADDR", "ORG": "ORG"}


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


#: A chunk where every character's ``fast`` marginal is at least this, and ``fast`` found a
#: span, keeps ``fast``'s spans; the other chunks are voted on (:func:`vote`).
SURE_MIN = 0.9
#: In a voted chunk, the accurate CRF's spans scoring at least this (per label) are kept
#: without a vote: its persons and companies when sure, its addresses always.
KEEP_MIN: Mapping[str, float] = MappingProxyType({"PER": 0.9, "ORG": 0.9, "ADDR": 0.0})
#: The lowest score of a span two of the three models give exactly: LAC's fixed confidence
#: (``backends.LacBackend.SCORE``).
VOTED_SCORE = 0.85


def vote(
    accurate: Sequence[EntitySpan],
    lac: Sequence[EntitySpan],
    fast: Sequence[EntitySpan],
    keep_min: Mapping[str, float] = KEEP_MIN,
) -> list[EntitySpan]:
    """The spans of a voted chunk: every span (offsets and label) that two of the three models
    give exactly, and the accurate CRF's spans scoring at least ``keep_min`` of their label
    (a label not there: only by a vote).
    A voted span scores the accurate CRF's score or :data:`VOTED_SCORE`, whichever is
    higher; a span kept by its score alone keeps it."""
    votes: dict[tuple[int, int, str], int] = {}
    for spans in (accurate, lac, fast):
        for key in {(s.start, s.end, s.label) for s in spans}:
            votes[key] = votes.get(key, 0) + 1
    own = {(s.start, s.end, s.label): s.score for s in accurate}
    kept = {k: max(own.get(k, 0.0), VOTED_SCORE) for k, n in votes.items() if n >= 2}
    for key, score in own.items():
        least = keep_min.get(key[2])
        if key not in kept and least is not None and score >= least:
            kept[key] = score
    return [EntitySpan(s, e, lab, score) for (s, e, lab), score in sorted(kept.items())]


class EnsembleTagger:
    """The ``ensemble`` backend: the ``fast`` CRF first, then LAC, the accurate CRF and a vote
    only where ``fast`` is unsure (thread-safe; loads on first use).

    Per chunk (as :func:`~.spans.split_chunks` cuts the text): where ``fast`` found a span
    and every character's marginal is at least :attr:`sure_min`, its spans are the answer —
    business text is tagged as ``fast`` tags it. Every other chunk goes to LAC and the
    accurate CRF reading LAC's tags (:class:`AccurateTagger`'s model), and its spans are
    voted on (:func:`vote`) among the three models. The thresholds were chosen on held-out
    data only (docs/models.md, "The `ensemble` backend: the accurate mode (issue 18,
    session 6)").
    """

    name = "ensemble"

    def __init__(
        self,
        fast: CrfTagger,
        accurate: AccurateTagger | None = None,
        *,
        sure_min: float = SURE_MIN,
        keep_min: Mapping[str, float] = KEEP_MIN,
    ) -> None:
        self.sure_min = sure_min
        self.keep_min = keep_min
        self._fast = fast
        self._accurate = accurate
        self._decoders: tuple[MarginDecoder, BatchDecoder] | None = None
        self._lock = threading.Lock()
        #: Chunks seen and chunks sent on to LAC and the accurate CRF since creation.
        self.chunks_seen = 0
        self.chunks_sent = 0

    def _parts(self) -> tuple[MarginDecoder, BatchDecoder, LacTagger]:
        with self._lock:
            if self._accurate is None:
                self._accurate = AccurateTagger()
            if self._decoders is None:
                self._decoders = (
                    MarginDecoder(CrfWeights(self._fast._model_file())),
                    self._accurate._decoder(),
                )
            return (*self._decoders, self._accurate._lac)

    def tag(self, text: str) -> list[EntitySpan]:
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        fast_decoder, accurate, lac = self._parts()
        with self._lock:
            fast, margins = fast_decoder.tag_with_margins(texts)
            sent = self.route(texts, fast, margins)
            self.chunks_sent += len(sent)
        if not sent:
            return fast
        chunks = [texts[k][s:e] for k, s, e in sent]
        words = lac.words_many(chunks)
        tags = [lac_char_tags(len(c), w) for c, w in zip(chunks, words, strict=True)]
        ours = accurate.tag_many(chunks, LacFeatures(tags))
        out = [list(spans) for spans in fast]
        by_text: dict[int, list[int]] = {}
        for q, (k, _, _) in enumerate(sent):
            by_text.setdefault(k, []).append(q)
        for k, qs in by_text.items():
            starts = [sent[q][1] for q in qs]
            inside: list[list[EntitySpan]] = [[] for _ in qs]
            spans: list[EntitySpan] = []
            for x in out[k]:  # fast's spans: in a voted chunk (to vote) or kept
                at = bisect_right(starts, x.start) - 1
                if at >= 0 and x.end <= sent[qs[at]][2]:
                    inside[at].append(x)
                else:
                    spans.append(x)
            for q, mine in zip(qs, inside, strict=True):
                s = sent[q][1]
                theirs = [
                    EntitySpan(a, b, LAC_LABELS[t], VOTED_SCORE)
                    for a, b, t in words[q]
                    if t in LAC_LABELS
                ]
                mine_local = [EntitySpan(x.start - s, x.end - s, x.label, x.score) for x in mine]
                spans.extend(
                    EntitySpan(x.start + s, x.end + s, x.label, x.score)
                    for x in vote(ours[q], theirs, mine_local, self.keep_min)
                )
            out[k] = sorted(spans, key=lambda x: (x.start, x.end))
        return out

    def route(
        self, texts: Sequence[str], fast: Sequence[Sequence[EntitySpan]], margins: np.ndarray
    ) -> list[tuple[int, int, int]]:
        """The chunks (text, start, end) to vote on: every chunk but those where ``fast``
        found a span and no character's marginal is below :attr:`sure_min`."""
        sent: list[tuple[int, int, int]] = []
        base = 0
        for k, text in enumerate(texts):
            chunks = [(s, e) for s, e in split_chunks(text) if text[s:e].strip()]
            self.chunks_seen += len(chunks)
            starts = [s for s, _ in chunks]
            tagged = {bisect_right(starts, x.start) - 1 for x in fast[k]}
            for q, (s, e) in enumerate(chunks):
                if q not in tagged or float(margins[base + s : base + e].min()) < self.sure_min:
                    sent.append((k, s, e))
            base += len(text)
        return sent
