"""Round trip of the text formats: TXT (encoding, byte-order mark and line endings kept) and
DOCX (runs edited in place: formatting kept; body paragraphs, table cells, headers and footers
in document order, as the readers number them)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from baomi.engine.protect.roundtrip import Document, encode_text, leading_mark
from baomi.engine.readers import docx as docx_reader
from baomi.engine.readers.encoding import detect_file_encoding
from baomi.engine.readers.text import without_line_ending

# --- TXT ---------------------------------------------------------------------------------


def load_txt(path: Path, fmt: str) -> Document:
    """The lines the text reader reads (split at ``\\n``, ``\\r\\n`` or ``\\r`` only, so line
    numbers agree: not at a form feed or U+2028), each ending kept to write back. Bytes that
    do not decode are read as U+FFFD, as the text reader reads them, and the lines holding
    them counted (``undecodable_units``)."""
    encoding, _ = detect_file_encoding(path)
    data = path.read_bytes()
    try:
        text, stray = data.decode(encoding), False
    except UnicodeDecodeError:
        text, stray = data.decode(encoding, errors="replace"), True
    mark, enc = leading_mark(encoding, text)  # the byte-order mark, written back as it was
    lines = list(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    units = [without_line_ending(line) for line in lines]
    endings = [line[len(u) :] for line, u in zip(lines, units, strict=True)]
    doc = Document(path, fmt, enc, units=units, state=(mark, endings))
    if stray:
        doc.undecodable_units = sum("\ufffd" in u for u in units)
    return doc


def save_txt(doc: Document, target: Path) -> None:
    mark, endings = doc.state
    body = "".join(u + e for u, e in zip(doc.units, endings, strict=True))
    target.write_bytes(mark + encode_text(body, doc.encoding))


# --- DOCX --------------------------------------------------------------------------------


def load_docx(path: Path, fmt: str) -> Document:
    """The paragraphs the .docx reader reads, in its order (``row`` numbers agree), each as the
    text of its runs (what ``replace_in_runs`` edits)."""
    document = docx_reader.load_docx(path)
    paragraphs = list(docx_reader.iter_paragraphs(document))
    return Document(
        path,
        fmt,
        None,
        units=[docx_reader.paragraph_text(p) for p in paragraphs],
        state=(document, paragraphs),
    )


def load_doc(path: Path, fmt: str) -> Document:
    """A legacy ``.doc`` as the ``.docx`` its copy is written as: a new Word file of its
    paragraphs as the scan reads them (``readers/doc.py``: the body, then its headers and
    footers, comments, text boxes and notes, one paragraph each, line breaks and tabs kept),
    its properties blank; the formatting is not carried (``Document.source_format`` ``doc``).
    A ``.docx`` saved under the old name is loaded as what it is."""
    import docx

    from baomi.engine.readers.doc import DocSource, open_doc

    source = open_doc(path)
    if not isinstance(source, DocSource):  # a zip: a .docx under the old name
        doc = load_docx(path, "docx")
    else:
        document = docx.Document()
        props = document.core_properties
        props.author = props.last_modified_by = props.comments = props.title = ""
        for text in source.texts:
            document.add_paragraph(text)
        paragraphs = list(docx_reader.iter_paragraphs(document))
        units = [docx_reader.paragraph_text(p) for p in paragraphs]
        doc = Document(path, "docx", None, units=units, state=(document, paragraphs))
    doc.source_format = "doc"
    return doc


def replace_in_runs(paragraph: Any, edits: list[tuple[int, int, str]]) -> None:
    """Apply ``(start, end, new)`` edits (paragraph offsets) to the runs, keeping formatting.

    The runs are the paragraph's :func:`~baomi.engine.readers.docx.paragraph_runs` (those in
    hyperlinks, tracked changes and content controls too). An edit that spans runs is written
    into its first run and removed from the others.
    """
    runs = docx_reader.paragraph_runs(paragraph)
    texts = [docx_reader.run_text(run) for run in runs]
    bounds, pos = [], 0
    for text in texts:
        bounds.append((pos, pos + len(text)))
        pos += len(text)
    for start, end, new in sorted(edits, reverse=True):
        first = True
        for i, (a, b) in enumerate(bounds):
            if b <= start or a >= end or a == b:
                continue
            lo, hi = max(start, a) - a, min(end, b) - a
            texts[i] = texts[i][:lo] + (new if first else "") + texts[i][hi:]
            first = False
    for run, text in zip(runs, texts, strict=True):
        if docx_reader.run_text(run) != text:
            docx_reader.set_run_text(run, text)


def _text_box_fallbacks(document: Any) -> None:
    """Word writes each text box twice: the DrawingML box (``mc:Choice``), which the reader
    reads and protect edits, and a VML copy for older readers (``mc:Fallback``). Each copy's
    boxes are replaced by the edited ones; a fallback that does not hold as many boxes is
    removed (it is optional), so no copy keeps the text in clear."""
    import copy

    from lxml import etree

    mc = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
    box = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}txbxContent"
    for part in document.part.package.iter_parts():
        root = getattr(part, "element", None)
        if not isinstance(root, etree._Element):
            continue
        for alternate in list(root.iter(f"{mc}AlternateContent")):
            choice = alternate.find(f"{mc}Choice")
            for fallback in alternate.findall(f"{mc}Fallback"):
                old = list(fallback.iter(box))
                if not old:
                    continue
                new = [] if choice is None else list(choice.iter(box))
                if len(new) != len(old):
                    alternate.remove(fallback)
                    continue
                for stale, edited in zip(old, new, strict=True):
                    stale.getparent().replace(stale, copy.deepcopy(edited))


def save_docx(doc: Document, target: Path) -> None:
    document, _paragraphs = doc.state
    _text_box_fallbacks(document)
    document.save(str(target))
