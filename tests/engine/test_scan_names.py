"""Column names, JSON paths and sheet names in the scan outputs never carry a raw identifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from baomi.engine.checksums import luhn_check_digit, resident_id_check_char
from baomi.engine.scan import ScanOptions, scan_paths

ID_BODY, ID2_BODY = "11010119900307123", "31010419851111456"
ID, ID2 = (b + resident_id_check_char(b) for b in (ID_BODY, ID2_BODY))
CARD_BODY = "622202123456789012"
CARD = CARD_BODY + luhn_check_digit(CARD_BODY)
ROWS = [
    ["张三", "13812345678", ID, "zhangsan@example.com"],
    ["李四", "13987654321", ID2, "lisi@example.com"],
]
RAW = ("13812345678", ID, "zhangsan@example.com", "13987654321", ID2, "lisi@example.com", CARD)


def _outputs(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    inv_text = (out / "inventory.json").read_text(encoding="utf-8")
    find_text = (out / "findings.jsonl").read_text(encoding="utf-8")
    findings = [json.loads(line) for line in find_text.splitlines()]
    return json.loads(inv_text), findings, inv_text + find_text


def _scan(root: Path, out: Path) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    scan_paths([root], out_dir=out, options=ScanOptions(explain=True, prose=False))
    return _outputs(out)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_without_a_header_row_is_scanned_from_its_first_record(
    tmp_path: Path, suffix: str
) -> None:
    root = tmp_path / "in"
    root.mkdir()
    if suffix == ".csv":
        (root / "f.csv").write_text("\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    else:
        book = Workbook()
        for r in ROWS:
            book.active.append(r)  # type: ignore[union-attr]
        book.save(root / "f.xlsx")
    inv, findings, blob = _scan(root, tmp_path / "out")
    (record,) = inv["files"]
    assert record["rows"] == 2
    assert [c["name"] for c in record["columns"]][:4] == [
        "column_1",
        "column_2",
        "column_3",
        "column_4",
    ]
    first = {(f["column"], f["entity"]) for f in findings if f["row"] == 0}
    assert {
        ("column_2", "CN_MOBILE"),
        ("column_3", "CN_RESIDENT_ID"),
        ("column_4", "EMAIL"),
    } <= first
    assert not [r for r in RAW if r in blob]


def test_identifiers_in_json_keys_are_masked_in_every_output(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    by_phone = {
        "13812345678": {"name": "张三", "id": ID},
        "13800005678": {"name": "王五", "card": CARD},  # masks the same way as the first key
        ID2: {"email": "lisi@example.com"},
    }
    (root / "by_phone.json").write_text(json.dumps(by_phone, ensure_ascii=False), "utf-8")
    inv, findings, blob = _scan(root, tmp_path / "out")
    names = [c["name"] for c in inv["files"][0]["columns"]]
    assert (
        names
        == [
            "138****5678.name",
            "138****5678.id",
            "138****5678.name (2)",  # two masked keys that would meet stay apart
            "138****5678.card",
            f"{ID2[:6]}********{ID2[-4:]}.email",
        ]
    )
    assert {f["column"] for f in findings} <= set(names)
    assert {f["entity"] for f in findings} >= {"CN_RESIDENT_ID", "BANK_CARD", "EMAIL"}
    assert not [r for r in RAW if r in blob]


def test_identifiers_in_headers_and_sheet_names_are_masked(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    header = ["姓名", "手机13812345678", f"卡号{CARD}", "备注"]
    (root / "f.csv").write_text(",".join(header) + "\n张三,13987654321,,无\n", encoding="utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "13812345678"
    sheet.append(["姓名", "手机"])
    sheet.append(["李四", "13987654321"])
    book.save(root / "g.xlsx")
    inv, findings, blob = _scan(root, tmp_path / "out")
    by_path = {f["path"]: f for f in inv["files"]}
    assert [c["name"] for c in by_path["f.csv"]["columns"]] == [
        "姓名",
        "手机138****5678",
        f"卡号{'*' * 15}{CARD[-4:]}",
        "备注",
    ]
    assert by_path["g.xlsx"]["sheets"] == ["138****5678"]
    assert {c["sheet"] for c in by_path["g.xlsx"]["columns"]} == {"138****5678"}
    mobile = next(f for f in findings if f["file"] == "f.csv" and f["entity"] == "CN_MOBILE")
    assert mobile["column"] == "手机138****5678"
    assert mobile["context"] == "header:手机138****5678"
    assert {f["sheet"] for f in findings if f["file"] == "g.xlsx"} == {"138****5678"}
    assert not [r for r in RAW if r in blob]


def test_mask_identifiers_masks_what_the_mask_operator_would() -> None:
    from baomi.engine.documents.names import mask_identifiers
    from baomi.engine.recognizers.registry import Registry
    from baomi.engine.scan import ScanContext
    from baomi.engine.scan import ScanOptions as Options

    recognizers = ScanContext(Registry.default(), Options(prose=False), 0).name_recognizers
    names = [
        "姓名",
        "手机号2",
        "13812345678.name",
        "１３８１２３４５６７８",
        ID,
        "a@example.com",
        CARD,
    ]
    assert mask_identifiers(names, recognizers) == [
        "姓名",
        "手机号2",
        "138****5678.name",
        "１３８****５６７８",
        f"{ID[:6]}********{ID[-4:]}",
        "a***@example.com",
        "*" * 15 + CARD[-4:],
    ]
