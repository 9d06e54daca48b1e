"""The text analyzer: runs a registry's recognizers over one text unit and resolves overlaps."""

from __future__ import annotations

from collections.abc import Iterable

from baomi.engine.normalize import normalize
from baomi.engine.recognizers.base import Recognizer, resolve_overlaps
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Finding

DEFAULT_THRESHOLD = 0.5


class TextAnalyzer:
    """Analyzes free text with every recognizer that works on prose.

    Takes its parts as arguments, so tests can pass a small registry of fakes.
    """

    def __init__(self, registry: Registry, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.registry = registry
        self.threshold = threshold
        self.text_recognizers: tuple[Recognizer, ...] = tuple(
            r for r in registry if not r.column_only
        )

    def analyze(self, text: str, recognizers: Iterable[Recognizer] | None = None) -> list[Finding]:
        """Findings in ``text`` at or above the threshold, overlaps resolved once."""
        if not text:
            return []
        norm = normalize(text)
        found: list[Finding] = []
        for r in self.text_recognizers if recognizers is None else recognizers:
            found.extend(r.analyze(text, norm))
        return [f for f in resolve_overlaps(found) if f.score >= self.threshold]
