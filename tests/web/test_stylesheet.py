"""The data room's stylesheet: rules meant for one kind of element do not leak onto others."""

from __future__ import annotations

import re
from pathlib import Path

import baomi.web

CSS = (Path(baomi.web.__file__).parent / "static" / "baomi.css").read_text(encoding="utf-8")


def _rules() -> list[tuple[str, str]]:
    body = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    return [(sel.strip(), decl) for sel, decl in re.findall(r"([^{}]+)\{([^{}]*)\}", body)]


def test_the_figure_cards_flex_only_their_own_box() -> None:
    """The summary cards (a ``div.figures``) lay out in a row; the exposure tables
    (``table.figures``) and the cross-border page's bullet lists (``ul.figures``) carry the same
    class and must keep a table's and a list's own layout."""
    flexing = [
        sel
        for sel, decl in _rules()
        if re.search(r"display:\s*flex", decl)
        for part in sel.split(",")
        if re.search(r"(^|[\s>+~])\.figures\b", part.strip())
    ]
    assert flexing == [], flexing
    assert any(
        "div.figures" in sel and re.search(r"display:\s*flex", decl) for sel, decl in _rules()
    )
