"""Typed, versioned contracts: the files baomi writes for people and other programs to read.

``inventory.json`` and ``findings.jsonl`` (the scan), ``manifest.json`` (a package) and the trace
record (``<package_id>.json``, kept by the sender) are frozen dataclasses here, read and written
only through :mod:`baomi.engine.contracts.codec`. The JSON they give is the one DESIGN.md
describes, byte for byte (``tests/engine/contracts`` reads outputs of earlier versions).
"""

from __future__ import annotations

from baomi.engine.contracts.finding import FindingExplanation, FindingRecord
from baomi.engine.contracts.inventory import (
    INVENTORY_VERSION,
    Inventory,
    InventoryColumn,
    InventoryFile,
    InventoryNote,
    InventorySummary,
    SkippedFile,
    Words,
)
from baomi.engine.contracts.manifest import (
    MANIFEST_FORMAT,
    FingerprintInfo,
    KAnonymityCriteria,
    KAnonymityReport,
    LocalRound,
    Manifest,
    ManifestColumn,
    ManifestFile,
    ManifestTable,
    PolicyInfo,
    ToolInfo,
    VerifyInfo,
)
from baomi.engine.contracts.trace_record import TRACE_RECORD_VERSION, TraceRecord

__all__ = [
    "INVENTORY_VERSION",
    "MANIFEST_FORMAT",
    "TRACE_RECORD_VERSION",
    "FindingExplanation",
    "FindingRecord",
    "FingerprintInfo",
    "Inventory",
    "InventoryColumn",
    "InventoryFile",
    "InventoryNote",
    "InventorySummary",
    "KAnonymityCriteria",
    "KAnonymityReport",
    "LocalRound",
    "Manifest",
    "ManifestColumn",
    "ManifestFile",
    "ManifestTable",
    "PolicyInfo",
    "SkippedFile",
    "ToolInfo",
    "TraceRecord",
    "VerifyInfo",
    "Words",
]
