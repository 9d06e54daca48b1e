"""Trace a leaked fragment back to the package (and recipient) it came from.

Every cell or line of the leaked file is examined for the invisible marks and the recipient-keyed
values of ``fingerprint.py``. The evidence for each package is a log-likelihood ratio in bits:
how much likelier the leak is if it came from that package than if it came from a package with an
unrelated random fingerprint and key. A fingerprint bit is read once (the majority of its marks);
from the package it agrees with probability ``1 - MARK_ERROR`` (a little slack for damaged
text), from any other package with probability 1/2: an agreeing bit counts
``log2(2 (1 - MARK_ERROR))`` ≈ 0.93 bits, a disagreeing one ``log2(2 MARK_ERROR)`` ≈ -3.3 bits.
More than 10 % disagreeing bits and the marks are not counted at all. A recipient-keyed value
that matches counts ``DIGEST_BITS`` (another key gives that value by chance about once in 2^32),
at most ``MAX_DIGEST_BITS`` in all.

The confidence is the posterior probability of the best package, with equal prior odds for every
package on file and for "none of them" (the fragment is unprotected or from elsewhere, likelihood
ratio 1): ``2^b / (1 + sum over packages of 2^b_i)``. A recipient is named only with at least
``MIN_BITS`` of evidence and a margin of ``MARGIN_BITS`` over the next package; otherwise the
answer is "unknown" — it never guesses. A folder that holds no trace record at all (missing,
mistyped, empty) is :class:`NoTraceRecordsError`, not "unknown".
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from baomi.engine.contracts import codec
from baomi.engine.contracts.codec import ContractError
from baomi.engine.contracts.trace_record import TraceRecord
from baomi.engine.protect.fingerprint import (
    RECORD_KIND,
    digest,
    extract_marks,
    strip_marks,
    unpack_digests,
)
from baomi.engine.protect.writers import load
from baomi.errors import InputError
from baomi.i18n import tr

log = logging.getLogger(__name__)

MIN_BITS = 24.0
MARGIN_BITS = 16.0
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
    marks_agree: int
    marks_disagree: int
    values_matched: int


@dataclass(frozen=True, slots=True)
class TraceResult:
    recipient: str | None  # None = unknown
    package_id: str | None
    #: posterior probability that the named package is the source (0 when unknown)
    confidence: float
    #: 1 - confidence, computed without cancellation (1 when unknown)
    wrong_match: float
    cells: int
    marks_seen: int
    candidates: list[Candidate]


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
    digests = {digest(c) for c in cells if strip_marks(c).strip()}
    candidates = []
    for rec in records:
        fp = rec.fingerprint_bits
        agree = sum(1 for idx, bit in observed.items() if (fp >> idx) & 1 == bit)
        disagree = len(observed) - agree
        matched = len(digests & unpack_digests(rec.digests))
        candidates.append(
            Candidate(
                rec.package_id,
                rec.recipient,
                evidence_bits(agree, disagree, matched, len(digests)),
                agree,
                disagree,
                matched,
            )
        )
    candidates.sort(key=lambda c: c.bits, reverse=True)
    best = candidates[0] if candidates else None
    second = candidates[1].bits if len(candidates) > 1 else 0.0
    named = best is not None and best.bits >= MIN_BITS and best.bits - second >= MARGIN_BITS
    confidence, wrong = 0.0, 1.0
    if best is not None and named:
        # posterior odds against the best package: every other package, and "none of them"
        odds = math.fsum(
            [math.pow(2.0, c.bits - best.bits) for c in candidates[1:]]
            + [math.pow(2.0, -best.bits)]
        )
        confidence, wrong = 1.0 / (1.0 + odds), odds / (1.0 + odds)
    return TraceResult(
        recipient=best.recipient if named and best else None,
        package_id=best.package_id if named and best else None,
        confidence=confidence,
        wrong_match=wrong,
        cells=len(cells),
        marks_seen=len(observed),
        candidates=candidates,
    )


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
                "追踪记录目录不存在，未找到追踪记录（检查 --manifests）",
                "no such folder, no trace records found (check --manifests)",
            )
        )
    records = load_records(manifests)
    if not records:
        raise NoTraceRecordsError(
            f"{manifests}: "
            + tr(
                "此目录下未找到追踪记录（检查 --manifests）",
                "no trace records found in this folder (check --manifests)",
            )
        )
    return trace_cells(leaked_cells(leaked), records)
