"""Recognizer base classes.

A recognizer finds one entity. Pattern recognizers declare their patterns, context words and
column header hints as class constants; check-digit arithmetic lives in
:mod:`baomi.engine.checksums`. ``validate`` is three-way: ``True`` (confirmed, score up),
``False`` (rejected), ``None`` (cannot tell, pattern score kept).

Two ways a recognizer is used by the scan:

* **text mode** — :meth:`Recognizer.analyze` on a free-text unit (a notes cell, a line, a
  paragraph). Patterns run on NFKC-normalised text; offsets are mapped back to the original.
* **column mode** — a table column classified as this entity. The scan first tries the
  vectorised fast path: cells that fully match :attr:`PatternRecognizer.fast_cell_regex`
  (Rust-regex syntax, used by Polars) are validated with :meth:`validate_series`; every other
  non-empty cell goes through :meth:`analyze`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from baomi.engine.entities import ENTITIES
from baomi.engine.normalize import NormalizedText, normalize
from baomi.engine.types import Explanation, Finding, Validation

CONTEXT_BOOST = 0.35
CONFIRMED_SCORE = 0.99


@dataclass(frozen=True, slots=True)
class Pattern:
    """A named, scored regular expression (Python ``re`` syntax, run on normalised text)."""

    name: str
    regex: str
    score: float
    #: Report a match only with a context word nearby (a bare 8-digit number is no permit).
    context_required: bool = False
    #: The same matches written to start with a character (a class or the first characters
    #: of an alternation), for the batched analysis: ``re`` then skips in C the positions
    #: where no match can start (``tests/engine/test_batch_patterns.py`` compares the two).
    search_regex: str | None = None


class Recognizer(ABC):
    """Finds one entity in text. Subclasses set the class constants below."""

    entity: ClassVar[str]
    #: Column headers (lower-case substrings, Chinese and English) that suggest this entity.
    header_hints: ClassVar[tuple[str, ...]] = ()
    #: Words that make a header's hint name something else (``Company Name``, ``File Name``).
    header_excludes: ClassVar[tuple[str, ...]] = ()
    #: Context words searched in a character window around a match (normalised, lower-case).
    context: ClassVar[tuple[str, ...]] = ()
    context_window: ClassVar[int] = 12
    #: Characters after a match searched for context words (``context_window`` unless set:
    #: 0 where only a word before the value names it, ``电话：9123 4567``)
    context_after: ClassVar[int | None] = None
    #: Only used on columns classified as this entity (names/addresses before the prose model).
    column_only: ClassVar[bool] = False
    #: A column is this entity only when its header says so (a date column is a birth date
    #: only under 出生日期/birthday, not under 注册日期).
    header_required: ClassVar[bool] = False
    #: Uses a statistical model over prose (slower than patterns; ``scan --no-prose`` skips it).
    model_based: ClassVar[bool] = False
    #: Smallest share of distinct values in a column of this entity (names are diverse; a
    #: column of three payment methods is not a name column).
    min_distinct_share: ClassVar[float] = 0.0
    #: Patterns of this recognizer whose findings are no evidence of a column of its entity
    #: (a name of Latin letters on its shape alone, or one word: ``Paris`` is a name too):
    #: found in a column so classified, not counted when a column is classified unless its
    #: header names the entity (``First Name``).
    weak_patterns: ClassVar[frozenset[str]] = frozenset()
    #: Share of arbitrary values of this recognizer's shape that pass its check by chance
    #: (a check character: GB 11643 about 1/11, Luhn 1/10, GB 32100 1/31). Set only where
    #: validation is such a check: only these recognizers can make a column a decoy (a column
    #: of serial numbers whose check characters pass at that rate). ``None``: no such check
    #: (names, addresses, mobiles), so "cannot tell" is no evidence of a decoy.
    chance_valid: ClassVar[float | None] = None
    #: A cheap Rust-regex test (Polars ``str.contains``) that every cell containing this
    #: entity satisfies; cells failing it are skipped in text mode. ``None``: no prefilter.
    prefilter: ClassVar[str | None] = None
    #: The prefilter in a column whose header names this entity, where the header is the
    #: context a pattern needs (:attr:`Pattern.context_required`) and the cells hold no
    #: context word of their own: ``9123 4567`` under ``Phone``. ``None``: :attr:`prefilter`.
    header_prefilter: ClassVar[str | None] = None

    def prefilter_for(self, header: str | None) -> str | None:
        """The prefilter of this recognizer's cells in a column under ``header``."""
        if self.header_prefilter is not None and header and self.named_by(header):
            return self.header_prefilter
        return self.prefilter

    @property
    def name(self) -> str:
        return type(self).__name__

    def named_by(self, header: str) -> bool:
        """True when a column header names this entity: one of :attr:`header_hints` in it, and
        none of :attr:`header_excludes` (``Company Name`` names no person)."""
        h = header.lower().strip()
        return any(hint in h for hint in self.header_hints) and not any(
            word in h for word in self.header_excludes
        )

    @property
    def sensitive(self) -> bool:
        """PIPL-28 sensitive PI, from the entity table (a custom entity may override)."""
        info = ENTITIES.get(self.entity)
        return info.sensitive if info else False

    @abstractmethod
    def analyze(self, text: str, norm: NormalizedText | None = None) -> list[Finding]:
        """Findings of this entity in ``text`` (offsets into ``text``)."""

    def analyze_cell(self, text: str, norm: NormalizedText | None = None) -> list[Finding]:
        """Findings when ``text`` is a whole cell of a column classified as this entity.

        Defaults to :meth:`analyze`; column-context recognizers (names, addresses) override it.
        """
        return self.analyze(text, norm)

    #: Score of a cell in a column classified as this entity when validation cannot tell.
    column_score: ClassVar[float] = 0.85

    def canonical(self, value: str) -> str:
        """Canonical form of a matched value (for distinct counts and keyed hashes)."""
        return value

    def canonical_series(self, values: pl.Series) -> pl.Series:
        """Vectorised :meth:`canonical` (identity unless ``canonical`` is overridden)."""
        if type(self).canonical is Recognizer.canonical:
            return values
        return values.map_elements(self.canonical, return_dtype=pl.String)


class PatternRecognizer(Recognizer):
    """A recognizer defined by patterns, context words and an optional validation hook."""

    patterns: ClassVar[tuple[Pattern, ...]] = ()
    #: When validation returns False: drop the match (True) or keep it at ``rejected_score``
    #: so that context can still lift it over the threshold (False; e.g. bank cards, where
    #: Luhn is a confidence signal, not a hard filter).
    reject_on_invalid: ClassVar[bool] = True
    rejected_score: ClassVar[float] = 0.1
    #: Anchored Rust-regex for the vectorised column fast path, e.g. ``^\d{17}[\dXx]$``.
    #: The cell is stripped of surrounding white space before the test.
    fast_cell_regex: ClassVar[str | None] = None
    #: The values are runs of digits, which the fraction of a decimal number can look like
    #: (``95010.15999999997``: eleven digits after the point read as a mobile): a match that
    #: starts right after a digit and a point is no value (:func:`in_fraction`).
    numeric: ClassVar[bool] = False

    _compiled: ClassVar[tuple[tuple[Pattern, re.Pattern[str]], ...]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._compiled = tuple((p, re.compile(p.regex)) for p in cls.patterns)

    def validate(self, value: str) -> bool | None:
        """Three-way check of a canonical match value. Default: cannot tell."""
        return None

    def validate_series(self, values: pl.Series) -> pl.Series:
        """Vectorised :meth:`validate` over canonical values (Boolean series, null = unknown).

        The default maps :meth:`validate` over the unique values; override with a Polars
        expression where the arithmetic allows (a test checks both agree).
        """
        uniq = values.unique()
        mapped = pl.Series([self.validate(v) for v in uniq.to_list()], dtype=pl.Boolean)
        lookup = pl.DataFrame({"v": uniq, "ok": mapped})
        return (
            pl.DataFrame({"v": values})
            .join(lookup, on="v", how="left", maintain_order="left")
            .get_column("ok")
        )

    def find_context(self, norm_text: str, start: int, end: int) -> str | None:
        """First context word within ``context_window`` characters of the span."""
        if not self.context:
            return None
        lo = max(0, start - self.context_window)
        after = self.context_window if self.context_after is None else self.context_after
        window = norm_text[lo:start].lower() + " " + norm_text[end : end + after].lower()
        for word in self.context:
            if word in window:
                return word
        return None

    def excluded(self, value: str) -> bool:
        """True for a canonical value this recognizer must not report (e.g. a card number that
        is a valid resident ID). Override together with :meth:`excluded_series`."""
        return False

    def excluded_series(self, values: pl.Series) -> pl.Series:
        """Vectorised :meth:`excluded` (default: maps :meth:`excluded` over unique values)."""
        if type(self).excluded is PatternRecognizer.excluded:
            return pl.repeat(False, len(values), eager=True, dtype=pl.Boolean)
        uniq = values.unique()
        lookup = pl.DataFrame({"v": uniq, "x": [self.excluded(v) for v in uniq.to_list()]})
        return (
            pl.DataFrame({"v": values})
            .join(lookup, on="v", how="left", maintain_order="left")
            .get_column("x")
            .fill_null(False)
        )

    def score_match(self, pattern: Pattern, validation: Validation, context: str | None) -> float:
        # a pattern that needs context needs it even where a check passes: a check character
        # that arbitrary codes pass 1 time in 11 confirms nothing on its own
        if pattern.context_required and context is None:
            return 0.0
        if validation is Validation.CONFIRMED:
            return CONFIRMED_SCORE
        base = self.rejected_score if validation is Validation.REJECTED else pattern.score
        if context is not None:
            base += CONTEXT_BOOST
        return min(base, CONFIRMED_SCORE)

    def iter_matches(self, norm: NormalizedText) -> Iterator[tuple[Pattern, re.Match[str]]]:
        for pattern, rx in self._compiled:
            for m in rx.finditer(norm.text):
                yield pattern, m

    def match_value(self, m: re.Match[str]) -> tuple[str, int, int]:
        """The matched text and its span in normalised text (group ``v`` if the pattern has one)."""
        if "v" in m.re.groupindex:
            return m.group("v"), m.start("v"), m.end("v")
        return m.group(0), m.start(), m.end()

    def analyze(self, text: str, norm: NormalizedText | None = None) -> list[Finding]:
        norm = norm or normalize(text)
        out: list[Finding] = []
        for pattern, m in self.iter_matches(norm):
            raw, s, e = self.match_value(m)
            if self.numeric and in_fraction(norm.text, s):
                continue
            value = self.canonical(raw)
            if self.excluded(value):
                continue
            validation = Validation.of(self.validate(value))
            if validation is Validation.REJECTED and self.reject_on_invalid:
                continue
            ctx = self.find_context(norm.text, s, e)
            score = self.score_match(pattern, validation, ctx)
            if score <= 0:
                continue
            o_start, o_end = norm.span(s, e)
            out.append(
                Finding(
                    entity=self.entity,
                    start=o_start,
                    end=o_end,
                    score=round(score, 2),
                    explanation=Explanation(self.name, pattern.name, validation, ctx),
                    value=value,
                )
            )
        return out


def in_fraction(text: str, start: int) -> bool:
    """Whether position ``start`` of ``text`` follows a digit and a point: it is inside a
    decimal number's fraction (``95010.|15999999997``), so the digits from there are part of
    that number, not an identifier of their own. A point after a word (``Tel.``, ``a.``) or a
    blank after the point (``5. 138…``) is no decimal point."""
    return start >= 2 and text[start - 1] == "." and "0" <= text[start - 2] <= "9"


#: Entities whose spans a model or context draws (a name, an address, an organisation): where
#: one overlaps an identifier — a pattern's exact span — the identifier wins, whatever the
#: scores (``Lee`` read as a name inside ``Lee.Smith@…``: masking the name alone left the rest
#: of the address)
SOFT_ENTITIES = frozenset({"PERSON_NAME", "ADDRESS", "ORGANIZATION"})


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the best of overlapping findings: an identifier before a name, an address or an
    organisation (:data:`SOFT_ENTITIES`), then higher score, longer span, earlier."""
    if len(findings) < 2:
        return findings
    ranked = sorted(
        findings,
        key=lambda f: (f.entity in SOFT_ENTITIES, -f.score, -(f.end - f.start), f.start),
    )
    kept: list[Finding] = []
    for f in ranked:
        if not any(f.overlaps(k) for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept
