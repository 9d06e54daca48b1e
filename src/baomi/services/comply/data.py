"""What personal information a deal holds, from the scan inventories stored with its documents.

Every comply service that needs figures about the data (the PIA's questionnaire, the officer
threshold, the exposure estimate, the cross-border volumes) reads them here. The figures are
counts and categories only — the inventories hold no raw value.

Each document was scanned on its own when it was added (``deal add``), with a per-scan key, so
individuals cannot be matched across documents: :attr:`DataSummary.individuals` adds the
documents' counts (an upper bound — the side the law's thresholds are safe on) and
:attr:`DataSummary.individuals_at_least` is the largest single document's (a lower bound).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from baomi.engine.entities import ENTITIES, vocabulary_label
from baomi.i18n import current_language, tr
from baomi.services import deals
from baomi.services.vault import Vault


def label(name: str) -> str:
    """An entity's or a category's name in the current language (never its code)."""
    return vocabulary_label(name, current_language())


def labels_text(names: Iterable[str], empty: str = "-") -> str:
    """Entities or categories as one list in the current language: 银行卡号、医疗健康 /
    bank card number, health and medical; ``empty`` when there are none."""
    return tr("、", ", ").join(label(n) for n in names) or empty


@dataclass(frozen=True)
class DataSummary:
    deal_id: str
    documents: int
    #: documents with a scan inventory (the others are not counted)
    scanned: int
    rows: int
    #: individuals, documents added up (upper bound)
    individuals: int
    #: the largest count in one document (lower bound)
    individuals_at_least: int
    #: individuals with sensitive PI, documents added up (upper bound)
    sensitive_individuals: int
    #: cells found per entity (e.g. ``CN_MOBILE``)
    entities: dict[str, int] = field(default_factory=dict)
    #: cells found per GB/T 35273 Annex A category (Chinese names as in the standard)
    categories: dict[str, int] = field(default_factory=dict)
    #: the sensitive categories present (PIPL-28), e.g. ``个人财产信息``
    sensitive_categories: tuple[str, ...] = ()
    minors: int = 0


def summarize(deal_id: str, inventories: list[dict[str, Any] | None]) -> DataSummary:
    """The summary of a deal's documents' inventories (the scan's ``inventory.json`` dicts)."""
    entities: Counter[str] = Counter()
    sensitive_cats: Counter[str] = Counter()
    individuals = sensitive = largest = rows = minors = scanned = 0
    for inv in inventories:
        if not inv:
            continue
        scanned += 1
        summary = inv.get("summary", {})
        n = int(summary.get("estimated_individuals", 0))
        individuals += n
        largest = max(largest, n)
        sensitive += int(summary.get("individuals_with_sensitive", 0))
        rows += int(summary.get("rows", 0))
        minors += int(summary.get("minors", 0))
        entities.update({k: int(v) for k, v in summary.get("entities", {}).items()})
        sensitive_cats.update(
            {k: int(v) for k, v in summary.get("sensitive_categories", {}).items()}
        )
    categories: Counter[str] = Counter()
    for entity, count in entities.items():
        spec = ENTITIES.get(entity)
        categories[spec.category if spec else "其他信息"] += count
        if spec is not None and spec.sensitive:
            sensitive_cats[spec.category] += 0  # present, even if counted elsewhere
    return DataSummary(
        deal_id=deal_id,
        documents=len(inventories),
        scanned=scanned,
        rows=rows,
        individuals=individuals,
        individuals_at_least=largest,
        sensitive_individuals=sensitive,
        entities=dict(sorted(entities.items())),
        categories=dict(sorted(categories.items())),
        sensitive_categories=tuple(sorted(sensitive_cats)),
        minors=minors,
    )


def deal_data(vault: Vault, deal_id: str) -> DataSummary:
    """The deal's data summary. For other services, *after* they authorized the access: it
    checks no permission itself (like :func:`baomi.services.deals.objects`)."""
    return summarize(deal_id, [o.inventory for o in deals.objects(vault, deal_id)])
