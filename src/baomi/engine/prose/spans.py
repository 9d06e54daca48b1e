"""Tagged spans and the chunking of long texts, shared by the tagger (:mod:`.model`) and the
batched decoder (:mod:`.decoder`): below both, so neither imports the other for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

#: Chunks longer than this are cut again at commas, then hard at this length.
MAX_CHUNK = 160
#: Sentence ends (a chunk ends after a run of them) and clause ends (where a long sentence is
#: cut, with any blank, ``\s``); the compiled decoder (:mod:`.kernels`) reads the same sets.
SENTENCE_END_CHARS = "。！？!?；;\n\r"
SOFT_END_CHARS = "，,、：:"
_SENTENCE_END = re.compile(f"[{SENTENCE_END_CHARS}]+")
_SOFT_END = re.compile(f"[{SOFT_END_CHARS}\\s]+")


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


class SpanArrays(NamedTuple):
    """The spans of many texts as arrays, one entry per span: the text it is in (``owner``,
    an index into the texts, nondecreasing), its offsets, label (``object`` strings) and
    score; a text's spans in the order :class:`EntitySpan` lists give them."""

    owner: np.ndarray[Any, Any]
    start: np.ndarray[Any, Any]
    end: np.ndarray[Any, Any]
    label: np.ndarray[Any, Any]
    score: np.ndarray[Any, Any]


def no_spans() -> SpanArrays:
    """:class:`SpanArrays` without a span."""
    empty = np.zeros(0, dtype=np.int64)
    return SpanArrays(empty, empty, empty, np.zeros(0, dtype=object), np.zeros(0))


def span_arrays(tagged: Sequence[Sequence[EntitySpan]]) -> SpanArrays:
    """The spans of ``tagged`` (one list per text) as :class:`SpanArrays`."""
    flat = [s for spans in tagged for s in spans]
    if not flat:
        return no_spans()
    owner = np.repeat(np.arange(len(tagged), dtype=np.int64), [len(s) for s in tagged])
    return SpanArrays(
        owner,
        np.fromiter((s.start for s in flat), dtype=np.int64, count=len(flat)),
        np.fromiter((s.end for s in flat), dtype=np.int64, count=len(flat)),
        np.asarray([s.label for s in flat], dtype=object),
        np.fromiter((s.score for s in flat), dtype=np.float64, count=len(flat)),
    )


def span_lists(arrays: SpanArrays, n_texts: int) -> list[list[EntitySpan]]:
    """``arrays`` as one list of :class:`EntitySpan` per text (``n_texts`` texts)."""
    out: list[list[EntitySpan]] = [[] for _ in range(n_texts)]
    spans = map(
        EntitySpan,
        arrays.start.tolist(),
        arrays.end.tolist(),
        arrays.label.tolist(),
        arrays.score.tolist(),
    )
    for text, span in zip(arrays.owner.tolist(), spans, strict=True):
        out[text].append(span)
    return out


def split_chunks(text: str, max_chunk: int = MAX_CHUNK) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the pieces of ``text`` tagged one at a time (punctuation kept)."""
    if len(text) <= max_chunk and _SENTENCE_END.search(text) is None:
        if text:  # most cells: one piece, found without the generators below
            yield 0, len(text)
        return
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
