"""Batched inference for the shipped CRF: many texts tagged at once with NumPy.

python-crfsuite tags one sequence per call and takes its features as strings: for a notes
column most of the time went into building ~15 feature strings per character and into
CRFsuite turning them back into attribute ids. This module reads the model's weights once
(exact float64 values from the file's ``FEAT`` chunk; attribute and label names from
``Tagger.info()``) and computes the same features as :func:`~.features.sentence_features` as
integer codes for a whole batch of texts: per template a table lookup, per character a row of
label scores, then Viterbi and forward-backward over all sequences of a length bucket at once.

Training still uses python-crfsuite (:mod:`.train`); the results are CRFsuite's: state scores
are summed in the same order, Viterbi breaks ties the same way (the lowest label id), the
marginals are the scaled forward-backward ones. ``tests/engine/prose/test_decoder.py`` compares
tags and scores with python-crfsuite's own tagger.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import struct
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pycrfsuite

from baomi.engine.prose import features as feat
from baomi.engine.prose.spans import EntitySpan, split_chunks

_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
_STATE, _TRANSITION = 0, 1
#: Feature templates in the order :func:`~.features.sentence_features` emits them (CRFsuite
#: sums state weights in item order; the same order gives the same floating-point sums).
TEMPLATES = ("c", "l", "r", "ll", "rr", "lc", "cr", "ll2", "rr2", "k", "n", "d", "o", "w", "g")
#: Sequences of similar length are decoded together; padding is at most this many positions.
_BUCKET = 8
#: Characters per NumPy batch (bounds the score matrices: 7 labels × 8 bytes per character).
BATCH_CHARS = 100_000


#: Below this many chunks (sentences) per thread a call is decoded in the calling thread.
MIN_CHUNKS_PER_THREAD = 2_000
#: At most this many threads per call.
MAX_THREADS = 4


def decoder_threads() -> int:
    """Threads one :meth:`BatchDecoder.tag_many` call may use: one per core (up to
    :data:`MAX_THREADS`), and one in a worker process, whose siblings use the other cores."""
    if multiprocessing.parent_process() is not None:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_THREADS))


@dataclass(frozen=True)
class _Template:
    rows: dict[str, int]  # attribute value (after "name=") → row of ``weights``
    weights: np.ndarray  # rows × labels; the last row is zeros (an unknown value)


class CrfWeights:
    """The weights of a CRFsuite CRF1d model, grouped by feature template."""

    def __init__(self, path: Path) -> None:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        info = tagger.info()
        tagger.close()
        label_ids = {int(i): name for name, i in info.labels.items()}
        self.labels: tuple[str, ...] = tuple(label_ids[i] for i in range(len(label_ids)))
        attrs = {int(i): name for name, i in info.attributes.items()}
        feats = _read_features(path.read_bytes())
        n_labels = len(self.labels)
        self.transitions = np.zeros((n_labels, n_labels))
        trans = feats[feats["type"] == _TRANSITION]
        self.transitions[trans["src"], trans["dst"]] = trans["weight"]
        # one table for every template: a row per attribute id, the last row zeros (unknown)
        state = feats[feats["type"] == _STATE]
        table = np.zeros((max(attrs, default=-1) + 2, n_labels))
        table[state["src"], state["dst"]] = state["weight"]
        grouped: dict[str, dict[str, int]] = {t: {} for t in TEMPLATES}
        for aid, name in attrs.items():
            prefix, _, value = name.partition("=")
            grouped.setdefault(prefix, {})[value] = aid
        self.templates: dict[str, _Template] = {
            t: _Template(rows, table) for t, rows in grouped.items()
        }


def _read_features(blob: bytes) -> np.ndarray:
    """The ``FEAT`` chunk of a CRFsuite model file (crf1d format, little-endian)."""
    magic, _size, kind = struct.unpack_from("<4sI4s", blob, 0)
    if magic != b"lCRF" or kind != b"FOMC":
        raise ValueError("not a CRFsuite CRF1d model file")
    off_features = struct.unpack_from("<I", blob, 28)[0]
    chunk, _chunk_size, count = struct.unpack_from("<4sII", blob, off_features)
    if chunk != b"FEAT":
        raise ValueError("CRFsuite model file: no FEAT chunk where the header says")
    return np.frombuffer(blob, dtype=_FEATURE, count=count, offset=off_features + 12)


class BatchDecoder:
    """Tags many texts at once with the weights of a CRF1d model (see the module docstring)."""

    def __init__(self, weights: CrfWeights, extra: Sequence[str] = ()) -> None:
        """``extra``: templates after :data:`TEMPLATES` whose values the caller computes
        (:class:`ExtraFeatures`), e.g. the accurate model's LAC tags."""
        self.w = weights
        self.labels = weights.labels
        self.extra = tuple(extra)
        unknown = [t for t in self.extra if t not in weights.templates]
        if unknown:
            raise ValueError(f"the model has no template {', '.join(unknown)}")
        self._exp_trans = np.exp(weights.transitions)
        self._tables = _Tables(weights)
        # per label: the entity it belongs to (0 for O) and whether it begins a span
        names = sorted({lab[2:] for lab in self.labels if lab != "O"})
        self._entities = ["", *names]
        self._kind = np.asarray(
            [0 if lab == "O" else 1 + names.index(lab[2:]) for lab in self.labels], dtype=np.int64
        )
        self._begins = np.asarray([lab.startswith("B-") for lab in self.labels])

    def tag_many(
        self, texts: Sequence[str], extra: ExtraFeatures | None = None
    ) -> list[list[EntitySpan]]:
        """The spans of every text, as :meth:`~.model.CrfTagger.tag` returns them. The texts
        are cut into chunks (as the tagger cuts them) and the chunks decoded in batches of
        about :data:`BATCH_CHARS` characters; many batches are shared between threads (the
        array work releases the GIL). ``extra`` gives the values of the :attr:`extra`
        templates (required when there are any)."""
        if self.extra and extra is None:
            raise ValueError("this model needs its extra features")
        out: list[list[EntitySpan]] = [[] for _ in texts]
        chunks: list[str] = []
        owners: list[tuple[int, int]] = []  # (text index, chunk start in the text)
        batches: list[tuple[int, int]] = []  # chunk ranges of about BATCH_CHARS characters
        first = size = 0
        for k, text in enumerate(texts):
            if not text.strip():
                continue
            for start, end in split_chunks(text):
                chunk = text[start:end]
                if chunk.strip():
                    chunks.append(chunk)
                    owners.append((k, start))
                    size += len(chunk)
                    if size >= BATCH_CHARS:
                        batches.append((first, len(chunks)))
                        first, size = len(chunks), 0
        if first < len(chunks):
            batches.append((first, len(chunks)))

        def decode(batch: tuple[int, int]) -> None:
            a, b = batch
            self._decode(chunks[a:b], owners[a:b], out, extra)

        threads = min(decoder_threads(), len(batches), max(1, len(chunks) // MIN_CHUNKS_PER_THREAD))
        if threads < 2:
            for batch in batches:
                decode(batch)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(decode, batches))  # spans are appended to each text's list
        for spans in out:
            if len(spans) > 1:  # a text's chunks are decoded in length buckets and threads
                spans.sort(key=lambda sp: sp.start)
        return out

    def _decode(
        self,
        chunks: list[str],
        owners: list[tuple[int, int]],
        out: list[list[EntitySpan]],
        extra: ExtraFeatures | None = None,
    ) -> None:
        scores = self._state_scores(chunks)
        if self.extra:
            assert extra is not None
            self._add_extra(scores, chunks, owners, extra)
        lengths = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
        starts = np.zeros(len(chunks), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        for members, width in _buckets(lengths):
            lens = lengths[members]
            pos = np.minimum(np.arange(width)[None, :], lens[:, None] - 1)
            s = scores[starts[members][:, None] + pos]  # (B, width, L), padding repeats the end
            path = self._viterbi(s, lens)
            marg = self._marginals(s, lens, path)
            self._spans(path, marg, lens, members, owners, out)

    def _spans(
        self,
        path: np.ndarray,
        marg: np.ndarray,
        lens: np.ndarray,
        members: np.ndarray,
        owners: list[tuple[int, int]],
        out: list[list[EntitySpan]],
    ) -> None:
        """BIO paths → spans as :func:`~.model.spans_from_tags` reads them, with the smallest
        marginal of each span as its score; vectorised over the bucket."""
        batch, width = path.shape
        valid = np.arange(width)[None, :] < lens[:, None]
        kind = np.where(valid, self._kind[path], 0)
        prev = np.zeros_like(kind)
        prev[:, 1:] = kind[:, :-1]
        start = (kind != 0) & (self._begins[path] | (prev != kind))
        if not start.any():
            return
        # one flat row per sequence with a boundary column at the end
        row = width + 1
        boundary = np.ones((batch, row), dtype=bool)
        boundary[:, :width] = (kind == 0) | start
        flat_start = np.zeros((batch, row), dtype=bool)
        flat_start[:, :width] = start
        bflat = boundary.ravel()
        index = np.arange(bflat.size)
        at = np.where(bflat, index, bflat.size)
        next_b = np.minimum.accumulate(at[::-1])[::-1]  # first boundary at or after
        s_idx = np.flatnonzero(flat_start.ravel())
        e_idx = next_b[s_idx + 1]
        m = np.ones((batch, row))
        m[:, :width] = marg
        mflat = np.append(m.ravel(), 1.0)
        bounds = np.empty(2 * len(s_idx), dtype=np.int64)
        bounds[0::2] = s_idx
        bounds[1::2] = e_idx
        low = np.minimum.reduceat(mflat, bounds)[0::2]
        b_of, t_of = np.divmod(s_idx, row)
        ent_of = self._kind[path[b_of, t_of]]
        names = self._entities
        member = members.tolist()
        for b, t, e, ent, p in zip(
            b_of.tolist(),
            t_of.tolist(),
            (e_idx - b_of * row).tolist(),
            ent_of.tolist(),
            low.tolist(),
            strict=True,
        ):
            k, offset = owners[member[b]]
            out[k].append(EntitySpan(t + offset, e + offset, names[ent], p))

    def _viterbi(self, s: np.ndarray, lens: np.ndarray) -> np.ndarray:
        batch, width, n_labels = s.shape
        trans = self.w.transitions
        back = np.zeros((batch, width, n_labels), dtype=np.int64)
        delta = s[:, 0, :].copy()
        for t in range(1, width):
            cand = delta[:, :, None] + trans[None, :, :]  # (B, previous, current)
            arg = cand.argmax(axis=1)  # the first maximum, as CRFsuite
            best = np.take_along_axis(cand, arg[:, None, :], axis=1)[:, 0, :] + s[:, t, :]
            live = (t < lens)[:, None]
            delta = np.where(live, best, delta)
            back[:, t, :] = arg
        path = np.zeros((batch, width), dtype=np.int64)
        last = delta.argmax(axis=1)  # the first maximum, as CRFsuite
        rows = np.arange(batch)
        for t in range(width - 1, -1, -1):
            follow = back[rows, t + 1, path[:, t + 1]] if t + 1 < width else last
            path[:, t] = np.where(t == lens - 1, last, np.where(t < lens - 1, follow, 0))
        return path

    def _marginals(self, s: np.ndarray, lens: np.ndarray, path: np.ndarray) -> np.ndarray:
        """Marginal probability of the chosen label at each position (scaled forward-backward,
        as CRFsuite computes it)."""
        batch, width, _ = s.shape
        es = np.exp(s)
        et = self._exp_trans
        alpha = np.empty_like(es)
        scale = np.empty((batch, width))
        a = es[:, 0, :]
        for t in range(width):
            if t:
                a = (alpha[:, t - 1, :] @ et) * es[:, t, :]
            total = a.sum(axis=1)
            scale[:, t] = 1.0 / total
            alpha[:, t, :] = a * scale[:, t, None]
        beta = np.empty_like(es)
        beta[:, width - 1, :] = scale[:, width - 1, None]
        for t in range(width - 2, -1, -1):
            nxt = (es[:, t + 1, :] * beta[:, t + 1, :]) @ et.T * scale[:, t, None]
            end = np.equal(lens - 1, t)[:, None]
            beta[:, t, :] = np.where(end, scale[:, t, None], nxt)
        marg = alpha * beta / scale[:, :, None]
        return np.take_along_axis(marg, path[:, :, None], axis=2)[:, :, 0]

    def _state_scores(self, chunks: list[str]) -> np.ndarray:
        """(characters × labels) state scores of every chunk, concatenated; the templates are
        added in CRFsuite's order."""
        codes = _Codes(chunks, self._tables)
        tpl = self.w.templates
        total = np.zeros((codes.size, len(self.labels)))
        part = np.empty_like(total)
        for name in TEMPLATES:
            np.take(tpl[name].weights, codes.rows(name), axis=0, out=part)
            total += part
        return total

    def _add_extra(
        self,
        total: np.ndarray,
        chunks: list[str],
        owners: list[tuple[int, int]],
        extra: ExtraFeatures,
    ) -> None:
        """Add the :attr:`extra` templates' weights (after the shipped ones: CRFsuite's order)."""
        values = extra.values(chunks, owners)
        part = np.empty_like(total)
        for name in self.extra:
            tpl = self.w.templates[name]
            missing = len(tpl.weights) - 1
            get = tpl.rows.get
            rows = np.fromiter((get(v, missing) for v in values[name]), np.int64, len(total))
            np.take(tpl.weights, rows, axis=0, out=part)
            total += part


class ExtraFeatures:
    """Per character of each text, the values of templates the decoder cannot compute itself
    (:meth:`values`: one list per template, over the characters of a batch of chunks)."""

    def values(self, chunks: list[str], owners: list[tuple[int, int]]) -> dict[str, list[str]]:
        """``chunks[i]`` is ``texts[owners[i][0]]`` from character ``owners[i][1]`` on."""
        raise NotImplementedError


def _buckets(lengths: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Chunk indexes grouped by length (up to ``_BUCKET`` apart) with the bucket's width."""
    order = np.argsort(lengths, kind="stable")
    ordered = lengths[order]
    out: list[tuple[np.ndarray, int]] = []
    i, n = 0, len(order)
    while i < n:
        j = int(np.searchsorted(ordered, int(ordered[i]) + _BUCKET, side="left"))
        out.append((order[i:j], int(ordered[j - 1])))
        i = j
    return out


#: Letters of the small feature alphabets, padding first (``^`` = 0, ``$`` = 1).
_CLASSES = ("^", "$", "H", "D", "A", "a", "P", "S", "I", "O")
_NAME_SHAPES = ("^", "$", "s", "x", "c", "g", "-")
_LEXICON = ("-", "B", "I", "E", "$")
_SINGLE = {"c": 0, "l": -1, "r": 1, "ll": -2, "rr": 2}
_PAIRS = {"lc": (-1, 0), "cr": (0, 1), "ll2": (-2, -1), "rr2": (1, 2)}


class _Tables:
    """Per template, the weight row of every coded value, built once per model.

    Symbols (the first part of :func:`~.features._shape`) are numbered over the model's own
    vocabulary (``^`` 0, ``$`` 1, a symbol the model never saw last); single-symbol templates
    are arrays over that numbering, symbol pairs a sorted array of the pairs the model knows,
    the small alphabets (classes, name shapes, lexicon positions) dense arrays.
    """

    def __init__(self, weights: CrfWeights) -> None:
        tpl = weights.templates
        self.missing = {name: len(tpl[name].weights) - 1 for name in TEMPLATES}
        symbols: dict[str, int] = {"^": 0, "$": 1}
        for name in _SINGLE:
            for value in tpl[name].rows:
                symbols.setdefault(value, len(symbols))
        for name in _PAIRS:
            for value in tpl[name].rows:
                for ch in value:
                    symbols.setdefault(ch, len(symbols))
        self.symbols = symbols
        self.unknown = len(symbols)
        vocab = [*symbols, "\x00unknown"]
        self.single = {name: _dense(tpl[name], [vocab]) for name in _SINGLE}
        radix = len(vocab)
        self.radix = radix
        self.pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name in _PAIRS:
            items = [
                (symbols[v[0]] * radix + symbols[v[1]], r)
                for v, r in tpl[name].rows.items()
                if len(v) == 2
            ]
            items.sort()
            self.pairs[name] = (
                np.asarray([c for c, _ in items], dtype=np.int64),
                np.asarray([r for _, r in items], dtype=np.int64),
            )
        self.classes = {c: i for i, c in enumerate(_CLASSES)}
        self.shapes = {c: i for i, c in enumerate(_NAME_SHAPES)}
        self.k = _dense(tpl["k"], [list(_CLASSES)] * 3)
        self.n = _dense(tpl["n"], [list(_NAME_SHAPES)] * 5)
        self.d = _dense(tpl["d"], [list(_LEXICON)] * 2)
        self.o = _dense(tpl["o"], [list(_LEXICON)] * 2)
        self.w = _dense(tpl["w"], [list(_LEXICON)])
        t = feat._tables()
        self.gaz_kinds = sorted(set(t.gazetteer.values()))
        self.gaz_names = ["-"] + [p + k for k in self.gaz_kinds for p in "BIE"]
        self.g = _dense(tpl["g"], [self.gaz_names])

    def pair_rows(self, name: str, code: np.ndarray, missing: int) -> np.ndarray:
        keys, rows = self.pairs[name]
        if not len(keys):
            return np.full(len(code), missing, dtype=np.int64)
        at = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
        return np.where(keys[at] == code, rows[at], missing)


def _dense(tpl: _Template, vocabs: list[list[str]]) -> np.ndarray:
    """Rows for every combination of ``vocabs`` (mixed-radix code, first part most
    significant); values the model does not know get the zero row."""
    missing = len(tpl.weights) - 1
    combos = [""]
    for vocab in vocabs:
        combos = [c + v for c in combos for v in vocab]
    return np.fromiter((tpl.rows.get(c, missing) for c in combos), np.int64, count=len(combos))


class _Codes:
    """The feature values of every character of a batch of chunks, as integer codes.

    Each chunk is padded as :func:`~.features.sentence_features` pads it (``^`` before, ``$``
    after).
    """

    def __init__(self, chunks: list[str], tables: _Tables) -> None:
        self.t = tables
        lex = feat._tables()
        joined = "".join(chunks)
        cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        self.size = len(cps)
        uniq, inv = np.unique(cps, return_inverse=True)
        shapes = feat._SHAPES
        surname, given, cfirst = lex.surname, lex.given, lex.compound_first
        symbols, classes, name_shapes = tables.symbols, tables.classes, tables.shapes
        unknown = tables.unknown
        u_sym, u_cls, u_nm = [], [], []
        for cp in uniq.tolist():
            ch = chr(cp)
            sc = shapes.get(ch)
            if sc is None:
                sc = feat._shape(ch)
            u_sym.append(symbols.get(sc[0], unknown))
            u_cls.append(classes[sc[1]])
            if ch in surname:
                letter = "s" if ch not in given else "x"
            elif ch in cfirst:
                letter = "c"
            elif ch in given:
                letter = "g"
            else:
                letter = "-"
            u_nm.append(name_shapes[letter])
        sym = np.asarray(u_sym, dtype=np.int64)[inv]
        cls = np.asarray(u_cls, dtype=np.int64)[inv]
        nm = np.asarray(u_nm, dtype=np.int64)[inv]
        lengths = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        pos = np.arange(self.size, dtype=np.int64) - starts
        n = np.repeat(lengths, lengths)
        self.sym = {d: _shifted(sym, pos, n, d) for d in (-2, -1, 0, 1, 2)}
        self.cls = {d: _shifted(cls, pos, n, d) for d in (-1, 0, 1)}
        self.nm = {d: _shifted(nm, pos, n, d) for d in (-2, -1, 0, 1, 2)}
        # Lexicon matches (forward maximum matching), coded - B I E and "$" past the end. The
        # chunks are matched in one string, a NUL (in no word) between them.
        sep = "\x00".join(chunks)
        keep = np.ones(len(sep), dtype=bool)  # by position: a chunk may hold a NUL itself
        keep[np.cumsum(lengths[:-1]) + np.arange(len(chunks) - 1)] = False
        end = np.full(self.size, _LEXICON.index("$"), dtype=np.int64)
        last = pos == n - 1
        self.div = _fmm_codes(sep, lex.divisions)[0][keep]
        self.div_next = np.where(last, end, np.roll(self.div, -1))
        self.org = _fmm_codes(sep, lex.org_suffixes)[0][keep]
        self.org_next = np.where(last, end, np.roll(self.org, -1))
        self.word = _fmm_codes(sep, lex.words)[0][keep]
        codes, kind_of = _fmm_codes(sep, lex.gaz_words, lex.gazetteer)
        # gazetteer values: the position letter plus the word's kind ("Bp", "Io"), or "-"
        self.gaz = np.where(codes == 0, 0, 1 + kind_of * 3 + codes - 1)[keep]

    def rows(self, name: str) -> np.ndarray:
        """Row of the template's weight table for every character."""
        t = self.t
        if name in _PAIRS:
            a, b = _PAIRS[name]
            return t.pair_rows(name, self.sym[a] * t.radix + self.sym[b], t.missing[name])
        table, code = self._coded(name)
        return np.asarray(table[code])

    def _coded(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(dense row table, code per character) of a template over a small alphabet."""
        t = self.t
        if name in _SINGLE:
            return t.single[name], self.sym[_SINGLE[name]]
        if name == "k":
            c = self.cls
            radix = len(_CLASSES)
            return t.k, (c[-1] * radix + c[0]) * radix + c[1]
        if name == "n":
            m = self.nm
            code = m[-2]
            for d in (-1, 0, 1, 2):
                code = code * len(_NAME_SHAPES) + m[d]
            return t.n, code
        if name == "d":
            return t.d, self.div * len(_LEXICON) + self.div_next
        if name == "o":
            return t.o, self.org * len(_LEXICON) + self.org_next
        if name == "w":
            return t.w, self.word
        return t.g, self.gaz  # "g"


@cache
def _alternation(words: frozenset[str]) -> str:
    """A regex matching any of ``words``, longer words first (leftmost-first semantics then
    pick the longest word at the leftmost position: forward maximum matching)."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _fmm_codes(
    text: str, words: frozenset[str], kinds: dict[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Forward maximum matching over ``text`` as :func:`~.features._longest_matches` does it:
    per character 0 outside a word, 1 / 2 / 3 at the beginning / inside / end of one (a
    one-character word is an end); and, with ``kinds`` (word → kind), per character the index
    of its word's kind among the sorted kinds (0 outside words).

    The matching runs in Polars' regex engine; the words it returns, in order, are found again
    in ``text`` to place them."""
    n = len(text)
    codes = np.zeros(n, dtype=np.int64)
    kind_of = np.zeros(n, dtype=np.int64)
    if not words or not n:
        return codes, kind_of
    found = pl.Series([text]).str.extract_all(_alternation(words))[0]
    if found is None or not len(found):
        return codes, kind_of
    matched: list[str] = found.to_list()
    starts: list[int] = []
    pos = 0
    find = text.find
    for w in matched:
        pos = find(w, pos)
        starts.append(pos)
        pos += len(w)
    st = np.asarray(starts, dtype=np.int64)
    ln = np.fromiter((len(w) for w in matched), np.int64, count=len(matched))
    covered = np.repeat(st, ln) + (np.arange(int(ln.sum())) - np.repeat(np.cumsum(ln) - ln, ln))
    codes[covered] = 2
    codes[st] = 1
    codes[st + ln - 1] = 3
    if kinds is not None:
        index = {k: j for j, k in enumerate(sorted(set(kinds.values())))}
        kid = np.fromiter((index[kinds[w]] for w in matched), np.int64, count=len(matched))
        kind_of[covered] = np.repeat(kid, ln)
    return codes, kind_of


def _shifted(values: np.ndarray, pos: np.ndarray, n: np.ndarray, d: int) -> np.ndarray:
    """``values`` of the character ``d`` places away in the same chunk, else ``^``/``$`` (0/1)."""
    if d == 0:
        return values
    moved = np.roll(values, -d)
    if d < 0:
        return np.where(pos + d >= 0, moved, 0)
    return np.where(pos + d < n, moved, 1)
