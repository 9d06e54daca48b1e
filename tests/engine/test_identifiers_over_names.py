"""An identifier wins over a name, an address or an organisation that overlaps it. The prose
model read ``Lee`` in ``Lee.Smith@finance.wa.gov.au`` as a name at a higher score than the
e-mail address, the address lost, and protect masked ``L*e`` and left the rest of the address
(Apache POI's test workbook, a link's text; --verify found it)."""

from __future__ import annotations

import csv
from pathlib import Path

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.recognizers.base import resolve_overlaps
from baomi.engine.recognizers.registry import Registry
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.engine.types import Explanation, Finding, Validation

ADDRESSES = ["Lee.Smith@finance.wa.gov.au", "Zhang.Wei@example.cn", "Wang Fang <Fang.Wang@a.com>"]


def _finding(entity: str, start: int, end: int, score: float) -> Finding:
    return Finding(entity, start, end, score, Explanation("R", "p", Validation.UNKNOWN, None))


def test_the_rule() -> None:
    name, email = _finding("PERSON_NAME", 0, 3, 0.95), _finding("EMAIL", 0, 20, 0.85)
    assert resolve_overlaps([name, email]) == [email]
    # apart, both stay; two identifiers still go by score
    other = _finding("PERSON_NAME", 22, 25, 0.95)
    assert resolve_overlaps([name, email, other]) == [email, other]
    mobile = _finding("CN_MOBILE", 0, 11, 0.6)
    assert resolve_overlaps([mobile, email]) == [email]


def test_an_address_with_a_name_in_it_is_found_whole() -> None:
    analyzer = TextAnalyzer(Registry.default())
    for text in ADDRESSES:
        emails = [f for f in analyzer.analyze(text) if f.entity == "EMAIL"]
        assert len(emails) == 1, text
        assert text[emails[0].start : emails[0].end].endswith((".au", ".cn", ".com"))


def test_a_column_of_such_addresses_counts_each(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["备注"])
        for text in ADDRESSES * 20:
            writer.writerow([f"请联系 {text} 确认"])
    result = scan_paths([path], options=ScanOptions(prose=True))
    (found,) = result.inventory.files
    (column,) = found.columns
    assert column.entities.get("EMAIL") == len(ADDRESSES) * 20
