"""Policy validation: errors name the line; keys are refused; the default policy covers all."""

from __future__ import annotations

import pytest

from baomi.engine.entities import ENTITIES
from baomi.engine.protect.policy import DEFAULT_POLICY, load_policy_text
from baomi.errors import PolicyError


def test_default_policy_deidentifies_every_direct_identifier() -> None:
    policy = load_policy_text(DEFAULT_POLICY)
    for name, info in ENTITIES.items():
        if info.identifier or info.sensitive:
            assert policy.removes(name), name


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("version: 1\nentities:\n  CN_MOBILE: {operator: maskk}\n", 3, "unknown operator"),
        ("entities:\n  CN_MOBILE:\n    operator: mask\n    keep_first: many\n", 4, "integer"),
        ("entities:\n  NOT_AN_ENTITY: {operator: mask}\n", 2, "unknown entity"),
        ("entities:\n  CN_MOBILE:\n    operator: pseudonym\n    key: 00ff00ff\n", 4, "key_id"),
        ("entities:\n  CN_MOBILE:\n    operator: hash\n    key_id: 'a b c /'\n", 4, "key_id"),
        ("name: x\nquasi_identifiers:\n  columns: [age]\n  k: 0\n", 4, "greater than"),
        ("name: x\nbogus: 1\n", 2, "Extra inputs"),
        ("entities: [\n", 2, "YAML"),
    ],
)
def test_policy_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PolicyError) as err:
        load_policy_text(text, source="p.yaml")
    assert f"p.yaml:{line}:" in str(err.value)
    assert words in str(err.value)


def test_column_rules_and_hash_changes_with_content() -> None:
    a = load_policy_text("columns:\n  电话: {entity: CN_MOBILE}\n  备注: {operator: redact}\n")
    assert a.columns["电话"].entity == "CN_MOBILE" and a.columns["备注"].operator == "redact"
    b = load_policy_text("columns:\n  电话: {entity: CN_MOBILE}\n")
    assert a.sha256 != b.sha256
