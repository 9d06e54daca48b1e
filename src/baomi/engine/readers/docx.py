"""Word reader (.docx): one text unit per paragraph, with python-docx.

Order (DESIGN.md, scan output): body paragraphs, then the paragraphs of table cells (tables in
document order, row by row, a merged cell once, nested tables after their cell), then headers
and footers (section by section: default, first-page and even-page header, then the footers;
a header linked to the previous section's is not read twice), then the comments' paragraphs
(after everything else, so the rows before them do not move), then the paragraphs of text
boxes (body, then headers and footers; each box once), then the footnotes' and the endnotes'
paragraphs; ``extras()`` then gives the
document properties, one row each after those. ``row`` is the 0-based index of
the paragraph in that order, empty paragraphs counted but not yielded, so a finding's ``row``
is stable whatever the text. Offsets are into the paragraph's text: every run of it in
document order (:func:`paragraph_runs`) — those inside hyperlinks, tracked insertions and
deletions, content controls and smart tags too, which python-docx's ``Paragraph.text`` and
``runs`` leave out; paragraphs in block-level content controls are read at their place.

An encrypted .docx (an OLE container, not a zip) or a broken file raises
``UnreadableFileError`` with a short reason; the scan reports it and carries on.

Protect edits the same paragraphs in the same order (:func:`load_docx`, :func:`iter_paragraphs`
in :mod:`baomi.engine.protect.writers`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from baomi.engine.readers.alt_texts import LABEL as ALT_LABEL
from baomi.engine.readers.alt_texts import docx_alt_texts
from baomi.engine.readers.base import (
    Extra,
    TextSource,
    TextUnit,
    embedded_note,
    pictures_note,
    unreadable,
)
from baomi.engine.readers.properties import (
    PROPERTIES,
    custom_xml_texts,
    doc_variables,
    document_properties,
)
from baomi.engine.readers.word_links import LABEL as LINK_LABEL
from baomi.engine.readers.word_links import docx_addresses, unshown
from baomi.engine.readers.xlsx_parts import chart_texts
from baomi.engine.recognizers.cn.person_name import labelled_name
from baomi.errors import UnreadableFileError
from baomi.i18n import worded

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # encrypted OOXML and legacy .doc are OLE files


def load_docx(path: Path) -> Any:
    """The python-docx ``Document``, or ``UnreadableFileError`` with a PI-free reason."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise unreadable(path, "无法打开文件", "cannot open the file") from exc
    if not head:
        raise unreadable(path, "空文件", "empty file")
    if head == OLE_MAGIC:
        raise unreadable(
            path,
            "文件已加密（或为旧版 .doc 格式），无法读取",
            "the file is encrypted (or a legacy .doc file) and cannot be read",
        )
    import docx  # deferred: python-docx and lxml load only when a .docx is opened
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.exceptions import OpcError
    from docx.opc.part import PartFactory, XmlPart

    # footnotes and endnotes as XML parts (python-docx keeps them as bytes): their paragraphs
    # are read, edited by protect and written back (python-docx's own hook for part types)
    for content_type in (CT.WML_FOOTNOTES, CT.WML_ENDNOTES):
        PartFactory.part_type_for.setdefault(content_type, XmlPart)

    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, ParseError, OSError) as exc:
        raise _corrupt(path) from exc
    except Exception as exc:  # lxml errors and others: the file is unusable either way
        raise _corrupt(path) from exc
    # a damaged main part python-docx opens anyway: its root in another namespace (not a
    # w:document), or no w:body — nothing to read, and reading it would raise
    if getattr(document.element, "body", None) is None:
        raise _corrupt(path)
    return document


def _corrupt(path: Path) -> UnreadableFileError:
    return unreadable(path, "不是有效的 .docx 文件（已损坏）", "not a valid .docx file (corrupt)")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_BOX = f"{_W}txbxContent"
#: Elements that wrap paragraphs (block level) or runs (inside a paragraph) without being
#: text themselves: content controls, custom XML, and inside a paragraph also hyperlinks,
#: tracked insertions and deletions, moves, smart tags and simple fields.
_BLOCK_WRAPPERS = (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml")
#: What a run's text is made of (python-docx's ``CT_R.text``), and a deleted run's text.
_RUN_TEXT = frozenset(f"{_W}{t}" for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
_DEL_TEXT = f"{_W}delText"


def _blocks(element: Any, parent: Any) -> Iterator[Any]:
    """The paragraphs and tables directly in a body, cell, header or footer ``element``, in
    document order, and those in its block-level content controls (a template's fields)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            yield Paragraph(child, parent)
        elif child.tag == f"{_W}tbl":
            yield Table(child, parent)
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _blocks(child, parent)


def _paragraphs_in(element: Any, parent: Any) -> Iterator[Any]:
    from docx.text.paragraph import Paragraph

    return (b for b in _blocks(element, parent) if isinstance(b, Paragraph))


def _tables_in(element: Any, parent: Any) -> Iterator[Any]:
    from docx.table import Table

    return (b for b in _blocks(element, parent) if isinstance(b, Table))


def paragraph_runs(paragraph: Any) -> list[Any]:
    """The ``w:r`` elements of ``paragraph`` in document order: its own, and those inside its
    hyperlinks, tracked insertions and deletions, content controls, smart tags and fields —
    not those of a paragraph nested in it (a text box), nor Word's fallback copy of a
    drawing's content."""
    p = paragraph._p
    return [
        r
        for r in p.iter(f"{_W}r")
        if next(r.iterancestors(f"{_W}p")) is p
        and not any(a.tag == _MC_FALLBACK for a in r.iterancestors())
    ]


def run_text(r: Any) -> str:
    """A run's text as python-docx reads it (tabs and breaks as characters), a tracked
    deletion's ``w:delText`` included."""
    parts = []
    for e in r.iterchildren():
        if e.tag == _DEL_TEXT:
            parts.append(e.text or "")
        elif e.tag in _RUN_TEXT:
            parts.append(str(e))
    return "".join(parts)


def set_run_text(r: Any, text: str) -> None:
    """Write ``text`` into run ``r`` as python-docx does, keeping a deleted run's text in
    ``w:delText`` (Word refuses ``w:t`` there)."""
    deleted = r.find(_DEL_TEXT) is not None
    r.text = text
    if deleted:
        for t in r.findall(f"{_W}t"):
            t.tag = _DEL_TEXT


def paragraph_text(paragraph: Any) -> str:
    """The text of :func:`paragraph_runs` — what a unit is and what protect edits."""
    return "".join(run_text(r) for r in paragraph_runs(paragraph))


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
            yield from _paragraphs_in(element, cell)
            for inner in _tables_in(element, cell):
                yield from _table_paragraphs(inner)


def _headers_footers(document: Any) -> Iterator[Any]:
    """Each header and footer with content of its own, section by section."""
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
            if not part.is_linked_to_previous:
                yield part


def _header_footer_paragraphs(document: Any) -> Iterator[Any]:
    for part in _headers_footers(document):
        yield from _paragraphs_in(part._element, part)
        for table in _tables_in(part._element, part):
            yield from _table_paragraphs(table)


def _text_box_paragraphs(document: Any) -> Iterator[Any]:
    """The paragraphs of the text boxes in the body, then in the headers and footers, each
    box once: Word also writes a VML copy of a box for older readers (in ``mc:Fallback``),
    which is not read (protect writes it from the box read, ``text_formats``)."""
    containers = [(document.element.body, document._body)]
    containers += [(part._element, part) for part in _headers_footers(document)]
    for element, parent in containers:
        for box in element.iter(_TEXT_BOX):
            if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
                continue
            yield from _paragraphs_in(box, parent)
            for table in _tables_in(box, parent):
                yield from _table_paragraphs(table)


def _comment_paragraphs(document: Any) -> Iterator[Any]:
    """The paragraphs of the document's comments, in their order (none without a comments
    part: asking python-docx for the comments would add one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    if not any(r.reltype == RT.COMMENTS for r in document.part.rels.values()):
        return
    for comment in document.comments:
        yield from comment.paragraphs


#: Word's separators between the text and its notes, which are not notes.
_NOT_NOTES = ("separator", "continuationSeparator", "continuationNotice")


def _note_paragraphs(document: Any) -> Iterator[Any]:
    """The paragraphs of the footnotes, then of the endnotes, each note in its part's order
    (not the separators)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.part import XmlPart

    for reltype, kind in ((RT.FOOTNOTES, "footnote"), (RT.ENDNOTES, "endnote")):
        for rel in document.part.rels.values():
            if rel.reltype != reltype or rel.is_external:
                continue
            part = rel.target_part
            if not isinstance(part, XmlPart):
                continue
            for note in part.element.iterchildren(f"{_W}{kind}"):
                if note.get(f"{_W}type") in _NOT_NOTES:
                    continue
                yield from _paragraphs_in(note, document._body)
                for table in _tables_in(note, document._body):
                    yield from _table_paragraphs(table)


def iter_paragraphs(document: Any) -> Iterator[Any]:
    """Every paragraph of ``document`` in the order documented above."""
    body = document.element.body
    yield from _paragraphs_in(body, document._body)
    for table in _tables_in(body, document._body):
        yield from _table_paragraphs(table)
    yield from _header_footer_paragraphs(document)
    yield from _comment_paragraphs(document)
    yield from _text_box_paragraphs(document)
    yield from _note_paragraphs(document)


class DocxSource(TextSource):
    """A .docx file; ``units()`` yields its non-empty paragraphs."""

    def __init__(self, path: Path, document: Any) -> None:
        super().__init__(path, encoding=None)
        self._document = document

    def units(self) -> Iterator[TextUnit]:
        self.skipped_rows = 0
        for row, paragraph in enumerate(iter_paragraphs(self._document)):
            text = paragraph_text(paragraph)
            if text and not text.isspace():
                yield TextUnit(row, text)

    def extras(self) -> Iterator[Extra]:
        """The document properties a person types (:mod:`.properties`: title, subject, author,
        …, manager, company), one row each after every paragraph (the comments' included), at a
        fixed place in :data:`~.properties.PROPERTIES` order: a property's row does not depend
        on which others are set. Who wrote the file is a person's name by its place. Then its
        document variables (:func:`.properties.doc_variables`) and the texts of its custom XML
        data (:func:`.properties.custom_xml_texts`: what its content controls are bound to),
        then its charts' texts (:func:`.xlsx_parts.chart_texts`), then the addresses of its
        hyperlinks that its text does not show (:mod:`.word_links`, labelled
        :data:`~.word_links.LABEL`), then its drawings' alternative texts (:mod:`.alt_texts`,
        :data:`~.alt_texts.LABEL`), one row each; a value under a field that names a person
        is a name by its place (:func:`labelled_name`). Its
        pictures and embedded objects are named in ``errors`` (not read)."""
        rows = sum(1 for _ in iter_paragraphs(self._document))
        bound: list[tuple[str, str]] = []
        charted: list[tuple[str, str]] = []
        links: list[str] = []
        alt: list[str] = []
        try:
            with zipfile.ZipFile(self.path) as zf:
                for note in (
                    pictures_note(zf.namelist(), "word/media/"),
                    embedded_note(zf.namelist(), "word/embeddings/"),
                ):
                    if note:
                        self.errors.append(note)
                try:
                    bound = doc_variables(zf) + custom_xml_texts(zf)
                except ParseError:
                    self.errors.append(
                        worded(
                            "自定义 XML 数据已损坏，未读取",
                            "the custom XML data is corrupt and was not read",
                        )
                    )
                try:
                    charted = [
                        t for part in chart_parts(zf.namelist()) for t in chart_texts(zf, part)
                    ]
                except (ParseError, ValueError):
                    self.errors.append(
                        worded("图表已损坏，未读取", "the charts are corrupt and were not read")
                    )
                try:
                    links = docx_addresses(zf)
                    alt = docx_alt_texts(zf)
                except ParseError:
                    self.errors.append(
                        worded(
                            "超链接或替代文字已损坏，未读取",
                            "the hyperlinks or alternative texts are corrupt and were not read",
                        )
                    )
                found = document_properties(zf)
        except (zipfile.BadZipFile, OSError, ParseError):
            self.errors.append(
                worded(
                    "文档属性已损坏，未读取",
                    "the document properties are corrupt and were not read",
                )
            )
            return
        for place, prop, text in found:
            yield Extra(None, rows + place, None, text, prop.person)
        after = rows + max([len(PROPERTIES)] + [place + 1 for place, _, _ in found])
        for place, (label, text) in enumerate(bound):  # a name by its field (联系人)
            yield Extra(None, after + place, label, text, bool(labelled_name(label, text)))
        after += len(bound)
        for place, (label, text) in enumerate(charted):
            yield Extra(None, after + place, label, text)
        after += len(charted)
        shown = unshown(links, self._shown()) if links else []
        for place, address in enumerate(shown):
            yield Extra(None, after + place, LINK_LABEL, address)
        after += len(shown)
        for place, text in enumerate(alt):
            yield Extra(None, after + place, ALT_LABEL, text)

    def _shown(self) -> str:
        """Every paragraph's text, one per line: what the document shows (links' addresses
        it shows are read in their paragraphs, :func:`.word_links.unshown`)."""
        return "\n".join(paragraph_text(p) for p in iter_paragraphs(self._document))


#: a Word file's chart parts (Insert → Chart): the texts Word shows of the chart's data
CHART_PART = re.compile(r"word/charts/chart\d+\.xml")


def chart_parts(names: list[str]) -> list[str]:
    """The chart parts among a Word file's zip ``names``, in the zip's order."""
    return [n for n in names if CHART_PART.fullmatch(n)]


def open_docx(path: Path, *, batch_rows: int = 65536) -> DocxSource:
    """Open a .docx file read-only (``batch_rows`` is unused: units are paragraphs)."""
    return DocxSource(path, load_docx(path))
