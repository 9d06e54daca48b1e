"""Batched text analysis: the same findings as :class:`TextAnalyzer`, for a whole column at once.

Calling a recognizer once per cell costs microseconds of interpreter overhead per call, which
dominates on a notes column where every cell holds a phone number. Here each pattern recognizer
works on a column in four vectorised steps:

1. **prefilter** — a Rust regex in Polars selects the candidate cells;
2. **match** — the Python pattern (look-arounds and all) runs once over the candidate cells
   joined with ``\\x00`` (never a word character, so look-arounds stop there), and match
   positions are mapped back to (cell, offset) with a binary search;
3. **validate** — :meth:`PatternRecognizer.validate_series` over all matched values;
4. **context and score** — context windows clipped at cell boundaries, the first context word
   found by one Polars regex, the score by the same rule as ``score_match``.

A column's header is context for every cell of the column (``header``): a recognizer whose
``header_hints`` the header names scores its matches there as if a context word stood beside
them, so a landline alone in a ``联系电话`` cell is reported as it would be after ``电话：``.

Full-width forms are folded with ``str.translate`` (1:1, offsets unchanged). Cells that need a
real NFKC mapping (offsets change) and recognizers that override ``analyze`` go through the
per-cell :class:`TextAnalyzer` path. Overlaps are resolved once, per cell, as in
:func:`resolve_overlaps`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import polars as pl

from baomi.engine import regex_thread
from baomi.engine.nfkc import not_nfkc
from baomi.engine.normalize import _FULLWIDTH, NormalizedText, normalize
from baomi.engine.prose.spans import SpanArrays, span_arrays, span_lists
from baomi.engine.recognizers.base import (
    CONFIRMED_SCORE,
    CONTEXT_BOOST,
    SOFT_ENTITIES,
    PatternRecognizer,
    Recognizer,
    in_fraction,
)
from baomi.engine.types import Finding, Validation

SEP = "\x00"
COLUMNS = (
    "idx",
    "start",
    "end",
    "entity",
    "score",
    "recognizer",
    "pattern",
    "validation",
    "context",
    "value",
)
_SCHEMA: dict[str, Any] = {
    "idx": pl.Int64,
    "start": pl.Int64,
    "end": pl.Int64,
    "entity": pl.String,
    "score": pl.Float64,
    "recognizer": pl.String,
    "pattern": pl.String,
    "validation": pl.String,
    "context": pl.String,
    "value": pl.String,
    "rank": pl.Int64,
}


def batchable(r: Recognizer) -> bool:
    """True when ``r`` is a plain pattern recognizer (its ``analyze`` is the base one)."""
    return (
        isinstance(r, PatternRecognizer)
        and type(r).analyze is PatternRecognizer.analyze
        and type(r).score_match is PatternRecognizer.score_match
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=_SCHEMA)


def _from_findings(rows: list[int], found: list[Finding], ranks: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "idx": rows,
            "start": [f.start for f in found],
            "end": [f.end for f in found],
            "entity": [f.entity for f in found],
            "score": [f.score for f in found],
            "recognizer": [f.explanation.recognizer for f in found],
            "pattern": [f.explanation.pattern for f in found],
            "validation": [f.explanation.validation.value for f in found],
            "context": [f.explanation.context_word for f in found],
            "value": [f.value for f in found],
            "rank": ranks,
        },
        schema=_SCHEMA,
    )


def _context_regex(words: Sequence[str]) -> str | None:
    if not words:
        return None
    return "(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def header_context(r: Recognizer, header: str | None) -> str | None:
    """The context a column's header gives ``r``'s matches in its cells (``header:联系电话``),
    or None when the header does not name ``r``'s entity (or ``r`` scores no context)."""
    if not header or not isinstance(r, PatternRecognizer) or not r.named_by(header):
        return None
    return "header:" + header


def validation_of(ok: pl.Expr) -> pl.Expr:
    """The explanation's validation of a three-way check (true, false, null: cannot tell)."""
    return (
        pl.when(ok)
        .then(pl.lit(Validation.CONFIRMED.value))
        .when(ok.is_null())
        .then(pl.lit(Validation.UNKNOWN.value))
        .otherwise(pl.lit(Validation.REJECTED.value))
    )


def _pattern_matches(
    r: PatternRecognizer,
    rank: int,
    cand: pl.Series,
    cells: np.ndarray[Any, Any],
    header_word: str | None = None,
) -> pl.DataFrame:
    """All matches of ``r``'s patterns in ``cand`` (cells already normalised, no nulls), one
    frame. Python's ``re`` finds the spans (look-arounds) in the cells joined with
    :data:`SEP` (joined in Polars: one Python string, not one per cell); the matched values
    and the context windows are sliced out in Polars. ``header_word``: the column header's
    context, for matches with no context word of their own. Cells that the patterns
    relaxed into one Rust regex (:func:`_relaxed`) do not match cannot hold a match and are
    left out first: ``re`` reads only the rest; and in a long column a pattern that few of
    those cells can match (a 15-digit ID where 18-digit ones are common, a number after a
    label word) reads only the cells its own relaxed regex keeps."""
    relaxed = _relaxed(r)
    if relaxed is not None and _worth_relaxing(cand, relaxed):
        keep = cand.str.contains(relaxed)
        if not keep.all():
            cand, cells = cand.filter(keep), cells[keep.to_numpy()]
        if not len(cand):
            return _empty()
    whole = _Joined(cand, cells)
    own = _relaxed_patterns(r) if len(cand) > RELAX_SAMPLE and len(r._compiled) > 1 else ()
    w = r.context_window
    after = w if r.context_after is None else r.context_after
    frames: list[pl.DataFrame] = []
    for k, (pattern, written) in enumerate(r._compiled):
        part = own[k] if own else None
        view = whole
        if part is not None and _worth_relaxing(cand, part):
            keep = cand.str.contains(part)
            if not keep.any():
                continue
            if not keep.all():
                view = _Joined(cand.filter(keep), cells[keep.to_numpy()])
        joined, starts, lengths = view.joined, view.starts, view.lengths
        rx = _searched(pattern.search_regex) if pattern.search_regex else _accelerated(written)
        g = "v" if "v" in rx.groupindex else 0
        found = [m.span(g) for m in rx.finditer(joined)]
        if r.numeric:  # digits after a decimal point are that number's fraction
            found = [(a, b) for a, b in found if not in_fraction(joined, a)]
        if not found:
            continue
        se = np.array(found, dtype=np.int64).reshape(-1, 2)
        pos = np.searchsorted(starts, se[:, 0], side="right") - 1
        inside = se[:, 1] <= starts[pos] + lengths[pos]
        pos, se = pos[inside], se[inside]
        if not len(pos):
            continue
        n = len(pos)
        # the matched text and its context window: sliced in Polars from each match's cell,
        # or — in a long cell, where slicing at a character offset reads the cell from its
        # start for every match (a 6 MB line of a text file: minutes) — from the joined text
        texts: dict[str, Any] = (
            _around(joined, se, starts[pos], starts[pos] + lengths[pos], w, after)
            if whole.long  # one way for every pattern: their frames are joined
            else {"_cell": view.cand.gather(pos)}
        )
        frames.append(
            pl.DataFrame(
                {
                    "idx": view.cells[pos],
                    "start": se[:, 0] - starts[pos],
                    "end": se[:, 1] - starts[pos],
                    **texts,
                    # constants as arrays: a scalar here costs a Polars query (pl.repeat)
                    "pattern": pl.Series([pattern.name], dtype=pl.String).new_from_index(0, n),
                    "base": np.full(n, pattern.score, dtype=np.float64),
                    "need_ctx": np.full(n, pattern.context_required, dtype=np.bool_),
                }
            )
        )
    if not frames:
        return _empty()
    cell, start, end = pl.col("_cell"), pl.col("start"), pl.col("end")
    left = pl.max_horizontal(start - w, pl.lit(0, dtype=pl.Int64))
    df = pl.concat(frames)
    if "_cell" in df.columns:
        df = df.with_columns(
            raw=cell.str.slice(start, end - start),
            window=pl.concat_str(
                [cell.str.slice(left, start - left), pl.lit(" "), cell.str.slice(end, after)]
            ),
        ).drop("_cell")

    values = r.canonical_series(df.get_column("raw"))
    if type(r).excluded is not PatternRecognizer.excluded:
        keep = ~r.excluded_series(values)
        df, values = df.filter(keep), values.filter(keep)
    if type(r).validate is PatternRecognizer.validate:
        ok = pl.repeat(None, df.height, dtype=pl.Boolean, eager=True).alias("ok")
    else:
        ok = r.validate_series(values).alias("ok")
    ctx_rx = _context_regex(r.context)
    context = (
        pl.col("window").str.to_lowercase().str.extract(ctx_rx, 1)
        if ctx_rx
        else pl.lit(None, dtype=pl.String)
    )
    if header_word is not None:
        context = context.fill_null(pl.lit(header_word, dtype=pl.String))
    validation = validation_of(pl.col("ok"))
    base = pl.when(pl.col("ok") == False).then(r.rejected_score).otherwise(pl.col("base"))  # noqa: E712
    boosted = base + pl.when(pl.col("context").is_not_null()).then(CONTEXT_BOOST).otherwise(0.0)
    score = (
        pl.when(pl.col("need_ctx") & pl.col("context").is_null())
        .then(0.0)
        .when(pl.col("ok"))
        .then(CONFIRMED_SCORE)
        .otherwise(pl.min_horizontal(boosted, pl.lit(CONFIRMED_SCORE)))
    )
    # the rest in one query: a query costs ~0.1 ms however small the frame (documents)
    lazy = (
        df.lazy()
        .with_columns(value=values, ok=ok, context=context.alias("context"))
        .with_columns(validation=validation, score=score.round(2))
    )
    if r.reject_on_invalid:
        lazy = lazy.filter(pl.col("ok").is_null() | pl.col("ok"))
    return (
        lazy.select(
            "idx",
            "start",
            "end",
            entity=pl.lit(r.entity),
            score="score",
            recognizer=pl.lit(r.name),
            pattern="pattern",
            validation="validation",
            context="context",
            value="value",
            rank=pl.lit(rank, dtype=pl.Int64),
        )
        .cast(_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )


#: Characters from which a cell's matches are sliced from the joined text in Python
#: (:func:`_around`) rather than in Polars, whose slice at a character offset reads the cell
#: from its start for every match.
LONG_CELL = 16_384


class _Joined:
    """Candidate cells (and their indexes) joined with :data:`SEP` for ``re``: the text,
    each cell's start in it and its length; ``long``: some cell is over :data:`LONG_CELL`."""

    def __init__(self, cand: pl.Series, cells: np.ndarray[Any, Any]) -> None:
        self.cand, self.cells = cand, cells
        self.joined = _joined(cand)
        self.lengths = cand.str.len_chars().to_numpy().astype(np.int64)
        self.starts = np.zeros(len(cand), dtype=np.int64)
        if len(cand) > 1:
            self.starts[1:] = np.cumsum(self.lengths[:-1] + 1)
        self.long = bool(len(cand)) and int(self.lengths.max()) > LONG_CELL


def _around(
    joined: str,
    spans: np.ndarray[Any, Any],
    first: np.ndarray[Any, Any],
    last: np.ndarray[Any, Any],
    before: int,
    after: int,
) -> dict[str, Any]:
    """The ``raw`` text of each match (``spans`` in ``joined``) and its context ``window``
    — up to ``before`` characters before it and ``after`` after, within its cell
    (``first``, ``last``: the cell's bounds in ``joined``) — as the Polars slices give them."""
    raw: list[str] = []
    window: list[str] = []
    for (a, b), lo, hi in zip(spans.tolist(), first.tolist(), last.tolist(), strict=True):
        raw.append(joined[a:b])
        window.append(joined[max(a - before, lo) : a] + " " + joined[b : min(b + after, hi)])
    return {"raw": raw, "window": window}


@functools.lru_cache(maxsize=256)
def _relaxed(r: PatternRecognizer) -> str | None:
    """A Rust regex matching every cell in which one of ``r``'s patterns finds a match (and
    more): the patterns with their look-arounds and anchors dropped, a back-reference as its
    group's pattern, Python's classes as Rust classes at least as wide (:func:`_rust_of`).
    None when a pattern has a part it cannot write so (no cell is then left out)."""
    parts = _relaxed_patterns(r)
    if not parts or any(p is None for p in parts):
        return None
    return "|".join(f"(?:{p})" for p in parts)


@functools.lru_cache(maxsize=256)
def _relaxed_patterns(r: PatternRecognizer) -> tuple[str | None, ...]:
    r"""Each of ``r``'s patterns relaxed as :func:`_relaxed` relaxes them; None for a pattern
    with a part it cannot write so, or one that matches anywhere. A negative look-behind of
    one character class the pattern opens with, and a look-ahead it closes with, are kept as
    a character consumed (or the cell's edge): ``(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])``
    becomes ``(?:^|[^0-9A-Za-z])\d{15}(?:$|[^0-9A-Za-z])``, which matches a cell exactly
    where the pattern does — not in every cell of 18-digit numbers, as ``\d{15}`` would."""
    parts: list[str | None] = []
    for _, rx in r._compiled:
        try:
            parsed = re._parser.parse(rx.pattern, rx.flags)  # type: ignore[attr-defined]
            fold = bool(parsed.state.flags & re.IGNORECASE)
            seq = list(parsed)
            rust = _rust_of(seq, fold, {})
        except (re.error, _NotRelaxed):
            rust = None
        if rust:
            rust = (
                _edge(seq[0], -1, fold, "(?:^|[^{}])")
                + rust
                + _edge(seq[-1], 1, fold, "(?:$|[^{}])")
            )
        parts.append(rust or None)
    return tuple(parts)


def _edge(item: tuple[Any, Any], direction: int, fold: bool, form: str) -> str:
    """``form`` around the class of ``item`` where it is a negative look-behind (``direction``
    -1) or look-ahead (1) of one character of an exact class; else nothing."""
    c = re._constants  # type: ignore[attr-defined]
    op, av = item
    if op is not c.ASSERT_NOT or av[0] != direction or fold:
        return ""
    inner = list(av[1])
    if len(inner) != 1:
        return ""
    kind, v = inner[0]
    if kind is c.LITERAL:
        items = [(kind, v)]
    elif kind is c.IN and v and v[0][0] is not c.NEGATE:
        items = list(v)
    else:
        return ""
    if any(k is c.CATEGORY for k, _ in items):  # Rust's \d, \s are not Python's
        return ""
    members = _members(items, fold)
    return "" if members is None else form.format(members)


#: Candidate cells the relaxed regex is first tried on, and the share of them it must leave
#: out to be run on all: where it leaves out few (a notes column full of identifiers) its
#: pass costs more than the ``re`` time it saves.
RELAX_SAMPLE = 256
RELAX_MIN_DROPPED = 0.25


def _worth_relaxing(cand: pl.Series, relaxed: str) -> bool:
    if len(cand) <= RELAX_SAMPLE:
        return len(cand) > 0
    kept = cand.head(RELAX_SAMPLE).str.contains(relaxed).sum()
    return kept <= (1 - RELAX_MIN_DROPPED) * RELAX_SAMPLE


class _NotRelaxed(Exception):
    """A pattern part :func:`_rust_of` does not write."""


#: The characters Python's ``re`` matches for an ASCII letter with IGNORECASE, where more
#: than its two cases (``tests/engine/test_batch_relaxed.py`` checks them).
_CASE_EXTRA = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
_ANY = "(?s:.)"


def _char(cp: int) -> str:
    return f"\\x{{{cp:X}}}"


def _uncased(lo: int, hi: int) -> bool:
    """Whether the characters ``lo..hi`` have no case at all (IGNORECASE matches each as it
    is): ASCII non-letters, the CJK blocks."""
    if hi < 0x80:
        return not any(chr(x).isalpha() for x in range(lo, hi + 1))
    return lo >= 0x3000 and hi <= 0x9FFF


def _members(items: list[tuple[Any, Any]], fold: bool) -> str | None:
    """The inside of a Rust class at least as wide as Python's class ``items``, or None."""
    c = re._constants  # type: ignore[attr-defined]
    out: list[str] = []
    for kind, v in items:
        if kind is c.LITERAL or kind is c.RANGE:
            lo, hi = (v, v) if kind is c.LITERAL else v
            if not fold or _uncased(lo, hi):
                out.append(_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}")
            elif hi < 0x80:  # ASCII with letters: each letter's cases
                for x in range(lo, hi + 1):
                    ch = chr(x)
                    if ch.isalpha():
                        out.append(ch.lower() + ch.upper() + _CASE_EXTRA.get(ch.lower(), ""))
                    else:
                        out.append(_char(x))
            else:
                return None
        elif kind is c.CATEGORY and v is c.CATEGORY_DIGIT:
            out.append("\\d")
        elif kind is c.CATEGORY and v is c.CATEGORY_SPACE:
            out.append("\\s\\x{1C}-\\x{1F}")  # Python's \s: the separators too
        elif kind is c.CATEGORY and v is c.CATEGORY_WORD and not fold:
            out.append("\\w\\p{N}")  # Python's \w: ``str.isalnum``
        else:
            return None
    return "".join(out)


def _rust_of(seq: list[tuple[Any, Any]], fold: bool, groups: dict[int, str]) -> str:
    """Rust regex text matching at least what the parsed Python pattern ``seq`` matches,
    assertions dropped (``fold``: IGNORECASE; ``groups``: the text of each group so far)."""
    c = re._constants  # type: ignore[attr-defined]
    out: list[str] = []
    for op, av in seq:
        if op is c.LITERAL:
            members = _members([(op, av)], fold)
            out.append(_ANY if members is None else f"[{members}]")
        elif op is c.NOT_LITERAL:
            out.append(_ANY if fold else f"[^{_char(av)}]")
        elif op is c.ANY:
            out.append(_ANY)  # wider than Python's "." (no newline) is fine
        elif op is c.IN:
            negate = bool(av) and av[0][0] is c.NEGATE
            items = list(av[1:] if negate else av)
            members = _members(items, fold)
            # a negated class is exact only from exact members: not from Rust's \d or \s
            # (wider than Python's: another Unicode version), nor with IGNORECASE
            if members is None or (negate and (fold or any(k is c.CATEGORY for k, _ in items))):
                out.append(_ANY)
            else:
                out.append(f"[{'^' if negate else ''}{members}]")
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            inner = _rust_of(list(sub), fold, groups)
            top = "" if hi is c.MAXREPEAT else str(hi)
            out.append(f"(?:{inner}){{{lo},{top}}}" if inner else "")
        elif op is c.SUBPATTERN:
            group, add, drop, sub = av
            inner_fold = (fold or bool(add & re.IGNORECASE)) and not drop & re.IGNORECASE
            inner = _rust_of(list(sub), inner_fold, groups)
            if group is not None:
                groups[group] = inner
            out.append(f"(?:{inner})")
        elif op is c.ATOMIC_GROUP:
            out.append(f"(?:{_rust_of(list(av), fold, groups)})")
        elif op is c.BRANCH:
            out.append("(?:" + "|".join(_rust_of(list(b), fold, groups) for b in av[1]) + ")")
        elif op is c.GROUPREF:
            if av not in groups:
                raise _NotRelaxed
            out.append(f"(?:{groups[av]})")
        elif op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # dropped: without them the pattern matches more
        else:
            raise _NotRelaxed
    return "".join(out)


@functools.lru_cache(maxsize=64)
def _searched(regex: str) -> re.Pattern[str]:
    """A pattern's ``search_regex``, compiled."""
    return re.compile(regex)


#: A pattern that starts with fixed-width negative look-behinds, then its value group
#: (``(?<![0-9A-Za-z])(?P<v>\d{6}…``), and the parts: the look-behinds, the group's first
#: atom (one character class or character) and that atom's count.
_LEADING_LOOKBEHINDS = re.compile(
    r"((?:\(\?<!(?:[^()\[\]\\]|\\.|\[(?:[^\]\\]|\\.)*\])+\))+)"
    r"\(\?P<v>(\\d|\[(?:[^\]\\]|\\.)*\]|[0-9A-Za-z])(?:\{(\d+)(,\d*)?\})?"
)
_ONE_LOOKBEHIND = re.compile(r"\(\?<!((?:[^()\[\]\\]|\\.|\[(?:[^\]\\]|\\.)*\])+)\)")


@functools.lru_cache(maxsize=256)
def _accelerated(rx: re.Pattern[str]) -> re.Pattern[str]:
    r"""``rx`` with its leading look-behinds moved past the value's first character, where
    they look one character further back: ``(?<!X)(?P<v>\d{6}…`` becomes
    ``(?P<v>\d(?<!X[\s\S])\d{5}…``. The same matches (the character at the start is the
    atom's either way, so the look-behind sees the same text), but the pattern now starts
    with a character class, so ``re`` skips the positions where no match can start in C
    instead of trying the pattern at every character: a quarter less time in the notes.
    A pattern of any other shape is returned as it is."""
    m = None if rx.flags & re.VERBOSE else _LEADING_LOOKBEHINDS.match(rx.pattern)
    if m is None or rx.pattern[m.end() : m.end() + 1] in ("?", "*", "+", "{"):
        return rx  # not a plain count (``\d+``, a lazy ``{n,m}?``): left as it is
    behinds, atom, low, high = m.groups()
    if atom.startswith(("[]", "[^]")):  # a class opening with "]" reads on past it
        return rx
    rest = ""
    if low is not None:
        n = int(low)
        if n < 1:
            return rx
        if high is None:
            rest = f"{atom}{{{n - 1}}}" if n > 1 else ""
        elif high == ",":
            rest = f"{atom}{{{n - 1},}}"
        else:
            rest = f"{atom}{{{n - 1},{int(high[1:]) - 1}}}"
    moved = _ONE_LOOKBEHIND.sub(lambda b: "(?<!" + b.group(1) + r"[\s\S])", behinds)
    return re.compile("(?P<v>" + atom + moved + rest + rx.pattern[m.end() :], rx.flags)


_FW_FROM = [chr(c) for c in _FULLWIDTH]
_FW_TO = [chr(c) for c in _FULLWIDTH.values()]
_FW_ANY = "[" + "".join(re.escape(c) for c in _FW_FROM) + "]"


def _joined(cells: pl.Series) -> str:
    """``SEP.join(cells)`` built in Polars (``cells`` has no nulls)."""
    return str(cells.str.join(SEP).item()) if len(cells) else ""


def _fold(cells: pl.Series) -> tuple[pl.Series, np.ndarray[Any, Any]]:
    """Full-width forms folded (1:1, offsets kept), and a mask of cells needing real NFKC.

    ``cells`` has no nulls. The folding runs in Polars (Aho-Corasick over the column), ten
    times faster than ``str.translate`` on the joined text; only the cells holding a
    character that may not be NFKC become Python strings (:func:`~baomi.engine.nfkc.not_nfkc`).
    """
    if bool(cells.str.contains(_FW_ANY).any()):
        folded = cells.str.replace_many(_FW_FROM, _FW_TO)
    else:
        folded = cells
    return folded, not_nfkc(folded)


def analyze_column(
    cells: pl.Series,
    recognizers: Sequence[Recognizer],
    threshold: float,
    header: str | None = None,
) -> pl.DataFrame:
    """Findings for every cell of ``cells`` (String, nulls allowed); ``idx`` is the cell index.
    ``header``: the column's header, context for the recognizers it names (module docstring).

    Columns: idx, start, end, entity, score, recognizer, pattern, validation, context, value.
    """
    n = len(cells)
    if n == 0 or not recognizers:
        return _empty().drop("rank")
    filled = cells.fill_null("")
    normed_s, slow = _fold(filled)
    nonempty = (filled.str.len_chars() > 0).to_numpy()
    frames: list[pl.DataFrame] = []
    per_cell: list[tuple[int, Recognizer]] = []
    pre = _prefilters(filled, recognizers, header)
    # rank → cells, of the prose recognizers; their frame is found beside the patterns'
    rowed = {
        rank: pre[rank] if r.prefilter_for(header) else nonempty
        for rank, r in enumerate(recognizers)
        if not batchable(r) and _rowed(r, header)
    }
    prose = functools.partial(_prose_frame, filled, normed_s, slow, rowed, recognizers)
    pending = _beside(n, prose) if rowed else None
    for rank, r in enumerate(recognizers):
        mask = pre[rank] if r.prefilter_for(header) else nonempty
        if rank in rowed:
            continue
        if batchable(r):
            assert isinstance(r, PatternRecognizer)
            fast_idx = np.flatnonzero(mask & ~slow)
            if len(fast_idx):
                frames.append(
                    _pattern_matches(
                        r,
                        rank,
                        normed_s.gather(fast_idx),
                        fast_idx,
                        header_context(r, header),
                    )
                )
            per_cell.extend((int(i), r) for i in np.flatnonzero(mask & slow))
        else:
            per_cell.extend((int(i), r) for i in np.flatnonzero(mask))
    if pending is not None:
        frames.append(pending.result())
    elif rowed:
        frames.append(prose())
    if per_cell:
        rows: list[int] = []
        found: list[Finding] = []
        ranks: list[int] = []
        order = {id(r): k for k, r in enumerate(recognizers)}
        # Business text repeats itself (已电话回访，满意): a text is analysed once per recognizer
        # and its (immutable) findings reused for every cell that holds it.
        # Cell by cell, so that the prose recognizers of one text follow each other and share
        # one tagging (the backend remembers the last texts); the frame is sorted below.
        per_cell.sort(key=lambda item: item[0])
        # only the cells analysed one by one become Python strings
        wanted = sorted({i for i, _ in per_cell})
        texts = dict(zip(wanted, filled.gather(wanted).to_list(), strict=True))
        seen: dict[tuple[int, str], list[Finding]] = {}
        norms: dict[str, NormalizedText] = {}  # each distinct text normalised once
        prefetched = _prefetch(per_cell, texts, norms)
        try:
            for i, r in per_cell:
                rank = order[id(r)]
                text = texts[i]
                key = (rank, text)
                cell_found = seen.get(key)
                if cell_found is None:
                    norm = norms.get(text)
                    if norm is None:
                        norm = norms[text] = normalize(text)
                    cell_found = seen[key] = _with_header(r, r.analyze(text, norm), header)
                for f in cell_found:
                    rows.append(i)
                    found.append(f)
                    ranks.append(rank)
        finally:
            release(prefetched)
        frames.append(_from_findings(rows, found, ranks))
    if not frames:
        return _empty().drop("rank")
    df = pl.concat(frames).filter(pl.col("end") > pl.col("start")).sort("idx", "start", "rank")
    return _resolve(df).filter(pl.col("score") >= threshold).drop("rank")


#: Cells on which each recognizer's prefilter is first tried; the share of them a prefilter
#: may match to be one of the rare ones; and the share the rare ones together may match. The
#: rare prefilters joined into one regex select their cells first, and each runs on those
#: only: one regex pass over the column instead of one per recognizer where few cells can
#: hold anything (addresses, names, company names; in a notes column the passport, plate,
#: IP and date prefilters). Prefilters that match many cells run on every cell.
PREFILTER_SAMPLE = 512
PREFILTER_RARE = 0.05
PREFILTER_SHARE = 0.25


def _prefilters(
    filled: pl.Series, recognizers: Sequence[Recognizer], header: str | None = None
) -> dict[int, np.ndarray[Any, Any]]:
    """Each recognizer's prefilter over ``filled`` (no nulls): rank → mask. The rare ones
    (on a sample, :data:`PREFILTER_RARE`) run only on the cells matching them joined by
    ``|`` — the same masks: a cell matching a prefilter matches the join. Prefilters run in
    one query (Polars runs them side by side). ``header``: the column's, which widens the
    prefilter of a recognizer whose patterns it gives context
    (:meth:`~baomi.engine.recognizers.base.Recognizer.prefilter_for`)."""
    prefilters = [r.prefilter_for(header) for r in recognizers]
    ranks = [k for k, p in enumerate(prefilters) if p]
    frame = filled.to_frame("t")

    def select(on: pl.DataFrame, which: list[int]) -> pl.DataFrame:
        return on.select(pl.col("t").str.contains(str(prefilters[k])).alias(str(k)) for k in which)

    rare: list[int] = []
    if len(ranks) > 1 and len(filled) > PREFILTER_SAMPLE:
        sample = select(frame.head(PREFILTER_SAMPLE), ranks)
        hits = {k: sample.get_column(str(k)).to_numpy() for k in ranks}
        rare = [k for k in ranks if hits[k].mean() <= PREFILTER_RARE]
        if len(rare) < 2 or np.logical_or.reduce([hits[k] for k in rare]).mean() > PREFILTER_SHARE:
            rare = []
    common = [k for k in ranks if k not in rare]
    out: dict[int, np.ndarray[Any, Any]] = {}
    if common:
        pre = select(frame, common)
        out.update((k, pre.get_column(str(k)).to_numpy()) for k in common)
    if rare:
        # the join compiles in milliseconds: on the thread that keeps it compiled
        some = regex_thread.contains(filled, "|".join(f"(?:{prefilters[k]})" for k in rare))
        where = some.to_numpy()
        # no cell matches the join (most columns of no identifier): none matches any of them,
        # and their regexes need not run (nor be compiled again) on no cells
        matched = select(frame.filter(some), rare) if where.any() else None
        for k in rare:
            mask = np.zeros(len(filled), dtype=bool)
            if matched is not None:
                mask[where] = matched.get_column(str(k)).to_numpy()
            out[k] = mask
    return out


#: Cells from which a column's prose frame is found in a thread of its own, beside the
#: pattern recognizers' matches (the model's decoder and most of the Polars work release the
#: GIL): below it the thread's start costs more than the overlap gives.
PROSE_BESIDE_CELLS = 2048


@functools.cache
def _beside_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(2, thread_name_prefix="baomi-prose")


# a forked child has none of the pool's threads: it makes its own pool if it ever needs one
os.register_at_fork(after_in_child=_beside_pool.cache_clear)


def _beside(cells: int, job: Callable[[], pl.DataFrame]) -> Future[pl.DataFrame] | None:
    """``job`` (a column's :func:`_prose_frame`) started in another thread, where the column
    has ``cells`` enough and this process has the machine's cores to itself
    (:func:`~.prose.decoder.decoder_threads`: not in a worker process, whose siblings use the
    other cores); None: to be found in line."""
    # imported here: the decoder brings Numba, which a scan without the model never needs
    from baomi.engine.prose.decoder import decoder_threads

    if cells < PROSE_BESIDE_CELLS or decoder_threads() < 2:
        return None
    return _beside_pool().submit(job)


def _rowed(r: Recognizer, header: str | None) -> bool:
    """Whether ``r`` gives its findings as rows (``prose_rows``: the prose recognizers) and
    the column's header changes none of them."""
    return r.model_based and hasattr(r, "prose_rows") and header_context(r, header) is None


def _prose_frame(
    filled: pl.Series,
    folded: pl.Series,
    slow: np.ndarray[Any, Any],
    masks: Mapping[int, np.ndarray[Any, Any]],
    recognizers: Sequence[Recognizer],
) -> pl.DataFrame:
    """The findings of the recognizers that give rows (:func:`_rowed`; rank → the mask of
    the cells it analyses in ``masks``) as one frame, the rows the cell-by-cell loop would
    give: each distinct text normalised once (its Polars-folded form where that is its
    normalisation; ``slow`` marks the cells needing NFKC), tagged in one batch per backend
    (:func:`_tag_texts`: the spans as arrays), analysed once per recognizer only where it can
    find something — a span of its label, or one of its ``rule_words`` — by ``text_rows``
    (tuples, no :class:`Finding` each), and its rows repeated for every cell that holds it."""
    ranks = sorted(masks)
    cells = np.flatnonzero(np.logical_or.reduce([masks[k] for k in ranks]))
    text_of = _distinct_numbers(filled.gather(cells))  # in the order of the cells
    first = cells[np.unique(text_of, return_index=True)[1]]  # each distinct text's first cell
    originals = filled.gather(first)
    normed_s = folded.gather(first)  # each distinct text normalised
    slow_at = np.flatnonzero(slow[first]).tolist()
    slow_norms = {
        t: normalize(o) for t, o in zip(slow_at, originals.gather(slow_at).to_list(), strict=True)
    }
    if slow_norms:
        normed_s = normed_s.scatter(list(slow_norms), [n.text for n in slow_norms.values()])
    normed: list[str] = normed_s.to_list()
    # rule words, or a rule shape → texts with one
    worded: dict[tuple[str, ...] | str, np.ndarray[Any, Any]] = {}

    def ruled(
        words: tuple[str, ...] | None, shape: str | None
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
        """Where a recognizer with these ``rule_words`` and ``rule_shape`` may find a rule or
        veto span, and where it has the shape (None: everywhere — no shape, or no words)."""
        if words is None:
            return np.ones(len(normed), dtype=bool), None
        if words not in worded:
            worded[words] = (
                normed_s.str.contains_any(list(words)).to_numpy()
                if words
                else np.zeros(len(normed), dtype=bool)
            )
        if shape is None:
            return worded[words], None
        if shape not in worded:
            worded[shape] = normed_s.str.contains(shape).to_numpy()
        return worded[words] | worded[shape], worded[shape]

    def norm_of(t: int) -> NormalizedText:
        found = slow_norms.get(t)
        return found if found is not None else NormalizedText(str(originals[t]), normed[t])

    # texts whose offsets the normalisation changed (the others need no NormalizedText)
    shifted = {t: n for t, n in slow_norms.items() if n.offsets is not None}

    blank = np.fromiter((not x.strip() for x in normed), dtype=bool, count=len(normed))
    groups: dict[tuple[int, Any], tuple[np.ndarray[Any, Any], SpanArrays]] = {}
    prefetched: list[tuple[Any, list[str]]] = []
    rows: list[Any] = []  # (start, end, score, pattern, context, value) of every row
    entity: list[str] = []
    name: list[str] = []
    rank_of: list[int] = []
    row_text: list[int] = []
    try:
        # recognizers with one backend and one model text share the tagging
        keys: dict[int, tuple[int, Any]] = {
            k: (id(getattr(recognizers[k], "backend", None)), type(recognizers[k]).model_text)  # type: ignore[attr-defined]
            for k in ranks
        }
        for k in ranks:
            r: Any = recognizers[k]
            if keys[k] not in groups:  # each text given to the model once per backend
                wanted = np.logical_or.reduce(
                    [masks[j][first] for j in ranks if keys[j] == keys[k]]
                )
                groups[keys[k]] = _tag_texts(r, normed_s, norm_of, blank | ~wanted, prefetched)
            model_of, tagged = groups[keys[k]]
            words = r.rule_words() if hasattr(r, "rule_words") else None
            shape = r.rule_shape() if hasattr(r, "rule_shape") else None
            for t, found in _recognizer_rows(
                r,
                masks[k][first] & ~blank,
                model_of,
                tagged,
                *ruled(words, shape),
                normed,
                shifted,
                norm_of,
            ):
                rows.extend(found)
                row_text.extend([t] * len(found))
            n = len(rows) - len(entity)  # this recognizer's rows
            entity.extend([r.entity] * n)
            name.extend([r.name] * n)
            rank_of.extend([k] * n)
    finally:
        release(prefetched)
    if not rows:
        return _empty()
    start, end, score, pattern, word, value = zip(*rows, strict=True)
    # the rows by text, then (stable) by recognizer and in each recognizer's order
    order = np.argsort(np.asarray(row_text, dtype=np.int64), kind="stable")
    counts = np.bincount(np.asarray(row_text, dtype=np.int64), minlength=len(normed))
    firsts = np.cumsum(counts) - counts
    n_rows = counts[text_of]
    ends = np.cumsum(n_rows)
    take = order[np.repeat(firsts[text_of] - (ends - n_rows), n_rows) + np.arange(ends[-1])]
    distinct = pl.DataFrame(
        {
            "start": list(start),
            "end": list(end),
            "entity": entity,
            "score": list(score),
            "recognizer": name,
            "pattern": list(pattern),
            "context": list(word),
            "value": list(value),
            "rank": rank_of,
        },
        schema_overrides={"start": pl.Int64, "end": pl.Int64, "score": pl.Float64},
    )
    return (
        distinct.lazy()
        .select(pl.all().gather(pl.Series(take)))
        .with_columns(
            idx=pl.Series(np.repeat(cells, n_rows)),
            validation=pl.lit(Validation.UNKNOWN.value),
        )
        .select(list(_SCHEMA))
        .cast(_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )


def _distinct_numbers(texts: pl.Series) -> np.ndarray[Any, Any]:
    """Each of ``texts``' number among its distinct values, numbered in order of first
    appearance (a join in Polars: no Python string per cell)."""
    frame = texts.to_frame("t")
    numbers = frame.unique(maintain_order=True).with_row_index("n")
    joined = frame.join(numbers, on="t", how="left", maintain_order="left")
    return joined.get_column("n").to_numpy().astype(np.int64)


def _recognizer_rows(
    r: Any,
    on: np.ndarray[Any, Any],
    model_of: np.ndarray[Any, Any],
    tagged: SpanArrays,
    worded: np.ndarray[Any, Any],
    shaped: np.ndarray[Any, Any] | None,
    normed: Sequence[str],
    shifted: Mapping[int, NormalizedText],
    norm_of: Callable[[int], NormalizedText],
) -> Iterator[tuple[int, list[Any]]]:
    """``(text, rows)`` of recognizer ``r`` for the distinct texts where ``on`` (texts in
    order; none without a row): ``model_of[t]`` is text ``t``'s number in ``tagged`` (the
    spans of the distinct model texts, owners nondecreasing); ``worded``: the texts holding
    one of ``r.rule_words`` or its ``rule_shape``; ``shaped``: those with the shape (None:
    any text may have it — its rules that need it are tried on every text). ``text_rows`` is called only for texts with a span of ``r``'s
    label or a rule word (where its rules add rows, ``adds_rule_rows``): for the others it
    finds nothing. A recognizer without
    ``text_rows`` gets ``prose_rows`` for every text."""
    n_model = int(model_of.max()) + 1 if len(model_of) else 0
    if n_model == 0:
        return
    rows_of = getattr(r, "text_rows", None)
    if rows_of is None:
        spans = span_lists(tagged, n_model)
        for t in np.flatnonzero(on).tolist():
            found = r.prose_rows(norm_of(t), spans[int(model_of[t])])
            if found:
                yield t, found
        return
    own = tagged.label == r.label
    starts = tagged.start[own].tolist()
    ends = tagged.end[own].tolist()
    scores = tagged.score[own].tolist()
    bounds_a = np.searchsorted(tagged.owner[own], np.arange(n_model + 1))
    where = np.where(on, model_of, 0)
    spanned = bounds_a[where + 1] > bounds_a[where]
    work = on & (spanned | worded) if getattr(r, "adds_rule_rows", True) else on & spanned
    bounds = bounds_a.tolist()
    model = model_of.tolist()
    ruled = worded.tolist()
    has_shape = [True] * len(ruled) if shaped is None else shaped.tolist()
    shift = shifted.get
    for t in np.flatnonzero(work).tolist():
        a, b = bounds[model[t]], bounds[model[t] + 1]
        spans_t = list(zip(starts[a:b], ends[a:b], scores[a:b], strict=True))
        found = rows_of(normed[t], shift(t), spans_t, ruled[t], has_shape[t])
        if found:
            yield t, found


def _tag_texts(
    r: Any,
    normed: pl.Series,
    norm_of: Callable[[int], NormalizedText],
    skip: np.ndarray[Any, Any],
    held: list[Any],
) -> tuple[np.ndarray[Any, Any], SpanArrays]:
    """The backend's spans of ``r``'s model texts of the normalised texts ``normed`` but
    those where ``skip`` (``norm_of(t)``: text ``t``'s :class:`NormalizedText`): each text's
    distinct model text's number (-1 where skipped) and their spans as arrays — the spans
    ``r.analyze`` would look up. Every text in one batch, given straight to the batched
    tagger behind the shared cache (its ``inner.tag_arrays`` or ``inner.tag_many``), or else
    through :func:`prefetch` (the hold appended to ``held``) and ``tag``."""
    todo = np.flatnonzero(~skip)
    given = r.model_texts_of(normed.gather(todo)) if hasattr(r, "model_texts_of") else None
    if given is None:
        given = pl.Series([r.model_text(norm_of(t)) for t in todo.tolist()], dtype=pl.String)
    numbers = _distinct_numbers(given)  # of the distinct model texts, in order
    model_of = np.full(len(normed), -1, dtype=np.int64)
    model_of[todo] = numbers
    wanted = given.gather(np.unique(numbers, return_index=True)[1]).to_list()
    backend = r.backend
    inner = getattr(backend, "inner", None)
    arrays = getattr(inner, "tag_arrays", None)
    many = getattr(inner, "tag_many", None)
    if arrays is not None:
        tagged: SpanArrays = arrays(wanted)
    elif many is not None:
        tagged = span_arrays(many(wanted))
    else:
        if hasattr(backend, "prefetch"):
            held.append((backend, backend.prefetch(wanted)))
        tagged = span_arrays([backend.tag(t) for t in wanted])
    if len(tagged.owner) > 1 and bool(np.any(np.diff(tagged.owner) < 0)):
        tagged = SpanArrays(*(a[np.argsort(tagged.owner, kind="stable")] for a in tagged))
    return model_of, tagged


def _with_header(r: Recognizer, found: list[Finding], header: str | None) -> list[Finding]:
    """``r``'s findings in one cell scored with the column header as context (as
    :func:`_pattern_matches` scores them), where they have no context word of their own."""
    word = header_context(r, header)
    if word is None or not found:
        return found
    assert isinstance(r, PatternRecognizer)
    return [
        f
        if f.explanation.context_word is not None
        or f.explanation.validation is Validation.CONFIRMED
        else dataclasses.replace(
            f,
            score=round(min(f.score + CONTEXT_BOOST, CONFIRMED_SCORE), 2),
            explanation=dataclasses.replace(f.explanation, context_word=word),
        )
        for f in found
    ]


def _prefetch(
    per_cell: list[tuple[int, Recognizer]],
    texts: Mapping[int, str],
    norms: dict[str, NormalizedText],
) -> list[tuple[Any, list[str]]]:
    """Tag the texts the cell-by-cell loop will give the model-based recognizers, in one
    batch (see :func:`prefetch`), normalising each distinct text once into ``norms``."""
    pairs: list[tuple[Recognizer, NormalizedText]] = []
    for i, r in per_cell:
        if not r.model_based:
            continue
        norm = norms.get(texts[i])
        if norm is None:
            norm = norms[texts[i]] = normalize(texts[i])
        pairs.append((r, norm))
    return prefetch(pairs)


def prefetch(
    pairs: Iterable[tuple[Recognizer, NormalizedText]],
) -> list[tuple[Any, list[str]]]:
    """Tag, in one batch per backend, the (normalised) texts that model-based recognizers
    are about to analyse one at a time: a backend with ``prefetch`` (the prose model's
    batched decoder, :meth:`~baomi.engine.prose.backends.CachedBackend.prefetch`) keeps the
    spans until :func:`release` is given the returned list. A recognizer with ``model_text``
    says which text of ``norm`` its backend is given."""
    wanted: dict[int, tuple[Any, dict[str, None]]] = {}
    for r, norm in pairs:
        backend = getattr(r, "backend", None) if r.model_based else None
        if backend is None or not hasattr(backend, "prefetch") or not norm.text.strip():
            continue
        to_model = getattr(r, "model_text", None)
        text = to_model(norm) if to_model is not None else norm.text
        wanted.setdefault(id(backend), (backend, {}))[1][text] = None
    return [(backend, backend.prefetch(list(found))) for backend, found in wanted.values()]


def release(prefetched: list[tuple[Any, list[str]]]) -> None:
    """Forget what :func:`prefetch` preloaded."""
    for backend, texts in prefetched:
        backend.release(texts)


def _resolve(df: pl.DataFrame) -> pl.DataFrame:
    """Resolve overlapping findings per cell, vectorised, with the rule of
    :func:`resolve_overlaps`: repeatedly keep each cell's best finding (an identifier before a
    name, an address or an organisation, then higher score, longer, earlier, then registry
    order) and drop what overlaps it.

    ``df`` must be sorted by idx, start.

    The rule runs per cluster of a cell's overlapping findings (a finding that starts after
    every earlier one of its cell ended opens the next): a finding never overlaps another
    cluster's, so each is resolved alone with the same result — in as many rounds as its
    own findings kept, not as the cell's (a long line with 16,000 findings: 16,000 rounds).
    """
    # Running maximum of ``end`` within each cell without a window: rows are sorted by idx,
    # so the running maximum of idx·2³² + end decodes to the cell's own rows once it has any.
    key = (pl.col("idx") * (1 << 32) + pl.col("end")).cum_max().shift(1)
    same_cell = (key // (1 << 32)) == pl.col("idx")
    flagged = df.with_columns(ov=(same_cell & (pl.col("start") < key % (1 << 32))).fill_null(False))
    if not flagged.get_column("ov").any():
        return df
    flagged = flagged.with_columns(_cl=(~pl.col("ov")).cum_sum())
    bad = flagged.filter(pl.col("ov")).get_column("_cl").unique().implode()
    clean = flagged.filter(~pl.col("_cl").is_in(bad)).drop("ov", "_cl")
    rest = (
        flagged.filter(pl.col("_cl").is_in(bad))
        .drop("ov")
        .with_columns(
            _len=pl.col("end") - pl.col("start"),
            _soft=pl.col("entity").is_in(sorted(SOFT_ENTITIES)),
        )
        .sort(
            ["_cl", "_soft", "score", "_len", "start", "rank"],
            descending=[False, False, True, True, False, False],
        )
    )
    kept: list[pl.DataFrame] = []
    while rest.height:
        win = rest.group_by("_cl", maintain_order=True).first()
        kept.append(win.select(df.columns))
        rest = (
            rest.join(win.select("_cl", _ws="start", _we="end"), on="_cl", how="left")
            .filter(~((pl.col("start") < pl.col("_we")) & (pl.col("_ws") < pl.col("end"))))
            .drop("_ws", "_we")
        )
    return pl.concat([clean, *kept]).sort("idx", "start")
