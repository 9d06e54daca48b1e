"""Encoding detection: BOMs, strict UTF-8 (with a character cut at the sample end), GBK, GB18030."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.engine.readers.encoding import Sample, detect_encoding, detect_file_encoding
from baomi.errors import UnreadableFileError

TEXT = "姓名,电话\n张三,13800000000\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
        (TEXT.encode("gbk"), "gbk"),
        ("𠀀字,䶮\n".encode("gb18030"), "gb18030"),  # outside GBK: four-byte GB18030 sequences
        (b"name,phone\n", "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gbk", "gb18030", "ascii"],
)
def test_detects_encoding_of_complete_sample(data: bytes, expected: str) -> None:
    assert detect_encoding(Sample(data, complete=True)) == expected


def test_utf8_character_cut_at_sample_end_is_still_utf8() -> None:
    data = "张三".encode()[:-1]  # the sample ends inside the second character
    assert detect_encoding(Sample(data, complete=False)) == "utf-8"
    assert detect_encoding(Sample(data, complete=True)) != "utf-8"


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_detect_file_encoding_reads_files(tmp_path: Path, encoding: str) -> None:
    text = TEXT + ("𠀀\n" if encoding == "gb18030" else "")
    path = tmp_path / "f.txt"
    path.write_bytes(text.encode(encoding))
    assert detect_file_encoding(path)[0] == encoding


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "空文件"), (b"\x00\x01\x02\x00" * 100, "二进制")],
    ids=["empty", "binary"],
)
def test_empty_or_binary_file_is_unreadable(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError) as info:
        detect_file_encoding(path)
    assert reason in info.value.reason


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_one_stray_byte_does_not_hide_the_file(encoding: str) -> None:
    """One stray byte in the first 4 MB made the scan skip the whole customer list ("unknown
    text encoding", exit 0): the encoding the text decodes in but for a few bytes is taken,
    the bytes read as U+FFFD and counted by the readers."""
    text = "".join(
        f"客户{i},广东省深圳市南山区科技园路{i}号,13800138{i % 1000:03d}\n" for i in range(300)
    )
    data = text.encode(encoding)
    cut = len(data) // 2
    while data[cut] >= 0x80:  # between two characters
        cut += 1
    data = data[:cut] + b"\xff" + data[cut:]
    assert detect_encoding(Sample(data, complete=True)) == encoding
    # a file of noise is still unreadable, not read as mostly U+FFFD
    noise = bytes(range(128, 256)) * 50
    assert detect_encoding(Sample(noise, complete=True)) != "utf-8"


@pytest.mark.parametrize("rows", [3, 50, 2000])
def test_a_gbk_row_in_a_utf8_list_does_not_hide_or_garble_it(tmp_path: Path, rows: int) -> None:
    """A UTF-8 customer list with one row appended in GBK (a Windows tool adding to an export)
    was "unknown text encoding" and skipped whole when under ~3 MB (twelve stray bytes were over
    the per-MB allowance), or read as Shift-JIS (``cp932``) when tiny, every name garbled. Lines
    of Chinese that are valid UTF-8 are no accident: the list is read as UTF-8 and the GBK row
    with U+FFFD, counted."""
    from baomi.engine.readers import open_source

    lines = ["姓名,手机,地址"] + [
        f"王小红,1380013{i % 10000:04d},北京市朝阳区建国路{i}号" for i in range(rows)
    ]
    data = "\n".join(lines).encode() + "\n李秀英,13900139000,上海市\n".encode("gbk")
    path = tmp_path / "客户.csv"
    path.write_bytes(data)
    assert detect_file_encoding(path)[0] == "utf-8"
    source = open_source(path)
    frames = [b.frame for b in source.batches()]
    assert frames[0].columns == ["姓名", "手机", "地址"]
    assert sum(f.height for f in frames) == rows + 1
    assert source.undecodable_rows == 1
