"""Pictures in a workbook or a Word file, left out of the package (policy ``images``).

A picture is not read by the scan (no text recognition): a photo of a customer's resident ID
card, a signature or a face in a KYC sheet or a contract is personal information — a face
and the ID card's number sensitive (PIPL Art. 28) — that nothing can mask. openpyxl and
python-docx carry pictures through as they are, so a package shipped every one of them
unnoticed. With ``images: remove`` (the default) each picture is taken out: a workbook's
pictures on its sheets, a Word file's pictures in its body, tables, headers and footers (a
``[图片已移除]`` in its place, so a reader sees that something was there) with their image
parts. Text boxes, charts and shapes are not pictures and stay (their texts are protected
with the paragraphs). ``images: keep`` ships them as they are. The manifest counts them
(``images_removed``).
"""

from __future__ import annotations

from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_PICTURE = "http://schemas.openxmlformats.org/drawingml/2006/picture"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: what a picture's place says in the copy
PLACEHOLDER = "[图片已移除]"


def remove_xlsx_images(wb: Any) -> int:
    """Take the pictures off every worksheet of ``wb``; how many."""
    removed = 0
    for ws in wb.worksheets:
        removed += len(ws._images)
        ws._images = []
    return removed


def _is_picture(node: Any) -> bool:
    if node.tag == f"{W}drawing":
        data = node.find(f".//{_A}graphicData")
        return data is not None and data.get("uri") == _PICTURE
    # VML (``w:pict``): an image, not a text box (Word's copy of a text box is one too)
    return node.find(f".//{_V}imagedata") is not None and node.find(f".//{_V}textbox") is None


def remove_docx_images(document: Any) -> int:
    """Take the pictures out of every XML part of ``document`` (body, headers, footers …),
    each replaced by :data:`PLACEHOLDER`, and drop the image parts no longer referenced;
    how many pictures."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    removed = 0
    for part in document.part.package.iter_parts():
        root = getattr(part, "element", None)
        if not isinstance(root, etree._Element):
            continue
        found = [n for tag in ("drawing", "pict") for n in root.iter(f"{W}{tag}")]
        for node in found:
            if not _is_picture(node):
                continue
            parent = node.getparent()
            if parent is None:
                continue
            text = etree.Element(f"{W}t")
            text.text = PLACEHOLDER
            parent.replace(node, text)
            removed += 1
        if not found:
            continue
        used = {v for n in root.iter() for k, v in n.attrib.items() if k.startswith(f"{{{_R}}}")}
        for rid, rel in list(part.rels.items()):
            if rel.reltype == RT.IMAGE and not rel.is_external and rid not in used:
                del part.rels[rid]
    return removed
