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


def _narrow_rules() -> list[tuple[str, str]]:
    """The rules of the stylesheet's narrow-screen block (``@media (max-width: …)``)."""
    body = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    block = re.search(r"@media\s*\(max-width:\s*\d+px\)\s*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", body)
    assert block, "no narrow-screen block"
    return [(s.strip(), d) for s, d in re.findall(r"([^{}]+)\{([^{}]*)\}", block.group(1))]


def test_on_a_phone_wide_tables_scroll_and_the_header_wraps() -> None:
    """At 375 px the audit log's table was 793 px wide and pushed the whole page sideways, the
    header's links were set one character a line ("通/知", "退/出") and the room's facts ran off
    the card: on a narrow screen a list table scrolls in its own box, the header wraps whole
    links, and the facts stack."""
    narrow = _narrow_rules()

    def declares(selector: str, pattern: str) -> bool:
        return any(
            selector in [p.strip() for p in sel.split(",")] and re.search(pattern, decl)
            for sel, decl in narrow
        )

    assert declares("table.list", r"display:\s*block") and declares(
        "table.list", r"overflow-x:\s*auto"
    )
    assert declares("header.bar", r"flex-wrap:\s*wrap")
    assert declares("header.bar a", r"white-space:\s*nowrap")
    assert declares("dl.facts", r"grid-template-columns:\s*minmax\(0,\s*1fr\)")


def test_on_a_phone_the_risk_matrix_and_a_reports_tables_scroll_in_their_box() -> None:
    """At 375 px in English the PIA page was 459 px wide (the risk matrix's table) and the
    inventory page 478 px (the report's columns table): they scroll in their own box, as list
    tables do, and the page does not scroll sideways."""
    narrow = _narrow_rules()
    for selector in ("table.matrix", ".report table"):
        assert any(
            selector in [p.strip() for p in sel.split(",")]
            and re.search(r"display:\s*block", decl)
            and re.search(r"overflow-x:\s*auto", decl)
            for sel, decl in narrow
        ), selector
