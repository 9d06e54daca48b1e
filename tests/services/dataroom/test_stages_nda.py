"""The stage machine and the NDA template."""

from __future__ import annotations

import pytest

from baomi.errors import InputError
from baomi.services.dataroom import nda
from baomi.services.dataroom.stages import BUYER_OPEN, TRANSITIONS, Stage, advance

ALLOWED = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


@pytest.mark.parametrize("current", list(Stage))
@pytest.mark.parametrize("target", list(Stage))
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    current: Stage, target: Stage
) -> None:
    if (current, target) in ALLOWED:
        assert advance(current, target) is target
    else:
        with pytest.raises(InputError):
            advance(current, target)


def test_a_deal_can_be_aborted_until_it_ends_and_buyers_see_it_only_while_open() -> None:
    assert {s for s in Stage if Stage.ABORTED in TRANSITIONS[s]} == {
        Stage.PREPARING,
        Stage.DUE_DILIGENCE,
        Stage.SIGNED,
    }
    assert {Stage.DUE_DILIGENCE, Stage.SIGNED} == BUYER_OPEN


TERMS = nda.NdaTerms(
    deal="转让-001",
    target="示例科技有限公司",
    uscc="91350100M000100Y43",
    discloser="卖方",
    recipient="买方",
    version=1,
    date="2026-12-04",
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nda_has_its_six_parts_in_order(lang: str) -> None:
    text = nda.render(TERMS, lang)
    titles = [zh if lang == "zh" else en for zh, en in nda.PARTS]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)
    assert TERMS.target in text and TERMS.uscc in text and "24" in text


def test_text_hash_changes_with_any_change() -> None:
    one = nda.text_hash(nda.render(TERMS))
    assert one == nda.text_hash(nda.render(TERMS))
    assert one != nda.text_hash(nda.render(TERMS) + " ")
