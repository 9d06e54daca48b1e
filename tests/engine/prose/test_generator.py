"""The training-sentence generator: deterministic, tags aligned with the filled slots."""

from __future__ import annotations

import pytest

from baomi.engine.prose import lexicon
from baomi.engine.prose.generator import SentenceGenerator


def test_same_seed_same_sentences() -> None:
    a = [s.text for s in SentenceGenerator(11).sentences(30)]
    b = [s.text for s in SentenceGenerator(11).sentences(30)]
    c = [s.text for s in SentenceGenerator(12).sentences(30)]
    assert a == b
    assert a != c


def test_tags_match_spans() -> None:
    for s in SentenceGenerator(5).sentences(300):
        assert len(s.tags) == len(s.text)
        for start, end, label in s.spans:
            assert s.tags[start] == f"B-{label}"
            assert all(t == f"I-{label}" for t in s.tags[start + 1 : end])
        tagged = sum(1 for t in s.tags if t != "O")
        assert tagged == sum(e - s_ for s_, e, _ in s.spans)


def test_entities_are_varied() -> None:
    gen = SentenceGenerator(9)
    names = [gen.person() for _ in range(2000)]
    assert any("·" in n for n in names)  # minority and transliterated names
    assert any(n[:2] in lexicon.COMPOUND_SURNAMES for n in names)
    assert any(n.isascii() for n in names)
    assert len(set(names)) > 1500
    orgs = [gen.organization() for _ in range(300)]
    assert sum(o.endswith(lexicon.ORG_SUFFIXES) for o in orgs) > 200
    addresses = [gen.address() for _ in range(300)]
    assert sum(any(ch.isdigit() for ch in a) for a in addresses) > 200


def test_addresses_use_real_divisions() -> None:
    names = {d.name for d in lexicon.divisions()}
    gen = SentenceGenerator(2)
    for _ in range(50):
        chain = gen._chain()
        assert chain[-1] in names


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("广东省", 1, "广东"),
        ("广西壮族自治区", 1, "广西"),
        ("香港特别行政区", 1, "香港"),
        ("阿坝藏族羌族自治州", 2, "阿坝"),
        ("深圳市", 2, "深圳"),
        ("海淀区", 3, "海淀"),
        ("忠县", 3, "忠县"),
    ],
)
def test_short_division_names(name: str, level: int, short: str) -> None:
    assert lexicon.short_name(name, level) == short


def test_heldout_split_uses_other_templates() -> None:
    train = SentenceGenerator(1, split="train", salad_share=0.0)
    held = SentenceGenerator(1, split="heldout", salad_share=0.0)
    for group in train.templates:
        assert not set(train.templates[group]) & set(held.templates[group])
    with pytest.raises(ValueError):
        SentenceGenerator(1, split="nope")
