"""Generated, realistic seller data for demos, tests and benchmarks — no real person's data.

``generate_demo(dir, seed=..., rows=...)`` writes the data set and returns its ground truth
(:class:`DemoTruth`: every PI span in the shape of ``findings.jsonl``). The generators of single
identifiers live in :mod:`baomi.demo.identifiers`, people in :mod:`baomi.demo.people`.
"""

from __future__ import annotations

from baomi.demo.generator import DEFAULT_ROWS, DEFAULT_SEED, generate_demo
from baomi.demo.people import Person, PersonFactory
from baomi.demo.truth import ENTITIES, ColumnFact, DemoTruth, SpanText, TruthSpan

__all__ = [
    "DEFAULT_ROWS",
    "DEFAULT_SEED",
    "ENTITIES",
    "ColumnFact",
    "DemoTruth",
    "Person",
    "PersonFactory",
    "SpanText",
    "TruthSpan",
    "generate_demo",
]
