"""Word reader (.docx): one text unit per paragraph, with python-docx.

Order (DESIGN.md, scan output): body paragraphs, then the paragraphs of table cells (tables in
document order, row by row, a merged cell once, nested tables after their cell), then headers
and footers (section by section: default, first-page and even-page header, then the footers;
a header linked to the previous section's is not read twice), then the comments' paragraphs
(after everything else, so the rows before them do not move); ``extras()`` then gives the
document properties, one row each after those. ``row`` is the 0-based index of
the paragraph in that order, empty paragraphs counted but not yielded, so a finding's ``row``
is stable whatever the text. Offsets are into the paragraph's text.

An encrypted .docx (an OLE container, not a zip) or a broken file raises
``UnreadableFileError`` with a short reason; the scan reports it and carries on.

Protect edits the same paragraphs in the same order (:func:`load_docx`, :func:`iter_paragraphs`
in :mod:`baomi.engine.protect.writers`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from baomi.engine.readers.base import Extra, TextSource, TextUnit, unreadable
from baomi.engine.readers.properties import document_properties
from baomi.i18n import tr

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # encrypted OOXML and legacy .doc are OLE files


def load_docx(path: Path) -> Any:
    """The python-docx ``Document``, or ``UnreadableFileError`` with a PI-free reason."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise unreadable(path, "无法打开文件", "cannot open the file") from exc
    if head == OLE_MAGIC:
        raise unreadable(
            path,
            "文件已加密（或为旧版 .doc 格式），无法读取",
            "the file is encrypted (or a legacy .doc file) and cannot be read",
        )
    import docx  # deferred: python-docx and lxml load only when a .docx is opened
    from docx.opc.exceptions import OpcError

    try:
        return docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, ParseError, OSError) as exc:
        raise unreadable(
            path, "不是有效的 .docx 文件（已损坏）", "not a valid .docx file (corrupt)"
        ) from exc
    except Exception as exc:  # lxml errors and others: the file is unusable either way
        raise unreadable(
            path, "不是有效的 .docx 文件（已损坏）", "not a valid .docx file (corrupt)"
        ) from exc


def _table_paragraphs(table: Any) -> Iterator[Any]:
    """Paragraphs of a table's cells, row by row; a merged cell once; nested tables inline."""
    # ids of the cell elements; ``alive`` keeps them referenced, as a freed proxy's id is reused
    seen: set[int] = set()
    alive: list[Any] = []
    for row in table.rows:
        for cell in row.cells:
            element = cell._tc
            if id(element) in seen:
                continue
            seen.add(id(element))
            alive.append(element)
            yield from cell.paragraphs
            for inner in cell.tables:
                yield from _table_paragraphs(inner)


def _header_footer_paragraphs(document: Any) -> Iterator[Any]:
    for section in document.sections:
        for attr in (
            "header",
            "first_page_header",
            "even_page_header",
            "footer",
            "first_page_footer",
            "even_page_footer",
        ):
            part = getattr(section, attr)
            if part.is_linked_to_previous:
                continue
            yield from part.paragraphs
            for table in part.tables:
                yield from _table_paragraphs(table)


def _comment_paragraphs(document: Any) -> Iterator[Any]:
    """The paragraphs of the document's comments, in their order (none without a comments
    part: asking python-docx for the comments would add one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    if not any(r.reltype == RT.COMMENTS for r in document.part.rels.values()):
        return
    for comment in document.comments:
        yield from comment.paragraphs


def iter_paragraphs(document: Any) -> Iterator[Any]:
    """Every paragraph of ``document`` in the order documented above."""
    yield from document.paragraphs
    for table in document.tables:
        yield from _table_paragraphs(table)
    yield from _header_footer_paragraphs(document)
    yield from _comment_paragraphs(document)


class DocxSource(TextSource):
    """A .docx file; ``units()`` yields its non-empty paragraphs."""

    def __init__(self, path: Path, document: Any) -> None:
        super().__init__(path, encoding=None)
        self._document = document

    def units(self) -> Iterator[TextUnit]:
        self.skipped_rows = 0
        for row, paragraph in enumerate(iter_paragraphs(self._document)):
            text = paragraph.text
            if text and not text.isspace():
                yield TextUnit(row, text)

    def extras(self) -> Iterator[Extra]:
        """The document properties a person types (:mod:`.properties`: title, subject, author,
        …, manager, company), one row each after every paragraph (the comments' included), at a
        fixed place in :data:`~.properties.PROPERTIES` order: a property's row does not depend
        on which others are set. Who wrote the file is a person's name by its place."""
        rows = sum(1 for _ in iter_paragraphs(self._document))
        try:
            with zipfile.ZipFile(self.path) as zf:
                found = document_properties(zf)
        except (zipfile.BadZipFile, OSError, ParseError):
            self.errors.append(
                tr(
                    "文档属性已损坏，未读取",
                    "the document properties are corrupt and were not read",
                )
            )
            return
        for place, prop, text in found:
            yield Extra(None, rows + place, None, text, prop.person)


def open_docx(path: Path, *, batch_rows: int = 65536) -> DocxSource:
    """Open a .docx file read-only (``batch_rows`` is unused: units are paragraphs)."""
    return DocxSource(path, load_docx(path))
