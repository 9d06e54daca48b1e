"""Trace a leaked fragment back to the package (and recipient) it came from.

Every cell or line of the leaked file is examined for the invisible marks and the recipient-keyed
values of ``fingerprint.py``. Evidence is counted in bits: a fingerprint bit that agrees is one
bit (a wrong package agrees by chance half the time), a matching recipient-keyed value is 32 bits
(capped). A recipient is named only with at least ``MIN_BITS`` of evidence and a clear margin over
the next candidate; otherwise the answer is "unknown" — it never guesses. A folder that holds no
trace record at all (missing, mistyped, empty) is :class:`NoTraceRecordsError`, not "unknown".
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

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

MIN_BITS = 24.0
MARGIN_BITS = 16.0
DIGEST_BITS = 32.0


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
    confidence: float
    cells: int
    marks_seen: int
    candidates: list[Candidate]


def load_records(folder: Path) -> list[dict[str, object]]:
    """Every trace record under ``folder`` (recursively)."""
    records = []
    for path in sorted(folder.rglob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and doc.get("kind") == RECORD_KIND:
            records.append(doc)
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


def trace_cells(cells: list[str], records: list[dict[str, object]]) -> TraceResult:
    marks: dict[int, Counter[int]] = {}
    for cell in cells:
        for idx, bit in extract_marks(cell):
            marks.setdefault(idx, Counter())[bit] += 1
    observed = {idx: c.most_common(1)[0][0] for idx, c in marks.items()}
    digests = {digest(c) for c in cells if strip_marks(c).strip()}
    candidates = []
    for rec in records:
        fp = int(str(rec.get("fingerprint", "0")), 16)
        agree = sum(1 for idx, bit in observed.items() if (fp >> idx) & 1 == bit)
        disagree = len(observed) - agree
        matched = len(digests & unpack_digests(str(rec.get("digests", ""))))
        mark_bits = agree - 4.0 * disagree if disagree <= 0.1 * max(len(observed), 1) else 0.0
        bits = max(mark_bits, 0.0) + min(matched * DIGEST_BITS, 512.0)
        candidates.append(
            Candidate(
                str(rec.get("package_id")),
                str(rec.get("recipient")),
                bits,
                agree,
                disagree,
                matched,
            )
        )
    candidates.sort(key=lambda c: c.bits, reverse=True)
    best = candidates[0] if candidates else None
    second = candidates[1].bits if len(candidates) > 1 else 0.0
    named = best is not None and best.bits >= MIN_BITS and best.bits - second >= MARGIN_BITS
    confidence = 0.0
    if best is not None and named:
        # chance that a wrong package shows this much evidence, over all candidates
        confidence = max(0.0, 1.0 - len(candidates) * math.pow(2.0, -best.bits))
    return TraceResult(
        recipient=best.recipient if named and best else None,
        package_id=best.package_id if named and best else None,
        confidence=confidence,
        cells=len(cells),
        marks_seen=len(observed),
        candidates=candidates,
    )


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
