"""Legacy Word reader (.doc: Word 97–2003, an OLE compound file), with olefile.

Contracts and letters on sellers' machines are often ``.doc`` (older Word, WPS's compatible
saves). The text is read as [MS-DOC] §2.4.1 "Retrieving Text" says: the File Information
Block at the start of the ``WordDocument`` stream names the table stream (``0Table`` or
``1Table``) and where in it the piece table (``Clx``) is; each piece is a run of character
positions stored as UTF-16 or, "compressed", as 8-bit Windows-1252 text. Nothing here is more
than that lookup: no library reads the format's text (olefile opens the container and reads
its document properties).

The text's stories come one after another in character positions — the body, footnotes,
headers and footers, comments, endnotes, text boxes, header text boxes — and are read in the
order the ``.docx`` reader reads a Word file's parts: the body (table cells included, a cell
a paragraph), headers and footers, comments, text boxes, footnotes, endnotes. A paragraph ends
at a paragraph mark (``\\r``), a cell or row mark (``\\x07``) or a page or section break
(``\\x0c``); a line break (``\\x0b``) is ``\\n``, a non-breaking hyphen ``-``; a field shows its
result, not its code (``PAGE``, ``HYPERLINK "…"``); pictures, objects and note references leave
nothing. ``row`` is the paragraph's place in that order, empty ones counted. Beside the
paragraphs (``extras()``): the document properties (:func:`.properties.ole_properties`), one
row each after every paragraph, as a ``.docx``'s.

Refused with the reason: an encrypted file (a password to open), a Word 6/95 file (another
layout), a file whose streams or piece table are broken, a ``.doc`` that is an RTF or a web
page (Word saves both under that name when asked). A ``.doc`` that is a zip is a ``.docx``
under the old name and is read as one.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from baomi.engine.readers.base import Extra, TextSource, TextUnit, file_head, unreadable
from baomi.engine.readers.properties import PROPERTIES, ole_properties
from baomi.engine.readers.word_links import LABEL as LINK_LABEL
from baomi.engine.readers.word_links import field_addresses, unshown
from baomi.i18n import worded

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_WORD_MAGIC = 0xA5EC
#: the FIB's first word in Word 2 (0xA5DB) and Word 6.0/95 files (0xA5DC; 0xA699 in East Asian
#: editions), which lay the FIB out otherwise
_OLDER_MAGIC = (0xA5DB, 0xA5DC, 0xA699)
_NFIB_97 = 0x00C1  # Word 97; earlier versions lay the FIB out otherwise
_ENCRYPTED = 0x0100
_TABLE_1 = 0x0200
#: the stories, in character positions (FibRgLw97 ccpText … ccpHdrTxbx, ccpMcr unused), and
#: the order the paragraphs are read in (as the .docx reader's: body, headers, comments, text
#: boxes, footnotes, endnotes)
_STORIES = ("body", "footnotes", "headers", "macros", "comments", "endnotes", "boxes", "hboxes")
_ORDER = ("body", "headers", "comments", "boxes", "hboxes", "footnotes", "endnotes")
_BROKEN = (struct.error, IndexError, ValueError, KeyError, OSError)

#: characters that end a paragraph, and those that leave nothing (pictures, objects, note and
#: comment references, an optional hyphen, and the C0 controls Word does not use as text)
_PARAGRAPH_END = re.compile("[\r\x07\x0c]")
_DROPPED = dict.fromkeys(
    [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0B, 0x13, 0x14, 0x15)], None
) | {0x0B: "\n", 0x1E: "-"}


def _corrupt(path: Path) -> Exception:
    return unreadable(path, "Word 97-2003 文件已损坏", "corrupt Word 97-2003 file")


def _u16(data: bytes, at: int) -> int:
    return int(struct.unpack_from("<H", data, at)[0])


def _u32(data: bytes, at: int) -> int:
    return int(struct.unpack_from("<I", data, at)[0])


def document_text(path: Path) -> tuple[str, list[int]]:
    """The document's character positions as text, every story, and the stories' lengths
    (:data:`_STORIES` order; see the module)."""
    import olefile

    try:
        ole = olefile.OleFileIO(str(path))
    except _BROKEN:
        raise _corrupt(path) from None
    try:
        if not ole.exists("WordDocument"):
            raise unreadable(
                path,
                "文件已加密（或不是 Word 文档），无法读取",
                "encrypted (or not a Word document), cannot be read",
            )
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x20 or _u16(word, 0) not in (_WORD_MAGIC, *_OLDER_MAGIC):
            raise _corrupt(path)
        flags = _u16(word, 0x0A)
        if _u16(word, 0) in _OLDER_MAGIC or _u16(word, 2) < _NFIB_97:
            raise unreadable(
                path,
                "Word 6.0/95 或更早版本的文件，无法读取：请另存为 .docx",
                "a Word 6.0/95 or older file, cannot be read: save it as .docx",
            )
        if flags & _ENCRYPTED:
            raise unreadable(path, "文件已加密，无法读取", "encrypted document, cannot be read")
        table_name = "1Table" if flags & _TABLE_1 else "0Table"
        if not ole.exists(table_name):
            raise _corrupt(path)
        table = ole.openstream(table_name).read()
        return _pieces_text(word, table)
    except _BROKEN:
        raise _corrupt(path) from None
    finally:
        ole.close()


def _fib(word: bytes) -> tuple[list[int], int, int]:
    """The story lengths (FibRgLw97's ccp…) and the piece table's place (fcClx, lcbClx)."""
    at = 0x20
    csw = _u16(word, at)
    at += 2 + 2 * csw
    cslw = _u16(word, at)
    lengths = [_u32(word, at + 2 + 4 * i) for i in range(3, 11)]  # ccpText … ccpHdrTxbx
    at += 2 + 4 * cslw
    fc_lcb = at + 2
    return lengths, _u32(word, fc_lcb + 33 * 8), _u32(word, fc_lcb + 33 * 8 + 4)


def _pieces_text(word: bytes, table: bytes) -> tuple[str, list[int]]:
    lengths, fc_clx, lcb_clx = _fib(word)
    clx = table[fc_clx : fc_clx + lcb_clx]
    if len(clx) != lcb_clx or not clx:
        raise ValueError("piece table out of the table stream")
    i = 0
    while clx[i] == 0x01:  # Prc: property modifiers, skipped
        i += 3 + _u16(clx, i + 1)
    if clx[i] != 0x02:
        raise ValueError("no piece table")
    size = _u32(clx, i + 1)
    plc = clx[i + 5 : i + 5 + size]
    n = (size - 4) // 12
    if n < 1 or len(plc) != size or 4 * (n + 1) + 8 * n != size:
        raise ValueError("broken piece table")
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    pieces: list[str] = []
    for k in range(n):
        count = cps[k + 1] - cps[k]
        if count < 0:
            raise ValueError("piece positions out of order")
        fc = _u32(plc, 4 * (n + 1) + 8 * k + 2)
        if fc & 0x40000000:  # compressed: one byte a character
            start = (fc & 0x3FFFFFFF) // 2
            raw = word[start : start + count]
            text = raw.decode("cp1252", errors="replace")
        else:
            raw = word[fc : fc + 2 * count]
            text = raw.decode("utf-16-le", errors="replace")
        if len(raw) != (count if fc & 0x40000000 else 2 * count):
            raise ValueError("piece out of the document stream")
        pieces.append(text)
    text = "".join(pieces)
    if sum(lengths) > len(text) or lengths[0] == 0:  # lengths unknown: all of it the body
        lengths = [len(text)] + [0] * (len(lengths) - 1)
    return text, lengths


def _fields_shown(text: str) -> str:
    """``text`` with each field's code left out and its result kept (fields nest)."""
    if "\x13" not in text:
        return text.replace("\x14", "").replace("\x15", "")
    out: list[str] = []
    stack: list[bool] = []  # per open field: its result has begun
    for ch in text:
        if ch == "\x13":
            stack.append(False)
        elif ch == "\x14":
            if stack:
                stack[-1] = True
        elif ch == "\x15":
            if stack:
                stack.pop()
        elif all(stack):
            out.append(ch)
    return "".join(out)


def _field_codes(text: str) -> list[str]:
    """The code of each field of ``text`` (``HYPERLINK "mailto:…"``), in the order the
    fields end; a nested field's code is its own, not its outer field's."""
    if "\x13" not in text:
        return []
    codes: list[str] = []
    stack: list[tuple[list[str], list[bool]]] = []  # per open field: its code, result begun
    for ch in text:
        if ch == "\x13":
            stack.append(([], [False]))
        elif ch == "\x14":
            if stack:
                stack[-1][1][0] = True
        elif ch == "\x15":
            if stack:
                codes.append("".join(stack.pop()[0]))
        elif stack and not stack[-1][1][0]:
            stack[-1][0].append(ch)
    return codes


def paragraphs(path: Path) -> list[str]:
    """The document's paragraphs in the order the module says, each's text as read."""
    return read_doc(path)[0]


def read_doc(path: Path) -> tuple[list[str], list[str]]:
    """:func:`paragraphs`, and the addresses of the document's hyperlinks (``HYPERLINK``
    fields: :func:`~.word_links.field_addresses`) in the same order of stories."""
    text, lengths = document_text(path)
    stories: dict[str, str] = {}
    at = 0
    for name, length in zip(_STORIES, lengths, strict=True):
        stories[name] = text[at : at + length]
        at += length
    out: list[str] = []
    links: list[str] = []
    for name in _ORDER:
        raw = stories.get(name, "")
        links += [a for code in _field_codes(raw) for a in field_addresses(code)]
        for part in _PARAGRAPH_END.split(_fields_shown(raw)):
            out.append(part.translate(_DROPPED))
        if out and not out[-1]:  # the story's last mark ends its last paragraph
            out.pop()
    return out, links


class DocSource(TextSource):
    """A .doc file; ``units()`` yields its non-empty paragraphs."""

    def __init__(self, path: Path, texts: list[str], links: list[str] | None = None) -> None:
        super().__init__(path, encoding=None)
        #: every paragraph's text, empty ones too, in ``row`` order
        self.texts = texts
        #: the addresses of its hyperlinks (:func:`read_doc`)
        self.links = links or []

    def units(self) -> Iterator[TextUnit]:
        self.skipped_rows = 0
        for row, text in enumerate(self.texts):
            if text and not text.isspace():
                yield TextUnit(row, text)

    def extras(self) -> Iterator[Extra]:
        """The document properties, one row each after every paragraph at its fixed place
        (as a ``.docx``'s: :data:`~.properties.PROPERTIES` order), then the addresses of its
        hyperlinks that its text does not show (:mod:`.word_links`), one row each, labelled
        :data:`~.word_links.LABEL`."""
        try:
            found = ole_properties(self.path)
        except OSError:
            found = []
            self.errors.append(
                worded(
                    "文档属性已损坏，未读取",
                    "the document properties are corrupt and were not read",
                )
            )
        rows = len(self.texts)
        for place, prop, text in found:
            yield Extra(None, rows + place, None, text, prop.person)
        after = rows + max([len(PROPERTIES)] + [place + 1 for place, _, _ in found])
        shown = "\n".join(self.texts)
        for place, address in enumerate(unshown(self.links, shown)):
            yield Extra(None, after + place, LINK_LABEL, address)


def open_doc(path: Path, *, batch_rows: int = 65536) -> Any:
    """Open a .doc file read-only (``batch_rows`` is unused: units are paragraphs); a ``.docx``
    under the old name is read as one."""
    head = file_head(path)
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        from baomi.engine.readers.docx import open_docx

        return open_docx(path, batch_rows=batch_rows)
    if head != OLE_MAGIC:
        if head.startswith(b"{\\rtf"):
            raise unreadable(
                path,
                "不是 Word 97-2003 文件：内容是 RTF，请另存为 .docx 后再处理",
                "not a Word 97-2003 file: it is RTF; save it as .docx first",
            )
        raise _corrupt(path)
    return DocSource(path, *read_doc(path))


__all__ = ["PROPERTIES", "DocSource", "document_text", "open_doc", "paragraphs"]
