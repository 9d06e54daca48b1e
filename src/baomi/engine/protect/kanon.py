"""Re-identification risk and k-anonymity by optimal generalisation (GB/T 37964-2019 Annex B).

Risk (S379-B1/B2): a record's re-identification probability is 1 / (size of its equivalence
class on the quasi-identifiers). :func:`risk` reports k (the smallest class), distinct
l-diversity, the prosecutor risk (maximum 1/k and average = classes / records), records in
classes under a target k, and uniques.

Anonymisation (:func:`anonymize`) searches the whole generalisation lattice (every combination
of hierarchy levels) for the transformation with the least information loss that meets the
criteria (k, l, maximum / average risk) with at most ``suppression_limit`` of the records
suppressed. Records are first collapsed to distinct combinations with counts; each lattice node
is then a few vector operations. Nodes are visited in order of a lower bound of their loss
(generalisation loss without suppression, which suppression can only raise) and the search stops
when the bound reaches the best loss found: the result is the global optimum of the metric, not a
heuristic (ARX's Flash finds the optimum under a monotonicity assumption; this does not need it).

Information loss metric: the loss metric "LM" of Iyengar (2002) — for a generalised value,
(leaves covered − 1) / (leaves in the hierarchy − 1); a suppressed record loses 1 per attribute;
averaged over records and quasi-identifiers (0 = original, 1 = everything suppressed).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import numpy.typing as npt
import polars as pl

from baomi.engine.protect.hierarchy import SUPPRESSED, Hierarchy
from baomi.errors import InputError

#: The exhaustive search visits at most this many lattice nodes (~0.3 ms each on Adult).
MAX_NODES = 300_000
LOSS_METRIC = "LM (Iyengar 2002 loss metric; suppressed records count as fully generalised)"

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Re-identification figures for one table and one set of quasi-identifiers."""

    records: int
    classes: int
    k: int
    l_diversity: int | None
    max_risk: float
    average_risk: float
    records_below_k: int
    uniques: int
    target_k: int

    def rounded(self) -> RiskReport:
        """The figures as reported (risks to six decimals)."""
        return replace(
            self, max_risk=round(self.max_risk, 6), average_risk=round(self.average_risk, 6)
        )

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self.rounded())


def risk(
    frame: pl.DataFrame, qi: Sequence[str], sensitive: Sequence[str] = (), target_k: int = 2
) -> RiskReport:
    """Risk figures of ``frame`` on ``qi`` (records whose every QI is ``*`` are suppressed)."""
    qi = list(qi)
    data = frame.select(qi + [s for s in sensitive if s not in qi]).with_columns(
        pl.col(c).cast(pl.String).fill_null("") for c in qi
    )
    if qi:
        all_star = pl.all_horizontal(pl.col(c) == SUPPRESSED for c in qi)
        data = data.filter(~all_star)
    n = data.height
    if n == 0:
        return RiskReport(0, 0, 0, None, 0.0, 0.0, 0, 0, target_k)
    aggs = [pl.len().alias("_n")] + [
        pl.col(s).n_unique().alias(f"_l{i}") for i, s in enumerate(sensitive)
    ]
    classes = data.group_by(qi).agg(aggs)
    sizes = classes["_n"]
    k = int(sizes.min())  # type: ignore[arg-type]
    l_div = None
    if sensitive:
        l_div = min(int(classes[f"_l{i}"].min()) for i in range(len(sensitive)))  # type: ignore[arg-type]
    below = int(sizes.filter(sizes < target_k).sum())
    uniques = int((sizes == 1).sum())
    return RiskReport(
        records=n,
        classes=classes.height,
        k=k,
        l_diversity=l_div,
        max_risk=1.0 / k,
        average_risk=classes.height / n,
        records_below_k=below,
        uniques=uniques,
        target_k=target_k,
    )


@dataclass(frozen=True, slots=True)
class Criteria:
    """Privacy targets; :meth:`for_release` gives GB/T 37964 Annex B defaults."""

    k: int = 2
    l: int = 1  # noqa: E741
    average_risk: float | None = None
    suppression_limit: float = 0.05

    @classmethod
    def for_release(
        cls,
        release: str,
        *,
        k: int | None = None,
        l: int = 1,  # noqa: E741
        max_risk: float | None = None,
        average_risk: float | None = None,
        suppression_limit: float = 0.05,
    ) -> Criteria:
        """Controlled sharing: average risk ≤ 0.33 and classes of 3 or more (S379-B2);
        public release: maximum risk (default 0.05, i.e. classes of 20)."""
        from baomi.engine.protect.policy import (
            CONTROLLED_AVERAGE_RISK,
            CONTROLLED_K,
            PUBLIC_MAX_RISK,
        )

        if release == "public":
            k_risk = math.ceil(1 / (max_risk or PUBLIC_MAX_RISK) - 1e-9)
            return cls(max(k or 1, k_risk), l, average_risk, suppression_limit)
        k_risk = math.ceil(1 / max_risk - 1e-9) if max_risk else 1
        avg = average_risk if average_risk is not None else CONTROLLED_AVERAGE_RISK
        return cls(max(k or CONTROLLED_K, k_risk), l, avg, suppression_limit)


@dataclass(frozen=True, slots=True)
class Anonymized:
    """The chosen transformation and its output."""

    frame: pl.DataFrame
    levels: dict[str, int]
    suppressed: int
    loss: float
    metric: str
    nodes_total: int
    nodes_checked: int
    seconds: float
    report: RiskReport
    optimal_ties: int
    #: "local": records the first transformation would suppress were generalised again on
    #: their own (one entry per round: levels and records kept); "global": one transformation.
    recoding: str = "global"
    rounds: tuple[dict[str, object], ...] = ()


class NoSolutionError(InputError):
    """No node of the lattice meets the criteria within the suppression limit."""


@dataclass(slots=True)
class _Encoded:
    rows: IntArray  # distinct level-0 code combinations (d x m)
    weights: FloatArray  # records per combination
    sens: list[IntArray]  # per sensitive attribute: (pair-key codes for distinct counting)
    gen: list[list[IntArray]]  # gen[a][level][code0] -> code at level
    card: list[list[int]]  # cardinality per attribute and level
    lm: list[list[FloatArray]]  # loss per attribute, level, code0


def _encode(
    frame: pl.DataFrame,
    qi: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    sensitive: Sequence[str],
) -> _Encoded:
    cols: list[IntArray] = []
    gen: list[list[IntArray]] = []
    card: list[list[int]] = []
    lm: list[list[FloatArray]] = []
    for a in qi:
        h = hierarchies[a]
        values = frame[a].cast(pl.String).fill_null("").to_list()
        h = h.extend(set(values))
        domain = list(h.rows)
        index = {v: i for i, v in enumerate(domain)}
        cols.append(np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values)))
        levels, cards, losses = [], [], []
        total_leaves = max(len(domain), 2)
        for lvl in range(h.height):
            labels: dict[str, int] = {}
            arr = np.fromiter(
                (labels.setdefault(h.rows[v][lvl], len(labels)) for v in domain),
                dtype=np.int64,
                count=len(domain),
            )
            leaves = np.bincount(arr, minlength=len(labels)).astype(np.float64)
            levels.append(arr)
            cards.append(len(labels))
            losses.append((leaves[arr] - 1) / (total_leaves - 1))
        gen.append(levels)
        card.append(cards)
        lm.append(losses)
    extra: list[IntArray] = []
    for s in sensitive:
        vals = frame[s].cast(pl.String).fill_null("")
        extra.append(vals.cast(pl.Categorical).to_physical().to_numpy().astype(np.int64))
    stacked = np.stack(cols + extra, axis=1)
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    m = len(qi)
    return _Encoded(
        rows=uniq[:, :m].copy(),
        weights=counts.astype(np.float64),
        sens=[uniq[:, m + i].copy() for i in range(len(sensitive))],
        gen=gen,
        card=card,
        lm=lm,
    )


@dataclass(frozen=True, slots=True)
class _Solution:
    levels: dict[str, int]
    suppressed: float
    loss: float
    nodes_total: int
    nodes_checked: int
    optimal_ties: int


#: Rounds of local recoding (ARX's iterative optimisation of the records a global
#: transformation suppresses); each round is one more lattice search on fewer records.
MAX_LOCAL_ROUNDS = 5


def anonymize(
    frame: pl.DataFrame,
    qi: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    criteria: Criteria,
    *,
    sensitive: Sequence[str] = (),
    suppress: str = "star",
    tie_break: bytes = b"",
    recoding: str = "local",
) -> Anonymized:
    """Generalise ``qi`` (and suppress records) to meet ``criteria`` with the least loss.

    ``recoding="global"``: the single optimal transformation (every record generalised to the
    same levels). ``"local"`` (default): then the records it would suppress are anonymised
    again on their own — another optimal search over the lattice, any levels — and so on while
    at least ``k`` remain (ARX's local recoding by iterated global optimisation, Prasser et al.
    2016). Each round's classes meet the criteria by themselves, so the release does (average
    risk included: classes and records add up); fewer records are suppressed and the loss can
    only fall, since a generalised record loses at most what a suppressed one does.

    ``tie_break`` chooses among transformations of equal loss (a per-recipient choice, so two
    recipients may get different but equally useful generalisations).
    """
    if recoding not in ("local", "global"):
        raise InputError(f"recoding must be local or global, not {recoding!r}")
    started = time.perf_counter()
    qi = list(qi)
    n = frame.height
    first = _search(frame, qi, hierarchies, criteria, sensitive, tie_break)
    out, bad = _apply(frame, qi, hierarchies, first.levels, criteria, sensitive)
    loss_records = first.loss * n  # loss x records; a suppressed record counts 1
    checked = first.nodes_checked
    rounds: list[dict[str, object]] = []
    rest = criteria if criteria.suppression_limit >= 1 else replace(criteria, suppression_limit=1.0)
    while recoding == "local" and int(bad.sum()) >= criteria.k and len(rounds) < MAX_LOCAL_ROUNDS:
        idx = bad.arg_true()
        sub = frame[idx]
        try:
            sol = _search(sub, qi, hierarchies, rest, sensitive, tie_break)
        except NoSolutionError:
            break
        if sol.suppressed >= len(idx) or sol.loss >= 1.0 - 1e-12:
            break  # nothing more can be kept (a fully generalised record is as good as gone)
        sub_out, sub_bad = _apply(sub, qi, hierarchies, sol.levels, rest, sensitive)
        out = out.with_columns(out[a].scatter(idx, sub_out[a]) for a in qi)
        loss_records += (sol.loss - 1.0) * len(idx)
        checked += sol.nodes_checked
        rounds.append({"levels": sol.levels, "records": len(idx) - round(sol.suppressed)})
        bad = pl.repeat(False, n, eager=True).scatter(idx, sub_bad)
    suppressed = int(bad.sum())
    if suppress == "drop":
        out = out.filter(~bad)
    report = risk(out, qi, sensitive, criteria.k)
    return Anonymized(
        frame=out,
        levels=first.levels,
        suppressed=suppressed,
        loss=loss_records / n if n else 0.0,
        metric=LOSS_METRIC,
        nodes_total=first.nodes_total,
        nodes_checked=checked,
        seconds=time.perf_counter() - started,
        report=report,
        optimal_ties=first.optimal_ties,
        recoding=recoding,
        rounds=tuple(rounds),
    )


def _search(
    frame: pl.DataFrame,
    qi: list[str],
    hierarchies: Mapping[str, Hierarchy],
    criteria: Criteria,
    sensitive: Sequence[str],
    tie_break: bytes,
) -> _Solution:
    """The optimal global transformation: every node of the lattice, best first."""
    n = frame.height
    enc = _encode(frame, qi, hierarchies, sensitive)
    m = len(qi)
    heights = [len(g) for g in enc.gen]
    totals = [
        [float((enc.weights * lm[enc.rows[:, a]]).sum()) for lm in enc.lm[a]] for a in range(m)
    ]
    size = math.prod(heights)
    if size > MAX_NODES:
        raise NoSolutionError(
            f"{size:,} generalisation combinations: too many for an exhaustive search "
            f"(limit {MAX_NODES:,}); declare fewer quasi-identifiers or shorter hierarchies"
        )
    nodes = list(itertools.product(*[range(h) for h in heights]))
    bound = {nd: sum(totals[a][lvl] for a, lvl in enumerate(nd)) / (n * m) for nd in nodes}
    nodes.sort(key=lambda nd: (bound[nd], sum(nd)))
    limit = criteria.suppression_limit * n
    best_loss = math.inf
    best: list[tuple[tuple[int, ...], float]] = []
    checked = 0
    for node in nodes:
        if bound[node] > best_loss + 1e-12:
            break
        checked += 1
        key = np.zeros(len(enc.weights), dtype=np.int64)
        space = 1
        rowloss = np.zeros(len(enc.weights), dtype=np.float64)
        for a, lvl in enumerate(node):
            key += enc.gen[a][lvl][enc.rows[:, a]] * space
            space *= enc.card[a][lvl]
            rowloss += enc.lm[a][lvl][enc.rows[:, a]]
        if space <= max(4 * len(key), 1 << 16):
            inv = key
            n_cls = space
        else:
            _, inv = np.unique(key, return_inverse=True)
            n_cls = int(inv.max()) + 1
        sizes = np.bincount(inv, weights=enc.weights, minlength=n_cls)
        bad_cls = sizes < criteria.k
        if criteria.l > 1:
            for sens in enc.sens:
                pair = np.unique(inv * (int(sens.max()) + 1) + sens)
                distinct = np.bincount(pair // (int(sens.max()) + 1), minlength=n_cls)
                bad_cls |= distinct < criteria.l
        bad_cls &= sizes > 0
        bad_rows = bad_cls[inv]
        suppressed = float(enc.weights[bad_rows].sum())
        if suppressed > limit + 1e-9:
            continue
        released = n - suppressed
        n_released_cls = int((~bad_cls & (sizes > 0)).sum())
        avg = criteria.average_risk
        if avg is not None and released > 0 and n_released_cls / released > avg + 1e-12:
            continue
        loss = float(
            (enc.weights * rowloss).sum() + (enc.weights[bad_rows] * (m - rowloss[bad_rows])).sum()
        ) / (n * m)
        if loss < best_loss - 1e-12:
            best_loss, best = loss, [(node, suppressed)]
        elif abs(loss - best_loss) <= 1e-12:
            best.append((node, suppressed))
    if not best:
        raise NoSolutionError("no generalisation meets the criteria within the suppression limit")
    best.sort(key=lambda b: hashlib.sha256(tie_break + repr(b[0]).encode()).digest())
    node, suppressed = best[0]
    return _Solution(
        levels=dict(zip(qi, node, strict=True)),
        suppressed=suppressed,
        loss=best_loss,
        nodes_total=len(nodes),
        nodes_checked=checked,
        optimal_ties=len(best),
    )


def apply_levels(
    frame: pl.DataFrame,
    qi: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    levels: Mapping[str, int],
    criteria: Criteria,
    sensitive: Sequence[str] = (),
    suppress: str = "star",
) -> pl.DataFrame:
    """Generalise each QI to its level, then suppress records in classes failing the criteria."""
    out, bad = _apply(frame, qi, hierarchies, levels, criteria, sensitive)
    return out.filter(~bad) if suppress == "drop" else out


def _apply(
    frame: pl.DataFrame,
    qi: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    levels: Mapping[str, int],
    criteria: Criteria,
    sensitive: Sequence[str] = (),
) -> tuple[pl.DataFrame, pl.Series]:
    """The generalised frame (failing classes' QIs set to ``*``) and the suppressed rows."""
    out = frame.with_columns(
        pl.col(a)
        .cast(pl.String)
        .fill_null("")
        .replace_strict(
            {v: row[min(levels[a], len(row) - 1)] for v, row in hierarchies[a].rows.items()},
            default=SUPPRESSED if levels[a] > 0 else pl.col(a).cast(pl.String),
            return_dtype=pl.String,
        )
        for a in qi
    )
    qi = list(qi)
    size = pl.len().over(qi)
    bad = size < criteria.k
    for s in sensitive:
        if criteria.l > 1:
            bad = bad | (pl.col(s).n_unique().over(qi) < criteria.l)
    flags = out.select(bad.alias("_bad")).get_column("_bad")
    return (
        out.with_columns(
            pl.when(flags).then(pl.lit(SUPPRESSED)).otherwise(pl.col(a)).alias(a) for a in qi
        ),
        flags,
    )
