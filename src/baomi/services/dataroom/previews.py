"""Previews: one page of a document as the page shows it — a table's rows, a text's lines (a
DOCX's paragraphs), a PDF page as a PNG image. Read with the engine's readers from a temporary
copy; never more than one page is kept."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from baomi.errors import InputError, NotFoundError, UnreadableFileError
from baomi.i18n import tr


@dataclass(frozen=True)
class Preview:
    """One page of a document as a person sees it in the page (the protected form for every side
    but the seller's)."""

    name: str
    kind: str  # "table", "text" or "image"
    page: int
    pages: int | None  # None: not counted (a long table)
    columns: list[str]
    rows: list[list[str]]
    lines: list[str]
    image_png: bytes | None
    protected: bool
    #: whether a page follows this one
    more: bool = False


ROWS = 50
LINES = 100
CELL = 200
SCALE = 1.5  # PDF pages are drawn at 108 dpi


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= CELL else text[: CELL - 1] + "…"


def _no_page(page: int, pages: int | None) -> NotFoundError:
    """Page ``page`` (from 0) is past the end; ``pages`` the document's count when known."""
    if pages is None:
        return NotFoundError(tr(f"没有第 {page + 1} 页", f"there is no page {page + 1}"))
    return NotFoundError(
        tr(
            f"没有第 {page + 1} 页：该文件共 {pages} 页",
            f"there is no page {page + 1}: the document has {pages} pages",
        )
    )


def _pdf_page(content: bytes, page: int) -> tuple[bytes, int]:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError as exc:
        raise InputError(tr("PDF 无法预览", "the PDF cannot be previewed")) from exc
    try:
        pages = len(pdf)
        if not 0 <= page < pages:
            raise _no_page(page, pages)
        image = pdf[page].render(scale=SCALE).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue(), pages
    finally:
        pdf.close()


def render(name: str, content: bytes, *, page: int, protected: bool) -> Preview:
    if name.lower().endswith(".pdf"):
        png, pages = _pdf_page(content, page)
        return Preview(name, "image", page, pages, [], [], [], png, protected, page + 1 < pages)
    try:
        return _read(name, content, page=page, protected=protected)
    except UnreadableFileError as exc:  # named by the document, not by its temporary copy
        raise UnreadableFileError(name, exc.reason) from None


def _read(name: str, content: bytes, *, page: int, protected: bool) -> Preview:
    """A page of a table or a text, read from a temporary copy of ``content``."""
    from baomi.engine.readers import open_source

    suffix = Path(name).suffix
    with tempfile.TemporaryDirectory(prefix="baomi-preview-") as tmp:
        path = Path(tmp) / f"preview{suffix}"
        path.write_bytes(content)
        source = open_source(path, batch_rows=ROWS)
        if source.kind == "table":
            # one row more than a page: whether another page follows
            skip, columns, rows = page * ROWS, [], []  # type: ignore[var-annotated]
            seen = 0
            for batch in source.batches():
                columns = batch.frame.columns
                seen += batch.frame.height
                if skip >= batch.frame.height:
                    skip -= batch.frame.height
                    continue
                for row in batch.frame.slice(skip, ROWS + 1 - len(rows)).iter_rows():
                    rows.append([_cell(v) for v in row])
                skip = 0
                if len(rows) > ROWS:
                    break
            more = len(rows) > ROWS
            if page > 0 and not rows:
                raise _no_page(page, -(-seen // ROWS))
            return Preview(
                name, "table", page, None, list(columns), rows[:ROWS], [], None, protected, more
            )
        units = islice(source.units(), page * LINES, (page + 1) * LINES + 1)
        lines = [_cell(u.text) for u in units]
        if page > 0 and not lines:
            raise _no_page(page, None)
        more = len(lines) > LINES
        return Preview(name, "text", page, None, [], [], lines[:LINES], None, protected, more)
