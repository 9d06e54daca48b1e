"""docs/dataroom.md shows the permission table exactly as the code has it."""

from __future__ import annotations

from pathlib import Path

from baomi.services.permissions import markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "dataroom.md"


def test_documented_permission_table_is_the_code_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = text.split("<!-- permissions:start -->\n", 1)[1].split(
        "\n<!-- permissions:end -->", 1
    )[0]
    assert documented == markdown_table()
