from __future__ import annotations

from pathlib import Path

import pytest

from baomi.errors import ConfigError
from baomi.services.comply.rulebook import SETTLED, UNSETTLED, rules


def test_every_shipped_rule_has_an_id_source_status_and_both_titles() -> None:
    book = rules()
    assert len(book) > 0
    for rule in book:
        assert rule.id and rule.source and rule.title_zh and rule.title_en
        assert rule.status in SETTLED | UNSETTLED


def test_a_site_file_changes_a_draft_rule_and_marks_it(tmp_path: Path) -> None:
    site = tmp_path / "rules.yaml"
    site.write_text("S393-D3:\n  params: {unacceptable: severe}\n", encoding="utf-8")
    rule = rules(site)["S393-D3"]
    assert rule.param("unacceptable") == "severe" and rule.overridden
    assert not rule.confirmed and "S393-D3" in rule.label() and rule.label() != rule.id
    assert rules()["S393-D3"].param("unacceptable") == "high"


def test_a_site_file_cannot_change_settled_law(tmp_path: Path) -> None:
    site = tmp_path / "rules.yaml"
    site.write_text("PIPL-56:\n  params: {keep_years: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="PIPL-56"):
        rules(site)


@pytest.mark.parametrize(
    "text",
    ["NOPE-1:\n  params: {x: 1}\n", "S393-D3:\n  params: {nonsense: 1}\n", "[1, 2]\n"],
)
def test_a_wrong_site_file_is_refused_clearly(tmp_path: Path, text: str) -> None:
    site = tmp_path / "rules.yaml"
    site.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        rules(site)
