"""The individuals count: connected components of records linked by identifiers."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from baomi.engine.inventory import (
    DOCUMENTS,
    KIND_BITS,
    InventoryMerger,
    PartialInventory,
    _components,
    _duplicated,
)

ID, PHONE = KIND_BITS[DOCUMENTS[0]], KIND_BITS["CN_MOBILE"]


def _count(
    r: np.ndarray, h: np.ndarray, flagged: np.ndarray, kinds: list[int] | None = None
) -> tuple[int, int]:
    k = np.asarray(kinds if kinds is not None else [PHONE] * len(r), dtype=np.uint32)
    return _components(pl.DataFrame({"r": r, "h": h, "k": k}), flagged)


def _reference(edges: list[tuple[int, int]], flagged: set[int]) -> tuple[int, int]:
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, h in edges:
        a, b = find(("r", r)), find(("h", h))
        if a != b:
            parent[a] = b
    roots = {find(x) for x in list(parent)}
    sensitive = {find(("r", r)) for r, _ in edges if r in flagged}
    return len(roots), len(sensitive)


def test_components_agree_with_a_plain_union_find() -> None:
    rng = random.Random(5)
    for _ in range(20):
        n_rows, n_ids = rng.randint(1, 300), rng.randint(1, 300)
        edges = [(rng.randrange(n_rows), rng.randrange(n_ids)) for _ in range(rng.randint(1, 600))]
        flagged = {r for r, _ in edges if rng.random() < 0.2}
        r = np.asarray([e[0] * 7919 + 13 for e in edges], dtype=np.uint64)
        h = np.asarray([e[1] * 104729 + 1 for e in edges], dtype=np.uint64)
        f = np.asarray([x * 7919 + 13 for x in flagged], dtype=np.uint64)
        assert _count(r, h, f) == _reference(edges, flagged)


class _Sets:
    """A plain union-find, the reference counts' (small inputs: no ranks)."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, x: object) -> object:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            x = self.parent[x]
        return x

    def join(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def _reference_with_documents(
    edges: list[tuple[int, int, bool]], flagged: set[int]
) -> tuple[int, int]:
    """Records joined by shared ID numbers first; then by each other shared value unless
    records of two different ID-holding people (so far) hold it."""
    sets = _Sets()
    find = sets.find

    def join(rows: set[int]) -> None:
        first, *rest = sorted(rows)
        for x in rest:
            sets.join(first, x)

    holders: dict[tuple[int, bool], set[int]] = {}
    for r, h, doc in edges:
        find(r)
        holders.setdefault((h, doc), set()).add(r)
    for (_, doc), rows in holders.items():
        if doc:
            join(rows)
    with_doc = {find(r) for r, _, doc in edges if doc}
    agreed = [
        rows
        for (_, doc), rows in holders.items()
        if not doc and len({find(x) for x in rows} & with_doc) <= 1
    ]
    for rows in agreed:
        join(rows)
    roots = {find(r) for r, _, _ in edges}
    return len(roots), len({find(r) for r in flagged})


def test_a_value_shared_by_people_of_different_id_numbers_joins_none() -> None:
    rng = random.Random(6)
    for _ in range(30):
        n_rows, n_ids = rng.randint(1, 200), rng.randint(1, 200)
        edges = [
            (rng.randrange(n_rows), rng.randrange(n_ids), rng.random() < 0.3)
            for _ in range(rng.randint(1, 400))
        ]
        flagged = {r for r, _, _ in edges if rng.random() < 0.2}
        r = np.asarray([e[0] + 1 for e in edges], dtype=np.uint64)
        # an ID number and a phone are never the same value (their hashes differ)
        h = np.asarray([e[1] * 2 + e[2] for e in edges], dtype=np.uint64)
        kinds = [ID if e[2] else PHONE for e in edges]
        f = np.asarray([x + 1 for x in flagged], dtype=np.uint64)
        assert _count(r, h, f, kinds) == _reference_with_documents(edges, flagged)


def test_identifiers_on_one_link_only_change_no_count() -> None:
    # most identifiers held by one record (leaves of the graph), as in real data; and none shared
    rng = random.Random(11)
    for n_ids in (20, 2000, 10**6):
        n_rows = rng.randint(50, 300)
        edges = [(rng.randrange(n_rows), rng.randrange(n_ids)) for _ in range(rng.randint(1, 600))]
        flagged = {r for r, _ in edges if rng.random() < 0.3}
        r = np.asarray([e[0] for e in edges], dtype=np.uint64)
        h = np.asarray([e[1] for e in edges], dtype=np.uint64)
        f = np.asarray(sorted(flagged), dtype=np.uint64)
        assert _count(r, h, f) == _reference(edges, flagged)
    one = np.asarray([4], dtype=np.uint64)
    assert _count(one, one, one) == (1, 1)


def test_a_chain_is_one_individual() -> None:
    # record i shares identifier i with record i+1: one long chain
    n = 5000
    r = np.concatenate([np.arange(n), np.arange(1, n + 1)]).astype(np.uint64)
    h = np.concatenate([np.arange(n), np.arange(n)]).astype(np.uint64) + np.uint64(10**9)
    assert _count(r, h, np.asarray([3], dtype=np.uint64)) == (1, 1)


def _hashes(prefix: str, n: int, seed: int = 7) -> pl.Series:
    return pl.Series([f"{prefix}{i}" for i in range(n)]).hash(seed)


def test_the_distinct_sketch_estimates_within_a_few_percent() -> None:
    from baomi.engine.inventory import DistinctSketch

    for n in (300, 200_000, 1_500_000):
        sketch = DistinctSketch()
        h = _hashes("客户", n).to_numpy()
        for part in np.array_split(h, 7):
            sketch.add(part)
        once = sketch.estimate()
        sketch.add(h[: n // 3])  # values seen again change nothing
        assert sketch.estimate() == once
        assert abs(once / n - 1) < 0.03, (n, once)


def test_beyond_the_exact_limit_distinct_counts_become_estimates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from baomi.engine import inventory

    monkeypatch.setattr(inventory, "EXACT_DISTINCT", 20_000)
    monkeypatch.setattr(inventory, "COMPACT_SLACK", 5_000)
    merger = InventoryMerger()
    emails = _hashes("user@", 60_000)
    for part in range(12):  # 60,000 distinct e-mails (each twice), 500 distinct mobiles
        p = PartialInventory(rows=10_000)
        p.hashes["EMAIL"] = emails.slice((part % 6) * 10_000, 10_000)
        p.hashes["CN_MOBILE"] = _hashes("138", 500)
        merger.add(p)
    distinct = merger.distinct()
    assert merger.estimated() == ["EMAIL"]
    assert "EMAIL" not in merger._hashes  # the exact set is gone: memory no longer grows
    assert abs(distinct["EMAIL"] / 60_000 - 1) < 0.03
    assert distinct["CN_MOBILE"] == 500


EMAIL, CARD = KIND_BITS["EMAIL"], KIND_BITS["BANK_CARD"]
Record = tuple[int, int, list[tuple[int, int]]]  # (key, name, [(kind, value)])


def _count_named(records: list[Record]) -> int:
    """The individuals of ``records`` as the scan gives them: a record with identifiers links
    each; one without links its name's node (kind 0), as the collector writes them."""
    r, h, k = [], [], []
    for key, name, ids in records:
        for kind, value in ids or [(0, 10**9 + name)]:
            r.append(key)
            h.append(value)
            k.append(kind)
    links = pl.DataFrame(
        {"r": r, "h": h, "k": k}, schema={"r": pl.UInt64, "h": pl.UInt64, "k": pl.UInt32}
    )
    named = pl.DataFrame(
        {"r": [x[0] for x in records], "n": [x[1] for x in records]},
        schema={"r": pl.UInt64, "n": pl.UInt64},
    )
    return _components(links, np.zeros(0, dtype=np.uint64), named)[0]


def _reference_by_name(records: list[Record]) -> int:
    """Records joined by every shared value (no value here is held by two ID numbers'
    people), a record without identifiers by its name; then each name's people taken fullest
    first (most kinds, then lowest key), each joined to the first group of that name's
    people so far whose kinds, all of its people's together, are disjoint from its own."""
    sets = _Sets()
    find, join = sets.find, sets.join

    for key, name, ids in records:
        for kind, value in ids or [(0, 10**9 + name)]:
            join(("r", key), ("v", kind, value))
    kinds: dict[object, int] = {}
    low: dict[object, int] = {}
    groups: dict[int, set[object]] = {}
    for key, name, ids in records:
        root = find(("r", key))
        for kind, _ in ids:
            kinds[root] = kinds.get(root, 0) | kind
        low[root] = min(low.get(root, key), key)
        groups.setdefault(name, set()).add(root)
    edges = []
    for people in groups.values():
        ordered = sorted(people, key=lambda x: (-bin(kinds.get(x, 0)).count("1"), low[x]))
        held: list[int] = []  # each group's kinds so far
        first: list[object] = []  # each group's first person
        for person in ordered:
            mine = kinds.get(person, 0)
            for i, theirs in enumerate(held):
                if not theirs & mine:
                    held[i] |= mine
                    edges.append((first[i], person))
                    break
            else:
                held.append(mine)
                first.append(person)
    for a, b in edges:
        join(a, b)
    return len({find(("r", key)) for key, _, _ in records})


def _crm_names(twins: int, **extra: list[list[tuple[int, int]]]) -> list[Record]:
    """``twins`` customers named 0 (each an ID number and a phone of their own) and the
    records ``extra`` of that name; a customer named 1 (ID, phone) and a follow-up of 1 with
    nothing."""
    records: list[Record] = [(i + 1, 0, [(ID, 100 + i), (PHONE, 200 + i)]) for i in range(twins)]
    records += [(50, 1, [(ID, 150), (PHONE, 250)]), (51, 1, [])]
    records += [(60 + i, 0, ids) for i, ids in enumerate(extra.get("rows", []))]
    return records


@pytest.mark.parametrize(
    ("rows", "people"),
    [
        # follow-ups of the name with nothing, or only a card: one of the two customers
        ([[], [(CARD, 300)]], 2),
        # two cards: the first joins a customer, whose kinds then hold a card, so the second
        # joins the other customer; a third card tells a third person
        ([[(CARD, 300)], [(CARD, 301)]], 2),
        ([[(CARD, 300)], [(CARD, 301)], [(CARD, 302)]], 3),
        # an ID number (or a phone) neither customer has: a person of their own
        ([[], [(ID, 400)]], 3),
        ([[(CARD, 300)], [(PHONE, 500)]], 3),
        # an e-mail address and a card of one follow-up, a card of another
        ([[(EMAIL, 600), (CARD, 300)], [(CARD, 301)], []], 2),
    ],
)
def test_a_follow_up_of_a_name_two_customers_share_joins_one_of_them(
    rows: list[list[tuple[int, int]]], people: int
) -> None:
    # Two customers of one name (an ID number and a phone each) are two people; a record of
    # that name that nothing tells apart from one of them is that one (which one changes no
    # count). It was a person of its own: the name's people were joined only when no two of
    # them held a kind of identifier alike.
    records = _crm_names(2, rows=rows)
    assert _count_named(records) == people + 1  # the customer named 1 and its follow-up
    assert _reference_by_name(records) == people + 1


def test_records_of_one_name_are_joined_as_a_plain_greedy_pass_joins_them() -> None:
    rng = random.Random(12)
    kinds = [ID, PHONE, EMAIL, CARD]
    for _ in range(60):
        people = [
            (rng.randrange(4), {k: 1000 * i + k for k in kinds if rng.random() < 0.5})
            for i in range(rng.randint(1, 40))
        ]
        records: list[Record] = []
        for name, ids in people:  # each person's records: a part of their identifiers each
            for _ in range(rng.randint(1, 3)):
                part = [(k, v) for k, v in ids.items() if rng.random() < 0.6]
                # a record under another name now and then (a nickname, a typo)
                shown = name if rng.random() < 0.9 else rng.randrange(4)
                records.append((len(records) + 1, shown, part))
        rng.shuffle(records)
        assert _count_named(records) == _reference_by_name(records)


def _linked_parts(seed: int, parts: int) -> list[PartialInventory]:
    """Partitions of records that share phones and ID numbers across partitions, some named."""
    rng = random.Random(seed)
    out = []
    key = 0
    for _ in range(parts):
        r, h, k, named_r, named_n = [], [], [], [], []
        for _ in range(rng.randint(20, 60)):
            key += 1
            for kind in (ID, PHONE, EMAIL):
                if rng.random() < 0.6:
                    r.append(key)
                    h.append(kind * 1_000 + rng.randrange(150))
                    k.append(kind)
            if rng.random() < 0.5:
                named_r.append(key)
                named_n.append(rng.randrange(40))
        p = PartialInventory(rows=len(set(r)))
        p.links = pl.DataFrame(
            {"r": r, "h": h, "k": k}, schema={"r": pl.UInt64, "h": pl.UInt64, "k": pl.UInt32}
        )
        p.named = pl.DataFrame(
            {"r": named_r, "n": named_n}, schema={"r": pl.UInt64, "n": pl.UInt64}
        )
        p.sensitive_rows = pl.Series("r", r[::5], dtype=pl.UInt64)
        out.append(p)
    return out


def test_links_beyond_the_memory_bound_are_spilled_and_count_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from baomi.engine import inventory

    for seed in range(5):
        whole = InventoryMerger()
        for p in _linked_parts(seed, 30):
            whole.add(p)
        expected = whole.individuals()
        assert whole._spilled is None  # a few thousand links: all held in memory

        monkeypatch.setattr(inventory, "LINKS_IN_MEMORY", 150)
        spilling = InventoryMerger()
        for p in _linked_parts(seed, 30):
            spilling.add(p)
            held = sum(len(f) for f in spilling._links) + sum(len(f) for f in spilling._named)
            assert held <= 150 + len(p.links) + len(p.named)  # bounded, not the whole scan
        assert spilling._spilled is not None
        assert spilling.individuals() == expected
        assert spilling.individuals() == expected  # reading back leaves the files as they were
        monkeypatch.setattr(inventory, "LINKS_IN_MEMORY", 1_500_000)


def test_past_the_exact_limit_the_spilled_links_are_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from baomi.engine import inventory

    monkeypatch.setattr(inventory, "LINKS_IN_MEMORY", 100)
    monkeypatch.setattr(inventory, "MAX_EXACT_LINKS", 1_000)
    merger = InventoryMerger()
    spills = []
    for p in _linked_parts(1, 30):
        merger.add(p)
        if merger._spilled is not None:
            spills.append(merger._spilled)
    assert spills  # it spilled before the limit ...
    assert merger._spilled is None and not merger._links  # ... and let go of all of it after
    assert all(f.closed for s in spills[-1] for f in s.files.values())
    assert merger.individuals()[2].startswith("estimate")


def test_values_held_by_several_roots_are_found_by_one_sort() -> None:
    from baomi.engine.inventory import _distinct_pairs, _held_by_several

    rng = np.random.default_rng(11)
    for _ in range(20):
        n = int(rng.integers(0, 400))
        values = rng.integers(0, 60, n).astype(np.uint64) * np.uint64(2**40)  # large hashes
        roots = rng.integers(0, 30, n).astype(np.int32)
        pairs = set(zip(values.tolist(), roots.tolist(), strict=True))
        a, b = _distinct_pairs(values, roots)
        assert list(zip(a.tolist(), b.tolist(), strict=True)) == sorted(pairs)
        holders: dict[int, set[int]] = {}
        for v, r in pairs:
            holders.setdefault(v, set()).add(r)
        shared = sorted(v for v, rs in holders.items() if len(rs) > 1)
        assert _held_by_several(values, roots).to_list() == shared


@pytest.mark.parametrize("size", [0, 1, 2, 1_000])
def test_values_found_twice_are_those_polars_finds_duplicated(size: int) -> None:
    rng = np.random.default_rng(size)
    # a few values repeated (two, three times), most once, the largest UInt64 among them
    values = rng.integers(0, 2**64 - 1, size=size, dtype=np.uint64, endpoint=True)
    if size > 2:
        values[rng.integers(0, size, size // 10)] = values[0]
        values[-1] = values[1] = np.iinfo(np.uint64).max
    series = pl.Series("h", values, dtype=pl.UInt64)
    got = _duplicated(series)
    assert got.dtype == np.bool_ and len(got) == size
    assert got.tolist() == series.is_duplicated().to_list()
