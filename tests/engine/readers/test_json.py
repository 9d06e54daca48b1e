"""JSON / JSON Lines readers: flattened paths, literal numbers, records, broken input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baomi.engine.readers import open_source
from baomi.engine.readers.json import flatten
from baomi.errors import UnreadableFileError
from tests.engine.readers.conftest import ReadTable

ORDER = {
    "id": 7,
    "buyer": {"name": "张三", "phone": "13800001111", "vip": True, "note": None},
    "items": [{"name": "书", "price": 12.50}, {"name": "笔", "tags": ["a", "b"]}],
    "empty": {},
    "blank": "",
}


def test_flatten_paths_and_scalars() -> None:
    assert flatten(ORDER, "", {}) == {
        "id": "7",
        "buyer.name": "张三",
        "buyer.phone": "13800001111",
        "buyer.vip": "true",
        "buyer.note": None,
        "items[0].name": "书",
        "items[0].price": "12.5",
        "items[1].name": "笔",
        "items[1].tags[0]": "a",
        "items[1].tags[1]": "b",
        "blank": None,
    }


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_numbers_keep_their_literal_text(tmp_path: Path, read_table: ReadTable) -> None:
    text = '[{"n": 1, "f": 1.50, "e": 1e3, "big": 123456789012345678901, "neg": -0.0}]'
    frame, _ = read_table(open_source(write(tmp_path, "f.json", text)))
    assert frame.rows() == [("1", "1.50", "1e3", "123456789012345678901", "-0.0")]


def test_array_items_are_records_with_the_union_of_paths(
    tmp_path: Path, read_table: ReadTable
) -> None:
    records: list[Any] = [ORDER, {"buyer": {"phone": "13900002222"}, "extra": "x"}, "bare", [1]]
    source = open_source(write(tmp_path, "f.json", json.dumps(records, ensure_ascii=False)))
    frame, _ = read_table(source)
    assert frame.height == 4
    assert frame["buyer.phone"].to_list() == ["13800001111", "13900002222", None, None]
    assert frame["extra"].to_list() == [None, "x", None, None]
    assert frame["value"].to_list() == [None, None, "bare", None]
    assert frame["value[0]"].to_list() == [None, None, None, "1"]
    assert frame.columns[:3] == ["id", "buyer.name", "buyer.phone"]


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_the_array_is_parsed_item_by_item_across_chunks(
    tmp_path: Path, read_table: ReadTable, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr("baomi.engine.readers.json.CHUNK_CHARS", chunk)
    text = ' \n[ 12345 , {"a": "x,]"} ,\n"s" , 6.5e1,[],{"b":{"c":[true,null]}} ]\n'
    frame, batches = read_table(open_source(write(tmp_path, "f.json", text), batch_rows=2))
    assert frame.height == 6
    assert [b.offset for b in batches] == [0, 2, 4]
    assert batches[0].frame.rows() == [("12345", None), (None, "x,]")]
    assert batches[1].frame.rows() == [("s",), ("6.5e1",)]
    assert batches[2].frame.columns == ["b.c[0]", "b.c[1]"]
    assert batches[2].frame.rows() == [(None, None), ("true", None)]


def test_a_wrapped_list_of_records_is_read_as_records(
    tmp_path: Path, read_table: ReadTable
) -> None:
    text = json.dumps(
        {
            "code": 0,
            "data": {
                "list": [{"phone": "13800001111"}, {"phone": "13900002222", "buyer": {"n": "张"}}],
                "total": 2,
                "tags": [{"t": 1}],  # a shorter list of objects stays in the envelope
            },
            "operator": {"phone": "13700003333"},
        },
        ensure_ascii=False,
    )
    frame, batches = read_table(open_source(write(tmp_path, "f.json", text)))
    assert [b.offset for b in batches] == [0]
    assert frame.rows(named=True) == [
        {
            "data.list[*].phone": "13800001111",
            "code": "0",
            "data.total": "2",
            "data.tags[0].t": "1",
            "operator.phone": "13700003333",
            "data.list[*].buyer.n": None,
        },
        {
            "data.list[*].phone": "13900002222",
            "code": None,
            "data.total": None,
            "data.tags[0].t": None,
            "operator.phone": None,
            "data.list[*].buyer.n": "张",
        },
    ]


@pytest.mark.parametrize(
    ("document", "columns"),
    [
        ({"a": {"b": [1, 2]}}, ["a.b[0]", "a.b[1]"]),  # a list of scalars: not records
        ({"a": [], "b": "x"}, ["b"]),
        ("text", ["value"]),
    ],
)
def test_anything_else_is_one_record(
    tmp_path: Path, read_table: ReadTable, document: Any, columns: list[str]
) -> None:
    frame, _ = read_table(open_source(write(tmp_path, "f.json", json.dumps(document))))
    assert frame.height == 1 and frame.columns == columns


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('\n\n  {"a": 1,}', "第 3 行第 11 列"),
        ('{"a": [\n', "第 2 行第 1 列"),
        ("x", "第 1 行第 1 列"),
        ('[{"a": 1},\n {"a": 2} {"a": 3}]', "第 2 行第 11 列"),
        ('[{"a": 1},\n {"a": ', "第 2 行第 8 列"),
        ('[{"a": 1}]\n\n x', "第 3 行第 2 列"),
    ],
)
def test_broken_json_names_the_line_and_column(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(write(tmp_path, "f.json", text)).batches())
    assert where in info.value.reason


def test_records_before_a_break_are_yielded_first(tmp_path: Path) -> None:
    text = "[" + ",".join(f'{{"a": {i}}}' for i in range(25)) + ', {"a": '
    source = open_source(write(tmp_path, "f.json", text), batch_rows=10)
    got: list[str] = []
    with pytest.raises(UnreadableFileError):
        for batch in source.batches():
            got += batch.frame["a"].to_list()
    assert got == [str(i) for i in range(25)]


def test_line_and_column_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("baomi.engine.readers.json.CHUNK_CHARS", 7)
    text = "[\n" + ",\n".join(f'{{"a": {i}}}' for i in range(30)) + ",\n  ]]"
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(write(tmp_path, "f.json", text)).batches())
    assert "第 32 行第 4 列" in info.value.reason


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-16"])
def test_json_encodings(tmp_path: Path, read_table: ReadTable, encoding: str) -> None:
    source = open_source(write(tmp_path, "f.json", '[{"姓名": "张三"}]', encoding))
    frame, _ = read_table(source)
    assert source.encoding == encoding and frame.rows(named=True) == [{"姓名": "张三"}]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "空文件"),
        ("   \n", "格式错误"),
        ('[{"a": 1}, {"a": ', "格式错误"),
        ('[{"a": 1} {"a": 2}]', "格式错误"),
        ('{"a": 1', "格式错误"),
        ('[{"a": 1}] trailing', "格式错误"),
        ("[]", "没有可读的记录"),
        ("[{}, []]", "没有可读的记录"),
    ],
)
def test_broken_json_is_unreadable(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(write(tmp_path, "f.json", text)).batches())
    assert reason in info.value.reason


@pytest.mark.parametrize("top", ["[{}]", "{}"])
def test_too_deep_nesting_is_unreadable(tmp_path: Path, top: str) -> None:
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    text = top.replace("{}", deep)
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(write(tmp_path, "f.json", text)).batches())
    assert "嵌套过深" in info.value.reason


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_json_lines_skip_and_count_broken_lines(
    tmp_path: Path, read_table: ReadTable, suffix: str
) -> None:
    lines = ['{"a": 1, "b": {"c": "x"}}', "", "{broken", '{"a": 2}\r', "   ", '"bare"', '{"a": ']
    source = open_source(write(tmp_path, "f" + suffix, "\n".join(lines) + "\n"), batch_rows=2)
    frame, batches = read_table(source)
    assert source.skipped_rows == 2
    assert [b.offset for b in batches] == [0, 2]
    assert frame.rows(named=True) == [
        {"a": "1", "b.c": "x", "value": None},
        {"a": "2", "b.c": None, "value": None},
        {"a": None, "b.c": None, "value": "bare"},
    ]


def test_json_lines_with_no_good_line_is_unreadable(tmp_path: Path) -> None:
    source = open_source(write(tmp_path, "f.jsonl", "{x\n[\n"))
    with pytest.raises(UnreadableFileError):
        list(source.batches())
    assert source.skipped_rows == 2


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_bad_bytes_after_the_sample_are_replaced_and_the_records_after_them_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_table: ReadTable, suffix: str
) -> None:
    """A GBK value in a UTF-8 export (past the sample the encoding was detected on) stopped the
    file there: the records after it were not read, their PI not scanned. Its bytes are now
    U+FFFD, its record counted in ``undecodable_rows``, and every record after it read — past
    a broken line too, counted once."""
    monkeypatch.setattr("baomi.engine.readers.encoding.SAMPLE_BYTES", 16)
    monkeypatch.setattr("baomi.engine.readers.json.CHUNK_CHARS", 64)  # the array in chunks
    records = [
        json.dumps({"i": i, "电话": f"1380000{i:04d}"}, ensure_ascii=False) for i in range(300)
    ]
    bad = '{"i": 300, "备注": "'.encode() + "张三".encode("gbk") + b'"}'
    if suffix == ".json":
        body = ("[" + ", ".join(records[:150]) + ", ").encode() + bad
        body += (", " + ", ".join(records[150:]) + "]").encode()
    else:
        lines = [*records[:150], "{broken"]
        body = ("\n".join(lines) + "\n").encode() + bad + ("\n" + "\n".join(records[150:])).encode()
    path = tmp_path / f"f{suffix}"
    path.write_bytes(body)
    source = open_source(path, batch_rows=100)
    frame, _ = read_table(source)
    assert source.encoding == "utf-8" and source.undecodable_rows == 1
    assert source.skipped_rows == (1 if suffix == ".jsonl" else 0)
    phones = frame.get_column("电话").drop_nulls().to_list()
    assert phones == [f"1380000{i:04d}" for i in range(300)]
    notes = frame.get_column("备注").drop_nulls().to_list()
    assert len(notes) == 1 and "\ufffd" in notes[0]
    # read twice, the same counts (reset at every read)
    again, _ = read_table(source)
    assert again.equals(frame) and source.undecodable_rows == 1
