"""Compiled (Numba) loops of the batched CRF decoder (:mod:`.decoder`).

Per chunk of text, in one pass and without the interpreter: the lexicon matches (forward
maximum matching over a trie), the state scores of every character (the weight rows of the
fifteen templates added in CRFsuite's order), Viterbi (ties to the lowest label, as CRFsuite),
the scaled forward-backward marginals (CRFsuite's order of sums) and the BIO spans with their
smallest marginal. The functions release the GIL (``nogil``), so that batches decode in
threads side by side, and are cached on disk (``cache``): the first call in a fresh install
compiles them (a few seconds), later processes load them.

Codes and tables are built by :mod:`.decoder`; ``tests/engine/prose/test_decoder.py`` compares
the results with python-crfsuite's tagger.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np

# Numba caches compiled functions beside this file; a read-only install (a system package, a
# container image) would leave it no place, and it refuses to compile a ``cache=True`` function
# without one. Point it at a private temporary folder then, before Numba reads its settings.
if "NUMBA_CACHE_DIR" not in os.environ and not os.access(Path(__file__).parent, os.W_OK):
    os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "baomi-numba-cache")

from numba import njit


@njit(nogil=True, cache=True)
def _slot(key: int, mask: int) -> int:
    """Fibonacci hashing in int64 (wrapping; the golden-ratio constant as a signed value)."""
    return ((key * -0x61C8864680B583EB) >> 32) & mask


@njit(nogil=True, cache=True)
def build_table(keys_in, vals_in, size):  # type: ignore[no-untyped-def]
    """Open-addressing hash table (``size`` a power of two) of non-negative int64 keys."""
    keys = np.full(size, -1, dtype=np.int64)
    vals = np.zeros(size, dtype=np.int64)
    mask = size - 1
    for e in range(len(keys_in)):
        key = keys_in[e]
        i = _slot(key, mask)
        while keys[i] != -1:
            i = (i + 1) & mask
        keys[i] = key
        vals[i] = vals_in[e]
    return keys, vals


@njit(nogil=True, cache=True)
def _find(keys, vals, key, default):  # type: ignore[no-untyped-def]
    mask = len(keys) - 1
    i = _slot(key, mask)
    while True:
        k = keys[i]
        if k == key:
            return vals[i]
        if k == -1:
            return default
        i = (i + 1) & mask


@njit(nogil=True, cache=True)
def _longest(cps, a, b, root, keys, vals, term, first, out, kinds):  # type: ignore[no-untyped-def]
    """Forward maximum matching of ``cps[a:b]`` from trie ``root``: ``out[i - a]`` 1 / 2 / 3
    at the beginning / inside / end of a word (a one-character word is an end), 0 elsewhere;
    ``kinds`` (when not empty) the word's kind there. ``first[cp]`` has bit ``root`` set when
    a word of this trie starts with ``cp`` (most characters start none)."""
    bit = 1 << root
    i = a
    while i < b:
        if not first[cps[i]] & bit:
            out[i - a] = 0
            i += 1
            continue
        node = root
        best = 0
        kind = 0
        j = i
        while j < b:
            node = _find(keys, vals, (node << 21) | cps[j], -1)
            if node < 0:
                break
            j += 1
            if term[node] >= 0:
                best = j - i
                kind = term[node]
        if best == 0:
            out[i - a] = 0
            i += 1
            continue
        out[i - a] = 1
        for p in range(i + 1 - a, i + best - a):
            out[p] = 2
        out[i + best - 1 - a] = 3
        if len(kinds):
            for p in range(i - a, i + best - a):
                kinds[p] = kind
        i += best


@njit(nogil=True, cache=True)
def decode(  # type: ignore[no-untyped-def]
    cps,  # uint32 code points of all chunks, concatenated
    starts,  # int64 first character of each chunk
    lens,  # int64 length of each chunk
    sym_t,  # int32 per code point: symbol id (feature value of c/l/r/…)
    cls_t,  # int32 per code point: character class id
    nm_t,  # int32 per code point: name-shape id
    trie_keys,
    trie_vals,
    trie_term,  # int32 per trie node: word kind, -1 where no word ends
    roots,  # int64 [divisions, org suffixes, common words, gazetteer] (0, 1, 2, 3)
    first_t,  # uint8 per code point: bit r set when a word of root r starts with it
    single,  # int64 (5, radix): rows of c, l, r, ll, rr by symbol
    pair_keys,  # hash table (build_table) of the symbol pairs the pair templates know:
    pair_index,  # key first symbol · radix + second symbol → line of ``pair_rows``
    pair_rows,  # int64 (pairs + 1, 4): rows of lc, cr, ll2, rr2; the last line for others
    radix,
    missing,  # the zero row of the weight table
    k_t,
    n_t,
    d_t,
    o_t,
    w_t,
    g_t,
    n_kinds,
    extra_rows,  # int64 (characters of the chunks in order, extra templates): rows added last
    weights,  # float64 (rows, labels)
    trans,  # float64 (labels, labels)
    exp_trans,
    kind,  # int64 per label: its entity, 0 for O
    path_out,  # int64 per character: the Viterbi label
    marg_out,  # float64 per character: the marginal of that label (where a span is)
):
    n_labels = weights.shape[1]
    width = 0
    for c in range(len(lens)):
        width = max(width, lens[c])
    s = np.empty((width, n_labels))
    es = np.empty((width, n_labels))
    back = np.empty((width, n_labels), dtype=np.int64)
    delta = np.empty(n_labels)
    nd = np.empty(n_labels)
    alpha = np.empty((width, n_labels))
    beta = np.empty((width, n_labels))
    scale = np.empty(width)
    row = np.empty(n_labels)
    sym = np.empty(width + 4, dtype=np.int64)
    cls = np.empty(width + 2, dtype=np.int64)
    nm = np.empty(width + 4, dtype=np.int64)
    pair = np.empty(width + 3, dtype=np.int64)  # line of pair_rows of (sym[x], sym[x + 1])
    unknown_pair = len(pair_rows) - 1
    div = np.zeros(width + 1, dtype=np.int64)
    org = np.zeros(width + 1, dtype=np.int64)
    word = np.zeros(width, dtype=np.int64)
    gaz = np.zeros(width, dtype=np.int64)
    gkind = np.zeros(width, dtype=np.int64)
    nokind = np.zeros(0, dtype=np.int64)
    n_extra = extra_rows.shape[1]
    rowsel = np.empty(15, dtype=np.int64)
    loc = 0  # the chunk's first row in ``extra_rows`` (the chunks' characters in order)
    for c in range(len(lens)):
        a = starts[c]
        n = lens[c]
        b = a + n
        if c:
            loc += lens[c - 1]
        # padded symbol, class and name-shape codes: ^ = 0 before, $ = 1 after
        sym[0] = sym[1] = 0
        cls[0] = 0
        nm[0] = nm[1] = 0
        for t in range(n):
            cp = cps[a + t]
            sym[t + 2] = sym_t[cp]
            cls[t + 1] = cls_t[cp]
            nm[t + 2] = nm_t[cp]
        sym[n + 2] = sym[n + 3] = 1
        cls[n + 1] = 1
        nm[n + 2] = nm[n + 3] = 1
        _longest(cps, a, b, roots[0], trie_keys, trie_vals, trie_term, first_t, div[:n], nokind)
        _longest(cps, a, b, roots[1], trie_keys, trie_vals, trie_term, first_t, org[:n], nokind)
        _longest(cps, a, b, roots[2], trie_keys, trie_vals, trie_term, first_t, word[:n], nokind)
        _longest(cps, a, b, roots[3], trie_keys, trie_vals, trie_term, first_t, gaz[:n], gkind[:n])
        div[n] = 4  # "$" past the end
        for x in range(n + 3):
            pair[x] = _find(pair_keys, pair_index, sym[x] * radix + sym[x + 1], unknown_pair)
        org[n] = 4
        for t in range(n):
            j = t + 2
            rowsel[0] = single[0, sym[j]]
            rowsel[1] = single[1, sym[j - 1]]
            rowsel[2] = single[2, sym[j + 1]]
            rowsel[3] = single[3, sym[j - 2]]
            rowsel[4] = single[4, sym[j + 2]]
            rowsel[5] = pair_rows[pair[j - 1], 0]  # lc: (j - 1, j)
            rowsel[6] = pair_rows[pair[j], 1]  # cr: (j, j + 1)
            rowsel[7] = pair_rows[pair[j - 2], 2]  # ll2: (j - 2, j - 1)
            rowsel[8] = pair_rows[pair[j + 1], 3]  # rr2: (j + 1, j + 2)
            rowsel[9] = k_t[(cls[t] * 10 + cls[t + 1]) * 10 + cls[t + 2]]
            code = nm[j - 2]
            for d in range(-1, 3):
                code = code * 7 + nm[j + d]
            rowsel[10] = n_t[code]
            rowsel[11] = d_t[div[t] * 5 + div[t + 1]]
            rowsel[12] = o_t[org[t] * 5 + org[t + 1]]
            rowsel[13] = w_t[word[t]]
            g = gaz[t]
            rowsel[14] = g_t[0 if g == 0 else 1 + gkind[t] * 3 + g - 1]
            # per label, the templates added in CRFsuite's order; a row at a time (the
            # labels side by side: one contiguous row read per template, vectorised)
            for lab in range(n_labels):
                s[t, lab] = 0.0
            for q in range(15):
                wr = weights[rowsel[q]]
                for lab in range(n_labels):
                    s[t, lab] += wr[lab]
            for q in range(n_extra):
                wr = weights[extra_rows[loc + t, q]]
                for lab in range(n_labels):
                    s[t, lab] += wr[lab]
        _viterbi(s, n, trans, back, delta, nd, path_out[a:b])
        tagged = False
        for t in range(n):
            tagged |= kind[path_out[a + t]] != 0
        if not tagged:  # no span: the marginals would not be read
            continue
        _marginals(s, n, exp_trans, es, alpha, beta, scale, row, path_out[a:b], marg_out[a:b])


@njit(nogil=True, cache=True)
def _viterbi(s, n, trans, back, delta, nd, path):  # type: ignore[no-untyped-def]
    n_labels = s.shape[1]
    for j in range(n_labels):
        delta[j] = s[0, j]
    for t in range(1, n):
        for j in range(n_labels):
            arg = 0
            best = delta[0] + trans[0, j]
            for i in range(1, n_labels):
                v = delta[i] + trans[i, j]
                if v > best:  # the first maximum, as CRFsuite
                    best = v
                    arg = i
            nd[j] = best + s[t, j]
            back[t, j] = arg
        for j in range(n_labels):
            delta[j] = nd[j]
    last = 0
    for j in range(1, n_labels):
        if delta[j] > delta[last]:
            last = j
    path[n - 1] = last
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]


@njit(nogil=True, cache=True)
def _marginals(s, n, et, es, alpha, beta, scale, row, path, marg):  # type: ignore[no-untyped-def]
    """Scaled forward-backward as CRFsuite computes it; ``marg`` the chosen label's marginal."""
    n_labels = s.shape[1]
    for t in range(n):
        for j in range(n_labels):
            es[t, j] = math.exp(s[t, j])
    for t in range(n):
        total = 0.0
        for j in range(n_labels):
            if t == 0:
                v = es[0, j]
            else:
                v = 0.0
                for i in range(n_labels):
                    v += alpha[t - 1, i] * et[i, j]
                v *= es[t, j]
            alpha[t, j] = v
            total += v
        sc = 1.0 / total
        scale[t] = sc
        for j in range(n_labels):
            alpha[t, j] *= sc
    for j in range(n_labels):
        beta[n - 1, j] = scale[n - 1]
    for t in range(n - 2, -1, -1):
        for j in range(n_labels):
            row[j] = es[t + 1, j] * beta[t + 1, j]
        for i in range(n_labels):
            v = 0.0
            for j in range(n_labels):
                v += row[j] * et[i, j]
            beta[t, i] = v * scale[t]
    for t in range(n):
        k = path[t]
        marg[t] = alpha[t, k] * beta[t, k] / scale[t]


@njit(nogil=True, cache=True)
def _walk_spans(path, marg, starts, lens, kind, begins, fill, chunk, start, end, ent, low):  # type: ignore[no-untyped-def]
    """The number of spans of the chunks; ``fill``: written into ``chunk``, ``start``…"""
    m = 0
    for c in range(len(lens)):
        a = starts[c]
        n = lens[c]
        t = 0
        while t < n:
            k = kind[path[a + t]]
            if k == 0:
                t += 1
                continue
            e = t + 1
            while e < n:
                nxt = path[a + e]
                if kind[nxt] != k or begins[nxt]:
                    break
                e += 1
            if fill:
                least = marg[a + t]
                for p in range(a + t + 1, a + e):
                    if marg[p] < least:
                        least = marg[p]
                chunk[m] = c
                start[m] = t
                end[m] = e
                ent[m] = k
                low[m] = least
            m += 1
            t = e
    return m


@njit(nogil=True, cache=True)
def spans(path, marg, starts, lens, kind, begins):  # type: ignore[no-untyped-def]
    """BIO paths → (chunk, start, end, entity, smallest marginal) of every span, as
    :func:`~.spans.spans_from_tags` reads the tags (offsets within the chunk).

    Two passes, the spans counted first: output arrays grown (and so reassigned) inside the
    loop cost Numba a reference count update per character (7× the whole loop)."""
    none = np.empty(0, dtype=np.int64)
    m = _walk_spans(path, marg, starts, lens, kind, begins, False, none, none, none, none, marg)
    out = (
        np.empty(m, dtype=np.int64),
        np.empty(m, dtype=np.int64),
        np.empty(m, dtype=np.int64),
        np.empty(m, dtype=np.int64),
        np.empty(m),
    )
    _walk_spans(path, marg, starts, lens, kind, begins, True, *out)
    return out


#: Bits of the per-code-point break table (:func:`chunks`).
SENTENCE_END, SOFT_END, BLANK = 1, 2, 4


@njit(nogil=True, cache=True)
def _push(buf, m, text, a, b):  # type: ignore[no-untyped-def]
    if m == len(buf):
        bigger = np.empty((2 * len(buf), 3), dtype=np.int64)
        bigger[:m] = buf
        buf = bigger
    buf[m, 0] = text
    buf[m, 1] = a
    buf[m, 2] = b
    return buf, m + 1


@njit(nogil=True, cache=True)
def _runs(cps, brk, a, b, bits, ends):  # type: ignore[no-untyped-def]
    """Where runs of ``bits`` characters end in ``cps[a:b]`` (as a regex ``[…]+`` finds them,
    left to right); the number of runs."""
    m = 0
    i = a
    while i < b:
        if brk[cps[i]] & bits:
            while i < b and brk[cps[i]] & bits:
                i += 1
            ends[m] = i
            m += 1
        else:
            i += 1
    return m


@njit(nogil=True, cache=True)
def chunks(cps, text_starts, text_lens, brk, max_chunk):  # type: ignore[no-untyped-def]
    """The chunks :func:`~.spans.split_chunks` cuts every text into, less the blank ones:
    rows (text, start, end), offsets into the text. ``cps`` holds the texts one after the
    other; ``brk`` per code point the bits :data:`SENTENCE_END`, :data:`SOFT_END`,
    :data:`BLANK` (``str.isspace``; blanks also end clauses)."""
    buf = np.empty((max(16, len(text_lens)), 3), dtype=np.int64)
    m = 0
    width = 0
    for k in range(len(text_lens)):
        width = max(width, text_lens[k])
    ends = np.empty(width + 1, dtype=np.int64)
    soft = np.empty(width + 1, dtype=np.int64)
    pieces = np.empty((width + 1, 2), dtype=np.int64)
    for k in range(len(text_lens)):
        base = text_starts[k]
        n = text_lens[k]
        # pieces: up to the end of each run of sentence ends, then the rest
        runs = _runs(cps, brk, base, base + n, SENTENCE_END, ends)
        n_pieces = 0
        pos = base
        for r in range(runs):
            pieces[n_pieces, 0] = pos
            pieces[n_pieces, 1] = ends[r]
            n_pieces += 1
            pos = ends[r]
        if pos < base + n:
            pieces[n_pieces, 0] = pos
            pieces[n_pieces, 1] = base + n
            n_pieces += 1
        for q in range(n_pieces):
            ps = pieces[q, 0]
            pe = pieces[q, 1]
            if pe - ps <= max_chunk:
                buf, m = _push_unblank(buf, m, cps, brk, k, base, ps, pe)
                continue
            # a long piece: clauses packed into chunks of at most max_chunk, cut hard if need be
            n_soft = _runs(cps, brk, ps, pe, SOFT_END | BLANK, soft)
            cur_s = ps
            cur_e = ps
            if n_soft == 0 or soft[n_soft - 1] < pe:  # the rest after the last clause end
                soft[n_soft] = pe
                n_soft += 1
            for r in range(n_soft):
                e = soft[r]
                if e - cur_s > max_chunk and cur_e > cur_s:
                    buf, m = _push_unblank(buf, m, cps, brk, k, base, cur_s, cur_e)
                    cur_s = cur_e
                while e - cur_s > max_chunk:
                    buf, m = _push_unblank(buf, m, cps, brk, k, base, cur_s, cur_s + max_chunk)
                    cur_s += max_chunk
                cur_e = e
            if cur_e > cur_s:
                buf, m = _push_unblank(buf, m, cps, brk, k, base, cur_s, cur_e)
    return buf[:m]


@njit(nogil=True, cache=True)
def _push_unblank(buf, m, cps, brk, text, base, a, b):  # type: ignore[no-untyped-def]
    """Add chunk ``cps[a:b]`` of ``text`` unless it is blank (``str.strip`` would empty it)."""
    for i in range(a, b):
        if not brk[cps[i]] & BLANK:
            return _push(buf, m, text, a - base, b - base)
    return buf, m
