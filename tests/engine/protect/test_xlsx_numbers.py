"""Numbers in a protected workbook keep every digit: openpyxl writes a float with 16
significant digits (``%.16g``), which does not give back every double Excel stores with 17."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from baomi.engine.readers import open_source
from tests.engine.protect.test_package import run
from tests.engine.readers.test_xls import legacy
from tests.engine.readers.test_xlsx import workbook

#: each needs 17 significant digits to read back as itself; the first, written with 16, reads
#: ``14752.18348623853``, where the scan finds a mobile (``18348623853``) the original has not
NUMBERS = [14752.183486238531, 0.30000000000000004, 1234.5678901234567, 1e-7, 2.5]


def _as_excel_writes(path: Path) -> None:
    """Each number's shortest exact digits in the sheet's XML (Excel writes up to 17)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    for n in NUMBERS:
        parts[sheet] = parts[sheet].replace(f"<v>{n:.16g}</v>".encode(), f"<v>{n!r}</v>".encode())
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_an_untouched_number_is_written_as_the_same_number(tmp_path: Path, suffix: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    rows: list[list[object]] = [["客户", "手机", "人均收入"]]
    rows += [["张伟", "13800001111", n] for n in NUMBERS]
    if suffix == ".xls":  # BIFF stores the double itself
        legacy(src / "a.xls", {"表": rows})
    else:
        _as_excel_writes(workbook(src / "a.xlsx", {"表": rows}))
    scanned = [b.frame["人均收入"].to_list() for b in open_source(src / f"a{suffix}").batches()]
    assert scanned[0] == [repr(n) for n in NUMBERS]
    result = run(src, tmp_path / "out", verify=True)  # it refused: a mobile "left over"
    assert result.manifest.files
    out = tmp_path / "out" / "a.xlsx"
    sheet = load_workbook(out)["表"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, min_col=3, values_only=True)] == NUMBERS
    read = [b.frame["人均收入"].to_list() for b in open_source(out).batches()]
    assert read[0] == [repr(n) for n in NUMBERS]


def test_a_phone_under_a_date_format_is_protected_not_garbled(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    """A phone number in a column a template formats as dates: openpyxl loaded it as
    ``#VALUE!`` after a warning quoting the number (printed on the terminal), and the
    package held ``#VALUE!``; the scan reads the number. Protect masks it as the scan finds it."""
    src = tmp_path / "in"
    src.mkdir()
    rows: list[list[object]] = [["客户", "手机"]]
    rows += [["张伟", 13800001111 + i] for i in range(5)]
    path = workbook(src / "a.xlsx", {"表": rows})
    book = load_workbook(path)
    for row in book["表"].iter_rows(min_row=2, min_col=2):
        row[0].number_format = "yyyy-mm-dd"
    book.save(path)
    result = run(src, tmp_path / "out", verify=True)
    assert result.manifest.files
    cells = [
        r[0]
        for r in load_workbook(tmp_path / "out" / "a.xlsx")["表"].iter_rows(
            min_row=2, min_col=2, values_only=True
        )
    ]
    assert all(isinstance(c, str) and "****" in c for c in cells), cells
    assert not [w for w in recwarn if "1380000" in str(w.message)]
