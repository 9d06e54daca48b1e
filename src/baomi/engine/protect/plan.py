"""Which operator protects each column of a table: the policy's column rules first, then the
column's classification — the scan's own (:func:`baomi.engine.columns.classify_columns`), so that
protect and scan agree on what a column is.

* an *entity* column (its values are one entity; ``policy.column_share`` of them without a
  header hint) gets the entity's rule, value by value, on the cells that are the entity whole;
* a *text* column (notes, remarks) is analysed cell by cell and the spans replaced;
* a *skip* column (no PI in the sample) and a *decoy* (order numbers with an ID's shape that
  pass its check only by chance) are still analysed cell by cell for identifiers — with the
  pattern recognizers, a decoy's look-alike excepted, as the scan does — so that an identifier
  further down is protected while the business keys stay as they are.

Which cells hold which entities is decided by :func:`baomi.engine.cells.column_findings` from
the scan's classification (``ColumnPlan.cells``) — the decision the scan reports — so that the
inventory counts what protect treats: a landline in a mobile column gets the landline's rule.

A column rule without ``entity:`` whose operator depends on the entity (mask, pseudonym, fpe,
replace) is applied as the entity the column is classified as.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from baomi.engine import columns
from baomi.engine.normalize import normalize
from baomi.engine.protect.policy import Policy, Rule
from baomi.engine.protect.registry import OperatorRegistry
from baomi.engine.recognizers.registry import Registry

Mode = Literal["entity", "text", "rule", "qi", "skip"]


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    name: str
    mode: Mode
    entity: str | None = None
    rule: Rule | None = None
    share: float = 0.0
    #: Entities a skip column is not analysed for (a decoy's look-alike identifiers).
    excluded: tuple[str, ...] = ()
    #: The scan's classification: which entities the cells hold is decided from it
    #: (:func:`baomi.engine.cells.column_findings`), as the scan decides what it reports.
    cells: columns.ColumnPlan | None = None


#: An entity column's operator replaces whole cells: most sampled cells must be (at least this
#: share) the entity alone. A notes column of "回拨13812345678" is one for the scan (it reports
#: the spans), and text here: its spans are replaced, the words kept.
WHOLE_CELL = 0.8
SAMPLE_CELLS = 200


def classify(
    name: str, values: pl.Series, policy: Policy, registry: Registry, found: columns.ColumnPlan
) -> ColumnPlan:
    """The plan for one column that the policy does not name, from its classification
    (``found``: :func:`baomi.engine.columns.classify_columns`)."""
    if found.mode == "entity" and found.entity is not None:
        if not _whole_cells(values, found.entity, registry):
            return ColumnPlan(name, "text", cells=found)
        rule = policy.rule_for_entity(found.entity)
        return ColumnPlan(name, "entity", found.entity, rule, found.confidence, cells=found)
    if found.mode == "text":
        return ColumnPlan(name, "text", cells=found)
    return ColumnPlan(name, "skip", excluded=found.excluded, cells=found)


def _whole_cells(values: pl.Series, entity: str, registry: Registry) -> bool:
    """Whether most of the column's distinct values are, whole, ``entity`` (checked with its
    pattern recognizers; a column-context one — names, addresses — is whole by definition)."""
    recognizers = [r for r in registry if r.entity == entity and not r.model_based]
    if not recognizers or any(r.column_only for r in recognizers):
        return True
    cells = values.drop_nulls().str.strip_chars()
    sample = cells.filter(cells.str.len_chars() > 0).unique(maintain_order=True)
    texts = sample.head(SAMPLE_CELLS).to_list()
    if not texts:
        return True
    whole = 0
    for text in texts:
        norm = normalize(text)
        covered = max(
            (sum(f.end - f.start for f in r.analyze_cell(text, norm)) for r in recognizers),
            default=0,
        )
        whole += covered >= WHOLE_CELL * len(text)
    return whole * 2 >= len(texts)


def plan_table(
    frame: pl.DataFrame,
    policy: Policy,
    registry: Registry,
    operators: OperatorRegistry | None = None,
) -> list[ColumnPlan]:
    qi = set(policy.quasi_identifiers.columns) if policy.quasi_identifiers else set()
    qi |= set(policy.quasi_identifiers.sensitive) if policy.quasi_identifiers else set()
    operators = operators or OperatorRegistry.default()
    # the columns whose plan needs their classification, classified together (one query of
    # their samples' regex tests, as the scan's planner does)
    wanted = [n for n in frame.columns if _classified(n, policy.columns.get(n), qi, operators)]
    found = dict(
        zip(
            wanted,
            columns.classify_columns(
                [(n, frame[n]) for n in wanted], registry, entity_share=policy.column_share
            ),
            strict=True,
        )
    )
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
                plan = classify(name, frame[name], policy, registry, found[name])
                entity = plan.entity if plan.mode == "entity" else None
                plans.append(ColumnPlan(name, "rule", entity, rule, plan.share if entity else 1.0))
            else:
                plans.append(ColumnPlan(name, "rule", rule.entity, rule, 1.0))
        elif name in qi:
            plans.append(ColumnPlan(name, "qi"))
        else:
            plans.append(classify(name, frame[name], policy, registry, found[name]))
    return plans


def _classified(name: str, rule: Rule | None, qi: set[str], operators: OperatorRegistry) -> bool:
    """Whether a column's plan takes its classification: a column the policy names neither by
    a rule nor as a quasi-identifier, or a rule whose operator depends on the entity without
    naming it."""
    if rule is None:
        return name not in qi
    return rule.operator != "" and rule.entity is None and operators.get(rule.operator).uses_entity


def text_prefilter(registry: Registry) -> str | None:
    """One Polars regex that every cell containing a text-mode entity matches (or None)."""
    parts = [r.prefilter for r in registry if not r.column_only]
    if not parts or any(p is None for p in parts):
        return None
    return "|".join(f"(?:{p})" for p in parts if p is not None)
