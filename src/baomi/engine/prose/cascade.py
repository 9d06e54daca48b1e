"""The ``cascade`` backend: the ``fast`` CRF on every chunk, LAC only where it is unsure of persons.

The fast CRF (``zh_ner_fast.crfsuite``, the batched decoder of :mod:`.decoder`) tags every
text. Per chunk (as :func:`~.spans.split_chunks` cuts the text) the cascade reads the CRF's
confidence: the marginal probability of the Viterbi label of each character (the decoder
computes them for every chunk in which it finds a span; a chunk without any span counts as
sure). A chunk is **unsure** when any character's marginal is below
:attr:`CascadeTagger.char_min`: the CRF hesitates between labels somewhere — a name may be
missed, cut or taken for something else (a low-scoring person span is one such place).

Unsure chunks (only those) go to Baidu LAC (:mod:`.lac`); in them the person spans are
combined (:func:`combine`): the CRF's persons scoring at least :attr:`CascadeTagger.keep_min`
stay, LAC's persons that overlap none of the kept CRF spans (of any label) are added, the
other CRF persons are dropped. Addresses and organisations are always the CRF's — LAC is far
below it on business addresses and companies — and chunks the CRF is sure about keep all of
its spans, so confident business text is tagged exactly as ``fast`` tags it. The thresholds
were chosen on held-out data only (docs/models.md, "The `cascade` backend").
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from baomi.engine.prose.decoder import BatchDecoder, CrfWeights
from baomi.engine.prose.spans import EntitySpan, split_chunks

if TYPE_CHECKING:
    from baomi.engine.prose.lac import LacTagger
    from baomi.engine.prose.model import CrfTagger

#: A chunk with a character whose Viterbi-label marginal is below this is sent to LAC.
CHAR_MIN = 0.7
#: In a chunk sent to LAC, the CRF's person spans scoring at least this are kept.
KEEP_MIN = 0.99
#: The score of LAC's person spans (LAC gives no probability; as the ``lac`` backend's).
LAC_SCORE = 0.85

Chunk = tuple[int, int, int]  # text, start, end (exclusive)


class MarginDecoder(BatchDecoder):
    """The batched decoder, also keeping each character's Viterbi-label marginal.

    While :attr:`margins` is an array (one slot per character of the texts, concatenated,
    filled with 1.0 by the caller), every decoded chunk in which the CRF finds a span writes
    its characters' marginals there (the decoder leaves chunks without spans unscored).
    """

    def __init__(self, weights: CrfWeights, extra: Sequence[str] = ()) -> None:
        super().__init__(weights, extra)
        self.margins: np.ndarray | None = None

    def _decode(self, *args: np.ndarray) -> tuple[np.ndarray, ...]:
        """The parent's (``cps, starts, lens, extra_rows, path, marg``), then the margins."""
        found = super()._decode(*args)
        _cps, starts, lens, _extra, path, marg = args
        out = self.margins
        if out is not None and len(lens):
            first = np.zeros(len(lens), dtype=np.int64)
            np.cumsum(lens[:-1], out=first[1:])
            at = np.repeat(starts - first, lens) + np.arange(int(lens.sum()))
            tagged = np.add.reduceat(self._kind[path[at]] != 0, first) > 0
            keep = at[np.repeat(tagged, lens)]
            out[keep] = marg[keep]
        return found

    def tag_with_margins(self, texts: Sequence[str]) -> tuple[list[list[EntitySpan]], np.ndarray]:
        """The spans of ``texts`` and every character's marginal (1.0 in chunks without a
        span), the texts concatenated; one caller at a time."""
        self.margins = np.ones(sum(map(len, texts)))
        try:
            return self.tag_many(texts), self.margins
        finally:
            self.margins = None


def combine(
    crf: Sequence[EntitySpan], lac: Sequence[EntitySpan], keep_min: float = KEEP_MIN
) -> list[EntitySpan]:
    """The spans of a chunk sent to LAC: the CRF's addresses and organisations, its persons
    scoring at least ``keep_min``, and LAC's persons that overlap none of those."""
    kept = [s for s in crf if s.label != "PER" or s.score >= keep_min]
    added = [
        s
        for s in lac
        if s.label == "PER" and not any(s.start < k.end and k.start < s.end for k in kept)
    ]
    return sorted([*kept, *added], key=lambda s: (s.start, s.end))


class CascadeTagger:
    """The ``cascade`` backend (see the module docstring); thread-safe, batched.

    ``crf`` is the ``fast`` backend's tagger (its model file is read); ``lac`` LAC's tagger
    (created on first use when not given)."""

    name = "cascade"

    def __init__(
        self,
        crf: CrfTagger,
        *,
        char_min: float = CHAR_MIN,
        keep_min: float = KEEP_MIN,
        lac: LacTagger | None = None,
    ) -> None:
        self.char_min = char_min
        self.keep_min = keep_min
        self._lac = lac
        self._crf = crf
        self._decoder: MarginDecoder | None = None
        self._lock = threading.Lock()
        #: Chunks seen and chunks sent to LAC since creation (the routed fraction).
        self.chunks_seen = 0
        self.chunks_sent = 0

    def _parts(self) -> tuple[MarginDecoder, LacTagger]:
        if self._decoder is None:
            self._decoder = MarginDecoder(CrfWeights(self._crf._model_file()))
        if self._lac is None:  # NumPy and ONNX Runtime's LAC only when first needed
            from baomi.engine.prose.lac import LacTagger

            self._lac = LacTagger()
        return self._decoder, self._lac

    def tag(self, text: str) -> list[EntitySpan]:
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        with self._lock:
            decoder, lac = self._parts()
            crf, margins = decoder.tag_with_margins(texts)
            sent = self.route(texts, margins)
            self.chunks_sent += len(sent)
        if not sent:
            return crf
        found = lac.words_many([texts[k][s:e] for k, s, e in sent])
        out = [list(spans) for spans in crf]
        for (k, s, e), words in zip(sent, found, strict=True):
            inside = [x for x in out[k] if s <= x.start and x.end <= e]
            shifted = [
                EntitySpan(a + s, b + s, "PER", LAC_SCORE) for a, b, tag in words if tag == "PER"
            ]
            rest = [x for x in out[k] if not (s <= x.start and x.end <= e)]
            out[k] = sorted([*rest, *combine(inside, shifted, self.keep_min)], key=_order)
        return out

    def route(self, texts: Sequence[str], margins: np.ndarray) -> list[Chunk]:
        """The chunks the CRF is unsure about (see the module docstring)."""
        chunks: list[Chunk] = []
        base = 0
        for k, text in enumerate(texts):
            for s, e in split_chunks(text):
                if text[s:e].strip():
                    chunks.append((k, base + s, base + e))
            base += len(text)
        self.chunks_seen += len(chunks)
        if not chunks:
            return []
        # the smallest margin of every chunk [start, end): the even slices of one reduceat
        # over the starts and ends (1.0 appended, so that the last end is an index)
        bounds = np.asarray([(s, e) for _, s, e in chunks], dtype=np.int64).ravel()
        low = np.minimum.reduceat(np.append(margins, 1.0), bounds)[::2]
        starts = np.cumsum([0, *map(len, texts)])
        sent: list[Chunk] = []
        for (k, s, e), lo in zip(chunks, low.tolist(), strict=True):
            if lo < self.char_min:
                sent.append((k, int(s - starts[k]), int(e - starts[k])))
        return sent


def _order(span: EntitySpan) -> tuple[int, int]:
    return span.start, span.end
