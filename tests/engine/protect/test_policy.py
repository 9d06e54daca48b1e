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
        # parameter values that passed the check and then leaked or crashed
        ("entities:\n  CN_MOBILE:\n    operator: mask\n    keep_first: -3\n", 4, "greater than"),
        ("entities:\n  CN_MOBILE: {operator: mask, keep_last: -1}\n", 2, "greater than"),
        ("entities:\n  CN_MOBILE: {operator: mask, char: ''}\n", 2, "at least 1"),
        ("entities:\n  DATE_OF_BIRTH:\n    operator: generalize\n    width: 0\n", 4, "greater"),
        ("columns:\n  城市:\n    operator: generalize\n    to: hierarchy\n", 4, "hierarchy"),
        ("columns:\n  城市:\n    operator: generalize\n    hierarchy: h.csv\n", 4, "to: hierarchy"),
        (
            "columns:\n  城市: {operator: generalize, to: hierarchy, hierarchy: h.csv, level: 0}\n",
            2,
            "greater",
        ),
        (
            "entities:\n  DATE_OF_BIRTH:\n    operator: generalize\n    as_of: 2025-13-01\n",
            4,
            "as_of",
        ),
        ("entities:\n  CN_MOBILE:\n    operator: hash\n    length: 0\n", 4, "greater than"),
        ("entities:\n  CN_MOBILE:\n    operator: hash\n    length: -4\n", 4, "greater than"),
        ("entities:\n  CN_MOBILE:\n    operator: hash\n    length: 65\n", 4, "less than"),
        ("entities:\n  CN_RESIDENT_ID: {operator: pseudonym, birth_year_band: 0}\n", 2, "greater"),
        ("entities:\n  CN_MOBILE:\n    operator: tokenize\n    prefix: 'tk n'\n", 4, "prefix"),
        # a duplicate key silently took the last value
        (
            "entities:\n  CN_MOBILE: {operator: mask}\n  CN_MOBILE: {operator: keep}\n",
            3,
            "CN_MOBILE",
        ),
        ("columns:\n  手机: {operator: mask, char: '#', char: '*'}\n", 2, "char"),
        # a token prefix detokenize could not find again (letters and digits only, 1-16)
        ("entities:\n  CN_MOBILE:\n    operator: tokenize\n    prefix: T_K\n", 4, "prefix"),
        ("entities:\n  CN_MOBILE: {operator: tokenize, prefix: 'a b'}\n", 2, "prefix"),
        ("entities:\n  CN_MOBILE: {operator: tokenize, prefix: ''}\n", 2, "prefix"),
        ("columns:\n  电话:\n    operator: tokenize\n    prefix: " + "X" * 17 + "\n", 4, "prefix"),
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


def test_a_duplicate_key_is_an_error_in_both_languages() -> None:
    from baomi.i18n import set_language

    for lang, words in (("zh", "重复的键 'name'（第 1 行已有）"), ("en", "duplicate key 'name'")):
        set_language(lang)
        try:
            with pytest.raises(PolicyError) as err:
                load_policy_text("name: a\nversion: 1\nname: b\n", source="p.yaml")
        finally:
            set_language(None)
        assert str(err.value).startswith("p.yaml:3:") and words in str(err.value)


def test_an_unquoted_as_of_date_is_read_as_the_iso_text() -> None:
    policy = load_policy_text(
        "entities:\n  DATE_OF_BIRTH: {operator: generalize, as_of: 2025-01-01}\n"
    )
    assert policy.entities["DATE_OF_BIRTH"].params.as_of == "2025-01-01"  # type: ignore[attr-defined]


def test_valid_parameter_values_still_load() -> None:
    policy = load_policy_text(
        "entities:\n  CN_MOBILE: {operator: mask, keep_first: 0, keep_last: 4, char: '#'}\n"
        "  DATE_OF_BIRTH: {operator: generalize, to: age_band, width: 5, as_of: '2025-01-01'}\n"
        "  EMAIL: {operator: hash, length: 64}\n"
        "columns:\n  城市: {operator: generalize, to: hierarchy, hierarchy: h.csv, level: 2}\n"
    )
    assert policy.entities["CN_MOBILE"].params.keep_last == 4  # type: ignore[attr-defined]
    assert policy.columns["城市"].params.level == 2  # type: ignore[attr-defined]


def test_a_policy_saved_in_gbk_is_read_and_a_binary_file_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`baomi policy check` crashed with UnicodeDecodeError on the default policy saved as GBK
    by a Windows editor, and on a binary file."""
    from baomi.engine.protect.policy import load_policy

    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(DEFAULT_POLICY.encode("gbk"))
    assert load_policy(gbk).name == "default"
    marked = tmp_path / "marked.yaml"  # a UTF-8 BOM in front of GBK: its comments were garbled
    marked.write_bytes(b"\xef\xbb\xbf" + DEFAULT_POLICY.encode("gbk"))
    assert load_policy(marked) == load_policy(gbk)
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\x00\x01\xff\xfe\x89PNG" * 10)
    with pytest.raises(PolicyError):
        load_policy(binary)
