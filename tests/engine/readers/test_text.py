"""Text reader: lines in every encoding, line endings, binary and undecodable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from baomi.engine.readers import open_source
from baomi.errors import UnreadableFileError

LINES = ["客户张三 电话 13800001111", "", "  缩进的行\t", "最后一行"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
@pytest.mark.parametrize("suffix", [".txt", ".log", ".md"])
def test_lines_in_every_encoding(tmp_path: Path, encoding: str, suffix: str) -> None:
    lines = [*LINES, "𠀀"] if encoding != "gbk" else LINES
    path = tmp_path / f"f{suffix}"
    path.write_bytes("\n".join(lines).encode(encoding))
    source = open_source(path)
    assert source.kind == "text" and source.encoding == encoding and source.skipped_rows == 0
    assert [(u.row, u.text) for u in source.units()] == list(enumerate(lines))


def test_line_endings_are_removed_once(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"a\r\nb\rc\n\r\nd\r\r\ne\n")
    assert [u.text for u in open_source(path).units()] == ["a", "b", "c", "", "d", "", "e"]


def test_a_text_source_has_no_batches(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_text("# 标题\n", encoding="utf-8")
    with pytest.raises(TypeError):
        list(open_source(path).batches())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "空文件"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 50, "二进制"),
    ],
    ids=["empty", "binary"],
)
def test_unreadable_text(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError) as info:
        list(open_source(path).units())
    assert reason in info.value.reason


def test_bad_bytes_after_the_sample_are_replaced_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GBK line in a UTF-8 file (past the sample the encoding was detected on) does not stop
    the file: its bad bytes become U+FFFD, the line is counted in ``undecodable_rows``, and
    every line after it is read (as the CSV reader does)."""
    monkeypatch.setattr("baomi.engine.readers.encoding.SAMPLE_BYTES", 16)
    path = tmp_path / "f.txt"
    body = "第一行\n".encode() * 10 + "电话13800001111 ".encode("gbk") + b"\n"
    path.write_bytes(body + "最后 13900002222\n".encode() * 3000)
    source = open_source(path)
    assert source.encoding == "utf-8"
    units = list(source.units())
    assert len(units) == 3011 and [u.row for u in units] == list(range(3011))
    assert "13800001111" in units[10].text and "\ufffd" in units[10].text
    assert units[-1].text == "最后 13900002222"
    assert source.undecodable_rows == 1
