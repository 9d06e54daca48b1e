"""Protected file and folder names of a package (identifiers in them replaced by the policy's
operators; the rewriting is the document layer's, :mod:`baomi.engine.documents.names`)."""

from __future__ import annotations

import re

from baomi.engine.documents.names import UniqueNames, replace_spans
from baomi.engine.protect.state import ProtectRun, model_only_finding
from baomi.engine.types import Finding


class PathNames:
    """File and folder names with their identifiers protected (客户13812345678.csv →
    客户138****5678.csv): a package, its manifest and the trace record are read by people who
    must not see them. Each name is analysed like text and each finding replaced by the policy's
    operator (no marks: invisible characters do not belong in file names); a name that two
    files would share gets ``~2``, ``~3`` … before its suffix."""

    def __init__(self, run: ProtectRun) -> None:
        self.run = run
        self.parts: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.used = UniqueNames("~{}")

    def protect(self, rel: str, *, labels: bool = False) -> str:
        """``rel`` with its identifiers protected; ``labels``: its parts are labels (a
        database's ``SCHEMA.TABLE``: `Customer` is a table, not a person — :meth:`label`)."""
        *folders, name = rel.split("/")
        stem, dot, suffix = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        part = self.label if labels else self._part
        out = "/".join([*(part(f) for f in folders), part(stem) + dot + suffix])
        return self.used.claim(out, dot + suffix)

    def label(self, text: str) -> str:
        """``text`` (a header cell, a sheet's name) with its identifiers protected. A label is a
        word or two with no sentence around it, where the prose model alone reads `Sheet` as a
        name: its names count there only in Chinese characters and when it is sure
        (:func:`_label_finding`)."""
        if not text.strip():
            return text
        cached = self.labels.get(text)
        if cached is None:
            cached = self.labels[text] = self._part(text, labels=True)
        return cached

    def _part(self, text: str, labels: bool = False) -> str:
        cached = None if labels else self.parts.get(text)
        if cached is not None:
            return cached
        edits: list[tuple[int, int, str]] = []
        recognizers = self.run.analyzer.text_recognizers
        found = [(f, model_only_finding(f, recognizers)) for f in self.run.analyzer.analyze(text)]
        # a label that holds an identifier is a person's data: the model's name beside it counts
        carries = any(not alone for _, alone in found)
        for f, alone in found:
            if labels and not _label_finding(f, alone, text, carries):
                continue
            rule = self.run.policy.rule_for_entity(f.entity)
            if rule is None or not self.run.operators.declares(rule.operator, "removes"):
                continue
            op = self.run.operators.get(rule.operator)
            new = op.apply(text[f.start : f.end], f.entity, rule.params, self.run.ctx)
            edits.append((f.start, f.end, re.sub(r"[/\\\x00]", "_", new or "")))
        out = replace_spans(text, edits) or "_"  # no marks: not in file names
        if not labels:
            self.parts[text] = out
        return out


#: A name of Chinese characters only (the prose model's own names in labels).
_HAN_NAME = re.compile(r"[\u4e00-\u9fff·]{2,6}")


def _label_finding(f: Finding, model_only: bool, text: str, carries: bool) -> bool:
    """Whether a finding in a label is protected: any with support (a pattern, a column, a
    context word), and the prose model's own unless it is a name that is not Chinese
    characters (`Sheet`) or that it is unsure of (`金卡` 0.64) in a label without an
    identifier (`王伟强13812345678`: 0.7, and a person's data)."""
    if not model_only or f.entity != "PERSON_NAME":
        return True
    han = _HAN_NAME.fullmatch(text[f.start : f.end]) is not None
    return han and (carries or f.score >= 0.9)
