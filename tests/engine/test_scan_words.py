"""What could not be read is kept in both languages: a file's ``errors`` and a skipped file's
``reason`` are written in the scan's language with their words in Chinese and English beside
them (``error_words``, ``reason_words``), and shown in the reader's language."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from baomi.engine.contracts import codec
from baomi.engine.contracts.inventory import Inventory
from baomi.engine.contracts.notes import errors_shown, reason_shown
from baomi.engine.scan import ScanOptions, scan_paths
from baomi.i18n import set_language
from tests.engine.test_scan_read_errors import workbook_with_a_corrupt_sheet

OPTIONS = ScanOptions(prose=False, batch_rows=50)


def broken_folder(root: Path) -> Path:
    """Files of several formats read in part or not at all (each message worded differently)."""
    root.mkdir()
    # a quote never closed: the lines after it read as one cell (read in part)
    (root / "引号.csv").write_text(
        '姓名,手机\n张三,13812345678\n李四,"13912345678\n王五,13712345678\n', encoding="utf-8"
    )
    (root / "空.csv").write_bytes(b"")  # skipped: empty
    (root / "空.docx").write_bytes(b"")  # skipped: empty (it was "not a valid .docx file")
    (root / "not_json.json").write_text("phone=13812345673", encoding="utf-8")  # skipped
    items = ",\n".join(json.dumps({"phone": f"139{i:08d}"}) for i in range(200))
    # broken after its first partitions: read in part, the reason names the line
    (root / "cut.json").write_text("[" + items + ',\n {"phone": "1380', encoding="utf-8")
    (root / "notzip.xlsx").write_bytes(b"PK not really a workbook")  # skipped
    workbook_with_a_corrupt_sheet(root / "two.xlsx")  # sheet B corrupt: read in part
    return root


@pytest.fixture
def language() -> Iterator[None]:
    yield
    set_language(None)


def scanned(root: Path, out: Path, lang: str) -> Inventory:
    set_language(lang)
    try:
        return scan_paths([root], out_dir=out, options=OPTIONS).inventory
    finally:
        set_language(None)


def test_errors_and_reasons_are_kept_in_both_languages(tmp_path: Path) -> None:
    root = broken_folder(tmp_path / "in")
    zh = scanned(root, tmp_path / "zh", "zh")
    en = scanned(root, tmp_path / "en", "en")
    read_in_part = [f for f in zh.files if f.errors]
    assert {f.path for f in read_in_part} == {"引号.csv", "cut.json", "two.xlsx"}
    assert {s.path for s in zh.skipped} == {"空.csv", "空.docx", "not_json.json", "notzip.xlsx"}
    assert {s.reason for s in en.skipped if s.path.startswith("空")} == {"empty file"}
    for fz, fe in zip(zh.files, en.files, strict=True):
        # each scan writes its own language, and both scans the same words
        assert fz.error_words == fe.error_words
        assert tuple(w.zh for w in fz.error_words) == fz.errors
        assert tuple(w.en for w in fz.error_words) == fe.errors
        assert all(w.zh != w.en for w in fz.error_words), fz.path  # worded in both
    quote = next(f for f in en.files if f.path == "引号.csv")
    assert quote.errors == (  # one line: said in the singular
        "a quote opened on line 3 is never closed: the line after it (to the end of the file) "
        "was read as one cell of data row 1",
    )
    for sz, se in zip(zh.skipped, en.skipped, strict=True):
        assert sz.reason_words == se.reason_words is not None
        assert (sz.reason, se.reason) == (sz.reason_words.zh, sz.reason_words.en)
        assert sz.reason != se.reason, sz.path


def test_a_reader_is_shown_their_own_language(tmp_path: Path, language: None) -> None:
    root = broken_folder(tmp_path / "in")
    scanned(root, tmp_path / "zh", "zh")
    english = scanned(root, tmp_path / "en", "en")
    written = codec.load_inventory(tmp_path / "zh" / "inventory.json")  # a Chinese scan's
    set_language("en")
    assert [errors_shown(f) for f in written.files] == [f.errors for f in english.files]
    assert [reason_shown(s) for s in written.skipped] == [s.reason for s in english.skipped]
    set_language("zh")
    assert [errors_shown(f) for f in written.files] == [f.errors for f in written.files]


def test_an_inventory_without_words_is_shown_as_written(tmp_path: Path, language: None) -> None:
    root = broken_folder(tmp_path / "in")
    inventory = scanned(root, tmp_path / "zh", "zh")
    files = [dataclasses.replace(f, error_words=()) for f in inventory.files]
    skipped = [dataclasses.replace(s, reason_words=None) for s in inventory.skipped]
    earlier = dataclasses.replace(inventory, files=tuple(files), skipped=tuple(skipped))
    text = codec.to_json(earlier)
    assert "error_words" not in text and "reason_words" not in text  # as an earlier scan wrote
    loaded = codec.inventory_from_json(text)
    set_language("en")
    assert [errors_shown(f) for f in loaded.files] == [f.errors for f in inventory.files]
    assert [reason_shown(s) for s in loaded.skipped] == [s.reason for s in inventory.skipped]
