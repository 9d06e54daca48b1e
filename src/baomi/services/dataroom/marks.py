"""Visible marks on the copies a room hands out: who received it, for which party, when.

- PDF: a diagonal, half-transparent watermark on every page (rendered by WeasyPrint in a CJK
  font, the page's own size, merged over the page by pypdf). A PDF that cannot be read or is
  encrypted is refused, never handed out unmarked.
- DOCX: a marked header line at the top of every section's header (python-docx), on top of the
  per-recipient marks ``protect`` already put in the text.
"""

from __future__ import annotations

import io
from functools import lru_cache
from html import escape

from baomi import clock
from baomi.errors import InputError
from baomi.i18n import tr

FONT = '"Noto Sans CJK SC", "Noto Sans CJK", "WenQuanYi Zen Hei", sans-serif'


def mark_text(user: str, party: str, when: str) -> str:
    return f"保密 CONFIDENTIAL · {user} · {party} · {clock.zoned(when)}"


@lru_cache(maxsize=16)
def _overlay(width: float, height: float, text: str) -> bytes:
    import weasyprint

    rows = "".join(f'<div class="row" style="top:{i * 22}%">{escape(text)}</div>' for i in range(5))
    html = f"""<html><head><style>
      @page {{ size: {width}pt {height}pt; margin: 0 }}
      body {{ margin: 0; width: {width}pt; height: {height}pt; position: relative;
              overflow: hidden; font-family: {FONT}; }}
      .row {{ position: absolute; left: -10%; width: 120%; text-align: center;
              transform: rotate(-30deg); color: rgba(180, 0, 0, .22);
              font-size: {max(10.0, min(width, height) / 28):.1f}pt; white-space: nowrap; }}
    </style></head><body>{rows}</body></html>"""
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def watermark_pdf(content: bytes, text: str) -> bytes:
    """``content`` with ``text`` over every page; :class:`InputError` for a broken or locked PDF."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    from baomi.engine.readers.pdf import quiet_pypdf

    quiet_pypdf()  # its warnings quote the document's bytes

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise InputError(
                tr("PDF 已加密，无法加水印", "the PDF is encrypted and cannot be marked")
            )
        writer = PdfWriter()
        for page in reader.pages:
            box = page.mediabox
            stamp = PdfReader(io.BytesIO(_overlay(float(box.width), float(box.height), text)))
            page.merge_page(stamp.pages[0])
            writer.add_page(page)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(
            tr("PDF 无法读取，未提供", "the PDF cannot be read; not handed out")
        ) from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def mark_docx(content: bytes, text: str) -> bytes:
    """``content`` with ``text`` as the first line of every section's header."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(content))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise InputError(
            tr("DOCX 无法读取，未提供", "the DOCX cannot be read; not handed out")
        ) from exc
    for section in document.sections:
        header = section.header
        header.is_linked_to_previous = False
        paragraphs = header.paragraphs
        if paragraphs and paragraphs[0].text:
            paragraphs[0].insert_paragraph_before(text)
        elif paragraphs:
            paragraphs[0].text = text
        else:
            header.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
