"""Frozen value types shared by the engine: findings and their explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Validation(Enum):
    """Outcome of a recognizer's validation hook (three-way, as in Presidio)."""

    CONFIRMED = "confirmed"  # check digit / structure verified: score raised
    REJECTED = "rejected"  # verified wrong: dropped (or kept at a low score, see Recognizer)
    UNKNOWN = "unknown"  # nothing to verify: the pattern score is kept

    @classmethod
    def of(cls, value: bool | None) -> Validation:
        if value is None:
            return cls.UNKNOWN
        return cls.CONFIRMED if value else cls.REJECTED


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a span was flagged: shown in the UI's "why?" panel and in audit records."""

    recognizer: str
    pattern: str
    validation: Validation
    context_word: str | None = None
    column_hint: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "recognizer": self.recognizer,
            "pattern": self.pattern,
            "validation": self.validation.value,
            "context": self.context_word,
            "column_hint": self.column_hint,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One entity found in one text unit (cell, line, paragraph, page).

    ``start``/``end`` are character offsets into the *original* text, end exclusive.
    ``value`` is the canonical form of the match (digits only for a phone, upper-case ``X``
    for a resident ID); it is kept in memory only and never written by the scan.
    """

    entity: str
    start: int
    end: int
    score: float
    explanation: Explanation
    value: str = field(default="", repr=False, compare=False)

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end
