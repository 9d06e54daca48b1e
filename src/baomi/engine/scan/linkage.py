"""The people in a set of files as keyed hashes of their identifiers — what a provision record
keeps so that individuals provided in different provisions are counted once (XB-CNT).

The files are read and classified exactly as the scan does (:class:`FilePartitions`,
:func:`scan_partition`: same readers, column plans, canonical values, links between the
identifiers of one record). Identifier values (resident ID, mobile, e-mail, bank card, passport,
permit — the entities marked ``identifier``) are hashed with HMAC-SHA256 under a caller's key and
truncated to 8 bytes: stable across runs and versions, so that a later provision can be matched
against an earlier one, and no value is kept. Records of one file that share an identifier (or,
without one, the same name in a name column — the scan's within-file rule) are one person; a
person keeps the hashes of their identifiers. Across provisions only identifier hashes link
people (:func:`count_people`).
"""

from __future__ import annotations

import hmac
import secrets
import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from baomi.engine.inventory import PartialInventory, people_roots, union_roots
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan.kernels import scan_partition
from baomi.engine.scan.model import IDENTIFIERS, Partition, ScanContext, ScanOptions
from baomi.engine.scan.partitions import read_partitions
from baomi.errors import InputError

#: Bytes of HMAC-SHA256 kept per identifier (64 bits: a chance collision among a million
#: customers' identifiers is about 3 in 10^8).
HASH_BYTES = 8
_MAGIC = b"baomi-people/1\n"
_HEAD = struct.Struct("<IIII")


def identifier_hash(key: bytes, value: str) -> int:
    """The keyed 64-bit hash of one canonical identifier value."""
    return int.from_bytes(hmac.digest(key, value.encode("utf-8"), "sha256")[:HASH_BYTES], "big")


def _empty_u32() -> np.ndarray[Any, Any]:
    return np.zeros(0, dtype=np.uint32)


@dataclass(frozen=True)
class People:
    """The people of one provision: ``persons`` in all; ``person[i]`` holds the identifier
    hash ``hashes[i]``; ``sensitive`` lists the persons with sensitive PI (PIPL-28)."""

    persons: int = 0
    person: np.ndarray[Any, Any] = field(default_factory=_empty_u32)
    hashes: np.ndarray[Any, Any] = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    sensitive: np.ndarray[Any, Any] = field(default_factory=_empty_u32)
    #: records (rows, text units) read
    records: int = 0

    @property
    def sensitive_persons(self) -> int:
        return len(self.sensitive)

    def to_bytes(self) -> bytes:
        """A compact form for storage: a header, the person numbers (sorted, compressed) and
        the hashes (random: stored as they are), little-endian."""
        small = zlib.compress(
            self.person.astype("<u4").tobytes() + self.sensitive.astype("<u4").tobytes(), 1
        )
        head = _HEAD.pack(self.persons, len(self.person), len(self.sensitive), self.records)
        return b"".join(
            (
                _MAGIC,
                head,
                struct.pack("<Q", len(small)),
                small,
                self.hashes.astype("<u8").tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> People:
        if not data.startswith(_MAGIC):
            raise InputError("not a people record")
        at = len(_MAGIC)
        try:
            persons, pairs, sensitive, records = _HEAD.unpack_from(data, at)
            (size,) = struct.unpack_from("<Q", data, at + _HEAD.size)
            at += _HEAD.size + 8
            small = zlib.decompress(data[at : at + size])
            hashes = np.frombuffer(data, "<u8", pairs, at + size).astype(np.uint64)
        except (zlib.error, struct.error, ValueError):
            raise InputError("damaged people record") from None
        person = np.frombuffer(small, "<u4", pairs).astype(np.uint32)
        flagged = np.frombuffer(small, "<u4", sensitive, 4 * pairs).astype(np.uint32)
        return cls(persons, person, hashes, flagged, records)


class KeyedContext(ScanContext):
    """The scan's context with identifier values hashed under ``key`` (other values keep the
    scan's per-run hash: they only count distinct values, which are not kept)."""

    def __init__(self, registry: Registry, options: ScanOptions, key: bytes) -> None:
        super().__init__(registry, options, secrets.randbits(63))
        self._key = key
        self.keyed: list[pl.Series] = []

    def hash_values(self, values: pl.Series, entities: pl.Series) -> pl.Series:
        base = values.hash(self.seed)
        chosen = entities.is_in(IDENTIFIERS).fill_null(False)
        if not chosen.any():
            return base
        picked = values.filter(chosen).fill_null("")
        distinct = picked.unique()
        keyed = pl.Series(
            [identifier_hash(self._key, v) for v in distinct.to_list()], dtype=pl.UInt64
        )
        hashed = picked.replace_strict(distinct, keyed, return_dtype=pl.UInt64)
        self.keyed.append(keyed)
        return base.scatter(chosen.arg_true(), hashed)


def people_in(
    paths: Sequence[Path],
    key: bytes,
    *,
    registry: Registry | None = None,
    options: ScanOptions | None = None,
) -> People:
    """The people in ``paths`` (files or folders). Unreadable files add no one; a file read
    in part adds the records read. The prose model is off by default: identifiers and name
    columns link records, free-text names do not."""
    return people_in_partitions(
        lambda ctx: read_partitions(paths, ctx), key, registry=registry, options=options
    )


def people_in_partitions(
    partitions: Callable[[ScanContext], Iterable[Partition]],
    key: bytes,
    *,
    registry: Registry | None = None,
    options: ScanOptions | None = None,
) -> People:
    """The people in the partitions ``partitions`` reads under the keyed context it is given
    (a database's tables: :func:`baomi.databases.scan.table_partitions`), as :func:`people_in`."""
    ctx = KeyedContext(registry or Registry.default(), options or ScanOptions(prose=False), key)
    parts: list[PartialInventory] = []
    for part in partitions(ctx):
        parts.append(scan_partition(part, ctx)[1])
    strong = pl.concat(ctx.keyed).unique().to_numpy() if ctx.keyed else np.zeros(0, dtype=np.uint64)
    return _people(parts, strong)


def _people(parts: list[PartialInventory], strong: np.ndarray[Any, Any]) -> People:
    records = sum(p.rows for p in parts)
    links = [p.links for p in parts if len(p.links)]
    if not links:
        return People(records=records)
    joined = pl.concat(links)
    named = [p.named for p in parts if len(p.named)]
    # who is who as the scan's count tells them (shared ID numbers, contacts, names)
    codes, parent, split = people_roots(joined, pl.concat(named) if named else joined.clear())
    roots = np.unique(parent)
    person_of_link = np.searchsorted(roots, parent[codes])
    # each value's person: the keyed identifiers (not the within-file name links), and not
    # a contact that people of different ID numbers share (it is no one's)
    held = (
        pl.DataFrame({"h": joined.get_column("h"), "p": person_of_link.astype(np.uint32)})
        .filter(
            pl.col("h").is_in(pl.Series(strong, dtype=pl.UInt64).implode())
            & ~pl.col("h").is_in(split.implode())
        )
        .unique()
        .sort("p", "h")
    )
    flagged_rows = [p.sensitive_rows for p in parts if len(p.sensitive_rows)]
    flagged = (
        np.unique(
            person_of_link[
                joined.get_column("r").is_in(pl.concat(flagged_rows).implode()).to_numpy()
            ]
        )
        if flagged_rows
        else np.zeros(0, dtype=np.int64)
    )
    return People(
        persons=len(roots),
        person=held.get_column("p").to_numpy(),
        hashes=held.get_column("h").to_numpy(),
        sensitive=flagged.astype(np.uint32),
        records=records,
    )


def count_people(groups: Sequence[People]) -> tuple[int, int]:
    """(individuals, individuals with sensitive PI) over ``groups``, each person once: people
    of different groups who share an identifier hash are one person."""
    offsets = np.cumsum([0, *(g.persons for g in groups)]).astype(np.int64)
    total = int(offsets[-1])
    if total == 0:
        return 0, 0
    u = np.concatenate(
        [g.person.astype(np.int64) + off for g, off in zip(groups, offsets, strict=False)]
    )
    hashes = np.concatenate([g.hashes for g in groups])
    # sorted by hash, the holders of one hash are neighbours: link each to the next
    order = pl.Series(hashes).arg_sort().to_numpy()
    same = hashes[order][1:] == hashes[order][:-1]
    held = u[order]
    person_root = union_roots(held[:-1][same], held[1:][same], total)
    sensitive = np.concatenate(
        [g.sensitive.astype(np.int64) + off for g, off in zip(groups, offsets, strict=False)]
    )
    marked = np.zeros(total, dtype=bool)
    marked[person_root[sensitive]] = True
    individuals = int(np.count_nonzero(person_root == np.arange(total)))
    return individuals, int(np.count_nonzero(marked))
