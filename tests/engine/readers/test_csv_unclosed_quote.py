"""A CSV field that opens a quote and never closes it swallowed the rest of the file into one
cell (or, when that row then had the wrong number of fields, skipped it as one broken row)
without a word. The reader now says so in ``errors``: the line where the quote opened and how
many lines after it were read into that cell, or not read. Generated data only."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from baomi.engine.readers import open_source

HEADER = "姓名,手机,备注"
ROWS = [f"客户{i},1381234{i:04d},正常" for i in range(40)]


def _write(path: Path, lines: list[str], newline: str = "\n", encoding: str = "utf-8") -> Path:
    """``lines`` in ``encoding``; ``bom+gbk``: GBK after a UTF-8 byte-order mark."""
    mark = codecs.BOM_UTF8 if encoding == "bom+gbk" else b""
    text = newline.join(lines) + newline
    path.write_bytes(mark + text.encode("gbk" if mark else encoding))
    return path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig", "bom+gbk"])
def test_a_quote_in_the_last_field_that_runs_to_the_end_is_reported(
    tmp_path: Path, newline: str, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [HEADER, *ROWS[:3], 'x,13900000000,"说明开始', *ROWS[3:]]
    path = _write(tmp_path / "a.csv", lines, newline, encoding)
    original = path.read_bytes()
    src = open_source(path)
    monkeypatch.setenv("BAOMI_LANG", "zh")
    rows = [r for b in src.batches() for r in b.frame.rows()]
    assert len(rows) == 4  # the three rows before it, and the row holding the rest
    (error,) = src.errors
    assert "第 5 行" in error and "引号" in error and "37 行" in error
    assert "13812340003" not in error  # no content in the message
    monkeypatch.setenv("BAOMI_LANG", "en")
    list(src.batches())
    assert "line 5" in src.errors[0] and "37 lines" in src.errors[0]
    assert path.read_bytes() == original  # never modified


def test_a_quote_that_breaks_the_row_is_reported_with_what_was_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the quote opens in the middle field: the swallowed row has too few fields and is skipped
    lines = [HEADER, *ROWS[:2], 'x,"13900000000,说明', *ROWS[2:12]]
    src = open_source(_write(tmp_path / "c.csv", lines))
    monkeypatch.setenv("BAOMI_LANG", "zh")
    rows = [r for b in src.batches() for r in b.frame.rows()]
    assert len(rows) == 2 and src.skipped_rows == 1
    (error,) = src.errors
    assert "第 4 行" in error and "10 行" in error and "未读取" in error


@pytest.mark.parametrize(
    "lines",
    [
        [HEADER, *ROWS[:3]],
        # a quoted value over several lines, closed: no warning
        [HEADER, 'x,13900000000,"第一行\n第二行"', *ROWS[:3]],
        [HEADER, *ROWS[:3], 'x,13900000000,"第一行\n第二行"'],
        # a quote that opens and closes further down (not at the end of the file)
        [HEADER, *ROWS[:2], 'x,13900000000,"a', 'b"', *ROWS[2:4]],
        # a stray quote inside an unquoted field is a character
        [HEADER, 'x,13900000000,5" 屏幕', *ROWS[:3]],
    ],
)
def test_well_formed_files_have_no_warning(tmp_path: Path, lines: list[str]) -> None:
    src = open_source(_write(tmp_path / "ok.csv", lines))
    list(src.batches())
    assert src.errors == []
