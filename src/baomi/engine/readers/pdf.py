"""PDF reader: the text layer of each page, with pypdf; one text unit per page.

``row`` is the 0-based page number; offsets are into the text pypdf extracts from that page.
A PDF encrypted with a user password cannot be read (``UnreadableFileError``); one with only an
owner password (printing/copying restrictions, empty user password) is opened as usual. A PDF
whose pages have no text layer at all — a scan — is skipped with that reason: baomi does no OCR.
A page whose text cannot be extracted is skipped and counted in ``skipped_rows``.

pypdf's warnings about a damaged object quote the file's bytes around it — a page's text, a
customer's name and number — so they are never emitted (:func:`quiet_pypdf`); baomi's own
messages say where (the page), never what.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from baomi.engine.readers.base import TextSource, TextUnit, unreadable

log = logging.getLogger(__name__)


def quiet_pypdf() -> None:
    """Keep pypdf's log records — which quote the document's bytes — from every handler
    (its modules log on loggers under ``pypdf``): what reaches baomi's log says only where
    in pypdf a damaged part was met, at INFO (the reader's reasons say what was skipped).
    Called wherever baomi reads a PDF with pypdf."""
    logger = logging.getLogger("pypdf")
    logger.propagate = False
    if not any(isinstance(h, _Redacting) for h in logger.handlers):
        logger.addHandler(_Redacting())


class _Redacting(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        log.info(
            "pypdf could not read part of a PDF (%s:%d; its content is not shown)",
            record.module,
            record.lineno,
        )


def _load(path: Path) -> Any:
    """A ``pypdf.PdfReader`` ready to read, or ``UnreadableFileError`` with a PI-free reason."""
    from pypdf import PasswordType, PdfReader  # deferred: only when a PDF is opened

    quiet_pypdf()
    try:
        reader = PdfReader(str(path))
    except OSError as exc:
        raise unreadable(path, "无法打开文件", "cannot open the file") from exc
    except Exception as exc:  # pypdf raises many types for a damaged file
        raise unreadable(
            path, "不是有效的 PDF 文件（已损坏）", "not a valid PDF file (corrupt)"
        ) from exc
    if reader.is_encrypted:
        try:
            result = reader.decrypt("")
        except Exception as exc:  # unsupported cipher or missing crypto provider
            raise unreadable(
                path, "PDF 已加密，无法解密", "the PDF is encrypted and cannot be decrypted"
            ) from exc
        if result == PasswordType.NOT_DECRYPTED:
            raise unreadable(
                path,
                "PDF 已加密（需要打开密码）",
                "the PDF is encrypted (a password is needed to open it)",
            )
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise unreadable(
            path, "不是有效的 PDF 文件（已损坏）", "not a valid PDF file (corrupt)"
        ) from exc
    if count == 0:
        raise unreadable(path, "PDF 没有页面", "the PDF has no pages")
    return reader


def _page_text(reader: Any, index: int) -> str | None:
    """The text of page ``index``, or ``None`` when pypdf cannot extract it."""
    try:
        return str(reader.pages[index].extract_text())
    except Exception:  # a damaged page: skip it, keep the others
        # counted in skipped_rows and shown by the scan's summary, not printed beside it
        log.info("page %d: text extraction failed", index)
        return None


class PdfSource(TextSource):
    """A PDF file; ``units()`` yields the pages that have text."""

    def __init__(self, path: Path, reader: Any) -> None:
        super().__init__(path, encoding=None)
        self._reader = reader

    @property
    def pages(self) -> int:
        return len(self._reader.pages)

    def units(self) -> Iterator[TextUnit]:
        self.skipped_rows = 0
        for index in range(self.pages):
            text = _page_text(self._reader, index)
            if text is None:
                self.skipped_rows += 1
            elif text.strip():
                yield TextUnit(index, text)


def open_pdf(path: Path, *, batch_rows: int = 65536) -> PdfSource:
    """Open a PDF read-only (``batch_rows`` is unused: units are pages).

    Raises ``UnreadableFileError`` for a damaged or password-protected file, for a file
    with no text layer on any page (a scanned PDF), and for one whose pages with text could
    not be extracted (damaged, said so).
    """
    reader = _load(path)
    source = PdfSource(path, reader)
    failed = 0
    for index in range(source.pages):
        text = _page_text(reader, index)
        if text and text.strip():
            return source
        failed += text is None
    if failed == source.pages:  # not a scan: pages whose text pypdf could not extract
        raise unreadable(
            path, "PDF 已损坏：无法提取文本", "a damaged PDF: no text could be extracted"
        )
    if failed:
        raise unreadable(
            path,
            f"PDF 已损坏：{failed} 页的文本无法提取，其余页没有文本",
            f"a damaged PDF: the text of {failed} page{'s' if failed > 1 else ''} could not "
            "be extracted, the other pages have none",
        )
    raise unreadable(
        path,
        "PDF 没有文本层（可能是扫描件），已跳过：不支持 OCR",
        "the PDF has no text layer (a scan?), skipped: OCR is not supported",
    )
