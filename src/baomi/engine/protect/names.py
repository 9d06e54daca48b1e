"""Protected file and folder names of a package (identifiers in them replaced by the policy's
operators; the rewriting is the document layer's, :mod:`baomi.engine.documents.names`)."""

from __future__ import annotations

import re

from baomi.engine.documents.names import UniqueNames, replace_spans
from baomi.engine.protect.state import ProtectRun


class PathNames:
    """File and folder names with their identifiers protected (客户13812345678.csv →
    客户138****5678.csv): a package, its manifest and the trace record are read by people who
    must not see them. Each name is analysed like text and each finding replaced by the policy's
    operator (no marks: invisible characters do not belong in file names); a name that two
    files would share gets ``~2``, ``~3`` … before its suffix."""

    def __init__(self, run: ProtectRun) -> None:
        self.run = run
        self.parts: dict[str, str] = {}
        self.used = UniqueNames("~{}")

    def protect(self, rel: str) -> str:
        *folders, name = rel.split("/")
        stem, dot, suffix = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        out = "/".join([*(self._part(f) for f in folders), self._part(stem) + dot + suffix])
        return self.used.claim(out, dot + suffix)

    def _part(self, text: str) -> str:
        cached = self.parts.get(text)
        if cached is not None:
            return cached
        edits: list[tuple[int, int, str]] = []
        for f in self.run.analyzer.analyze(text):
            rule = self.run.policy.rule_for_entity(f.entity)
            if rule is None or not self.run.operators.declares(rule.operator, "removes"):
                continue
            op = self.run.operators.get(rule.operator)
            new = op.apply(text[f.start : f.end], f.entity, rule.params, self.run.ctx)
            edits.append((f.start, f.end, re.sub(r"[/\\\x00]", "_", new or "")))
        out = replace_spans(text, edits) or "_"  # no marks: not in file names
        self.parts[text] = out
        return out
