"""A document's person index, sealed: built when the document comes into the vault
(:func:`baomi.services.deals.add`), read by the search (:mod:`.subjects`).

The index is every identifier and name occurrence of the document as (sheet, row, column,
entity, keyed hash) — :func:`baomi.engine.scan.locate.index_files` under
``HKDF(platform index key, "baomi subject index")`` — sealed with the deal's data key (so
destroying the deal shreds it with the documents). No value is kept.

The sealed payload is ``{"v": FORMAT, "rows": [...]}``; an index of an older format (a bare
list: identifiers only, no names) is rebuilt by the next search.
"""

from __future__ import annotations

import json
from pathlib import Path

from baomi.engine import crypto
from baomi.engine.scan.locate import Occurrence, index_files
from baomi.services.vault import Vault, now
from baomi.storage.models import SubjectIndex

#: the payload's format: 2 = identifiers and names; 3 = phone numbers of other countries
#: among the identifiers (an index of 2 lacks them: rebuilt); 4 = phone numbers without their
#: country code and other countries' passports
FORMAT = 4


def index_key(vault: Vault) -> bytes:
    """The key of the index's hashes (a sub-key of the platform's index key)."""
    return crypto.hkdf(vault.platform_key("index"), "baomi subject index")


def _aad(object_id: str) -> bytes:
    return crypto.aad("subject-index", object=object_id)


def build(path: Path, key: bytes) -> list[Occurrence]:
    """The occurrences in one file (its ``file`` is the file's name on disk)."""
    return index_files([path], key)


def seal(deal_key: bytes, *, deal_id: str, object_id: str, found: list[Occurrence]) -> SubjectIndex:
    """The stored row of one document's index."""
    rows = [[o.sheet, o.row, o.column, o.entity, o.hash] for o in found]
    payload = json.dumps({"v": FORMAT, "rows": rows}).encode()
    return SubjectIndex(
        object_id=object_id,
        deal_id=deal_id,
        sealed=crypto.seal(deal_key, payload, _aad(object_id)),
        entries=len(rows),
        built_at=now(),
    )


def unseal(deal_key: bytes, row: SubjectIndex, name: str) -> list[Occurrence] | None:
    """The document's occurrences (``file`` = ``name``), or None when the stored index is of an
    older format and must be rebuilt."""
    data = json.loads(crypto.open_sealed(deal_key, row.sealed, _aad(row.object_id)))
    if not isinstance(data, dict) or data.get("v") != FORMAT:
        return None
    return [Occurrence(name, r[0], r[1], r[2], r[3], r[4]) for r in data["rows"]]
