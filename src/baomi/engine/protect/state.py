"""The state of one protect run: the policy, registries and operator context, the recipient's
fingerprint, and what the run records for the manifest, the trace record and ``--verify``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.contracts.manifest import KAnonymityReport
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.operators.base import OperatorContext
from baomi.engine.protect.policy import Policy, Rule
from baomi.engine.protect.registry import OperatorRegistry
from baomi.engine.recognizers.base import Recognizer
from baomi.engine.recognizers.registry import Registry
from baomi.engine.types import Finding


@dataclass(slots=True)
class ProtectRun:
    policy: Policy
    registry: Registry
    operators: OperatorRegistry
    ctx: OperatorContext
    analyzer: TextAnalyzer
    fingerprint: int
    prefilter: str | None = None
    #: The package's random key for the renderings of its values (``renderings.py``).
    marks_key: bytes = b""
    #: The original values the policy removes, kept only for ``--verify`` (which looks for them).
    collect_originals: bool = True
    originals: set[str] = field(default_factory=set)
    #: Original values removed where the prose model alone found them (no trigger or title
    #: word, no pattern, no column): ``--verify`` reports the model's other readings of these
    #: in the package's text as unconfirmed instead of failing (one that is also in
    #: ``originals``, removed with support somewhere, is a leftover wherever it is).
    model_only: set[str] = field(default_factory=set)
    #: The values format-keeping operators wrote (``--verify`` only): a name pseudonym may be
    #: another customer's real name, and is not a leftover where the operator wrote it.
    produced: set[str] = field(default_factory=set)
    #: What format-keeping operators wrote into a text (a note, a line, a paragraph), by the
    #: text as written (:func:`written_key`): a name pseudonym there may be another customer's
    #: real name, and is no leftover in that text (``--verify`` only).
    written: dict[bytes, set[str]] = field(default_factory=dict)
    digests: list[bytes] = field(default_factory=list)
    #: The canary records added (``canaries.py``), as the trace record lists them.
    canaries: list[str] = field(default_factory=list)
    operators_used: dict[str, set[str]] = field(default_factory=dict)
    kanon: list[KAnonymityReport] = field(default_factory=list)

    def note(self, entity: str | None, operator: str) -> None:
        self.operators_used.setdefault(entity or "(column)", set()).add(operator)

    def wrote(self, text: str, values: Iterable[str], before: str | None = None) -> None:
        """Record that ``values`` were written into ``text`` (which was ``before``, holding
        what was recorded for that text, when a text is edited a second time)."""
        if not self.collect_originals:
            return
        kept = {v.strip() for v in values if v and v.strip()}
        if before is not None:
            kept |= self.written.get(written_key(before), set())
        if kept:
            self.written.setdefault(written_key(text), set()).update(kept)


def written_key(text: str) -> bytes:
    """The key of a written text in :attr:`ProtectRun.written`: its digest without the
    recipient's zero-width marks and surrounding blanks (as ``--verify`` reads it back)."""
    return hashlib.blake2b(strip_marks(text).strip().encode("utf-8"), digest_size=8).digest()


def model_only(recognizers: Iterable[Recognizer]) -> pl.Expr:
    """Findings (the columns of :func:`~baomi.engine.batch.analyze_column`) that the prose
    model alone made: a model-based recognizer's, with no context word (no trigger or title
    word, no header: a rule's own findings always have their word)."""
    models = sorted({r.name for r in recognizers if r.model_based})
    return pl.col("recognizer").is_in(models) & pl.col("context").is_null()


def model_only_finding(finding: Finding, recognizers: Iterable[Recognizer]) -> bool:
    """:func:`model_only` for one :class:`Finding` (text analysed text by text)."""
    why = finding.explanation
    return why.context_word is None and any(
        r.model_based and r.name == why.recognizer for r in recognizers
    )


def carries_marks(run: ProtectRun, rule: Rule) -> bool:
    """Whether the output of ``rule`` carries the recipient's marks (its rendering)."""
    return run.policy.marks and run.operators.declares(rule.operator, "carries_marks")


def invisible_marks(run: ProtectRun, rule: Rule, where: str) -> bool:
    """Whether the output of ``rule`` also gets zero-width marks ``where`` (``text`` for TXT
    lines and DOCX paragraphs, ``cells`` for table cells): only when the policy asks."""
    wanted = ("text", "cells") if where == "text" else ("cells",)
    return carries_marks(run, rule) and run.policy.invisible in wanted
