"""What protection a deal's packages received: the figures the assessment needs from each
package's trace record (its manifest): recipient, k reached, re-identification risk, operators.

The data room keeps one trace record per package it made (``$BAOMI_HOME/rooms/<deal>/records``,
see :mod:`baomi.services.dataroom.packages`); records hold digests and the manifest, no raw value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from baomi.engine.contracts.codec import load_trace_record
from baomi.engine.contracts.manifest import Manifest
from baomi.engine.protect.registry import OperatorRegistry
from baomi.errors import InputError
from baomi.services.dataroom.packages import records_dir
from baomi.services.vault import Vault

#: Operators that give the same output for the same value (and key): records of one person stay
#: linkable across the package and across time — pseudonymisation, not anonymisation (PIPL-73).
LINKABLE = frozenset({"pseudonym", "fpe", "tokenize", "hash"})


@dataclass(frozen=True)
class PackageFacts:
    package_id: str
    recipient: str | None
    created: str
    #: the smallest k reached over the package's tables (``None``: no table was k-anonymised)
    k: int | None
    #: the k the policy asked for (the largest over its tables)
    target_k: int | None
    #: the highest record re-identification risk over its tables (GB/T 37964 Annex B)
    max_risk: float | None
    average_risk: float | None
    #: operators whose output can be turned back into the value with a key (tokens, FPE)
    reversible: tuple[str, ...]
    #: operators whose output is a keyed pseudonym of the value (still linkable)
    pseudonymous: tuple[str, ...]
    #: entities kept as they were (``keep``)
    kept: tuple[str, ...]
    fingerprinted: bool


def facts_of(manifest: Manifest, registry: OperatorRegistry | None = None) -> PackageFacts:
    """The figures of one package's manifest."""
    reg = registry or OperatorRegistry.default(plugins=False)
    reports = [r.risk for r in manifest.k_anonymity]
    used = {op for ops in manifest.operators.values() for op in ops}
    return PackageFacts(
        package_id=manifest.package_id,
        recipient=manifest.recipient,
        created=manifest.created,
        k=min((r.k for r in reports), default=None),
        target_k=max((r.target_k for r in reports), default=None),
        max_risk=max((r.max_risk for r in reports), default=None),
        average_risk=max((r.average_risk for r in reports), default=None),
        reversible=tuple(sorted(op for op in used if reg.declares(op, "reversible"))),
        pseudonymous=tuple(sorted(used & LINKABLE)),
        kept=tuple(sorted(e for e, ops in manifest.operators.items() if "keep" in ops)),
        fingerprinted=manifest.fingerprint.marks or manifest.fingerprint.recipient_keyed_values,
    )


def read_records(folder: Path) -> list[PackageFacts]:
    """Facts of every trace record in ``folder`` (oldest first); unreadable files are skipped."""
    if not folder.is_dir():
        return []
    reg = OperatorRegistry.default(plugins=False)
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            out.append(facts_of(load_trace_record(path).manifest, reg))
        except (InputError, OSError, ValueError):
            continue
    return sorted(out, key=lambda p: (p.created, p.package_id))


def deal_packages(vault: Vault, deal_id: str) -> list[PackageFacts]:
    """The packages the deal's data room made. For other services, *after* they authorized."""
    return read_records(records_dir(vault, deal_id))
