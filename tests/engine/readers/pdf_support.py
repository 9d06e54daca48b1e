"""Build small PDFs with pypdf only: pages with a real text layer (CJK included) or none.

The text is drawn with a Type0 font (Identity-H encoding) whose ToUnicode map gives every
character its own code, so pypdf extracts exactly the Unicode text that was written. No glyphs
are embedded: the pages are for text extraction, not for viewing.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def _font(writer: PdfWriter, chars: list[str]) -> DictionaryObject:
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CMapName /Baomi-Test def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(chars), 100):
        block = chars[start : start + 100]
        lines.append(f"{len(block)} beginbfchar")
        for i, ch in enumerate(block, start=start + 1):
            lines.append(f"<{i:04X}> <{ch.encode('utf-16-be').hex().upper()}>")
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    cmap = DecodedStreamObject()
    cmap.set_data("\n".join(lines).encode("ascii"))
    descendant = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): NameObject("/BaomiTest"),
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/DW"): NumberObject(1000),
        }
    )
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject("/BaomiTest"),
            NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject([writer._add_object(descendant)]),
            NameObject("/ToUnicode"): writer._add_object(cmap),
        }
    )


def write_pdf(
    path: Path,
    pages: list[str | None],
    *,
    user_password: str | None = None,
    owner_password: str | None = None,
) -> Path:
    """A PDF with one page per item: its text drawn line by line, or no text at all (None)."""
    writer = PdfWriter()
    chars = sorted({ch for text in pages if text for ch in text if ch != "\n"})
    code = {ch: i for i, ch in enumerate(chars, start=1)}
    font = _font(writer, chars) if chars else None
    for text in pages:
        page = writer.add_blank_page(width=595, height=842)
        if not text:
            continue
        ops = ["BT", "/F1 12 Tf", "14 TL", "40 800 Td"]
        for line in text.split("\n"):
            hexed = "".join(f"{code[ch]:04X}" for ch in line)
            ops.append(f"<{hexed}> Tj T*")
        ops.append("ET")
        content = DecodedStreamObject()
        content.set_data("\n".join(ops).encode("ascii"))
        page[NameObject("/Contents")] = writer._add_object(content)
        assert font is not None
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
    if user_password is not None or owner_password is not None:
        writer.encrypt(user_password or "", owner_password, algorithm="AES-128")
    with path.open("wb") as fh:
        writer.write(fh)
    return path
