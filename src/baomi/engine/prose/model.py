"""The shipped CRF tagger: loads ``zh_ner.crfsuite`` lazily, once, and tags text.

Long texts are cut at sentence punctuation (and at commas past :data:`MAX_CHUNK` characters)
before tagging; spans are returned as offsets into the text that was passed in.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pycrfsuite

from baomi.engine.prose.features import sentence_features

if TYPE_CHECKING:
    from baomi.engine.prose.decoder import BatchDecoder

MODEL_NAME = "zh_ner.crfsuite"
#: Chunks longer than this are cut again at commas, then hard at this length.
MAX_CHUNK = 160
_SENTENCE_END = re.compile(r"[。！？!?；;\n\r]+")
_SOFT_END = re.compile(r"[，,、：:\s]+")


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """A tagged span: offsets into the tagged text (end exclusive), label and confidence.

    ``label`` is ``PER``, ``ADDR`` or ``ORG``; ``score`` is the model's confidence in the
    span (for the CRF the smallest per-character marginal probability of its tags).
    """

    start: int
    end: int
    label: str
    score: float


def split_chunks(text: str, max_chunk: int = MAX_CHUNK) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the pieces of ``text`` tagged one at a time (punctuation kept)."""
    for piece_start, piece_end in _cut(text, 0, len(text), _SENTENCE_END):
        if piece_end - piece_start <= max_chunk:
            yield piece_start, piece_end
            continue
        yield from _pack(text, piece_start, piece_end, max_chunk)


def _cut(text: str, start: int, end: int, rx: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    pos = start
    for m in rx.finditer(text, start, end):
        if m.end() > pos:
            yield pos, m.end()
        pos = m.end()
    if pos < end:
        yield pos, end


def _pack(text: str, start: int, end: int, max_chunk: int) -> Iterator[tuple[int, int]]:
    """Group comma-separated clauses into chunks of at most ``max_chunk`` characters."""
    cur_s = start
    cur_e = start
    for _, e in _cut(text, start, end, _SOFT_END):
        if e - cur_s > max_chunk and cur_e > cur_s:
            yield cur_s, cur_e
            cur_s = cur_e
        while e - cur_s > max_chunk:  # one clause longer than a chunk: cut hard
            yield cur_s, cur_s + max_chunk
            cur_s += max_chunk
        cur_e = e
    if cur_e > cur_s:
        yield cur_s, cur_e


def spans_from_tags(tags: list[str]) -> list[tuple[int, int, str]]:
    """BIO tags → ``(start, end, label)`` spans, end exclusive (a stray ``I-`` starts a span)."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate(tags):
        if tag == "O" or tag.startswith("B-") or tag[2:] != label:
            if start >= 0:
                spans.append((start, i, label))
                start, label = -1, ""
            if tag != "O":
                start, label = i, tag[2:]
    if start >= 0:
        spans.append((start, len(tags), label))
    return spans


#: From this many texts, or characters, on, :class:`CrfTagger` uses the batched NumPy decoder
#: (:mod:`.decoder`); below it python-crfsuite's own tagger, text by text, is quicker.
BATCH_MIN_TEXTS = 16
BATCH_MIN_CHARS = 4_000


class CrfTagger:
    """Tags PER / ADDR / ORG spans with a python-crfsuite model (thread-safe).

    :meth:`tag` runs python-crfsuite on one text; :meth:`tag_many` decodes many texts at once
    with the same weights (:class:`~.decoder.BatchDecoder`, the same spans and scores).
    """

    def __init__(self, model_path: Path | None = None) -> None:
        self._path = model_path
        self._tagger: pycrfsuite.Tagger | None = None
        self._decoder: BatchDecoder | None = None
        self._lock = threading.Lock()

    def _model_file(self) -> Path:
        if self._path is not None:
            return self._path
        ref = resources.files("baomi.engine.prose").joinpath(MODEL_NAME)
        with resources.as_file(ref) as path:  # a real file: the package is installed unzipped
            if not path.is_file():
                raise FileNotFoundError(
                    f"prose model {MODEL_NAME} is missing: run `make model` to build it"
                )
            return Path(path)

    def _open(self) -> pycrfsuite.Tagger:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(self._model_file()))
        return tagger

    def tag_many(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        """The spans of every text in ``texts`` (as :meth:`tag` gives them), decoded in batches."""
        if len(texts) < BATCH_MIN_TEXTS and sum(map(len, texts)) < BATCH_MIN_CHARS:
            return [self._tag_one(t) for t in texts]
        return self._batch_decoder().tag_many(texts)

    def _batch_decoder(self) -> BatchDecoder:
        with self._lock:
            if self._decoder is None:
                from baomi.engine.prose.decoder import BatchDecoder, CrfWeights

                self._decoder = BatchDecoder(CrfWeights(self._model_file()))
            return self._decoder

    name = "crf"

    def tag(self, text: str) -> list[EntitySpan]:
        """``(start, end, label)`` spans in ``text`` (end exclusive), labels PER/ADDR/ORG."""
        if len(text) >= BATCH_MIN_CHARS:  # a long document: its sentences decoded together
            return self._batch_decoder().tag_many([text])[0]
        return self._tag_one(text)

    def _tag_one(self, text: str) -> list[EntitySpan]:
        """python-crfsuite's tagger, chunk by chunk."""
        if not text.strip():
            return []
        with self._lock:
            if self._tagger is None:
                self._tagger = self._open()
            tagger = self._tagger
            out: list[EntitySpan] = []
            for start, end in split_chunks(text):
                chunk = text[start:end]
                if not chunk.strip():
                    continue
                tags = tagger.tag(sentence_features(chunk))
                for s, e, lab in spans_from_tags(tags):
                    p = min(tagger.marginal(tags[k], k) for k in range(s, e))
                    out.append(EntitySpan(s + start, e + start, lab, p))
            return out
