"""Encoding detection: BOMs, strict UTF-8 (with a character cut at the sample end), GBK, GB18030;
GBK / GB18030 after a UTF-8 BOM (the ``gbk-sig`` / ``gb18030-sig`` codecs)."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from baomi.engine.readers.encoding import (
    Sample,
    body_encoding,
    decodes,
    detect_encoding,
    detect_file_encoding,
)
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
        # a UTF-8 BOM in front of GBK / GB18030 bytes (a Windows tool's export)
        (codecs.BOM_UTF8 + TEXT.encode("gbk"), "gbk-sig"),
        (codecs.BOM_UTF8 + ("𠀀字,䶮\n" + TEXT).encode("gb18030"), "gb18030-sig"),
        (codecs.BOM_UTF8 + b"name,phone\n", "utf-8-sig"),
        (codecs.BOM_UTF8, "utf-8-sig"),
    ],
    ids=[
        "utf-8",
        "utf-8-bom",
        "utf-16-le-bom",
        "utf-16-be-bom",
        "gbk",
        "gb18030",
        "ascii",
        "bom-gbk",
        "bom-gb18030",
        "bom-ascii",
        "bom-only",
    ],
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
    data = _customer_list(rows) + "李秀英,13900139000,上海市\n".encode("gbk")
    path = tmp_path / "客户.csv"
    path.write_bytes(data)
    _assert_read_with_one_undecodable_row(path, "utf-8", rows + 1)


def _customer_list(rows: int) -> bytes:
    """A UTF-8 customer list: its header and ``rows`` rows."""
    lines = ["姓名,手机,地址"] + [
        f"王小红,1380013{i % 10000:04d},北京市朝阳区建国路{i}号" for i in range(rows)
    ]
    return "\n".join(lines).encode() + b"\n"


def _assert_read_with_one_undecodable_row(path: Path, encoding: str, rows: int) -> None:
    """The customer list at ``path`` is read in ``encoding``: its columns, ``rows`` rows, one
    of them holding bytes that do not decode."""
    from baomi.engine.readers import open_source

    assert detect_file_encoding(path)[0] == encoding
    source = open_source(path)
    frames = [b.frame for b in source.batches()]
    assert frames[0].columns == ["姓名", "手机", "地址"]
    assert sum(f.height for f in frames) == rows
    assert source.undecodable_rows == 1


@pytest.mark.parametrize("rows", [5, 30, 300])
def test_a_utf8_list_with_one_character_cut_is_not_read_as_gb18030(
    tmp_path: Path, rows: int
) -> None:
    """A UTF-8 list of two-character names and cities, one field cut inside a character (an
    export truncating at a byte limit), decoded strictly in GB 18030 — every Chinese text
    then six bytes, three GB 18030 characters — and was read so: every header and name
    garbled, no name found. Its CJK characters decode in UTF-8 but for one stray sequence:
    UTF-8, the cut row counted."""
    names, cities = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊"], ["北京", "上海", "广州"]
    lines = ["姓名,手机,地址"] + [
        f"{names[i % 6]},1380013{i:04d},{cities[i % 3]}" for i in range(rows)
    ]
    data = "\n".join(lines).encode() + b"\n"
    cut = data.index("上海".encode()) + 4  # 上 and the first byte of 海
    data = data[:cut] + data[cut + 2 :]
    assert decodes(data, "gb18030", complete=True)  # what made it GB 18030
    path = tmp_path / "客户.csv"
    path.write_bytes(data)
    _assert_read_with_one_undecodable_row(path, "utf-8", rows)


def test_gbk_with_a_few_characters_valid_in_utf8_stays_gbk() -> None:
    """The converse: a GBK list whose only Chinese is a gender, 女 (``C5 AE``, valid UTF-8 as
    ``Ů``) in most rows and 男 in the others, is GBK — what decodes in UTF-8 is no CJK text."""
    rows = [f"zhang{i},1380013{i:04d},{'男' if i % 10 == 0 else '女'}" for i in range(200)]
    data = "\n".join(["name,mobile,gender", *rows]).encode("gbk") + b"\n"
    assert detect_encoding(Sample(data, complete=True)) == "gbk"


@pytest.mark.parametrize("rows", [1, 3, 300])
def test_a_utf8_file_with_a_bom_and_a_stray_byte_is_still_utf8(tmp_path: Path, rows: int) -> None:
    """The bytes after a UTF-8 BOM are looked at (GBK after the mark is read as GBK), but a
    UTF-8 text with one stray byte after its BOM stays UTF-8: the byte is read as U+FFFD and
    its row counted, every other row read."""
    data = _customer_list(rows)
    cut = data.index("建国路".encode())  # in the first data row's address
    path = tmp_path / "客户.csv"
    path.write_bytes(codecs.BOM_UTF8 + data[:cut] + b"\xff" + data[cut:])
    _assert_read_with_one_undecodable_row(path, "utf-8-sig", rows)


@pytest.mark.parametrize("body", ["gbk", "gb18030"])
def test_the_sig_codecs_drop_the_mark_however_the_bytes_arrive(body: str) -> None:
    """Arrow, the text readers and the replacing reader feed the decoder in chunks of their
    own: the mark is dropped when it arrives split, and a mark-less text decodes as ``body``."""
    text = "姓名,地址\r\n王小红,北京市朝阳区建国路88号\r\n" + (
        "𠀀䶮\n" if body == "gb18030" else ""
    )
    data = codecs.BOM_UTF8 + text.encode(body)
    name = f"{body}-sig"
    assert body_encoding(name) == body and body_encoding("utf-8-sig") == "utf-8"
    assert body_encoding("gbk") == "gbk"
    assert data.decode(name) == text
    assert text.encode(body).decode(name) == text  # no mark: the text as it is
    assert text.encode(name) == data  # the encoder writes the mark, as utf-8-sig's does
    for size in (1, 2, 3, 5, len(data)):
        decoder = codecs.getincrementaldecoder(name)()
        got = "".join(decoder.decode(data[i : i + size]) for i in range(0, len(data), size))
        assert got + decoder.decode(b"", final=True) == text
    # a text file's position can be taken and gone back to (the decoder's state)
    with io.TextIOWrapper(io.BytesIO(data), encoding=name, newline="") as handle:
        assert handle.readline() == "姓名,地址\r\n"
        at = handle.tell()
        rest = handle.read()
        handle.seek(at)
        assert handle.read() == rest == text.split("\r\n", 1)[1]
        handle.seek(0)
        assert handle.read() == text
    # the mark's first bytes alone at the end are text (EF BB is 锘 in GBK) or bytes that do
    # not decode, never dropped
    assert codecs.getincrementaldecoder(name)().decode(b"\xef\xbb", final=True) == "锘"
    with pytest.raises(UnicodeDecodeError):
        codecs.getincrementaldecoder(name)().decode(b"\xef", final=True)
