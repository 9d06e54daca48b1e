"""The ``neural`` prose backend: a small character CNN on ONNX Runtime (issue 18, fast mode).

The model (``zh_ner_neural.onnx``, trained by :mod:`.train_neural`) reads, per character, a
character embedding and a hashed character-bigram embedding (the character and the next one),
passes them through a few dilated residual convolutions and gives a probability per BIO label.
Its vocabulary and labels are stored in the ONNX file's metadata, so that the file is the whole
model. Texts are cut into chunks as the CRF tagger cuts them (:func:`~.spans.split_chunks`),
the chunks sorted by length and run in batches (little padding), the best label per character
taken and turned into spans (:func:`~.spans.spans_from_tags`); a span's score is the smallest
probability of its characters' labels. Needs only NumPy and ONNX Runtime at run time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from baomi.engine.prose import kernels  # before Numba: it sets up Numba's cache folder

# isort: split
from numba import njit

from baomi.engine.prose.artefacts import NEURAL_MODEL, neural_missing, packaged_model
from baomi.engine.prose.spans import EntitySpan, spans_from_tags, split_chunks
from baomi.errors import ConfigError

MODEL_NAME = NEURAL_MODEL
#: Hash buckets of the character-bigram embedding (bucket 0 is padding).
BIGRAM_BUCKETS = 1 << 15
#: Characters per ONNX Runtime call (chunks × their longest length).
BATCH_CHARS = 16_384
PAD, UNK = 0, 1


class Vocabulary:
    """Code point → embedding row (0 padding, 1 unknown), vectorised with ``searchsorted``."""

    def __init__(self, chars: str) -> None:
        self.chars = chars
        cps = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        order = np.argsort(cps, kind="stable")
        self._sorted = cps[order]
        self._rows = order.astype(np.int64) + 2
        self.size = len(chars) + 2

    def ids(self, cps: np.ndarray) -> np.ndarray:
        """The embedding row of every code point in ``cps`` (unknown ones → :data:`UNK`)."""
        if not len(self._sorted):
            return np.full(len(cps), UNK, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, cps), len(self._sorted) - 1)
        return np.where(self._sorted[at] == cps, self._rows[at], UNK)


#: Longest lexicon word matched (characters).
MAX_WORD = 6
_MUL = np.uint64(1_000_003)


def _word_hashes(cps: np.ndarray, n: int) -> np.ndarray:
    """A hash of the ``n`` code points from every position of ``cps`` (wrapping uint64);
    positions with fewer than ``n`` left give garbage the caller masks out."""
    h = np.zeros(len(cps), dtype=np.uint64)
    u = cps.astype(np.uint64)
    for k in range(n):
        nxt = np.zeros(len(cps), dtype=np.uint64)
        nxt[: len(cps) - k] = u[k:]
        h = h * _MUL + nxt
    return h


class Lexicons:
    """Per character, bits from the CRF's lexicons (:mod:`.lexicon`, as :mod:`.features`
    uses them): for each word list, whether a word of it starts at the character and whether
    one covers it (words within one chunk, up to :data:`MAX_WORD` characters)."""

    def __init__(self) -> None:
        from baomi.engine.prose import lexicon

        lists: list[frozenset[str]] = [
            frozenset(lexicon.SURNAMES),
            frozenset(lexicon.COMPOUND_SURNAMES),
            frozenset(lexicon.GIVEN_CHARS),
            lexicon.division_names(),
            frozenset(lexicon.ORG_SUFFIXES),
            frozenset(lexicon.ADDRESS_CHARS),
            lexicon.common_words(),
            lexicon.place_words(),
            lexicon.org_words(),
            frozenset(lexicon.NAME_TITLES),
            frozenset(lexicon.NAME_TRIGGERS),
        ]
        self.n_bits = 2 * len(lists)
        # per word length: the sorted hashes of each list's words of that length
        self._tables: list[list[np.ndarray]] = []
        for words in lists:
            per_len = []
            for n in range(1, MAX_WORD + 1):
                of_n = [w for w in words if len(w) == n]
                cps = np.frombuffer("".join(of_n).encode("utf-32-le"), dtype=np.uint32)
                per_len.append(
                    np.unique(_word_hashes(cps, n)[::n]) if of_n else np.zeros(0, np.uint64)
                )
            self._tables.append(per_len)

    def bits(self, cps: np.ndarray, chunk_ids: np.ndarray) -> np.ndarray:
        """``len(cps)`` × :attr:`n_bits` float32 (1.0 where set)."""
        total = len(cps)
        out = np.zeros((total, self.n_bits), dtype=np.float32)
        for n in range(1, MAX_WORD + 1):
            if total < n:
                break
            h = _word_hashes(cps, n)
            ok = np.zeros(total, dtype=bool)
            ok[: total - n + 1] = chunk_ids[: total - n + 1] == chunk_ids[n - 1 :]
            for t, per_len in enumerate(self._tables):
                table = per_len[n - 1]
                if not len(table):
                    continue
                at = np.minimum(np.searchsorted(table, h), len(table) - 1)
                starts = ok & (table[at] == h)
                if not starts.any():
                    continue
                out[starts, 2 * t] = 1.0
                for k in range(n):
                    out[k:, 2 * t + 1][starts[: total - k]] = 1.0
        return out


def encode(
    chunks: Sequence[str], vocab: Vocabulary, lexicons: Lexicons | None = None
) -> tuple[np.ndarray, ...]:
    """Padded ``(chars, bigrams)`` id arrays, chunks × longest chunk (int64), and with
    ``lexicons`` their bits (chunks × longest × bits, float32)."""
    lens = np.fromiter(map(len, chunks), dtype=np.int64, count=len(chunks))
    width = int(lens.max()) if len(chunks) else 0
    cps = np.frombuffer("".join(chunks).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cps = cps.astype(np.int64)
    ends = np.cumsum(lens)
    nxt = np.zeros_like(cps)
    nxt[:-1] = cps[1:]
    nxt[ends[ends > 0] - 1] = 0  # the last character of a chunk has no next one
    bigrams = ((cps * 1_000_003) ^ (nxt * 7_919)) % (BIGRAM_BUCKETS - 1) + 1
    rows = np.repeat(np.arange(len(chunks)), lens)
    cols = np.arange(len(cps)) - np.repeat(ends - lens, lens)
    chars = np.zeros((len(chunks), width), dtype=np.int64)
    grams = np.zeros((len(chunks), width), dtype=np.int64)
    chars[rows, cols] = vocab.ids(cps)
    grams[rows, cols] = bigrams
    if lexicons is None:
        return chars, grams
    feats = np.zeros((len(chunks), width, lexicons.n_bits), dtype=np.float32)
    feats[rows, cols] = lexicons.bits(cps, rows)
    return chars, grams, feats


def allowed_transitions(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """BIO constraints as additive scores (0 allowed, -inf not): ``I-X`` only after ``B-X``
    or ``I-X``; the first label of a chunk cannot be ``I-``."""
    n = len(labels)
    trans = np.zeros((n, n))
    start = np.zeros(n)
    for b, lab in enumerate(labels):
        if lab.startswith("I-"):
            start[b] = -np.inf
            for a, prev in enumerate(labels):
                if prev[2:] != lab[2:]:
                    trans[a, b] = -np.inf
    return trans, start


@njit(nogil=True, cache=True)
def viterbi(logp, lens, trans, start):  # type: ignore[no-untyped-def]
    """The best label path of every row of ``logp`` (rows × width × labels) over its first
    ``lens[row]`` positions, under the transition scores (ties: the lowest label id)."""
    rows, width, n_labels = logp.shape
    path = np.zeros((rows, width), dtype=np.int64)
    back = np.zeros((width, n_labels), dtype=np.int64)
    delta = np.empty(n_labels)
    nd = np.empty(n_labels)
    for r in range(rows):
        n = lens[r]
        if n == 0:
            continue
        s = logp[r].copy()
        for j in range(n_labels):
            s[0, j] += start[j]
        kernels._viterbi(s, n, trans, back, delta, nd, path[r])
    return path


class NeuralTagger:
    """Tags PER / ADDR / ORG spans with the character CNN (thread-safe; see the module doc)."""

    def __init__(self, model_path: Path | None = None, *, name: str = "neural") -> None:
        self._path = model_path
        self.name = name
        self._session: Any = None
        self._vocab: Vocabulary | None = None
        self._lexicons: Lexicons | None = None
        self._labels: tuple[str, ...] = ()
        self._trans: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
        self._lock = threading.Lock()

    def _model_file(self) -> Path:
        if self._path is not None:
            return self._path
        path = packaged_model(MODEL_NAME)
        if path is None:
            raise ConfigError(neural_missing())
        return path

    def _load(self) -> tuple[Any, Vocabulary, tuple[str, ...], Lexicons | None]:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort

                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 1
                opts.inter_op_num_threads = 1
                session = ort.InferenceSession(
                    str(self._model_file()), opts, providers=["CPUExecutionProvider"]
                )
                meta = session.get_modelmeta().custom_metadata_map
                self._vocab = Vocabulary(json.loads(meta["vocab"]))
                self._labels = tuple(json.loads(meta["labels"]))
                self._trans = allowed_transitions(self._labels)
                if any(i.name == "feats" for i in session.get_inputs()):
                    self._lexicons = Lexicons()
                self._session = session
            assert self._vocab is not None
            return self._session, self._vocab, self._labels, self._lexicons

    def tag(self, text: str) -> list[EntitySpan]:
        """``(start, end, label, score)`` spans in ``text`` (end exclusive)."""
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        """The spans of every text, the chunks of all texts run together in length-sorted
        batches (the same spans whatever the batch: every chunk is computed on its own)."""
        model = self._load()
        pieces: list[tuple[int, int, str]] = []  # text index, offset, chunk
        for i, text in enumerate(texts):
            for s, e in split_chunks(text):
                chunk = text[s:e]
                if chunk.strip():
                    pieces.append((i, s, chunk))
        out: list[list[EntitySpan]] = [[] for _ in texts]
        order = sorted(range(len(pieces)), key=lambda k: len(pieces[k][2]))
        at = 0
        while at < len(order):
            stop = at + 1  # chunks sorted by length: the last one of a batch is its widest
            while (
                stop < len(order) and (stop - at + 1) * len(pieces[order[stop]][2]) <= BATCH_CHARS
            ):
                stop += 1
            self._run(model, self._trans, [pieces[k] for k in order[at:stop]], out)
            at = stop
        for spans in out:
            spans.sort(key=lambda sp: (sp.start, sp.end))
        return out

    @staticmethod
    def _run(
        model: tuple[Any, Vocabulary, tuple[str, ...], Lexicons | None],
        trans: tuple[np.ndarray, np.ndarray],
        batch: list[tuple[int, int, str]],
        out: list[list[EntitySpan]],
    ) -> None:
        session, vocab, labels, lexicons = model
        arrays = encode([c for _, _, c in batch], vocab, lexicons)
        names = ("chars", "bigrams", "feats")
        (probs,) = session.run(None, dict(zip(names, arrays, strict=False)))
        lens = np.fromiter((len(c) for _, _, c in batch), dtype=np.int64, count=len(batch))
        with np.errstate(divide="ignore"):
            best = viterbi(np.log(probs.astype(np.float64)), lens, *trans)
        top = np.take_along_axis(probs, best[..., None], -1)[..., 0]
        for row, (i, offset, chunk) in enumerate(batch):
            n = len(chunk)
            ids = best[row, :n]
            if not ids.any():  # label 0 is O: nothing in this chunk
                continue
            tags = [labels[k] for k in ids.tolist()]
            for s, e, lab in spans_from_tags(tags):
                score = float(top[row, s:e].min())
                out[i].append(EntitySpan(s + offset, e + offset, lab, score))
