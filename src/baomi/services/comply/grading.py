"""The national grade of a personal-information leak (the grading annex of the incident reporting
measures, INC-G1..G4): one function for the exposure estimate and the incident register."""

from __future__ import annotations

from enum import StrEnum

from baomi.i18n import tr
from baomi.services.comply.rulebook import RuleBook, rules


class Grade(StrEnum):
    """From lowest to highest; :attr:`rank` orders them."""

    BELOW = "below_relatively_major"  # not automatically 较大 (INC-A): notify immediately still
    RELATIVELY_MAJOR = "relatively_major"  # 较大 (INC-G3)
    MAJOR = "major"  # 重大 (INC-G2)
    ESPECIALLY_MAJOR = "especially_major"  # 特别重大 (INC-G1)

    @property
    def rank(self) -> int:
        return list(Grade).index(self)

    @property
    def label(self) -> str:
        return {
            Grade.ESPECIALLY_MAJOR: tr("特别重大", "especially major"),
            Grade.MAJOR: tr("重大", "major"),
            Grade.RELATIVELY_MAJOR: tr("较大", "relatively major"),
            Grade.BELOW: tr("较大以下", "below relatively major"),
        }[self]


#: The rule that sets each grade's threshold, highest first.
THRESHOLDS = (
    ("INC-G1", Grade.ESPECIALLY_MAJOR),
    ("INC-G2", Grade.MAJOR),
    ("INC-G3", Grade.RELATIVELY_MAJOR),
)


def grade_of(individuals: int, book: RuleBook | None = None) -> tuple[Grade, str | None]:
    """The grade of a leak of ``individuals`` persons' PI and the rule id that set it
    (``None`` below 较大). 「以上」 includes the number itself (INC-G4)."""
    book = book or rules()
    inclusive = bool(book["INC-G4"].param("inclusive"))
    for rule_id, g in THRESHOLDS:
        limit = int(book[rule_id].param("individuals"))
        if individuals > limit or (inclusive and individuals == limit):
            return g, rule_id
    return Grade.BELOW, None


def grade(individuals: int, book: RuleBook | None = None) -> Grade:
    return grade_of(individuals, book)[0]
