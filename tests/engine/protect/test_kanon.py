"""Risk figures and the lattice search, checked against independent counts."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import polars as pl
import pytest

from baomi.engine.protect.hierarchy import Hierarchy, build_hierarchy
from baomi.engine.protect.kanon import Criteria, NoSolutionError, anonymize, apply_levels, risk
from baomi.errors import InputError


def frame(n: int = 400, seed: int = 3) -> pl.DataFrame:
    rng = random.Random(seed)
    return pl.DataFrame(
        {
            "age": [str(rng.randint(18, 80)) for _ in range(n)],
            "sex": [rng.choice("MF") for _ in range(n)],
            "city": [
                rng.choice(["深圳", "广州", "北京", "上海", "成都", "武汉"]) for _ in range(n)
            ],
            "dx": [rng.choice(["a", "b", "c"]) for _ in range(n)],
        }
    )


def hierarchies(df: pl.DataFrame) -> dict[str, Hierarchy]:
    region = {
        "深圳": "华南",
        "广州": "华南",
        "北京": "华北",
        "上海": "华东",
        "成都": "西南",
        "武汉": "华中",
    }
    return {
        "age": build_hierarchy("age", df["age"].to_list()),
        "sex": Hierarchy.from_rows("sex", [("M", "*"), ("F", "*")]),
        "city": Hierarchy.from_rows("city", [(c, r, "*") for c, r in region.items()]),
    }


def test_risk_matches_an_independent_count() -> None:
    df = frame()
    qi = ["age", "sex", "city"]
    counts = Counter(zip(*(df[c].to_list() for c in qi), strict=True))
    r = risk(df, qi, ["dx"], target_k=3)
    assert r.k == min(counts.values())
    assert r.classes == len(counts)
    assert r.uniques == sum(1 for v in counts.values() if v == 1)
    assert r.records_below_k == sum(v for v in counts.values() if v < 3)
    assert r.average_risk == pytest.approx(
        sum(1 / counts[k] for k in counts for _ in range(counts[k])) / df.height
    )
    assert r.max_risk == 1 / r.k


def _brute_force(
    df: pl.DataFrame, qi: list[str], hs: dict[str, Hierarchy], crit: Criteria
) -> float:
    best = float("inf")
    for levels in itertools.product(*[range(hs[a].height) for a in qi]):
        out = apply_levels(df, qi, hs, dict(zip(qi, levels, strict=True)), crit)
        rows = out.select(qi).rows()
        dropped = [all(v == "*" for v in row) for row in rows]
        if sum(dropped) > crit.suppression_limit * df.height:
            continue
        # independent LM: (leaves under the generalised value - 1) / (leaves - 1); a suppressed
        # record loses 1 per attribute
        loss = 0.0
        for a, lvl in zip(qi, levels, strict=True):
            leaves = Counter(row[lvl] for row in hs[a].rows.values())
            total = len(hs[a].rows)
            for v, gone in zip(df[a].to_list(), dropped, strict=True):
                loss += 1.0 if gone else (leaves[hs[a].rows[v][lvl]] - 1) / (total - 1)
        best = min(best, loss / (df.height * len(qi)))
    return best


def test_search_is_optimal_and_k_holds() -> None:
    df = frame(200)
    qi = ["age", "sex", "city"]
    hs = hierarchies(df)
    crit = Criteria(k=4, suppression_limit=0.05)
    result = anonymize(df, qi, hs, crit, recoding="global")
    kept = result.frame.filter(~pl.all_horizontal(pl.col(c) == "*" for c in qi))
    assert kept.group_by(qi).len()["len"].min() >= 4
    assert result.suppressed == df.height - kept.height <= 10
    assert result.loss == pytest.approx(_brute_force(df, qi, hs, crit), abs=1e-9)


def test_l_diversity_and_average_risk() -> None:
    df = frame()
    qi = ["age", "sex", "city"]
    result = anonymize(
        df, qi, hierarchies(df), Criteria(k=3, l=2, average_risk=0.2), sensitive=["dx"]
    )
    r = result.report
    assert r.k >= 3 and r.l_diversity is not None and r.l_diversity >= 2
    assert r.average_risk <= 0.2


def test_release_defaults_follow_gbt_37964() -> None:
    controlled = Criteria.for_release("controlled")
    assert controlled.k == 3 and controlled.average_risk == 0.33
    assert Criteria.for_release("public").k == 20
    assert Criteria.for_release("public", max_risk=0.1).k == 10


def test_no_solution_is_an_error() -> None:
    df = frame(5)
    hs = {"sex": Hierarchy.from_rows("sex", [("M", "M"), ("F", "F")])}
    with pytest.raises(NoSolutionError):
        anonymize(df, ["sex"], hs, Criteria(k=50, suppression_limit=0.0))


def _label_loss(h: Hierarchy) -> dict[str, float]:
    """LM of each label: leaves under it at the lowest level it appears on; ``*`` loses 1."""
    total = len(h.rows)
    out: dict[str, float] = {}
    for lvl in range(h.height):
        for label, leaves in Counter(row[lvl] for row in h.rows.values()).items():
            out.setdefault(label, (leaves - 1) / (total - 1))
    out["*"] = 1.0
    return out


@pytest.mark.parametrize(("n", "k", "limit"), [(400, 5, 0.1), (400, 3, 0.05), (1000, 5, 0.1)])
def test_local_recoding_keeps_more_records_for_less_loss(n: int, k: int, limit: float) -> None:
    df = frame(n)
    qi = ["age", "sex", "city"]
    hs = hierarchies(df)
    crit = Criteria(k=k, suppression_limit=limit)
    one = anonymize(df, qi, hs, crit, recoding="global")
    local = anonymize(df, qi, hs, crit)
    assert one.suppressed >= k  # the case local recoding is for
    assert local.recoding == "local" and local.rounds
    assert local.suppressed < one.suppressed and local.loss < one.loss
    out = local.frame
    # rows stay in place: the other columns are untouched, every QI value generalises its own
    assert out["dx"].to_list() == df["dx"].to_list()
    for a in qi:
        for orig, new in zip(df[a].to_list(), out[a].to_list(), strict=True):
            assert new == "*" or new in hs[a].rows[orig]
    # k by an independent count; suppressed = records whose QIs are all *
    rows = out.select(qi).rows()
    kept = Counter(r for r in rows if not all(v == "*" for v in r))
    assert min(kept.values()) >= k
    assert local.suppressed == len(rows) - sum(kept.values())
    # the reported loss is LM of what was released, label by label
    ll = {a: _label_loss(hs[a]) for a in qi}
    lm = sum(ll[a][v] for row in rows for a, v in zip(qi, row, strict=True))
    assert local.loss == pytest.approx(lm / (len(rows) * len(qi)), abs=1e-9)


def test_local_recoding_keeps_l_diversity_and_average_risk() -> None:
    df = frame(600, seed=9)
    qi = ["age", "sex", "city"]
    crit = Criteria(k=3, l=2, average_risk=0.2, suppression_limit=0.05)
    result = anonymize(df, qi, hierarchies(df), crit, sensitive=["dx"])
    kept = result.frame.filter(~pl.all_horizontal(pl.col(c) == "*" for c in qi))
    classes = kept.group_by(qi).agg(pl.len().alias("n"), pl.col("dx").n_unique().alias("l"))
    assert classes["n"].min() >= 3 and classes["l"].min() >= 2  # type: ignore[operator]
    assert classes.height / kept.height <= 0.2


def test_drop_removes_exactly_the_suppressed_records() -> None:
    df = frame(400)
    qi = ["age", "sex", "city"]
    crit = Criteria(k=5, suppression_limit=0.1)
    starred = anonymize(df, qi, hierarchies(df), crit, recoding="global")
    dropped = anonymize(df, qi, hierarchies(df), crit, recoding="global", suppress="drop")
    assert dropped.frame.height == df.height - starred.suppressed


def test_recoding_must_be_local_or_global() -> None:
    df = frame(50)
    with pytest.raises(InputError):
        anonymize(df, ["sex"], hierarchies(df), Criteria(k=2), recoding="mondrian")
