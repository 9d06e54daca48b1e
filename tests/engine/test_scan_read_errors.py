"""The scan never loses data silently: broken rows keep their row numbers, bad bytes and broken
parts are counted or listed, and files of which nothing can be read are skipped with a reason."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from baomi.engine.contracts.codec import to_dict
from baomi.engine.scan import ScanOptions, scan_paths


def read_findings(out: Path) -> list[dict[str, Any]]:
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def mobiles(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["entity"] == "CN_MOBILE"]


def test_csv_rows_after_a_broken_row_keep_their_number(tmp_path: Path) -> None:
    rows = [
        ["张三", "电话13800000001"],
        ["李四", "x", "多余字段"],  # data row 1: one field too many, skipped
        ["王五", "请联系客户本人，电话13800000003"],
        ["赵六", "客户电话：13800000004"],
    ]
    root = tmp_path / "in"
    root.mkdir()
    text = "姓名,备注\n" + "\n".join(",".join(r) for r in rows) + "\n"
    (root / "r.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=False))
    (f,) = to_dict(result.inventory)["files"]
    assert f["rows"] == 3 and f["skipped_rows"] == 1
    found = sorted(
        (m["row"], rows[m["row"]][1][m["start"] : m["end"]]) for m in mobiles(read_findings(out))
    )
    assert found == [(0, "13800000001"), (2, "13800000003"), (3, "13800000004")]


def test_many_broken_rows_over_several_partitions(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    lines, phones = ["姓名,手机"], {}
    for i in range(3000):
        if i % 7 == 3:
            lines.append(f"客户{i},13800000000,多余")
        else:
            phones[i] = f"139{i:08d}"
            lines.append(f"客户{i},{phones[i]}")
    (root / "m.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    options = ScanOptions(prose=False, batch_rows=500)
    result = scan_paths([root], out_dir=out, options=options)
    (f,) = to_dict(result.inventory)["files"]
    assert f["rows"] == len(phones) and f["skipped_rows"] == 3000 - len(phones)
    got = {m["row"]: m for m in mobiles(read_findings(out))}
    assert sorted(got) == sorted(phones)
    assert all(m["start"] == 0 and m["end"] == 11 for m in got.values())


def test_late_bad_bytes_cost_their_row_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("baomi.engine.readers.encoding.SAMPLE_BYTES", 1024)
    monkeypatch.setattr("baomi.engine.readers.csv.BLOCK_SIZE", 4096)
    root = tmp_path / "in"
    root.mkdir()
    good = "".join(f"客户{i},139{i:08d}\n" for i in range(2000))
    data = ("姓名,手机\n" + good).encode() + "王五,13899990000".encode("gbk") + b"\n"
    data += "赵六,13877770000\n".encode()
    (root / "late.csv").write_bytes(data)
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=False, batch_rows=300))
    (f,) = to_dict(result.inventory)["files"]
    assert to_dict(result.inventory)["skipped"] == []
    assert f["rows"] == 2002 and f["undecodable_rows"] == 1 and f["errors"] == []
    rows = sorted(m["row"] for m in mobiles(read_findings(out)))
    assert rows == list(range(2002))
    assert to_dict(result.inventory)["summary"]["undecodable_rows"] == 1


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("truncated.json", '{"buyer": {"phone": "13812345678"},\n "items": [', "第 2 行"),
        ("trailing_comma.json", '{"buyer": {"phone": "13812345679",}}', "第 1 行第 35 列"),
        ("not_json.json", "phone=13812345673", "第 1 行第 1 列"),
        ("deep.json", '{"a":' * 5000 + '"13812345678"' + "}" * 5000, "嵌套"),
    ],
)
def test_broken_json_is_listed_as_skipped_with_where(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / name).write_text(text, encoding="utf-8")
    result = scan_paths([root], out_dir=tmp_path / "out", options=ScanOptions(prose=False))
    inv = to_dict(result.inventory)
    assert inv["files"] == [] and [s["path"] for s in inv["skipped"]] == [name]
    assert where in inv["skipped"][0]["reason"]
    assert inv["summary"]["files_skipped"] == 1 and inv["summary"]["files_scanned"] == 0


def test_a_json_array_broken_after_a_record_is_read_in_part(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    text = '[{"p": "13812345670"},\n {"p": "13812345671"} {"p": "13812345672"}]'
    (root / "array_broken.json").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=False))
    (f,) = to_dict(result.inventory)["files"]
    assert to_dict(result.inventory)["skipped"] == [] and f["rows"] == 2
    assert f["errors"] == ["JSON 格式错误（第 2 行第 23 列）"]
    assert [m["row"] for m in mobiles(read_findings(out))] == [0, 1]


def test_a_json_array_broken_after_its_first_partitions_keeps_them(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    items = ",\n".join(json.dumps({"phone": f"139{i:08d}"}) for i in range(1000))
    (root / "cut.json").write_text("[" + items + ',\n {"phone": "1380', encoding="utf-8")
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=False, batch_rows=100))
    (f,) = to_dict(result.inventory)["files"]
    assert f["rows"] == 1000 and len(mobiles(read_findings(out))) == 1000
    (error,) = f["errors"]
    assert "JSON" in error and "第 1001 行" in error
    assert to_dict(result.inventory)["summary"]["files_with_errors"] == 1


def workbook_with_a_corrupt_sheet(path: Path) -> None:
    """A workbook of two sheets, each with a mobile, the second (``B``) cut in half."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "A"
    ws.append(["手机号"])
    ws.append(["13800000001"])
    ws2 = wb.create_sheet("B")
    ws2.append(["手机号"])
    ws2.append(["13800000002"])
    whole = path.with_name(path.name + ".whole.xlsx")
    wb.save(whole)
    with zipfile.ZipFile(whole) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    whole.unlink()


def test_one_corrupt_worksheet_does_not_hide_the_others(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    workbook_with_a_corrupt_sheet(root / "two.xlsx")
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=False))
    (f,) = to_dict(result.inventory)["files"]
    assert f["sheets"] == ["A"] and f["rows"] == 1
    (error,) = f["errors"]
    assert "B" in error
    (m,) = mobiles(read_findings(out))
    assert (m["sheet"], m["row"]) == ("A", 0)


def test_a_clean_file_has_no_errors(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.csv").write_text("手机\n13800000001\n", encoding="utf-8")
    result = scan_paths([root], options=ScanOptions(prose=False))
    (f,) = to_dict(result.inventory)["files"]
    assert f["errors"] == [] and f["skipped_rows"] == 0 and f["undecodable_rows"] == 0
    s = to_dict(result.inventory)["summary"]
    assert s["files_with_errors"] == 0 and s["skipped_rows"] == 0 and s["undecodable_rows"] == 0


def test_json_lines_after_a_broken_line_keep_their_number(tmp_path: Path) -> None:
    """As CSV rows do: a broken line is skipped but keeps its record number (blank lines are not
    records), so ``row`` still points at the line the finding is on."""
    root = tmp_path / "in"
    root.mkdir()
    lines = [
        '{"tel": "13800000001"}',
        "{broken",
        '{"tel": "13800000003"}',
        "",
        '{"tel": "电话13800000004"}',
    ]
    (root / "j.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = scan_paths([root], out_dir=out, options=ScanOptions(prose=False))
    (f,) = to_dict(result.inventory)["files"]
    assert f["rows"] == 3 and f["skipped_rows"] == 1
    assert sorted(m["row"] for m in mobiles(read_findings(out))) == [0, 2, 3]
