"""Legacy Word reader (.doc): paragraphs in the .docx reader's order, tables' cells, headers and
comments, document properties; fields, encrypted, old, RTF, broken and empty files."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import docx
import olefile
import pytest

from baomi.engine import checksums
from baomi.engine.readers import open_source
from baomi.engine.readers.doc import DocSource, _fields_shown
from baomi.engine.readers.docx import DocxSource
from baomi.errors import UnreadableFileError
from tests.engine.readers.conftest import refused

FIXTURES = Path(__file__).parent / "fixtures"
CONTRACT = FIXTURES / "contract.doc"  # fixtures/make_legacy.py (LibreOffice)


def resident_id() -> str:
    first17 = "44030619900101002"
    return first17 + checksums.resident_id_check_char(first17)


def test_paragraphs_cells_headers_and_comments_in_the_docx_order() -> None:
    source = open_source(CONTRACT)
    assert isinstance(source, DocSource)
    units = [(u.row, u.text) for u in source.units()]
    texts = [t for _, t in units]
    assert texts[:7] == [
        f"甲方：张伟，身份证号 {resident_id()}，手机 13800001111。",
        "乙方联系人：李娜\t电话 13700003333",
        "姓名",
        "手机",
        "王芳",
        "13600004444",
        "第二行\n换行 13500005555",  # a line break inside the paragraph
    ]
    # then the page header, then the comment (as a .docx's parts are read)
    assert texts[7:] == ["页眉 联系 13400006666", "核对 13900002222"]
    rows = [r for r, _ in units]
    assert rows == sorted(rows) and rows[4] == rows[3] + 2  # a row's end mark is a row too


def test_the_document_properties_follow_the_paragraphs() -> None:
    source = open_source(CONTRACT)
    last = max(u.row for u in source.units())
    extras = [(e.row, e.column, e.text, e.person) for e in source.extras()]
    assert [(c, t, p) for _, c, t, p in extras] == [
        (None, "股权转让协议 13800009999", False),
        (None, "王经理", True),
    ]
    assert all(row > last for row, _, _, _ in extras)
    assert source.errors == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('见\x13 HYPERLINK "mailto:a@b.cn" \x14a@b.cn\x15。', "见a@b.cn。"),
        ("第\x13 PAGE \x14" + "3\x15页", "第3页"),
        ("\x13 IF \x13 MERGEFIELD x \x14\x15 = 1 \x14是\x15", "是"),  # nested
        ("无结果\x13 TOC \x15", "无结果"),
        ("plain", "plain"),
    ],
)
def test_a_field_shows_its_result_not_its_code(text: str, shown: str) -> None:
    assert _fields_shown(text) == shown


def test_a_docx_saved_under_the_old_name_is_read_as_one(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("手机 13800001111")
    path = tmp_path / "合同.doc"
    document.save(str(path))
    source = open_source(path)
    assert isinstance(source, DocxSource)
    assert [u.text for u in source.units()] == ["手机 13800001111"]


def _with_flags(
    tmp_path: Path, *, flags: int = 0, nfib: int | None = None, ident: int | None = None
) -> Path:
    """The fixture with its FIB's flags or version changed in place (olefile writes a
    stream of the same size)."""
    path = tmp_path / "a.doc"
    shutil.copyfile(CONTRACT, path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        struct.pack_into("<H", word, 0x0A, struct.unpack_from("<H", word, 0x0A)[0] | flags)
        if nfib is not None:
            struct.pack_into("<H", word, 2, nfib)
        if ident is not None:
            struct.pack_into("<H", word, 0, ident)
        ole.write_stream("WordDocument", bytes(word))
    return path


def test_an_encrypted_document_is_refused_as_encrypted(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError) as info:
        open_source(_with_flags(tmp_path, flags=0x0100))
    assert "加密" in info.value.reason


@pytest.mark.parametrize(("ident", "nfib"), [(0xA5EC, 0x0065), (0xA5DC, 0x0065), (0xA699, 0x0068)])
def test_a_word_95_document_is_refused_with_the_advice(
    tmp_path: Path, ident: int, nfib: int
) -> None:
    """Word 6.0/95 files start their FIB with 0xA5DC (0xA699 in East Asian editions): they
    were called broken (Apache POI's test documents of both kinds)."""
    with pytest.raises(UnreadableFileError) as info:
        open_source(_with_flags(tmp_path, nfib=nfib, ident=ident))
    assert "Word 6.0/95" in info.value.reason and ".docx" in info.value.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "空文件"),
        (b"{\\rtf1\\ansi 13800001111}", "RTF"),
        (b"not a document", "已损坏"),
        (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600, "已损坏"),
    ],
)
def test_what_is_no_word_document_is_refused_with_its_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "合同.doc"
    path.write_bytes(content)
    assert reason in refused(path)


def test_a_truncated_document_is_refused_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "合同.doc"
    data = CONTRACT.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFileError) as info:
        open_source(path)
    assert "已损坏" in info.value.reason
