"""Customers from Japan and Korea, and forms that put a blank between surname and given name:
in a column whose header names a person every name is counted and de-identified (they were
kept: only Han names without a blank and Latin ones were read). The shapes alone make no
name column. Names made up of common name characters."""

from __future__ import annotations

import csv
from pathlib import Path

from baomi.engine.contracts.codec import to_dict
from baomi.engine.protect.fingerprint import strip_marks
from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import protect_verified

NAMES = ["太田 真綾", "清水 直樹", "김민준", "이 서연", "スズキ イチロー", "王 小明"]


def _scan(root: Path, out: Path, header: str, values: list[str]) -> dict[str, object]:
    root.mkdir()
    with (root / "c.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[header, "Note"], *[[v, "VIP"] for v in values]])
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=False))
    column: dict[str, object] = to_dict(result.inventory)["files"][0]["columns"][0]
    return column


def test_a_name_column_of_them_is_counted_and_protected(tmp_path: Path) -> None:
    col = _scan(tmp_path / "in", tmp_path / "out", "Customer Name", NAMES)
    assert (col["entity"], col["matches"]) == ("PERSON_NAME", len(NAMES))
    protect_verified(tmp_path / "in", tmp_path / "pkg")
    text = strip_marks((tmp_path / "pkg" / "c.csv").read_text(encoding="utf-8"))
    assert not [n for n in NAMES if n in text]


def test_their_shapes_alone_make_no_name_column(tmp_path: Path) -> None:
    """Pairs of words apart by a blank under a header that names no person (a tag column)."""
    tags = ["已 付款", "未 发货", "北京 上海", "重要 客户", "待 回访", "新 客户"]
    col = _scan(tmp_path / "in", tmp_path / "out", "标签", tags)
    assert col["entity"] != "PERSON_NAME" and col["matches"] == 0


def test_a_spaced_name_gets_the_pseudonym_of_its_name_with_the_blank_kept() -> None:
    from baomi.engine.protect.operators.pseudonym import pseudonym_value
    from baomi.engine.protect.params import PseudonymParams

    key, params = b"k" * 32, PseudonymParams()
    spaced = pseudonym_value("王 小明", "PERSON_NAME", key, params)
    joined = pseudonym_value("王小明", "PERSON_NAME", key, params)
    assert spaced == joined[:1] + " " + joined[1:] and spaced != "王 小明"
    out = pseudonym_value("太田 真綾", "PERSON_NAME", key, params)
    assert len(out) == 5 and out[2] == " " and not out.startswith("PER_")


def _protected_notes(tmp_path: Path, header: str, notes: list[str]) -> str:
    """The package's text of a one-column CSV of ``notes`` protected (and verified)."""
    root = tmp_path / "in"
    root.mkdir()
    with (root / "n.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[header], *[[n] for n in notes]])
    protect_verified(root, tmp_path / "pkg")
    return strip_marks((tmp_path / "pkg" / "n.csv").read_text(encoding="utf-8"))


def test_english_notes_on_customers_abroad_are_protected(tmp_path: Path) -> None:
    """Notes in English name customers with nothing before the name that says so, and give
    their numbers after ``reached on`` or before a Chinese word (all were kept in clear)."""
    notes = [
        "Met Justin Glass. Address: 679 Cindy Village. Tel (0114) 496 0772.",
        "Diana Lowery asked for the invoice; can be reached on 626.661.6630",
        "0477 913 788（手机）Zachary Lester，周一回访",
        "Delivery to Unit 5 for Bente van Northeim, reach at 03 6616 6304",
    ]
    secrets = ["Justin Glass", "Diana Lowery", "Zachary Lester", "Bente van Northeim"]
    secrets += ["496 0772", "626.661.6630", "0477 913 788", "6616 6304"]
    text = _protected_notes(tmp_path, "跟进记录", notes)
    assert not [s for s in secrets if s in text], text
    assert "Address" in text and "周一回访" in text  # the notes' other words stay


def test_korean_japanese_and_taiwanese_names_in_notes_are_protected(tmp_path: Path) -> None:
    """A Korean name in Hangul among Chinese words, Han and Japanese names beside English
    words: the Chinese model reads none of them, the foreign-script rule does; and a Korean
    address, by its province, road and number."""
    notes = [
        "客户 최지훈 的联系电话已更新，地址 강원도 삼척시 테헤란8로 988-58",
        "Passport checked for 遠藤 美加子, reach at the office",
        "Met 劉哲瑋. Invoice sent",
        "三浦 和也 lives in the city",
    ]
    names = ["최지훈", "遠藤 美加子", "劉哲瑋", "三浦 和也", "테헤란8로 988-58"]
    text = _protected_notes(tmp_path, "Notes", notes)
    assert not [n for n in names if n in text], text
    assert "Invoice sent" in text and "lives in the city" in text
