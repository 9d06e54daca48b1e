"""Partial inventories (one per partition) and their merge into the scan inventory.

A partition's result is plain data (counts and 64-bit keyed hashes), so partitions can be
scanned in other processes, or later on a distributed engine, and merged in any order.
Hashes are keyed with a random per-scan seed, kept in memory only and never written.
"""

from __future__ import annotations

import heapq
import tempfile
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from baomi.engine.entities import ENTITIES

#: Above this many identifier links the exact individuals count (connected components) is
#: replaced by an estimate (the largest distinct count of any identifier), to bound memory.
MAX_EXACT_LINKS = 4_000_000
#: Links (and named records) held in memory, about 30 MB; beyond, the merger writes them to
#: unnamed temporary files (:class:`_Spill`) until the count needs them. A 1 GB CSV reaches
#: :data:`MAX_EXACT_LINKS` a quarter of the way through, and the links it held until then were
#: its peak memory (bench/RESULTS.md "Peak memory for a 1 GB CSV", session 20).
LINKS_IN_MEMORY = 1_500_000
#: Above this many distinct values of one entity its exact hash set becomes a HyperLogLog
#: sketch, so that memory stays bounded whatever the number of distinct customers.
EXACT_DISTINCT = 1_000_000
#: Hashes an entity may collect beyond twice its distinct set before they are compacted.
COMPACT_SLACK = 250_000
#: HyperLogLog precision: 2**14 one-byte registers, standard error 1.04 / 2**7 ≈ 0.8 %.
HLL_P = 14
#: The kinds of identifier, a bit each (a link's kind, a record's kinds).
KIND_BITS = {
    e: 1 << i for i, e in enumerate(sorted(e for e, info in ENTITIES.items() if info.identifier))
}
#: The kinds that name one person whoever holds them, an ID document's number: records of
#: different ones are different people, whatever phone or e-mail address they share (a
#: family's phone, an agent's or a company's mailbox).
DOCUMENTS = (
    "CN_RESIDENT_ID",
    "CN_PASSPORT",
    "PASSPORT",
    "CN_HMT_PERMIT",
    "HK_ID",
    "TW_ID",
    "MO_ID",
)
DOCUMENT_BITS = sum(KIND_BITS[e] for e in DOCUMENTS)
#: The kind of an ID document's number that fails its check (a typo): it tells no one apart.
DOUBTED_BIT = 1 << 30
_EMPTY_LINKS = pl.DataFrame(schema={"r": pl.UInt64, "h": pl.UInt64, "k": pl.UInt32})
_EMPTY_NAMED = pl.DataFrame(schema={"r": pl.UInt64, "n": pl.UInt64})
_EMPTY_FLAGS = pl.Series("r", [], dtype=pl.UInt64)


@dataclass
class ColumnStats:
    non_empty: int = 0
    matches: int = 0
    entities: dict[str, int] = field(default_factory=dict)

    def add(self, other: ColumnStats) -> None:
        self.non_empty += other.non_empty
        self.matches += other.matches
        for k, v in other.entities.items():
            self.entities[k] = self.entities.get(k, 0) + v


@dataclass
class PartialInventory:
    """What one partition contributes: per-column stats, hashes, links and flags."""

    rows: int = 0
    #: (file, sheet, column) -> stats
    columns: dict[tuple[str, str | None, str | None], ColumnStats] = field(default_factory=dict)
    #: entity -> UInt64 series of keyed hashes of canonical values (for distinct counts)
    hashes: dict[str, pl.Series] = field(default_factory=dict)
    #: (row key, identifier hash, kind: :data:`KIND_BITS`, 0 for a name's node) — the
    #: identifiers seen in the same record
    links: pl.DataFrame = field(default_factory=lambda: _EMPTY_LINKS)
    #: (person key, name in the file): each record's person with a name, and the name's node
    #: (its keyed hash and the file's index, hashed)
    named: pl.DataFrame = field(default_factory=lambda: _EMPTY_NAMED)
    #: row keys of records that hold sensitive PI
    sensitive_rows: pl.Series = field(default_factory=lambda: _EMPTY_FLAGS)
    minors: int = 0

    def column(self, file: str, sheet: str | None, name: str | None) -> ColumnStats:
        return self.columns.setdefault((file, sheet, name), ColumnStats())


class DistinctSketch:
    """HyperLogLog (Flajolet et al. 2007) over the scan's 64-bit keyed hashes, vectorised.

    The first :data:`HLL_P` bits of a hash pick a register; the register keeps the largest
    rank (leading zeros + 1) of the remaining 50 bits seen. Mergeable and a fixed 16 KB.
    """

    def __init__(self) -> None:
        self.registers = np.zeros(1 << HLL_P, dtype=np.uint8)

    def add(self, hashes: np.ndarray[Any, Any]) -> None:
        h = np.asarray(hashes, dtype=np.uint64)
        if not len(h):
            return
        index = (h >> np.uint64(64 - HLL_P)).astype(np.intp)
        rest = h & np.uint64((1 << (64 - HLL_P)) - 1)
        # bit length of the remainder: frexp's exponent, exact below 2**53 (0 for 0)
        bits = np.frexp(rest.astype(np.float64))[1]
        rank = (64 - HLL_P + 1 - bits).astype(np.uint8)
        np.maximum.at(self.registers, index, rank)

    def estimate(self) -> int:
        m = len(self.registers)
        raw = (
            (0.7213 / (1 + 1.079 / m))
            * m
            * m
            / float(np.sum(np.ldexp(1.0, -self.registers.astype(np.int64))))
        )
        zeros = int(np.count_nonzero(self.registers == 0))
        if raw <= 2.5 * m and zeros:  # small range: linear counting
            return round(m * float(np.log(m / zeros)))
        return round(raw)


class _Spill:
    """Frames of one schema (unsigned integers, no nulls) appended to unnamed temporary files,
    a file per column holding its raw values, and read back in order. What they hold is row
    keys and keyed hashes (the scan's seed is in memory only); a file has no name and is gone
    when closed or when the process ends, whatever way it ends."""

    def __init__(self, empty: pl.DataFrame) -> None:
        self.schema = empty.schema
        self.dtypes = {name: empty.get_column(name).to_numpy().dtype for name in empty.columns}
        self.files = {name: tempfile.TemporaryFile() for name in empty.columns}  # noqa: SIM115
        # closed with the merger when it is dropped, however the scan ended
        self.close = weakref.finalize(self, _close_all, list(self.files.values()))

    def write(self, frames: list[pl.DataFrame]) -> None:
        for name, handle in self.files.items():
            for frame in frames:
                values = frame.get_column(name)
                if values.null_count():
                    raise ValueError(f"{name}: nulls cannot be spilled")
                handle.write(np.ascontiguousarray(values.to_numpy(), dtype=self.dtypes[name]).data)

    def read(self) -> pl.DataFrame:
        columns = {}
        for name, handle in self.files.items():
            handle.seek(0)
            columns[name] = np.frombuffer(handle.read(), dtype=self.dtypes[name])
        return pl.DataFrame(columns, schema=self.schema)


def _close_all(handles: list[Any]) -> None:
    for handle in handles:
        handle.close()


class InventoryMerger:
    """Merges partial inventories; memory stays bounded by compacting hash sets and by
    spilling the individuals' links beyond :data:`LINKS_IN_MEMORY` to temporary files."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns: dict[tuple[str, str | None, str | None], ColumnStats] = {}
        self._hashes: dict[str, list[pl.Series]] = {}
        self._hash_len: dict[str, int] = {}
        self._compacted: dict[str, int] = {}
        self._sketches: dict[str, DistinctSketch] = {}
        self._links: list[pl.DataFrame] = []
        self._named: list[pl.DataFrame] = []
        self._link_count = 0
        self._spilled: tuple[_Spill, _Spill] | None = None  # links, named
        self._spilled_count = 0
        self._exact = True
        self._sensitive: list[pl.Series] = []
        self.minors = 0

    def add(self, part: PartialInventory) -> None:
        self.rows += part.rows
        self.minors += part.minors
        for key, stats in part.columns.items():
            self.columns.setdefault(key, ColumnStats()).add(stats)
        for entity, series in part.hashes.items():
            if entity in self._sketches:
                self._sketches[entity].add(series.to_numpy())
                continue
            bucket = self._hashes.setdefault(entity, [])
            bucket.append(series)
            self._hash_len[entity] = self._hash_len.get(entity, 0) + len(series)
            # Compact once the pending hashes outgrow the distinct set: memory stays about
            # twice the distinct count, however often values repeat.
            if self._hash_len[entity] > 2 * self._compacted.get(entity, 0) + COMPACT_SLACK:
                merged = pl.concat(bucket).unique()
                self._hashes[entity] = [merged]
                self._hash_len[entity] = self._compacted[entity] = len(merged)
                if len(merged) > EXACT_DISTINCT:  # from now on an estimate, in 16 KB
                    sketch = self._sketches[entity] = DistinctSketch()
                    sketch.add(merged.to_numpy())
                    del self._hashes[entity]
        if self._exact and (len(part.links) or len(part.named)):
            self._links.append(part.links)
            self._named.append(part.named)
            self._link_count += len(part.links) + len(part.named)
            if self._link_count > MAX_EXACT_LINKS:
                self._exact = False
                self._links.clear()
                self._named.clear()
                self._sensitive.clear()
                self._close_spill()
            elif self._link_count - self._spilled_count > LINKS_IN_MEMORY:
                self._spill()
        if len(part.sensitive_rows) and self._exact:
            self._sensitive.append(part.sensitive_rows)

    def _spill(self) -> None:
        """Write the links and named records held in memory to the temporary files."""
        if self._spilled is None:
            self._spilled = (_Spill(_EMPTY_LINKS), _Spill(_EMPTY_NAMED))
        self._spilled[0].write(self._links)
        self._spilled[1].write(self._named)
        self._spilled_count = self._link_count
        self._links.clear()
        self._named.clear()

    def _close_spill(self) -> None:
        if self._spilled is not None:
            for spill in self._spilled:
                spill.close()
            self._spilled = None

    def _all(self) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
        """Every link and named record so far, in the order they were added."""
        if self._spilled is None:
            return self._links, self._named
        links, named = self._spilled
        return [links.read(), *self._links], [named.read(), *self._named]

    def distinct(self) -> dict[str, int]:
        """Distinct values per entity: exact, or a HyperLogLog estimate (:meth:`estimated`)."""
        out = {e: pl.concat(parts).n_unique() for e, parts in self._hashes.items() if parts}
        out.update((e, sketch.estimate()) for e, sketch in self._sketches.items())
        return dict(sorted(out.items()))

    def estimated(self) -> list[str]:
        """Entities whose distinct count is a HyperLogLog estimate (more than
        :data:`EXACT_DISTINCT` distinct values)."""
        return sorted(self._sketches)

    def individuals(self) -> tuple[int, int, str]:
        """(individuals, individuals with sensitive PI, method)."""
        if not self._exact:
            ids = {
                e: n
                for e, n in self.distinct().items()
                if ENTITIES.get(e) and ENTITIES[e].identifier
            }
            return max(ids.values(), default=0), 0, "estimate: largest distinct identifier count"
        method = "exact: records linked by shared identifiers"
        all_links, all_named = self._all()
        if not all_links:
            return 0, 0, method
        flagged = (
            np.concatenate([s.to_numpy() for s in self._sensitive])
            if self._sensitive
            else np.zeros(0, dtype=np.uint64)
        )
        named = pl.concat(all_named) if all_named else _EMPTY_NAMED
        n, sensitive = _components(pl.concat(all_links), flagged, named)
        return n, sensitive, method


def union_roots(
    u: np.ndarray[Any, Any], v: np.ndarray[Any, Any], size: int
) -> np.ndarray[Any, Any]:
    """The root of every node ``0..size-1`` of the graph with edges ``u[i]–v[i]`` (integer
    codes): min-label hooking with pointer jumping (NumPy only). A node without an edge is its
    own root. Codes are 32-bit below 2**31 nodes: half the memory of the count's largest
    arrays."""
    parent = np.arange(size, dtype=_code_type(size))
    if not len(u):
        return parent
    while True:
        pu, pv = parent[u], parent[v]
        if np.array_equal(pu, pv):
            break
        low = np.minimum(pu, pv)
        np.minimum.at(parent, pu, low)
        np.minimum.at(parent, pv, low)
        while True:  # pointer jumping: every node points at its root
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


def _components(
    links: pl.DataFrame, flagged: np.ndarray[Any, Any], named: pl.DataFrame = _EMPTY_NAMED
) -> tuple[int, int]:
    """The people of ``links`` (:func:`people_roots`), and how many hold a flagged record."""
    codes, parent, _ = people_roots(links, named)
    people = np.zeros(len(parent), dtype=bool)
    people[parent] = True
    on_flagged = links.get_column("r").is_in(pl.Series(flagged).implode()).to_numpy()
    sensitive = np.zeros(len(parent), dtype=bool)
    sensitive[parent[codes[on_flagged]]] = True
    return int(np.count_nonzero(people)), int(np.count_nonzero(sensitive))


def people_roots(
    links: pl.DataFrame, named: pl.DataFrame = _EMPTY_NAMED
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], pl.Series]:
    """Who is who among the records of ``links`` (r, h, k): each link's record's code (the
    keys' dense ranks), the root of each record code, and the values that join no one.

    1. Records that share an ID document's number (:data:`DOCUMENTS`) are one person.
    2. Records that share any other identifier (a phone, an e-mail address, a card; a name's
       node of records without identifiers) are one person, unless the value is held by
       people of different ID numbers: then it is a family's phone or an agent's mailbox, and
       joins none of them (the values returned).
    3. Records of one name in a file are joined where nothing tells them apart
       (:func:`joined_by_name`).

    An identifier on one link only (most of them: a value held by one record) joins its
    record's component and changes no count: only the links of shared values enter the union
    (on the unique-notes corpus 180,000 of 850,000). :func:`union_roots` runs over integer
    codes, the values' dense ranks, which Polars computes on every core."""
    keys = links.get_column("r")
    if len(named):  # one code for a key in both (a named record holds a link)
        keys = pl.concat([keys, named.get_column("r")])
    all_codes = _dense_codes(keys)
    del keys  # the count's peak memory is the next steps' arrays: this one is done
    codes, named_codes = all_codes[: links.height], all_codes[links.height :]
    parent = np.arange(int(all_codes.max()) + 1 if len(all_codes) else 0, dtype=np.int64)
    h = links.get_column("h")
    shared = _duplicated(h)
    doc = ((links.get_column("k") & DOCUMENT_BITS) != 0).to_numpy()
    parent = _joined(parent, codes[shared & doc], h.filter(pl.Series(shared & doc)))
    other = shared & ~doc
    none = pl.Series("h", [], dtype=pl.UInt64)
    if other.any():
        has_doc = np.zeros(len(parent), dtype=bool)
        has_doc[parent[codes[doc]]] = True  # the people (so far) with an ID number
        root = parent[codes[other]]
        values = h.filter(pl.Series(other))
        on_doc = has_doc[root]
        if on_doc.any():
            none = _held_by_several(values.filter(pl.Series(on_doc)).to_numpy(), root[on_doc])
            if len(none):
                keep = ~values.is_in(none.implode()).to_numpy()
                values, root = values.filter(pl.Series(keep)), root[keep]
        parent = _joined(parent, root, values)
    if len(named):
        kinds = np.zeros(len(parent), dtype=np.uint32)  # each person's kinds of identifier
        np.bitwise_or.at(kinds, parent[codes], links.get_column("k").to_numpy())
        parent = joined_by_name(parent, named_codes, named.get_column("n"), kinds)[parent]
    return codes, parent, none


def _duplicated(values: pl.Series) -> np.ndarray[Any, Any]:
    """Whether each of ``values`` (UInt64) occurs more than once: the values found twice in
    a sorted copy, then looked up (Polars ``is_duplicated`` hashes every value: 47 against
    11 ms for the 745,000 links of the bench CSV, where 16 values are shared)."""
    ordered = values.to_numpy()
    if ordered.flags.writeable:  # a copy already (the values in several chunks): sorted here
        ordered.sort()
    else:
        ordered = np.sort(ordered)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]  # sorted: each value once below
    del ordered
    twice = twice[np.concatenate(([True], twice[1:] != twice[:-1]))] if len(twice) else twice
    return values.is_in(pl.Series(twice, dtype=pl.UInt64).implode()).to_numpy()


def _distinct_pairs(
    a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The distinct pairs ``(a[i], b[i])``, sorted: by one sort, in a few bytes per pair (a
    Polars ``unique`` over the pairs took 150–250 bytes per pair, the count's largest
    allocations on a file of a few million links)."""
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    del order
    starts = np.flatnonzero(np.concatenate(([True], (a[1:] != a[:-1]) | (b[1:] != b[:-1]))))
    return a[starts], b[starts]


def _held_by_several(values: np.ndarray[Any, Any], roots: np.ndarray[Any, Any]) -> pl.Series:
    """The ``values`` (sorted, once each) held by more than one of ``roots`` (pairwise)."""
    first, _ = _distinct_pairs(values, roots)
    again = first[1:][first[1:] == first[:-1]]
    return pl.Series("h", np.unique(again), dtype=pl.UInt64)


def _joined(parent: np.ndarray[Any, Any], who: np.ndarray[Any, Any], values: pl.Series) -> Any:
    """``parent`` (each record code's root) with the records ``who`` of the same ``values``
    (one each) joined."""
    if not len(who):
        return parent
    v = _dense_codes(values)
    n = len(parent)
    top = union_roots(parent[who], n + v, n + int(v.max()) + 1)[:n]
    return top[parent]


def joined_by_name(
    parent: np.ndarray[Any, Any],
    codes: np.ndarray[Any, Any],
    names: pl.Series,
    kinds: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """The root of each of ``parent``'s roots (``parent``: each record code's root) once the
    people of one name in one file are joined where nothing tells them apart: a follow-up's
    row that names the customer and holds only the customer's ID (or nothing at all) is the
    customer of the customer sheet with that name and a phone. ``names``: the name node of
    each of the records ``codes``; ``kinds``: each root's kinds of identifier (bits).

    Two people of one name who hold an identifier of the same kind (different values, or they
    would be one already) are two people: two customers of one name with phones. Each other
    person of the name is joined to one that nothing tells apart from it, in one greedy pass:
    the name's people taken fullest first (most kinds; then by root), each joined to the first
    group formed so far whose kinds, all of its people's together, are disjoint from its own,
    else the first of a new group. So a follow-up with nothing, or with only a card, of a name
    two customers share is one of them (which one changes no count); a second card joins the
    other customer, since the first's kinds now hold a card; a third card, or an ID number
    neither holds, is a person of their own. People of a name whose kinds are pairwise
    disjoint are all one (the common case, joined at once); the pass runs only over the
    names where some are and some are not, and over the people of those who can be joined to
    someone at all (their kinds disjoint from another's), in time linear in their number."""
    roots = parent[codes]
    # only names of two people or more can join anyone
    distinct_names, their_roots = _distinct_pairs(names.to_numpy(), roots)
    pairs = pl.DataFrame({"n": pl.Series(distinct_names, dtype=names.dtype), "root": their_roots})
    several = pairs.filter(pl.col("n").is_duplicated())
    if not several.height:
        return np.arange(len(parent), dtype=np.int64)
    several = several.with_columns(k=kinds[several.get_column("root").to_numpy()])
    # a person whose kinds meet every other's of the name is joined to no one: left out
    masks = several.group_by("n", "k").len()
    fits = (
        masks.join(masks, on="n", suffix="_o")
        .filter(
            ((pl.col("k") & pl.col("k_o")) == 0)
            & ((pl.col("k") != pl.col("k_o")) | (pl.col("len") > 1))
        )
        .select("n", "k")
        .unique()
    )
    groups = (
        several.join(fits, on=["n", "k"])
        .with_columns(bits=pl.col("k").bitwise_count_ones())
        .sort("n", "bits", "root", descending=[False, True, False])
        .group_by("n", maintain_order=True)
        .agg(
            pl.col("root"),
            pl.col("k"),
            pl.col("k").bitwise_or().bitwise_count_ones().alias("any"),
            pl.col("bits").sum().alias("each"),
        )
    )
    if not groups.height:
        return np.arange(len(parent), dtype=np.int64)
    disjoint = groups.filter(pl.col("any") == pl.col("each"))  # all one person
    edges = disjoint.select(u=pl.col("root").list.first(), v=pl.col("root").list.slice(1)).explode(
        "v"
    )
    u = [edges.get_column("u").to_numpy().astype(np.int64)]
    v = [edges.get_column("v").to_numpy().astype(np.int64)]
    mixed = groups.filter(pl.col("any") != pl.col("each"))
    if mixed.height:
        joins = _first_fit(mixed.get_column("root").to_list(), mixed.get_column("k").to_list())
        u.append(np.asarray(joins[0], dtype=np.int64))
        v.append(np.asarray(joins[1], dtype=np.int64))
    return union_roots(np.concatenate(u), np.concatenate(v), len(parent))


def _first_fit(roots: list[list[int]], kinds: list[list[int]]) -> tuple[list[int], list[int]]:
    """The joins (first person of a group, person) of :func:`joined_by_name`'s greedy pass
    over each name's people ``roots`` (in order) of ``kinds``. The groups formed so far are
    kept by their kinds, each kinds' in a heap by formation: a person looks at one heap per
    kinds met (a few), not at every group."""
    u: list[int] = []
    v: list[int] = []
    for people, held in zip(roots, kinds, strict=True):
        groups: dict[int, list[tuple[int, int]]] = {}  # kinds -> heap of (formed, first)
        for i, (person, mine) in enumerate(zip(people, held, strict=True)):
            fits = [k for k, heap in groups.items() if heap and not k & mine]
            if not fits:
                heapq.heappush(groups.setdefault(mine, []), (i, person))
                continue
            best = min(fits, key=lambda k: groups[k][0])
            formed, first = heapq.heappop(groups[best])
            heapq.heappush(groups.setdefault(best | mine, []), (formed, first))
            u.append(first)
            v.append(person)
    return u, v


def _dense_codes(values: pl.Series) -> np.ndarray[Any, Any]:
    """Each value's index among the distinct values in order (0-based)."""
    as_type = pl.Int32 if _code_type(len(values)) == np.int32 else pl.Int64
    return (values.rank("dense").cast(as_type) - 1).to_numpy()


def _code_type(size: int) -> type[np.signedinteger[Any]]:
    """The integer type of codes below ``size``."""
    return np.int32 if size < 2**31 else np.int64
