"""Trace a leaked fragment back to the package (and recipient) it came from.

Every cell, header, line and paragraph of the leaked file is read for three kinds of evidence:

* **renderings** (``renderings.py``, packages from ``baomi-fp-3`` on): for each distinct
  rendered value (its channel and context) the package's key predicts one rendering. From the
  package it agrees (allowing ``RENDER_ERROR`` for damaged text); from anything else — another
  package, data that is not a package — it agrees with probability ``p0 = renderings seen /
  renderings possible``, whatever the leak is, because the package's key is random and
  independent of it. The leak may mix several sources (collusion): the likelihood ratio is
  averaged over the share ``f`` of the leak that came from the package (``FRACTIONS``, with
  prior weights), each distinct value agreeing with probability ``f (1 - e) + (1 - f) p0``;
* **zero-width marks** (scheme ``baomi-fp-2``, or where the policy still asks for them): a
  fingerprint bit read once (the majority of its marks) agrees with probability ``1 -
  MARK_ERROR`` from the package and 1/2 otherwise; more than 10 % disagreeing bits and the
  marks count nothing;
* **recipient-keyed values** (pseudonyms, tokens, recipient-keyed hashes): a
  match counts ``DIGEST_BITS``, from ``MIN_MATCHES`` matches and ``MIN_MATCH_SHARE`` of the
  leak's distinct cells on, at most ``MAX_DIGEST_BITS``;
* **canary records** (``canaries.py``, when the policy adds them): a canary whose masked
  mobile and ID are both in the leak counts ``CANARY_BITS - 2 log2(cells)``.

The evidence ``b`` for a package is the log2 of the product of these likelihood ratios. The
decision rule: every package with ``b >= FALSE_BITS + log2(packages on file)`` is named. A
likelihood ratio of a package that is *not* a source of the leak is at least ``2^b`` with
probability at most ``2^-b`` (Markov's inequality: its expectation is 1), so the chance that
any package named is not a source is at most ``packages x 2^-threshold = 2^-FALSE_BITS`` per
trace; the figure printed for a result (``wrong_match``) is that bound for the packages named,
``packages x sum 2^-b``. Several sources (merged fragments) are each named when each has the
evidence; below the threshold the answer is "unknown" — it never guesses. A folder that holds
no trace record at all (missing, mistyped, empty) is :class:`NoTraceRecordsError`, not
"unknown".
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from baomi.engine.contracts import codec
from baomi.engine.contracts.codec import ContractError
from baomi.engine.contracts.trace_record import RECORD_KIND, TraceRecord
from baomi.engine.protect import canaries, renderings
from baomi.engine.protect.fingerprint import (
    digest,
    extract_marks,
    strip_marks,
    unpack_digests,
)
from baomi.engine.protect.writers import load
from baomi.errors import InputError
from baomi.i18n import tr

log = logging.getLogger(__name__)

#: The chance that a trace names a package that is not a source is at most 2^-FALSE_BITS.
FALSE_BITS = 20.0
#: Assumed share of a source package's rendered values that a leak shows otherwise (retyped,
#: damaged, or written by a tool the value went through).
RENDER_ERROR = 0.02
#: Shares of the leak that may come from one package (collusion merges fragments), with their
#: prior weights (they sum to 1).
FRACTIONS = ((1.0, 0.5), (0.5, 0.125), (0.25, 0.125), (0.125, 0.125), (0.0625, 0.125))
DIGEST_BITS = 32.0
MAX_DIGEST_BITS = 512.0
#: Matching keyed values count only from this many, and from this share of the leak's cells.
MIN_MATCHES = 3
MIN_MATCH_SHARE = 0.01
#: Assumed share of a true package's bits that a leak shows flipped (edited or damaged text).
MARK_ERROR = 0.05
AGREE_BITS = math.log2(2 * (1 - MARK_ERROR))
DISAGREE_BITS = math.log2(2 * MARK_ERROR)
#: More disagreeing bits than this share, and the marks are not counted.
MAX_DISAGREE = 0.1


class NoTraceRecordsError(InputError):
    """Raised when the trace records folder is missing or holds no trace record."""


@dataclass(frozen=True, slots=True)
class Candidate:
    package_id: str
    recipient: str
    bits: float
    #: renderings and zero-width bits that agree / disagree with the package
    marks_agree: int
    marks_disagree: int
    values_matched: int
    named: bool = False


@dataclass(frozen=True, slots=True)
class TraceResult:
    recipient: str | None  # the package with the most evidence among those named; None = unknown
    package_id: str | None
    #: 1 - wrong_match when a recipient is named, else 0
    confidence: float
    #: bound on the chance that a package named is not a source (1 when unknown)
    wrong_match: float
    cells: int
    marks_seen: int
    candidates: list[Candidate]
    #: every recipient named (several when merged fragments of several packages leaked)
    recipients: tuple[str, ...] = ()
    package_ids: tuple[str, ...] = ()
    #: the packages named do not explain the leak's renderings: another source, not on file
    #: or without the evidence to be named, contributed too
    other_sources: bool = False


def load_records(folder: Path) -> list[TraceRecord]:
    """Every trace record under ``folder`` (recursively). Other JSON files are passed over; a
    trace record that cannot be read (damaged, or of a later version) is logged and left out."""
    records = []
    for path in sorted(folder.rglob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not (isinstance(doc, dict) and doc.get("kind") == RECORD_KIND):
            continue
        try:
            records.append(codec.trace_record_from_data(doc))
        except ContractError as exc:
            log.warning("trace record %s not read: %s", path.name, exc)
    return records


def leaked_cells(path: Path) -> list[str]:
    doc = load(path)
    cells: list[str] = []
    for table in doc.tables:
        for col in table.frame.columns:
            cells.extend(v for v in table.frame[col].to_list() if v)
        cells.extend(c for c in table.frame.columns if c)
    cells.extend(u for u in doc.units if u)
    return cells


def trace_cells(cells: list[str], records: list[TraceRecord]) -> TraceResult:
    marks: dict[int, Counter[int]] = {}
    for cell in cells:
        for idx, bit in extract_marks(cell):
            marks.setdefault(idx, Counter())[bit] += 1
    observed = {idx: c.most_common(1)[0][0] for idx, c in marks.items()}
    seen = rendered_values(cells)
    digests = {digest(c) for c in cells if strip_marks(c).strip()}
    candidates = []
    for rec in records:
        fp = rec.fingerprint_bits
        agree = sum(1 for idx, bit in observed.items() if (fp >> idx) & 1 == bit)
        disagree = len(observed) - agree
        matched = len(digests & unpack_digests(rec.digests))
        bits = evidence_bits(agree, disagree, matched, len(digests))
        if rec.canaries:
            bits += canaries.found(cells, rec.canaries) * max(
                0.0, canaries.CANARY_BITS - 2 * math.log2(max(len(cells), 1))
            )
        if rec.marks_key:
            r_bits, r_agree, r_disagree = rendering_bits(seen, rec.marks_key_bytes)
            bits += r_bits
            agree, disagree = agree + r_agree, disagree + r_disagree
        candidates.append(
            Candidate(rec.package_id, rec.recipient, max(bits, 0.0), agree, disagree, matched)
        )
    threshold = FALSE_BITS + math.log2(max(len(records), 1))
    candidates = sorted(
        (dataclasses.replace(c, named=c.bits >= threshold) for c in candidates),
        key=lambda c: c.bits,
        reverse=True,
    )
    named = [c for c in candidates if c.named]
    keys = {r.package_id: r.marks_key_bytes for r in records if r.marks_key}
    other = bool(named) and unexplained(
        seen, [keys[c.package_id] for c in named if c.package_id in keys]
    )
    confidence, wrong = 0.0, 1.0
    if named:
        wrong = min(1.0, len(records) * math.fsum(math.pow(2.0, -c.bits) for c in named))
        confidence = 1.0 - wrong
    return TraceResult(
        recipient=named[0].recipient if named else None,
        package_id=named[0].package_id if named else None,
        confidence=confidence,
        wrong_match=wrong,
        cells=len(cells),
        marks_seen=len(observed) + len(seen),
        candidates=candidates,
        recipients=tuple(c.recipient for c in named),
        package_ids=tuple(c.package_id for c in named),
        other_sources=other,
    )


#: (channel, context) → (renderings seen, renderings possible)
Seen = dict[tuple[str, str], tuple[frozenset[int], int]]


def rendered_values(cells: list[str]) -> Seen:
    """Every distinct rendered value in ``cells`` with the renderings it was seen in."""
    seen: dict[tuple[str, str], tuple[set[int], int]] = {}
    for cell in cells:
        for r in renderings.read(cell):
            seen.setdefault((r.channel, r.context), (set(), r.choices))[0].add(r.choice)
    return {k: (frozenset(c), m) for k, (c, m) in seen.items()}


#: Share of a source's rendered values a leak may show otherwise before trace says that
#: another source contributed (``RENDER_ERROR`` with room to spare), and the significance.
UNEXPLAINED_SHARE = 0.1
UNEXPLAINED_P = 1e-4


def unexplained(seen: Seen, keys: list[bytes]) -> bool:
    """Whether the renderings of the leak that agree with none of the packages ``keys`` are too
    many to be damage: more than ``UNEXPLAINED_SHARE`` of them, with a binomial tail below
    ``UNEXPLAINED_P``."""
    if not keys:
        return False
    informative = [(k, v) for k, v in seen.items() if len(v[0]) < v[1]]
    misses = sum(
        1
        for (channel, context), (choices, m) in informative
        if all(renderings.choose(key, channel, context, m) not in choices for key in keys)
    )
    return binomial_tail(misses, len(informative), UNEXPLAINED_SHARE) < UNEXPLAINED_P


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    terms = [
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * math.log(p)
        + (n - i) * math.log1p(-p)
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))


def rendering_bits(seen: Seen, key: bytes) -> tuple[float, int, int]:
    """log2 of the likelihood ratio "a share of the leak came from the package with ``key``"
    against "none of it did" (averaged over :data:`FRACTIONS`), and the distinct values that
    agree / disagree with the package."""
    terms: list[tuple[bool, float]] = []
    for (channel, context), (choices, m) in seen.items():
        if len(choices) >= m:  # every rendering seen: says nothing
            continue
        expected = renderings.choose(key, channel, context, m)
        terms.append((expected in choices, len(choices) / m))
    agree = sum(1 for a, _ in terms if a)
    logs = []
    for f, weight in FRACTIONS:
        total = math.log2(weight)
        for agrees, p0 in terms:
            if agrees:
                total += math.log2((f * (1 - RENDER_ERROR) + (1 - f) * p0) / p0)
            else:
                total += math.log2((f * RENDER_ERROR + (1 - f) * (1 - p0)) / (1 - p0))
        logs.append(total)
    top = max(logs)
    bits = top + math.log2(math.fsum(math.pow(2.0, x - top) for x in logs))
    return bits, agree, len(terms) - agree


def evidence_bits(agree: int, disagree: int, matched: int, values: int = 0) -> float:
    """Log-likelihood ratio (bits) of "from this package" against "from an unrelated one".

    Matching recipient-keyed values count only when there are at least ``MIN_MATCHES`` of them
    and they are at least ``MIN_MATCH_SHARE`` of the leak's ``values`` (distinct cells): a
    pseudonym is a real-looking value, and a large file of real data holds a few by chance,
    while a leak from the package is full of them."""
    marks = 0.0
    if disagree <= MAX_DISAGREE * (agree + disagree):
        marks = agree * AGREE_BITS + disagree * DISAGREE_BITS
    keyed = 0.0
    if matched >= MIN_MATCHES and matched >= MIN_MATCH_SHARE * values:
        keyed = min(matched * DIGEST_BITS, MAX_DIGEST_BITS)
    return max(marks, 0.0) + keyed


def trace(leaked: Path, manifests: Path) -> TraceResult:
    """Name the recipient of ``leaked`` from the trace records under ``manifests``."""
    if not manifests.is_dir():
        raise NoTraceRecordsError(
            f"{manifests}: "
            + tr(
                "追踪记录目录不存在，未找到追踪记录（protect 写入追踪记录的目录）",
                "no such folder, no trace records found (the folder protect wrote them to)",
            )
        )
    records = load_records(manifests)
    if not records:
        raise NoTraceRecordsError(
            f"{manifests}: "
            + tr(
                "此目录下未找到追踪记录（protect 写入追踪记录的目录）",
                "no trace records found in this folder (the folder protect wrote them to)",
            )
        )
    return trace_cells(leaked_cells(leaked), records)
