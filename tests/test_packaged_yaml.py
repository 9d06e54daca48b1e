"""The YAML data the package ships (rules, checklists, courses, playbooks): every bilingual
text whole in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import baomi

ROOT = Path(baomi.__file__).parent
FILES = sorted(ROOT.rglob("*.yaml"))


def _cut_texts(node: Any, where: str = "") -> list[str]:
    """Bilingual mappings with a key that holds nothing: an unquoted ``{zh: …, en: a, b}``
    reads ``b`` as a key of its own, and the English text stops at the comma."""
    out: list[str] = []
    if isinstance(node, dict):
        if "zh" in node and "en" in node:
            out += [f"{where}: {k!r}" for k, v in node.items() if v is None or v == ""]
        for k, v in node.items():
            out += _cut_texts(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _cut_texts(v, f"{where}[{i}]")
    return out


def test_there_is_yaml_to_check() -> None:
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_bilingual_text_is_cut_at_a_comma(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _cut_texts(data) == []
