"""Protect finds a document's lines all at once (``unit_findings``): each line's findings are
those the text analyzer finds in it alone — spans, scores, recognizers, whether a context
word was seen (which decides what ``--verify`` counts as the model's alone)."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from baomi.demo import identifiers as ids
from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.prose.generator import SentenceGenerator
from baomi.engine.protect.texts import unit_findings
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Finding
from tests.engine.recognizers.support import resident_id


def _key(f: Finding) -> tuple[Any, ...]:
    why = f.explanation
    return (
        f.start,
        f.end,
        f.entity,
        round(f.score, 9),
        why.recognizer,
        why.pattern,
        why.validation,
        why.context_word is None,
        f.value,
    )


def test_a_documents_lines_found_at_once_are_each_lines_findings_alone() -> None:
    analyzer = TextAnalyzer(Registry.default(plugins=False))  # with the prose model
    run: Any = SimpleNamespace(analyzer=analyzer)
    rng = random.Random(20261205)
    units = ["", "  ", "第一条 总则"]
    for s in SentenceGenerator(11).sentences(120):
        extra = rng.choice(
            [
                f"身份证号码：{ids.format_resident_id(rng, resident_id())}",
                f"联系电话 {ids.format_mobile(rng, ids.mobile_number(rng))}",
                f"账号{ids.format_bank_card(rng, ids.bank_card(rng))}",
                "",
            ]
        )
        units.append(rng.choice([s.text, f"{s.text}，{extra}", f"{extra}。{s.text}"]))
    by_unit = unit_findings(run, units)
    total = 0
    for i, unit in enumerate(units):
        want = [_key(f) for f in analyzer.analyze(unit)]
        assert [_key(f) for f in by_unit.get(i, [])] == want, unit
        total += len(want)
    assert total > 200
    assert not set(by_unit) - set(range(len(units)))
