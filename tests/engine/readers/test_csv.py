"""CSV/TSV reader: dialects, encodings, quoting, broken rows, headers, size and streaming."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pyarrow as pa
import pytest

from baomi.engine.readers import open_source
from baomi.engine.readers.base import Source
from baomi.engine.readers.csv import open_csv, sniff_dialect
from baomi.errors import UnreadableFileError
from tests.engine.readers.conftest import ReadTable


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("comma.csv", '姓名,电话\n张三,00138\n"李,四",\n'),
        ("semicolon.csv", '姓名;电话\n张三;00138\n"李;四";\n'),
        ("pipe.csv", '姓名|电话\n张三|00138\n"李|四"|\n'),
        ("tab.tsv", '姓名\t电话\n张三\t00138\n"李\t四"\t\n'),
        ("tab.csv", '姓名\t电话\n张三\t00138\n"李\t四"\t\n'),
        ("single_quote.csv", "姓名,电话\n'张三',00138\n'李,四',\n"),
        ("crlf.csv", '姓名,电话\r\n张三,00138\r\n"李,四",\r\n'),
    ],
)
def test_dialects(tmp_path: Path, read_table: ReadTable, name: str, text: str) -> None:
    source = open_source(write(tmp_path, name, text.encode("utf-8")))
    frame, _ = read_table(source)
    assert source.kind == "table" and source.encoding == "utf-8"
    assert frame.columns == ["姓名", "电话"]
    first = (
        "李|四"
        if "|" in text
        else "李;四"
        if ";" in text
        else "李\t四"
        if "\t" in text
        else "李,四"
    )
    assert frame.rows() == [("张三", "00138"), (first, None)]


def test_sniff_falls_back_to_the_most_frequent_delimiter() -> None:
    assert sniff_dialect("a;b;c\n") == (";", '"')
    assert sniff_dialect("single\n") == (",", '"')


def test_a_column_of_notes_is_one_column(tmp_path: Path, read_table: ReadTable) -> None:
    """A one-column CSV of English notes: a ``;`` in one note is no delimiter (its header, with
    none, was read as a title and the notes without one as broken rows, skipped)."""
    notes = [
        "Met Justin Glass. Tel (0114) 496 0772.",
        "Diana Lowery asked for the invoice; can be reached on 626.661.6630",
        "0477 913 788（手机）Zachary Lester，周一回访",
        '"Delivery to Unit 5, reach at 03 6616 6304"',
    ]
    source = open_source(write(tmp_path, "n.csv", "\n".join(["跟进记录", *notes, ""]).encode()))
    frame, _ = read_table(source)
    assert frame.columns == ["跟进记录"]
    assert [r[0] for r in frame.rows()] == [*notes[:3], notes[3].strip('"')]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings(tmp_path: Path, read_table: ReadTable, encoding: str) -> None:
    name = "𠀀䶮" if encoding != "gbk" else "张三"  # GB18030-only characters where they fit
    text = f"姓名,身份证号\r\n{name},110105199001011234\r\n"
    source = open_source(write(tmp_path, "f.csv", text.encode(encoding)))
    frame, _ = read_table(source)
    assert source.encoding == encoding
    assert frame.columns == ["姓名", "身份证号"]  # no "\ufeff姓名"
    assert frame.rows() == [(name, "110105199001011234")]


def test_values_stay_strings_exactly_as_written(tmp_path: Path, read_table: ReadTable) -> None:
    text = "id,n,f,d,b\n000123,123456789012345678,1.50,2024-01-02,true\n ,NaN,null,N/A,\n"
    frame, _ = read_table(open_source(write(tmp_path, "f.csv", text.encode())))
    assert frame.rows() == [
        ("000123", "123456789012345678", "1.50", "2024-01-02", "true"),
        (" ", "NaN", "null", "N/A", None),
    ]


@pytest.mark.parametrize("block_size", [64 * 1024, 16 * 1024 * 1024], ids=["small", "large"])
def test_quoted_newlines_and_a_one_megabyte_cell(
    tmp_path: Path, read_table: ReadTable, block_size: int
) -> None:
    big = "备" * (1024 * 1024)  # longer than a small block: read again with larger blocks
    text = f'a,b\r\n"line1\r\nline2",x\n"{big}",y\n"say ""hi""",z\n'
    frame, _ = read_table(open_csv(write(tmp_path, "f.csv", text.encode()), block_size=block_size))
    assert frame["a"].to_list() == ["line1\r\nline2", big, 'say "hi"']
    assert frame["b"].to_list() == ["x", "y", "z"]


def test_broken_rows_are_counted_and_skipped(tmp_path: Path, read_table: ReadTable) -> None:
    text = "a,b\n1,2\n1,2,3\n4\n5,6\n"
    source = open_source(write(tmp_path, "f.csv", text.encode()))
    frame, _ = read_table(source)
    assert frame.rows() == [("1", "2"), ("5", "6")]
    assert source.skipped_rows == 2
    read_table(source)  # a second pass counts again from zero
    assert source.skipped_rows == 2


def test_header_only_file_has_columns_and_no_rows(tmp_path: Path, read_table: ReadTable) -> None:
    source = open_source(write(tmp_path, "f.csv", "姓名,电话\n".encode()))
    frame, batches = read_table(source)
    assert frame.columns == ["姓名", "电话"] and frame.height == 0
    assert [(b.sheet, b.offset) for b in batches] == [(None, 0)]


def test_duplicate_and_blank_headers(tmp_path: Path, read_table: ReadTable) -> None:
    text = "电话,,电话,电话, \n1,2,3,4,5\n"
    frame, _ = read_table(open_source(write(tmp_path, "f.csv", text.encode())))
    assert frame.columns == ["电话", "column_2", "电话 (2)", "电话 (3)", "column_5"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "空文件"),
        (b"\n\n\n", "没有列"),
        (b"a,b\n\xff\xfe\x00\x01" * 10, "二进制"),
    ],
    ids=["empty", "blank-lines", "binary"],
)
def test_unreadable_files(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(write(tmp_path, "f.csv", data)).batches())
    assert reason in info.value.reason


def rows_by_position(source: Source) -> dict[int, tuple[str | None, ...]]:
    """Every data row of a one-table source by its 0-based data row number."""
    return {
        batch.offset + i: row
        for batch in source.batches()
        for i, row in enumerate(batch.frame.rows())
    }


def test_rows_keep_their_position_in_the_file_after_broken_rows(tmp_path: Path) -> None:
    text = "a,b\n1,2\n1,2,3\n4\n5,6\n"
    source = open_source(write(tmp_path, "f.csv", text.encode()))
    assert rows_by_position(source) == {0: ("1", "2"), 3: ("5", "6")}
    assert source.skipped_rows == 2


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_row_positions_across_blocks_quoted_newlines_and_blank_lines(
    tmp_path: Path, encoding: str
) -> None:
    lines, expected = ["姓名,备注"], {}
    for i in range(6000):
        if i % 97 == 5:
            lines.append(f"张{i},多余,字段")  # broken: keeps its number, is not read
        elif i % 301 == 7:
            lines.append(f'张{i},"第一行\n第二行"')  # one row over two lines
            expected[i] = (f"张{i}", "第一行\n第二行")
        else:
            lines.append(f"张{i},备注{i}")
            expected[i] = (f"张{i}", f"备注{i}")
        if i % 1000 == 3:
            lines.append("")  # a blank line is not a row
    data = ("\n".join(lines) + "\n").encode(encoding)
    source = open_csv(write(tmp_path, "f.csv", data), batch_rows=500, block_size=8 * 1024)
    assert rows_by_position(source) == expected
    assert source.skipped_rows == 6000 - len(expected)


def test_bad_bytes_after_the_sample_are_replaced_and_every_row_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("baomi.engine.readers.encoding.SAMPLE_BYTES", 64)
    rows = [f"{i},{13800000000 + i}" for i in range(3000)]
    bad = "王五,13899990000".encode("gbk")  # a GBK row in a UTF-8 file, after the sample
    data = ("a,b\n" + "\n".join(rows[:2000]) + "\n").encode() + bad + b"\n"
    data += ("\n".join(rows[2000:]) + "\n").encode()
    source = open_csv(write(tmp_path, "f.csv", data), batch_rows=256, block_size=16 * 1024)
    got = rows_by_position(source)
    assert len(got) == 3001 and source.skipped_rows == 0
    assert source.undecodable_rows == 1 and source.errors == []
    assert got[2000][1] == "13899990000" and "\ufffd" in (got[2000][0] or "")
    assert got[1999] == ("1999", "13800001999") and got[3000] == ("2999", "13800002999")
    list(source.batches())  # a second pass counts again from zero
    assert source.undecodable_rows == 1


def test_a_broken_row_with_bad_bytes_is_skipped_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrow decodes a broken row's text for the row handler before calling it: bad bytes in
    # it raised there and Python printed "Exception ignored in: …skip" with a traceback on
    # the terminal. The file is read again replacing them, and the row is skipped quietly.
    reported: list[object] = []
    monkeypatch.setattr("sys.unraisablehook", reported.append)
    rows = "".join(f"张三{i},1381234{i:04d}\n" for i in range(30))
    data = ("姓名,手机\n" + rows).encode() + "李四,1390000,多".encode() + b"\xe6A\n"
    data += "王五,13700001111\n".encode()
    source = open_csv(write(tmp_path, "f.csv", data))
    got = rows_by_position(source)
    assert reported == []
    assert len(got) == 31 and source.skipped_rows == 1 and source.errors == []
    assert got[31] == ("王五", "13700001111")


def test_bad_bytes_in_a_gbk_file_are_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("baomi.engine.readers.encoding.SAMPLE_BYTES", 64)
    data = ("姓名,电话\n" + "张三,13800001111\n" * 40).encode("gbk") + b"\xff\xff,1\n"
    data += "李四,13800002222\n".encode("gbk")
    source = open_csv(write(tmp_path, "f.csv", data))
    got = rows_by_position(source)
    assert source.encoding == "gbk" and len(got) == 42 and source.undecodable_rows == 1
    assert got[41] == ("李四", "13800002222")


def test_batches_hold_at_most_batch_rows(tmp_path: Path, read_table: ReadTable) -> None:
    text = "n\n" + "".join(f"{i}\n" for i in range(1000))
    frame, batches = read_table(
        open_source(write(tmp_path, "f.csv", text.encode()), batch_rows=300)
    )
    assert [b.frame.height for b in batches] == [300, 300, 300, 100]
    assert frame["n"].to_list() == [str(i) for i in range(1000)]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_streaming_memory_stays_bounded(tmp_path: Path, encoding: str) -> None:
    row = "张三,13800001111,110105199001011234,北京市朝阳区建国路1号\n"
    path = tmp_path / "big.csv"
    with path.open("w", encoding=encoding) as handle:
        handle.write("姓名,电话,身份证号,地址\n")
        handle.write(row * 60_000)  # about 5 MB in UTF-8
    size = path.stat().st_size
    source = open_csv(path, batch_rows=4096, block_size=32 * 1024)
    rows, arrow_peak = 0, 0
    tracemalloc.start()
    try:
        for batch in source.batches():
            rows += batch.frame.height
            arrow_peak = max(arrow_peak, pa.total_allocated_bytes())
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 60_000
    # Arrow reads about 32 blocks ahead (~1.2 MB here); reading it all would take > size.
    assert arrow_peak < size / 2, (arrow_peak, size)
    assert python_peak < size / 4, (python_peak, size)


def test_reading_again_with_larger_blocks_resumes_after_rows_done(
    tmp_path: Path, read_table: ReadTable
) -> None:
    before = [f"{i:06d}" for i in range(20_000)]  # ~140 KB: several 64 KB blocks come first
    text = "n\n" + "\n".join(before) + "\n" + "9" * (300 * 1024) + "\nlast\n"
    source = open_csv(
        write(tmp_path, "f.csv", text.encode()), batch_rows=1000, block_size=64 * 1024
    )
    frame, _ = read_table(source)
    assert frame["n"].to_list() == [*before, "9" * (300 * 1024), "last"]
