"""The PIA's risk levels: impact (S393-D1), likelihood (S393-D2) and the matrix that gives a risk
its level (S393-D3) — all from the 2019-10-20 *draft* of GB/T 39335 Annex D, so configurable in
the site's ``rules.yaml`` and said to be unconfirmed wherever they are used."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from baomi.errors import InputError
from baomi.i18n import tr
from baomi.services.comply.rulebook import Rule, RuleBook, rules


class Impact(StrEnum):
    """Impact on individuals (S393-D1, draft): 严重 / 高 / 中 / 低."""

    SEVERE = "severe"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self.value]()


class Likelihood(StrEnum):
    """Likelihood (S393-D2, draft): 低 / 中 / 高 / 很高 — the matrix's columns in this order."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self.value]()


class RiskLevel(StrEnum):
    """A risk's level (S393-D3, draft), lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self.value]()

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


_LEVEL_LABELS: dict[str, Callable[[], str]] = {
    "severe": lambda: tr("严重", "severe"),
    "high": lambda: tr("高", "high"),
    "medium": lambda: tr("中", "medium"),
    "low": lambda: tr("低", "low"),
    "very_high": lambda: tr("很高", "very high"),
}

MATRIX_RULE = "S393-D3"


def risk_level(impact: Impact, likelihood: Likelihood, book: RuleBook | None = None) -> RiskLevel:
    """The level of a risk by the matrix of ``S393-D3`` (draft; a site file may change it)."""
    matrix = (book or rules())[MATRIX_RULE].param("matrix")
    try:
        return RiskLevel(matrix[impact.value][list(Likelihood).index(likelihood)])
    except (KeyError, IndexError, ValueError):
        raise InputError(
            f"{MATRIX_RULE}: the matrix has no valid cell {impact}/{likelihood}"
        ) from None


def unacceptable(level: RiskLevel, book: RuleBook | None = None) -> bool:
    """Whether the organisation does not accept ``level`` (``S393-D3``'s ``unacceptable``)."""
    floor = RiskLevel((book or rules())[MATRIX_RULE].param("unacceptable"))
    return level.rank >= floor.rank


def matrix_rule() -> Rule:
    return rules()[MATRIX_RULE]


def upgrade_for_scale(sensitive_individuals: int, book: RuleBook | None = None) -> bool:
    """Whether S393-D1 (draft) raises the impact one level for sensitive PI at this scale."""
    limit = int((book or rules())["S393-D1"].param("upgrade_sensitive_individuals"))
    return sensitive_individuals >= limit
