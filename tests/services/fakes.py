"""Test doubles for the services: a scanner that returns a real contract-shaped inventory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baomi.services import deals
from baomi.services.deals import ObjectInfo
from baomi.services.permissions import Actor
from baomi.services.vault import Vault
from tests.vault_support import operator


def contract_inventory(path: Path) -> dict[str, Any]:
    """An inventory of the scan's contract shape (DESIGN.md §Scan output) for one CSV file with
    one resident-ID column: what ``deals.add`` seals, without running the scanner."""
    column = {
        "name": "身份证号",
        "sheet": None,
        "mode": "entity",
        "entity": "CN_RESIDENT_ID",
        "entities": {"CN_RESIDENT_ID": 1},
        "category": "个人身份信息",
        "sensitive": True,
        "matches": 1,
        "non_empty": 1,
        "confidence": 1.0,
    }
    return {
        "version": 1,
        "created": "2026-12-01T00:00:00+00:00",
        "threshold": 0.5,
        "files": [
            {
                "path": path.name,
                "kind": "table",
                "encoding": "utf-8",
                "rows": 1,
                "sheets": [],
                "skipped_rows": 0,
                "undecodable_rows": 0,
                "errors": [],
                "columns": [column],
                "entities": {"CN_RESIDENT_ID": 1},
            }
        ],
        "skipped": [],
        "summary": {
            "files_scanned": 1,
            "files_skipped": 0,
            "files_with_errors": 0,
            "rows": 1,
            "skipped_rows": 0,
            "undecodable_rows": 0,
            "findings": 1,
            "entities": {"CN_RESIDENT_ID": 1},
            "distinct": {"CN_RESIDENT_ID": 1},
            "distinct_estimated": [],
            "sensitive_entities": ["CN_RESIDENT_ID"],
            "sensitive_categories": {},
            "minors": 0,
            "estimated_individuals": 1,
            "individuals_with_sensitive": 1,
            "individuals_method": "exact: records linked by shared identifiers",
        },
    }


def add_files(
    vault: Vault, deal_ref: str, paths: list[Path], actor: Actor | None = None
) -> list[ObjectInfo]:
    """``deals.add`` with :func:`contract_inventory` as the scanner."""
    return deals.add(
        vault,
        actor=actor or operator(),
        deal_ref=deal_ref,
        paths=paths,
        scanner=contract_inventory,
    )
