"""Which operator protects each column of a table: the policy's column rules first, then the
entity found by running the recognizers on a sample of the column's cells.

A column is an *entity* column when at least ``policy.column_share`` of its sampled non-empty
cells are (80 % or more) one entity (a header hint lowers the bar); a *text* column when some cells
contain identifiers (notes, remarks): each cell is then analyzed and the spans replaced; else it
is left as it is. A column rule without ``entity:`` whose operator depends on the entity (mask,
pseudonym, fpe, replace) is applied as the entity the column is classified as.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from baomi.engine.batch import prefetch, release
from baomi.engine.normalize import NormalizedText, normalize
from baomi.engine.protect.policy import Policy, Rule
from baomi.engine.protect.registry import OperatorRegistry
from baomi.engine.recognizers.registry import Registry

SAMPLE_CELLS = 200
HINTED_SHARE = 0.3
THRESHOLD = 0.5
#: A header hint is context: a date under "出生日期" is a birth date.
HINTED_THRESHOLD = 0.2
#: An entity cell is (almost) all entity; a note that contains a phone number is text.
WHOLE_CELL = 0.8

Mode = Literal["entity", "text", "rule", "qi", "skip"]


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    name: str
    mode: Mode
    entity: str | None = None
    rule: Rule | None = None
    share: float = 0.0


def _hinted(header: str, hints: tuple[str, ...]) -> bool:
    h = header.lower().strip()
    return any(hint in h for hint in hints)


def classify(name: str, values: pl.Series, policy: Policy, registry: Registry) -> ColumnPlan:
    """The plan for one column that the policy does not name."""
    cells = values.drop_nulls().str.strip_chars()
    cells = cells.filter(cells.str.len_chars() > 0).unique(maintain_order=True)
    sample = cells.head(SAMPLE_CELLS).to_list()
    if not sample:
        return ColumnPlan(name, "skip")
    normed = [normalize(c) for c in sample]
    models = [r for r in registry if r.model_based]
    prefetched = prefetch((r, n) for r in models for n in normed)
    try:
        return _classify_sample(name, sample, normed, policy, registry)
    finally:
        release(prefetched)


def _classify_sample(
    name: str,
    sample: list[str],
    normed: list[NormalizedText],
    policy: Policy,
    registry: Registry,
) -> ColumnPlan:
    best_entity, best_share, some_pi = None, 0.0, False
    for r in registry:
        hinted = _hinted(name, r.header_hints)
        threshold = HINTED_THRESHOLD if hinted else THRESHOLD
        covered = 0
        for cell, norm in zip(sample, normed, strict=True):
            found = [f for f in r.analyze_cell(cell, norm) if f.score >= threshold]
            if found:
                if not r.column_only and not hinted:
                    some_pi = True
                if sum(f.end - f.start for f in found) >= WHOLE_CELL * len(cell):
                    covered += 1
        share = covered / len(sample)
        bar = HINTED_SHARE if hinted else policy.column_share
        if share >= bar and share > best_share:
            best_entity, best_share = r.entity, share
    if best_entity is not None:
        return ColumnPlan(
            name, "entity", best_entity, policy.rule_for_entity(best_entity), best_share
        )
    if some_pi:
        return ColumnPlan(name, "text")
    return ColumnPlan(name, "skip")


def plan_table(
    frame: pl.DataFrame,
    policy: Policy,
    registry: Registry,
    operators: OperatorRegistry | None = None,
) -> list[ColumnPlan]:
    qi = set(policy.quasi_identifiers.columns) if policy.quasi_identifiers else set()
    qi |= set(policy.quasi_identifiers.sensitive) if policy.quasi_identifiers else set()
    operators = operators or OperatorRegistry.default()
    plans = []
    for name in frame.columns:
        rule = policy.columns.get(name)
        if rule is not None:
            if rule.operator == "":  # the column holds an entity: use the entity's rule
                entity_rule = policy.rule_for_entity(rule.entity or "")
                plans.append(ColumnPlan(name, "entity", rule.entity, entity_rule, 1.0))
            elif rule.entity is None and operators.get(rule.operator).uses_entity:
                # `手机: {operator: mask}`: mask as a mobile when the column holds mobiles
                # (`entity:` in the rule overrides the classification)
                found = classify(name, frame[name], policy, registry)
                entity = found.entity if found.mode == "entity" else None
                plans.append(ColumnPlan(name, "rule", entity, rule, found.share if entity else 1.0))
            else:
                plans.append(ColumnPlan(name, "rule", rule.entity, rule, 1.0))
        elif name in qi:
            plans.append(ColumnPlan(name, "qi"))
        else:
            plans.append(classify(name, frame[name], policy, registry))
    return plans


def text_prefilter(registry: Registry) -> str | None:
    """One Polars regex that every cell containing a text-mode entity matches (or None)."""
    parts = [r.prefilter for r in registry if not r.column_only]
    if not parts or any(p is None for p in parts):
        return None
    return "|".join(f"(?:{p})" for p in parts if p is not None)
