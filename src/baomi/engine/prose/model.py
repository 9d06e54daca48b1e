"""The shipped CRF tagger: loads ``zh_ner.crfsuite`` lazily, once, and tags text.

Long texts are cut at sentence punctuation (and at commas past :data:`~.spans.MAX_CHUNK` characters)
before tagging; spans are returned as offsets into the text that was passed in.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pycrfsuite

from baomi.engine.prose.features import sentence_features
from baomi.engine.prose.spans import (
    EntitySpan,
    SpanArrays,
    span_arrays,
    spans_from_tags,
    split_chunks,
)

if TYPE_CHECKING:
    from baomi.engine.prose.decoder import BatchDecoder

MODEL_NAME = "zh_ner.crfsuite"
#: From this many texts, or characters, on, :class:`CrfTagger` uses the batched compiled
#: decoder (:mod:`.decoder`); below it python-crfsuite's own tagger, text by text.
BATCH_MIN_TEXTS = 16
BATCH_MIN_CHARS = 4_000


class CrfTagger:
    """Tags PER / ADDR / ORG spans with a python-crfsuite model (thread-safe).

    :meth:`tag` runs python-crfsuite on one text; :meth:`tag_many` decodes many texts at once
    with the same weights (:class:`~.decoder.BatchDecoder`, the same spans and scores).
    """

    def __init__(
        self, model_path: Path | None = None, *, model_name: str = MODEL_NAME, name: str = "crf"
    ) -> None:
        self._path = model_path
        self._model_name = model_name
        self.name = name
        self._tagger: pycrfsuite.Tagger | None = None
        self._decoder: BatchDecoder | None = None
        self._lock = threading.Lock()

    def _model_file(self) -> Path:
        if self._path is not None:
            return self._path
        ref = resources.files("baomi.engine.prose").joinpath(self._model_name)
        with resources.as_file(ref) as path:  # a real file: the package is installed unzipped
            if not path.is_file():
                raise FileNotFoundError(
                    f"prose model {self._model_name} is missing: run `make model` to build it"
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

    def tag_arrays(self, texts: Sequence[str]) -> SpanArrays:
        """:meth:`tag_many`'s spans as arrays (no :class:`EntitySpan` each where the batched
        decoder runs)."""
        if len(texts) < BATCH_MIN_TEXTS and sum(map(len, texts)) < BATCH_MIN_CHARS:
            return span_arrays([self._tag_one(t) for t in texts])
        return self._batch_decoder().tag_arrays(texts)

    def _batch_decoder(self) -> BatchDecoder:
        with self._lock:
            if self._decoder is None:
                from baomi.engine.prose.decoder import BatchDecoder, CrfWeights

                self._decoder = BatchDecoder(CrfWeights(self._model_file()))
            return self._decoder

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
