"""The individuals count: connected components of records linked by identifiers."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from baomi.engine.inventory import InventoryMerger, PartialInventory, _components


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
        assert _components(r, h, f) == _reference(edges, flagged)


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
        assert _components(r, h, f) == _reference(edges, flagged)
    one = np.asarray([4], dtype=np.uint64)
    assert _components(one, one, one) == (1, 1)


def test_a_chain_is_one_individual() -> None:
    # record i shares identifier i with record i+1: one long chain
    n = 5000
    r = np.concatenate([np.arange(n), np.arange(1, n + 1)]).astype(np.uint64)
    h = np.concatenate([np.arange(n), np.arange(n)]).astype(np.uint64) + np.uint64(10**9)
    assert _components(r, h, np.asarray([3], dtype=np.uint64)) == (1, 1)


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
