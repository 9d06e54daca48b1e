"""``inventory.json``: the per-file records and the merged partial inventories made into the
inventory (DESIGN.md "Scan output", a contract)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from baomi.engine.categories import category_for_header
from baomi.engine.columns import ColumnPlan
from baomi.engine.contracts import notes as said
from baomi.engine.contracts.inventory import (
    Inventory,
    InventoryColumn,
    InventoryFile,
    InventoryNote,
    InventorySummary,
    SkippedFile,
)
from baomi.engine.entities import ENTITIES
from baomi.engine.inventory import InventoryMerger
from baomi.engine.scan.model import EXTRA_NOTE, ScanContext


def _inventory(
    records: list[dict[str, Any]],
    skipped: list[dict[str, str]],
    merger: InventoryMerger,
    ctx: ScanContext,
    findings: int,
    *,
    notes: Sequence[InventoryNote] = (),
) -> Inventory:
    """The inventory of ``records`` (a database table's ``notes``: its :class:`InventoryNote`
    list) and ``skipped``; each note is written as its code and worded in the current language
    (:mod:`baomi.engine.contracts.notes`), so a worker's language never reaches the file."""
    files_out: list[InventoryFile] = []
    entity_totals: dict[str, int] = {}
    categories: dict[str, int] = {}
    for rec in records:
        plans: dict[str | None, dict[str, ColumnPlan]] = rec.pop("plans", {})
        columns: list[InventoryColumn] = []
        file_entities: dict[str, int] = {}
        for (file, sheet, name), stats in merger.columns.items():
            if file != rec["path"]:
                continue
            for e, n in stats.entities.items():
                file_entities[e] = file_entities.get(e, 0) + n
                entity_totals[e] = entity_totals.get(e, 0) + n
            if rec["kind"] != "table" or name is None:
                continue
            plan = plans.get(sheet, {}).get(name) or ColumnPlan(name, "skip")
            if plan.note == EXTRA_NOTE and not stats.matches:
                continue  # a comment or a property without PI: not one of the table's columns
            # a comment's column (批注：病史) names the cell it is on, not what it holds
            category_sensitive = None if plan.note == EXTRA_NOTE else category_for_header(name)
            entity = (
                plan.entity
                if plan.mode == "entity"
                # ties go to the first name: the counts' order depends on the threads
                else (
                    max(sorted(stats.entities), key=stats.entities.__getitem__)
                    if stats.entities
                    else None
                )
            )
            info = ENTITIES.get(entity or "")
            if category_sensitive:
                categories[category_sensitive] = (
                    categories.get(category_sensitive, 0) + stats.non_empty
                )
            columns.append(
                InventoryColumn(
                    name=name,
                    sheet=sheet,
                    mode=plan.mode,
                    entity=entity,
                    entities=dict(sorted(stats.entities.items())),
                    category=category_sensitive or (info.category if info else None),
                    sensitive=bool(category_sensitive)
                    or any(ENTITIES[e].sensitive for e in stats.entities if e in ENTITIES),
                    matches=stats.matches,
                    non_empty=stats.non_empty,
                    confidence=plan.confidence
                    if plan.mode in ("entity", "decoy")
                    else (round(stats.matches / stats.non_empty, 3) if stats.non_empty else 0.0),
                    note=plan.note or None,
                )
            )
        errors, error_words = said.recorded(rec["errors"])
        files_out.append(
            InventoryFile(
                path=rec["path"],
                kind=rec["kind"],
                encoding=rec["encoding"],
                rows=rec["rows"],
                sheets=tuple(rec["sheets"]),
                skipped_rows=rec["skipped_rows"],
                undecodable_rows=rec["undecodable_rows"],
                errors=errors,
                error_words=error_words,
                columns=tuple(columns),
                entities=dict(sorted(file_entities.items())),
                notes=said.texts(rec.get("notes", ())),
                note_codes=tuple(rec.get("notes", ())),
            )
        )
    individuals, sensitive_individuals, method = merger.individuals()
    return Inventory(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        threshold=ctx.options.threshold,
        files=tuple(files_out),
        skipped=tuple(_skipped(s["path"], s["reason"]) for s in skipped),
        summary=InventorySummary(
            files_scanned=len(files_out),
            files_skipped=len(skipped),
            # read in part: a corrupt sheet, a file broken after its first records (``errors``)
            files_with_errors=sum(1 for f in files_out if f.errors),
            rows=merger.rows,
            skipped_rows=sum(f.skipped_rows for f in files_out),
            undecodable_rows=sum(f.undecodable_rows for f in files_out),
            findings=findings,
            entities=dict(sorted(entity_totals.items())),
            distinct=merger.distinct(),
            # above EXACT_DISTINCT distinct values a count is a HyperLogLog estimate (±0.8 %)
            distinct_estimated=tuple(merger.estimated()),
            sensitive_entities=tuple(
                sorted(e for e in entity_totals if ENTITIES.get(e) and ENTITIES[e].sensitive)
            ),
            sensitive_categories=dict(sorted(categories.items())),
            minors=merger.minors,
            estimated_individuals=individuals,
            individuals_with_sensitive=sensitive_individuals,
            individuals_method=method,
        ),
        notes=said.texts(notes),
        note_codes=tuple(notes),
    )


def _skipped(path: str, reason: str) -> SkippedFile:
    text, words = said.recorded_reason(reason)
    return SkippedFile(path=path, reason=text, reason_words=words)
