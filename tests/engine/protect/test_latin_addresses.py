"""An export in English (a foreign-invested seller's CRM, a shipping list): its addresses in
Latin letters are counted by the scan and de-identified in the package, in the address column
and in the notes (they were neither: the address recognizers read Chinese only)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from baomi.engine.contracts.codec import to_dict
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import protect_verified

ROWS = [
    ["Li Na", "No. 88 Jianguo Road, Chaoyang District, Beijing 100022", "call first"],
    ["John Smith", "123 Main Street, Apt 4B, Springfield, IL 62704", "ship to 9 Elm Street"],
    ["Zhang Wei", "Flat 3, 221B Baker Street, London NW1 6XE", "VIP"],
    ["Chen Jing", "1000 Century Avenue, Pudong New Area, Shanghai", ""],
]
STREETS = ["Jianguo", "Main Street", "Baker", "Century", "Elm Street", "100022", "62704"]


def _write(root: Path) -> Path:
    root.mkdir()
    path = root / "customers.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["Name", "Address", "Note"], *ROWS])
    return path


def test_scan_counts_them(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _write(root)
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    cols = {c["name"]: c for c in to_dict(result.inventory)["files"][0]["columns"]}
    assert cols["Address"]["entity"] == "ADDRESS"
    assert cols["Address"]["matches"] == len(ROWS)
    findings = [
        json.loads(line)
        for line in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    addresses = [(f["row"], f["column"]) for f in findings if f["entity"] == "ADDRESS"]
    assert addresses == [
        (0, "Address"),
        (1, "Address"),
        (1, "Note"),
        (2, "Address"),
        (3, "Address"),
    ]
    # whole cells, and positions only (no value in the findings)
    whole = [f for f in findings if f["column"] == "Address"]
    assert [f["end"] - f["start"] for f in whole] == [len(r[1]) for r in ROWS]
    assert not any(s in (tmp_path / "out" / "findings.jsonl").read_text() for s in STREETS)


def test_protect_hides_the_streets_and_keeps_the_places(tmp_path: Path) -> None:
    root = tmp_path / "in"
    src = _write(root)
    out = tmp_path / "pkg"
    protect_verified(root, out)
    text = strip_marks((out / src.name).read_text(encoding="utf-8"))
    assert not [s for s in STREETS if s in text]
    rows = list(csv.reader(text.splitlines()))[1:]
    assert [r[1] for r in rows] == [
        "****, Chaoyang District, Beijing",
        "****, Springfield, IL",
        "****, London",
        "****, Pudong New Area, Shanghai",
    ]
    assert rows[1][2] == "ship to ****"


def test_an_english_contract_keeps_neither_the_buyer_nor_the_address(tmp_path: Path) -> None:
    """The Chinese prose model read nothing in English-only text (its prefilter asked for Han
    characters), so ``Buyer: John Smith`` was kept; when it read ``Baker Street`` as a name,
    that span outscored the address around it and ``Flat 3, 221B`` and ``NW1 6XE`` were kept."""
    root = tmp_path / "in"
    root.mkdir()
    (root / "contract.txt").write_text(
        "Buyer: John Smith, residing at Flat 3, 221B Baker Street, London NW1 6XE.\n"
        "Dear Mrs Wang Li, your order has shipped.\n",
        encoding="utf-8",
    )
    result = scan_paths([root], out_dir=tmp_path / "out")
    entities = to_dict(result.inventory)["summary"]["entities"]
    assert entities.get("PERSON_NAME") == 2 and entities.get("ADDRESS") == 1
    protect_verified(root, tmp_path / "pkg")
    text = strip_marks((tmp_path / "pkg" / "contract.txt").read_text(encoding="utf-8"))
    assert not [s for s in ("John", "Smith", "221B", "Baker", "NW1", "Wang Li") if s in text]
    assert "London" in text  # the place a mask shows
