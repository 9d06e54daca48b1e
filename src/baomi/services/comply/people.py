"""The people of a provision, kept as keyed hashes of their identifiers (XB-CNT).

The data provided — a data-room document's original, a protect run's inputs — is read as the
scan reads it (:func:`baomi.engine.scan.linkage.people_in`) with identifier values hashed under
an installation key derived from the platform's ``index`` key, so that the same person hashes
the same in every deal and no value is kept. One row per content (its SHA-256): a document
provided to several recipients is read once. Rows are not sealed with a deal's key, so a deal's
destruction keeps them with its provision records (NDS-12).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from baomi.engine import crypto
from baomi.engine.scan.linkage import People, people_in, people_in_partitions
from baomi.engine.scan.model import Partition, ScanContext
from baomi.services import deals
from baomi.services.vault import Vault, new_id, now
from baomi.storage.models import ProvisionPeople, StoredObject

log = logging.getLogger(__name__)
#: Finds the people in files under a key (the real one reads them as the scan does).
Linker = Callable[[Sequence[Path], bytes], People]
#: Finds the people in partitions (a database's tables) under a key.
PartitionLinker = Callable[[Callable[[ScanContext], Iterable[Partition]], bytes], People]


@dataclass(frozen=True)
class PeopleRef:
    """A stored set of people: its id and counts (the hashes stay in the database)."""

    id: str
    persons: int
    sensitive_persons: int


def installation_key(vault: Vault) -> bytes:
    """The key the people's identifiers are hashed under: one per installation, from the
    platform's index key (so the same person hashes the same in every deal)."""
    return crypto.hkdf(vault.platform_key("index"), "baomi provision people")


def _store_people(vault: Vault, source_sha256: str, people: People, key: bytes) -> str:
    row = ProvisionPeople(
        id=new_id(),
        source_sha256=source_sha256,
        key_id=crypto.key_id(key),
        persons=people.persons,
        sensitive_persons=people.sensitive_persons,
        data=people.to_bytes(),
        created_at=now(),
    )
    with vault.transaction() as session:
        session.add(row)
    return row.id


def _known_people(vault: Vault, source_sha256: str, key: bytes) -> PeopleRef | None:
    with vault.reading() as session:
        row = session.execute(
            select(ProvisionPeople.id, ProvisionPeople.persons, ProvisionPeople.sensitive_persons)
            .where(
                ProvisionPeople.source_sha256 == source_sha256,
                ProvisionPeople.key_id == crypto.key_id(key),
            )
            .limit(1)
        ).first()
    return PeopleRef(row[0], row[1], row[2]) if row is not None else None


def people_ref(vault: Vault, people_id: str) -> PeopleRef | None:
    with vault.reading() as session:
        row = session.execute(
            select(
                ProvisionPeople.id, ProvisionPeople.persons, ProvisionPeople.sensitive_persons
            ).where(ProvisionPeople.id == people_id)
        ).first()
    return PeopleRef(row[0], row[1], row[2]) if row is not None else None


def people_of_tables(
    vault: Vault,
    partitions: Callable[[ScanContext], Iterable[Partition]],
    linker: PartitionLinker = people_in_partitions,
) -> PeopleRef:
    """The people in a database's tables about to be provided (``protect URL --deal``), kept
    under the digest of the tables' text as read (their names and every partition's cells)."""
    key = installation_key(vault)
    digest = hashlib.sha256()

    def read(ctx: ScanContext) -> Iterator[Partition]:
        for part in partitions(ctx):
            digest.update(part.file.encode() + b"\0" + part.frame.write_csv().encode())
            yield part

    people = linker(read, key)
    sha = digest.hexdigest()
    known = _known_people(vault, sha, key)  # the same tables provided before: one row
    if known is not None:
        return known
    return PeopleRef(
        _store_people(vault, sha, people, key),
        people.persons,
        people.sensitive_persons,
    )


def people_of_object(
    vault: Vault, deal_id: str, object_id: str, linker: Linker = people_in
) -> PeopleRef | None:
    """The people in one of the deal's documents, found once per content and kept (``None``
    when the document cannot be read: the provision then counts from its inventory)."""
    with vault.reading() as session:
        obj = session.get(StoredObject, object_id)
        sha = obj.sha256 if obj is not None else ""
    key = installation_key(vault)
    known = _known_people(vault, sha, key)
    if known is not None:
        return known
    try:
        name, content = deals.open_object(vault, deal_id, object_id)
        with tempfile.TemporaryDirectory(prefix="baomi-people-") as tmp:
            path = Path(tmp) / name.rsplit("/", 1)[-1]
            path.write_bytes(content)
            people = linker([path], key)
    except Exception:  # the download must not fail for the count: fall back to the inventory
        log.warning("people of object %s not found; counted from its inventory", object_id)
        return None
    return PeopleRef(
        _store_people(vault, sha, people, key), people.persons, people.sensitive_persons
    )


def _digest(paths: Sequence[Path]) -> str:
    """One SHA-256 over the files under ``paths`` (their relative names and contents)."""
    outer = hashlib.sha256()
    for root in paths:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for f in files:
            if f.is_file():
                with f.open("rb") as fh:
                    outer.update(
                        f.name.encode() + b"\0" + hashlib.file_digest(fh, "sha256").digest()
                    )
    return outer.hexdigest()


def people_of_paths(vault: Vault, paths: Sequence[Path], linker: Linker = people_in) -> PeopleRef:
    """The people in files about to be provided (a protect run's inputs), kept."""
    key = installation_key(vault)
    sha = _digest(paths)
    known = _known_people(vault, sha, key)
    if known is not None:
        return known
    people = linker(paths, key)
    return PeopleRef(
        _store_people(vault, sha, people, key), people.persons, people.sensitive_persons
    )
