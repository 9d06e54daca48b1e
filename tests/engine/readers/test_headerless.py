"""Tables without a header row: a first row holding validated identifiers is data, not names."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.engine.checksums import luhn_check_digit, resident_id_check_char
from baomi.engine.readers import open_source
from baomi.engine.readers.header import is_record
from tests.engine.readers.conftest import ReadTable
from tests.engine.readers.test_xlsx import workbook

ID_BODY = "11010119900307123"
ID = ID_BODY + resident_id_check_char(ID_BODY)
BAD_ID = ID_BODY + next(c for c in "0123456789" if c != resident_id_check_char(ID_BODY))
CARD_BODY = "622202123456789012"
CARD = CARD_BODY + luhn_check_digit(CARD_BODY)
BAD_CARD = CARD_BODY + str((int(luhn_check_digit(CARD_BODY)) + 1) % 10)
ROWS = [
    ["张三", "13812345678", ID, "zhangsan@example.com"],
    ["李四", "13987654321", "", "lisi@example.com"],
]
GENERATED = ["column_1", "column_2", "column_3", "column_4"]


@pytest.mark.parametrize(
    ("cells", "record"),
    [
        (["姓名", "手机号", "身份证号", "邮箱"], False),
        (["张三", ID], True),  # GB 11643 check character valid
        (["订单号", BAD_ID], False),  # an 18-digit number whose check character fails
        ([" 13812345678 "], True),
        (["+86 138-1234-5678"], True),
        (["１３８１２３４５６７８"], True),  # full-width digits
        (["14012345678"], False),  # an unallocated prefix
        (["a@example.com"], True),
        ([CARD], True),  # Luhn valid
        ([BAD_CARD], False),
        (["联系电话13812345678"], False),  # not a whole cell: a header with a number in it
        (["2024", "100", None, ""], False),
        ([], False),
    ],
)
def test_a_row_is_a_record_when_a_cell_is_a_validated_identifier(
    cells: list[str | None], record: bool
) -> None:
    assert is_record(cells) is record


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_a_csv_without_a_header_row_gets_generated_names(
    tmp_path: Path, read_table: ReadTable, suffix: str
) -> None:
    sep = "\t" if suffix == ".tsv" else ","
    path = tmp_path / f"f{suffix}"
    path.write_text("\n" + "\n".join(sep.join(r) for r in ROWS) + "\n", encoding="utf-8")
    frame, batches = read_table(open_source(path))
    assert frame.columns == GENERATED
    assert frame.row(0) == tuple(ROWS[0]) and frame.row(1) == (
        "李四",
        "13987654321",
        None,
        ROWS[1][3],
    )
    assert batches[0].offset == 0  # the first record is data row 0


def test_a_csv_with_a_header_row_keeps_it(tmp_path: Path, read_table: ReadTable) -> None:
    path = tmp_path / "f.csv"
    path.write_text("姓名,手机,身份证,邮箱\n" + ",".join(ROWS[0]) + "\n", encoding="utf-8")
    frame, _ = read_table(open_source(path))
    assert frame.columns == ["姓名", "手机", "身份证", "邮箱"] and frame.height == 1


def test_an_excel_sheet_without_a_header_row_gets_generated_names(
    tmp_path: Path, read_table: ReadTable
) -> None:
    wide = [*ROWS[1][:2], None, ROWS[1][3], "多出一列"]
    path = workbook(
        tmp_path / "f.xlsx",
        {
            "无表头": [[], [*ROWS[0][:1], 13812345678, *ROWS[0][2:]], [], wide],
            "有表头": [["姓名", "手机"], ["王五", "13700000000"]],
        },
    )
    _, batches = read_table(open_source(path))
    first = [b for b in batches if b.sheet == "无表头"]
    got = first[0].frame
    assert got.columns == [*GENERATED, "column_5"]
    assert got.row(0) == (*ROWS[0], None)
    assert got.row(1) == (None,) * 5  # the empty row between counts
    assert got.row(2) == ("李四", "13987654321", None, "lisi@example.com", "多出一列")
    assert first[0].offset == 0
    second = [b for b in batches if b.sheet == "有表头"]
    assert second[0].frame.columns == ["姓名", "手机"] and second[0].frame.height == 1
