"""Shared helpers for the recognizer tables: generated identifiers and span assertions.

Every identifier is generated with computed check characters (no real person's number).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from baomi.engine.analyzer import DEFAULT_THRESHOLD
from baomi.engine.checksums import luhn_check_digit, resident_id_check_char, uscc_check_char
from baomi.engine.recognizers.base import Recognizer


def resident_id(body17: str = "11010519900307123") -> str:
    return body17 + resident_id_check_char(body17)


def bad_resident_id(body17: str = "11010519900307123") -> str:
    good = resident_id_check_char(body17)
    return body17 + ("0" if good != "0" else "1")


def luhn(payload: str) -> str:
    return payload + luhn_check_digit(payload)


def bad_luhn(payload: str) -> str:
    return payload + str((int(luhn_check_digit(payload)) + 1) % 10)


def uscc(body17: str = "91110108MA01ABCD1") -> str:
    return body17 + uscc_check_char(body17)


def fullwidth(text: str) -> str:
    """ASCII letters and digits as their full-width forms (U+FF01..U+FF5E)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def found(recognizer: Recognizer, text: str, threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    """The reported substrings of ``text`` (original offsets), at or above the threshold."""
    return [
        text[f.start : f.end]
        for f in recognizer.analyze(text)
        if f.score >= threshold and f.entity == recognizer.entity
    ]


def spans_in_cell(text: str, header: str | None = None) -> list[tuple[str, str]]:
    """(span, entity) of what every pattern recognizer reports in ``text``, as the scan reads
    a cell of a column under ``header`` (the header is context for the recognizers it names)."""
    from baomi.engine.batch import analyze_column
    from baomi.engine.recognizers.registry import Registry

    rec = [r for r in Registry.default(plugins=False) if not r.model_based and not r.column_only]
    found = analyze_column(pl.Series([text]), rec, DEFAULT_THRESHOLD, header=header)
    return [(text[s:e], ent) for s, e, ent in found.select("start", "end", "entity").rows()]


def passes_prefilter(recognizer: Recognizer, text: str) -> bool:
    """The recognizer's Rust-regex prefilter accepts the raw (un-normalised) cell."""
    if recognizer.prefilter is None:
        return True
    return bool(pl.Series([text]).str.contains(recognizer.prefilter).item())


def check_row(recognizer: Recognizer, text: str, expected: list[str]) -> None:
    """Exact spans, and every cell with a finding passes the recognizer's prefilter."""
    assert found(recognizer, text) == expected
    if expected:
        assert passes_prefilter(recognizer, text)


def assert_column_counted_and_protected(
    tmp_path: Path, header: str, values: list[str], entity: str
) -> None:
    """A CSV of names and ``values`` under ``header``: the scan classifies the column as
    ``entity`` (sensitive) and counts every value; the verified package holds none of them."""
    import csv

    from baomi.engine.contracts.codec import to_dict
    from baomi.engine.protect.fingerprint import strip_marks
    from baomi.engine.scan import ScanOptions, scan_paths
    from tests.engine.protect.conftest import protect_verified

    root = tmp_path / "in"
    root.mkdir()
    with (root / "t.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [["姓名", header], *[[f"客户{i}", v] for i, v in enumerate(values)]]
        )
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    columns = to_dict(result.inventory)["files"][0]["columns"]
    col = next(c for c in columns if c["name"] == header)
    assert (col["entity"], col["matches"], col["sensitive"]) == (entity, len(values), True)
    protect_verified(root, tmp_path / "pkg")
    text = strip_marks((tmp_path / "pkg" / "t.csv").read_text(encoding="utf-8"))
    assert not [v for v in values if v in text]
