"""A title row above a table's header (``2024年客户名单``): protect names the columns by the real
header (so the policy's column rules apply), writes the title and the header back where they
were, and protects the title's own text (a customer's name or phone in it). Generated data."""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook, load_workbook

from baomi.engine import scan
from baomi.engine.protect.policy import load_policy_text
from baomi.engine.readers import open_source

from .conftest import customer_sheet, make_id, make_mobile, protect_verified

POLICY = load_policy_text(
    "version: 1\nname: t\nentities:\n  CN_MOBILE: {operator: mask}\n"
    "  CN_RESIDENT_ID: {operator: mask}\ncolumns:\n  客户编号: {operator: hash}\n"
)


def _rows(seed: int) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    rows = [[f"KH{20240000 + i}", make_mobile(rng), make_id(rng)] for i in range(6)]
    return make_mobile(rng), rows


def test_a_csv_title_row_is_kept_and_protected(tmp_path: Path) -> None:
    phone, rows = _rows(5)
    src = tmp_path / "in"
    src.mkdir()
    lines = [
        f"客户名单（联系人 {phone}）,,",
        "客户编号,手机号,身份证号",
        *(",".join(r) for r in rows),
    ]
    (src / "客户.csv").write_text("\r\n".join(lines) + "\r\n", encoding="gbk")

    result = protect_verified(src, tmp_path / "out", POLICY)

    out = (tmp_path / "out" / "客户.csv").read_bytes().decode("gb18030")
    written = out.split("\r\n")
    assert written[0].startswith("客户名单（联系人 ") and written[0].endswith("）,,")
    assert phone not in out  # the title's phone is protected
    assert written[1] == "客户编号,手机号,身份证号"  # the header where it was
    assert all(v not in out for r in rows for v in r)
    (table,) = result.manifest.files[0].tables
    assert {c.name: c.operator for c in table.columns}["客户编号"] == "hash"
    assert table.rows_in == table.rows_out == len(rows)
    # the package reads back with the same header and rows
    back = list(open_source(tmp_path / "out" / "客户.csv").batches())
    assert back[0].frame.columns == ["客户编号", "手机号", "身份证号"]
    assert back[0].frame.height == len(rows)


def test_an_xlsx_title_row_is_kept_and_protected(tmp_path: Path) -> None:
    phone, rows = _rows(6)
    src = tmp_path / "in"
    src.mkdir()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    ws["A1"] = f"张三的客户名单 {phone}"
    ws.merge_cells("A1:C1")
    ws["C2"] = "导出时间 2024-05-01"
    ws.append(["客户编号", "手机号", "身份证号"])
    for r in rows:
        ws.append(r)
    wb.save(src / "客户.xlsx")

    result = protect_verified(src, tmp_path / "out", POLICY)

    (table,) = result.manifest.files[0].tables
    assert {c.name: c.operator for c in table.columns}["客户编号"] == "hash"
    assert table.rows_in == table.rows_out == len(rows)
    out = load_workbook(tmp_path / "out" / "客户.xlsx")["客户"]
    assert str(out["A1"].value).startswith("张三的客户名单") and phone not in str(out["A1"].value)
    assert out["C2"].value == "导出时间 2024-05-01"
    assert [c.value for c in out[3]] == ["客户编号", "手机号", "身份证号"]
    assert out["A4"].value != rows[0][0] and out["B4"].value != rows[0][1]
    assert all(str(c.value) not in {v for r in rows for v in r} for row in out for c in row)


def test_the_scan_names_the_columns_and_reads_the_title(tmp_path: Path) -> None:
    phone, rows = _rows(7)
    src = tmp_path / "in"
    src.mkdir()
    lines = [f"客户名单 {phone}", "客户编号,手机号,身份证号", *(",".join(r) for r in rows)]
    (src / "客户.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = scan.scan_paths([src], options=scan.ScanOptions(prose=False), out_dir=tmp_path / "s")

    found = [line for line in (tmp_path / "s" / "findings.jsonl").read_text("utf-8").splitlines()]
    assert any('"row":0,"column":"手机号"' in f for f in found)
    title = [f for f in found if "标题：" in f]
    assert title == [
        '{"file":"客户.csv","sheet":null,"row":6,"column":"标题：客户编号","start":5,"end":16,'
        '"entity":"CN_MOBILE","score":0.6}'
    ]
    (record,) = result.inventory.files
    assert record.rows == len(rows)
    assert [c.name for c in record.columns][:3] == ["客户编号", "手机号", "身份证号"]


def _phones(seed: int) -> list[str]:
    rng = random.Random(seed)
    return [make_mobile(rng) for _ in range(5)]


def _protect_one_column(tmp_path: Path, name: str, header: str, rows: int) -> None:
    """Protect ``in/`` (the one-column table ``name`` under a title): its column is named by
    ``header`` and masked, its ``rows`` counted, and the package reads back under ``header``
    (its phones masked: 139****5678)."""
    result = protect_verified(tmp_path / "in", tmp_path / "out", POLICY)
    (table,) = result.manifest.files[0].tables
    assert [(c.name, c.operator) for c in table.columns] == [(header, "mask")]
    assert table.rows_in == table.rows_out == rows
    back = list(open_source(tmp_path / "out" / name).batches())
    assert back[0].frame.columns == [header]
    assert back[0].frame.height == rows


def test_a_one_column_csv_title_row_is_kept_and_protected(tmp_path: Path) -> None:
    phones = _phones(8)
    src = tmp_path / "in"
    src.mkdir()
    lines = [f"客户手机号清单（联系人 {phones[0]}）", "手机号", *phones[1:]]
    (src / "手机.csv").write_text("\r\n".join(lines) + "\r\n", encoding="gbk")

    _protect_one_column(tmp_path, "手机.csv", "手机号", len(phones) - 1)

    out = (tmp_path / "out" / "手机.csv").read_bytes().decode("gb18030")
    written = out.split("\r\n")
    assert written[0].startswith("客户手机号清单（联系人 ") and written[0].endswith("）")
    assert written[1] == "手机号"  # the header where it was
    assert len(written) == len(lines) + 1  # and every row after it ("" after the last)
    assert all(p not in out for p in phones)  # the title's phone too


def test_a_one_column_xlsx_title_row_is_kept_and_protected(tmp_path: Path) -> None:
    phones = _phones(9)
    src = tmp_path / "in"
    src.mkdir()
    wb, _ = customer_sheet(
        [f"2024年客户名单 {phones[0]}"], [], ["联系电话"], *([int(p)] for p in phones[1:])
    )
    wb.save(src / "手机.xlsx")

    _protect_one_column(tmp_path, "手机.xlsx", "联系电话", len(phones) - 1)

    out = load_workbook(tmp_path / "out" / "手机.xlsx")["客户"]
    title = str(out["A1"].value)
    assert title.startswith("2024年客户名单 ") and phones[0] not in title
    assert out["A2"].value is None
    assert out["A3"].value == "联系电话"
    cells = [str(out.cell(i, 1).value) for i in range(4, 4 + len(phones) - 1)]
    assert all(c and c not in phones for c in cells)


def test_the_scan_names_a_one_column_table_under_a_title(tmp_path: Path) -> None:
    phones = _phones(10)
    src = tmp_path / "in"
    src.mkdir()
    (src / "手机.csv").write_text("\n".join(["客户手机号清单", "手机号", *phones]) + "\n", "utf-8")

    result = scan.scan_paths([src], options=scan.ScanOptions(prose=False), out_dir=tmp_path / "s")

    found = (tmp_path / "s" / "findings.jsonl").read_text("utf-8").splitlines()
    assert len(found) == len(phones)
    assert all('"column":"手机号"' in f and '"entity":"CN_MOBILE"' in f for f in found)
    assert '"row":0,' in found[0]
    (record,) = result.inventory.files
    assert record.rows == len(phones)
    assert [c.name for c in record.columns] == ["手机号"]


def _names(seed: int) -> list[str]:
    """Generated Chinese names (a common surname, one or two given characters)."""
    rng = random.Random(seed)
    return [
        rng.choice("张王李赵刘陈杨黄周吴")
        + "".join(rng.choices("伟芳娜敏静丽强磊军洋", k=rng.randint(1, 2)))
        for _ in range(6)
    ]


def _protect_names(tmp_path: Path, name: str, header: str, names: list[str]) -> None:
    """Protect ``in/`` (the one-column list of ``names`` under a title, headed ``header``)
    with the default policy: the column is named by ``header``, its names masked (``张*``,
    ``黄***强``: the package's renderings), and the package reads back under ``header`` (a
    masked name below it is still a name)."""
    result = protect_verified(tmp_path / "in", tmp_path / "out")
    (table,) = result.manifest.files[0].tables
    assert [(c.name, c.entity, c.operator) for c in table.columns] == [
        (header, "PERSON_NAME", "mask")
    ]
    assert table.rows_in == table.rows_out == len(names)
    back = list(open_source(tmp_path / "out" / name).batches())
    assert back[0].frame.columns == [header]
    assert back[0].frame.height == len(names)
    assert all("*" in v and v not in names for (v,) in back[0].frame.rows())


def test_a_one_column_csv_of_names_under_a_title_is_kept_and_protected(tmp_path: Path) -> None:
    names = _names(11)
    src = tmp_path / "in"
    src.mkdir()
    lines = ["2024年客户名单", "姓名", *names]
    (src / "名单.csv").write_text("\r\n".join(lines) + "\r\n", encoding="gbk")

    _protect_names(tmp_path, "名单.csv", "姓名", names)

    written = (tmp_path / "out" / "名单.csv").read_bytes().decode("gb18030").split("\r\n")
    assert written[:2] == ["2024年客户名单", "姓名"]  # the title and the header unchanged
    assert len(written) == len(lines) + 1
    assert not set(written) & set(names)


def test_a_one_column_xlsx_of_names_under_a_title_is_kept_and_protected(tmp_path: Path) -> None:
    names = _names(12)
    src = tmp_path / "in"
    src.mkdir()
    wb, _ = customer_sheet(["客户名单"], [], ["姓名"], *([n] for n in names))
    wb.save(src / "名单.xlsx")

    _protect_names(tmp_path, "名单.xlsx", "姓名", names)

    out = load_workbook(tmp_path / "out" / "名单.xlsx")["客户"]
    assert [out.cell(i, 1).value for i in (1, 2, 3)] == ["客户名单", None, "姓名"]
    cells = [str(out.cell(i, 1).value) for i in range(4, 4 + len(names))]
    assert all("*" in c and c not in names for c in cells)
