"""The PIA's risk matrix (S393-D3, from the draft of GB/T 39335): every cell, a site override,
the unacceptable level, and the scale upgrade of S393-D1 at its boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.errors import ConfigError
from baomi.services.comply.pia import (
    Impact,
    Likelihood,
    RiskLevel,
    matrix_rule,
    risk_level,
    unacceptable,
    upgrade_for_scale,
)
from baomi.services.comply.rulebook import rules

Im, L, R = Impact, Likelihood, RiskLevel
#: PIPL-RULES.md §5d S393-D3, written out again here so that a wrong YAML cell fails.
TABLE = {
    Im.SEVERE: (R.MEDIUM, R.HIGH, R.SEVERE, R.SEVERE),
    Im.HIGH: (R.MEDIUM, R.MEDIUM, R.HIGH, R.SEVERE),
    Im.MEDIUM: (R.LOW, R.MEDIUM, R.MEDIUM, R.HIGH),
    Im.LOW: (R.LOW, R.LOW, R.MEDIUM, R.MEDIUM),
}
CELLS = [
    pytest.param(impact, likelihood, TABLE[impact][col], id=f"{impact}-{likelihood}")
    for impact in Impact
    for col, likelihood in enumerate(Likelihood)
]


@pytest.mark.parametrize(("impact", "likelihood", "level"), CELLS)
def test_every_cell_of_the_draft_matrix(
    impact: Impact, likelihood: Likelihood, level: RiskLevel
) -> None:
    assert risk_level(impact, likelihood) is level


def test_sixteen_cells_and_the_rule_is_unconfirmed() -> None:
    assert len(CELLS) == 16
    rule = matrix_rule()
    assert (not rule.confirmed and "未确认" in rule.label()) or "unconfirmed" in rule.label()


def test_a_site_file_may_change_the_draft_matrix(tmp_path: Path) -> None:
    site = tmp_path / "rules.yaml"
    site.write_text(
        "S393-D3:\n  params:\n    matrix:\n"
        "      severe: [high, severe, severe, severe]\n"
        "      high: [medium, high, high, severe]\n"
        "      medium: [low, medium, medium, high]\n"
        "      low: [low, low, low, medium]\n"
        "    unacceptable: severe\n",
        encoding="utf-8",
    )
    book = rules(site)
    assert book["S393-D3"].overridden
    assert risk_level(Im.SEVERE, L.LOW, book) is R.HIGH
    assert risk_level(Im.LOW, L.HIGH, book) is R.LOW
    assert risk_level(Im.SEVERE, L.LOW) is R.MEDIUM  # the shipped book is unchanged
    assert not unacceptable(R.HIGH, book) and unacceptable(R.SEVERE, book)


def test_a_settled_rule_cannot_be_overridden(tmp_path: Path) -> None:
    site = tmp_path / "rules.yaml"
    site.write_text("PIPL-56:\n  params:\n    keep_years: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        rules(site)


@pytest.mark.parametrize(
    ("level", "refused"),
    [(R.MEDIUM, False), (R.HIGH, True), (R.SEVERE, True), (R.LOW, False)],
)
def test_unacceptable_from_high_by_default(level: RiskLevel, refused: bool) -> None:
    assert unacceptable(level) is refused


@pytest.mark.parametrize(
    ("individuals", "upgrade"), [(499_999, False), (500_000, True), (500_001, True)]
)
def test_sensitive_pi_at_scale_raises_the_impact(individuals: int, upgrade: bool) -> None:
    assert upgrade_for_scale(individuals) is upgrade
