"""Parquet reader: a round trip of typed, nested and string columns, batches, broken files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from baomi.engine.readers import open_source
from baomi.errors import UnreadableFileError
from tests.engine.readers.conftest import ReadTable


def test_round_trip_every_column_as_text(tmp_path: Path, read_table: ReadTable) -> None:
    table = pa.table(
        {
            "姓名": ["张三", "", None],
            "电话": pa.array([13812345678, None, None], type=pa.int64()),
            "身份证号": ["110105199001011234", "000123", None],
            "分数": [1.0, 2.5, None],
            "会员": [True, False, None],
            "生日": [dt.date(1990, 1, 2), None, None],
            "金额": [Decimal("12.50"), None, None],
            "标签": [["a", "b"], [], None],
            "地址": [{"city": "北京", "zip": "100000"}, None, None],
            "原始": [b"abc", b"\xff", None],
            "类别": pa.array(["x", "y", None]).dictionary_encode(),
        }
    )
    path = tmp_path / "客户.parquet"
    pq.write_table(table, path)
    source = open_source(path)
    frame, _ = read_table(source)
    assert source.kind == "table" and source.encoding is None
    assert frame.columns == table.column_names
    assert frame.rows() == [
        ("张三", "13812345678", "110105199001011234", "1", "true", "1990-01-02", "12.50",
         '["a", "b"]', '{"city": "北京", "zip": "100000"}', "abc", "x"),
        (None, None, "000123", "2.5", "false", None, None, "[]", None, "\ufffd", "y"),
        (None,) * 11,
    ]  # fmt: skip


def test_text_that_is_not_utf8_is_replaced_not_a_crash(
    tmp_path: Path, read_table: ReadTable
) -> None:
    """A damaged file's string column whose bytes are not UTF-8 (Arrow's Parquet reader does
    not check them) panicked in Polars when the cells became Python strings — the whole scan
    stopped. Its bad bytes are read as U+FFFD, as a binary column's are, the rest as written."""
    data = "张三".encode() + b"\xe6A" + b"13812345678"
    offsets = pa.py_buffer(pa.array([0, 6, 8, 19], pa.int32()).buffers()[1])
    names = pa.Array.from_buffers(pa.string(), 3, [None, offsets, pa.py_buffer(data)])
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"姓名": names, "n": ["1", "2", "3"]}), path)
    frame, _ = read_table(open_source(path))
    assert frame.rows() == [("张三", "1"), ("\ufffdA", "2"), ("13812345678", "3")]


def test_a_column_name_that_is_not_utf8_is_a_corrupt_file_not_a_crash(tmp_path: Path) -> None:
    """A damaged file whose column name's bytes are not UTF-8: pyarrow raised
    UnicodeDecodeError opening it (not an Arrow error), and the whole scan stopped."""
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"姓名": ["张三"], "n": ["1"]}), path)
    data = path.read_bytes()
    assert "姓名".encode() in data
    path.write_bytes(data.replace("姓名".encode(), b"\xe5\xa7\x93\xe5AA"))
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(path).batches())
    assert "已损坏" in info.value.reason


def test_batches_of_batch_rows(tmp_path: Path, read_table: ReadTable) -> None:
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"n": [str(i) for i in range(250)]}), path, row_group_size=100)
    frame, batches = read_table(open_source(path, batch_rows=60))
    assert max(b.frame.height for b in batches) <= 60
    assert frame["n"].to_list() == [str(i) for i in range(250)]


def test_no_rows_keeps_the_columns(tmp_path: Path, read_table: ReadTable) -> None:
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"a": pa.array([], pa.int32()), "": pa.array([], pa.string())}), path)
    frame, batches = read_table(open_source(path))
    assert frame.columns == ["a", "column_2"] and len(batches) == 1 and frame.height == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "空文件"), (b"PAR1 not really parquet PAR1", "已损坏"), (b"a,b\n1,2\n", "已损坏")],
    ids=["empty", "corrupt", "csv-renamed"],
)
def test_unreadable_parquet(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "f.parquet"
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(path).batches())
    assert reason in info.value.reason
