"""Customers in Hong Kong, Macao and abroad: their phone numbers (written with a country code)
are counted by the scan and de-identified by protect — in a column of them, among the mainland
mobiles of a 联系电话 column and in notes. They were neither: only mainland numbers were read."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from baomi.demo.identifiers import mobile_number
from baomi.engine.contracts.codec import to_dict
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.protect.renderings import conventional
from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import protect_verified

RNG = random.Random(7)
ABROAD = ["+852 9123 4567", "+853 6612 3456", "+1 (415) 555-0132", "+44 20 7946 0958"]
MAINLAND = [mobile_number(RNG) for _ in range(12)]


def _write(root: Path) -> Path:
    root.mkdir()
    path = root / "customers.csv"
    rows = [["联系电话", "海外电话", "备注"]]
    for i, mobile in enumerate(MAINLAND):
        abroad = ABROAD[i % len(ABROAD)]
        note = f"香港分公司 {ABROAD[0]}" if i == 0 else ""
        rows.append([ABROAD[1] if i == 3 else mobile, abroad, note])
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_scan_counts_them_wherever_they_are(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _write(root)
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    inv = to_dict(result.inventory)
    cols = {c["name"]: c for c in inv["files"][0]["columns"]}
    assert cols["海外电话"]["entity"] == "PHONE_NUMBER"
    assert cols["海外电话"]["matches"] == len(MAINLAND)
    assert cols["联系电话"]["entity"] == "CN_MOBILE"
    lines = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    phones = [
        (f["row"], f["column"]) for f in map(json.loads, lines) if f["entity"] == "PHONE_NUMBER"
    ]
    assert (3, "联系电话") in phones and (0, "备注") in phones
    # distinct numbers in E.164: four of them (the note's and the column's +852 are one)
    assert inv["summary"]["distinct"]["PHONE_NUMBER"] == len(ABROAD)


def test_protect_masks_them_and_verify_looks_for_them(tmp_path: Path) -> None:
    root = tmp_path / "in"
    src = _write(root)
    out = tmp_path / "pkg"
    protect_verified(root, out)
    text = strip_marks((out / src.name).read_text(encoding="utf-8"))
    assert not [n for n in ABROAD if n in text]
    rows = list(csv.reader(text.splitlines()))[1:]
    assert [conventional(r[1]) for r in rows[:4]] == [
        "+852 **** 4567",
        "+853 **** 3456",
        "+1 (***) ***-0132",
        "+44 ** **** 0958",
    ]
    assert conventional(rows[3][0]) == "+853 **** 3456"
    assert "9123" not in rows[0][2]


# Numbers as they are dialled at home, without a country code: an export of overseas customers
# (Faker's en_US, en_GB, ja_JP and zh_TW layouts), a Hong Kong branch's 电话 column, and a
# note that names the number. All of them were shipped in clear.
LOCAL = [
    "(415) 555-0132",
    "415.555.0147x875",
    "0121 496 0650",
    "(0191) 496 0528",
    "080-1993-5181",
    "(08) 21590830",
    "04-8595711",
    "9123 4567",
]


def _write_local(root: Path) -> Path:
    root.mkdir()
    path = root / "overseas.csv"
    rows = [["Name", "Phone", "Note"]]
    for i, number in enumerate(LOCAL):
        note = f"Called Karl-Peter Bonbach at {LOCAL[-1 - i]} about the invoice." if i < 3 else ""
        rows.append([f"Customer {i}", number, note])
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_numbers_without_a_country_code_under_a_phone_header_and_in_notes(tmp_path: Path) -> None:
    root = tmp_path / "in"
    src = _write_local(root)
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    cols = {c["name"]: c for c in to_dict(result.inventory)["files"][0]["columns"]}
    assert (cols["Phone"]["entity"], cols["Phone"]["matches"]) == ("PHONE_NUMBER", len(LOCAL))
    assert cols["Note"]["entities"] == {"PHONE_NUMBER": 3}
    out = tmp_path / "pkg"
    protect_verified(root, out)
    text = strip_marks((out / src.name).read_text(encoding="utf-8"))
    assert not [n for n in LOCAL if n in text]
    rows = list(csv.reader(text.splitlines()))[1:]
    assert conventional(rows[2][1]) == "**** *** 0650"  # the last four shown, as a mobile's


def test_a_phone_column_of_runs_of_digits_as_excel_leaves_them(tmp_path: Path) -> None:
    """A Phone column exported through Excel: the numbers' blanks and dashes gone (an Italian
    mobile 3471234567, a New Zealand 1661663, a number of 9 digits). Under the header every
    run is a phone number; a mainland mobile among them stays a mobile."""
    root = tmp_path / "in"
    root.mkdir()
    runs = ["3471234567", "1661663", "389728378", "0997543231", "4155550132"]
    mobile = mobile_number(random.Random(2))
    with (root / "t.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [["Name", "Phone"], *[[f"C{i}", v] for i, v in enumerate([*runs, mobile])]]
        )
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    col = to_dict(result.inventory)["files"][0]["columns"][1]
    assert col["entity"] == "PHONE_NUMBER"
    assert col["entities"] == {"PHONE_NUMBER": len(runs), "CN_MOBILE": 1}
    protect_verified(root, tmp_path / "pkg")
    text = (tmp_path / "pkg" / "t.csv").read_text(encoding="utf-8")
    assert not [v for v in [*runs, mobile] if v in strip_marks(text)]


def test_a_text_column_under_a_phone_header_is_protected_as_scanned(tmp_path: Path) -> None:
    """A column of notes under 电话及备注, a few of them a bare Hong Kong number: the scan's
    analysis reads them (the header names a phone), so must protect's, which filtered the
    column's texts by the prefilters without the header (verify found the numbers left)."""
    root = tmp_path / "in"
    root.mkdir()
    notes = [
        "客户说下周再联系，可能需要再次确认合同条款的细节问题",
        "9123 4567",
        "已回访",
        "再次确认合同",
    ]
    with (root / "t.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [["客户", "电话及备注"], *[[f"客户{i}", notes[i % len(notes)]] for i in range(20)]]
        )
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    col = to_dict(result.inventory)["files"][0]["columns"][1]
    assert (col["mode"], col["entities"]) == ("text", {"PHONE_NUMBER": 5})
    protect_verified(root, tmp_path / "pkg")
    assert "9123 4567" not in (tmp_path / "pkg" / "t.csv").read_text(encoding="utf-8")
