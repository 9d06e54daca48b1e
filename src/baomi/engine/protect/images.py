"""Pictures in a workbook or a Word file, left out of the package (policy ``images``); and,
whatever the policy, a Word file's embedded objects and its charts' workbooks of data
(:func:`remove_docx_objects`: not read by the scan, named in ``embedded_left_out``).

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
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_PICTURE = "http://schemas.openxmlformats.org/drawingml/2006/picture"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: what a picture's place says in the copy
PLACEHOLDER = "[图片已移除]"
#: what an embedded object's place says in the copy
OBJECT_PLACEHOLDER = "[嵌入的对象已移除]"
#: the relationships of an embedded object: the object (OLE, or a package such as a
#: workbook) and its preview picture
_OBJECT_RELS = frozenset(
    {
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image",
    }
)


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


def remove_docx_objects(document: Any) -> list[str]:
    """Take the embedded objects (``w:object``: a workbook, a Word file, an OLE object inside
    the document; not read by the scan, so not protected) out of every XML part of
    ``document``, each replaced by :data:`OBJECT_PLACEHOLDER`, with their parts and preview
    pictures; the part names of the objects left out."""
    from lxml import etree

    left_out: list[str] = []
    for part in document.part.package.iter_parts():
        root = getattr(part, "element", None)
        if not isinstance(root, etree._Element):
            continue
        found = list(root.iter(f"{W}object"))
        for node in found:
            parent = node.getparent()
            if parent is not None:
                text = etree.Element(f"{W}t")
                text.text = OBJECT_PLACEHOLDER
                parent.replace(node, text)
        if found:
            dropped = _drop_unused(part, root, _OBJECT_RELS)
            left_out += [n for n in dropped if "/embeddings/" in n]  # not the previews
    left_out += _chart_workbooks(document)
    return sorted(set(left_out))


def _chart_workbooks(document: Any) -> list[str]:
    """Take each chart's own workbook of data (``c:externalData``: a workbook embedded in the
    Word file, not read by the scan) out of ``document``; Word draws the chart from its
    cached texts, which protect protected. The part names of the workbooks."""
    from lxml import etree

    from baomi.engine.readers.docx import CHART_PART

    left_out: list[str] = []
    for part in list(document.part.package.iter_parts()):
        if not CHART_PART.fullmatch(str(part.partname).lstrip("/")):
            continue
        try:
            root = etree.fromstring(part.blob)
        except etree.XMLSyntaxError:
            continue
        data = list(root.iter(f"{_C}externalData"))
        if not data:
            continue
        for node in data:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        left_out += [n for n in _drop_unused(part, root, _OBJECT_RELS) if "/embeddings/" in n]
    return left_out


def _drop_unused(part: Any, root: Any, kinds: frozenset[str]) -> list[str]:
    """Drop ``part``'s relationships of ``kinds`` that its XML no longer refers to (and so the
    parts they lead to, which nothing else reaches); the names of the parts they led to."""
    used = {v for n in root.iter() for k, v in n.attrib.items() if k.startswith(f"{{{_R}}}")}
    dropped = []
    for rid, rel in list(part.rels.items()):
        if rel.reltype in kinds and not rel.is_external and rid not in used:
            dropped.append(str(rel.target_part.partname).lstrip("/"))
            del part.rels[rid]
    return dropped


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
        if found:
            _drop_unused(part, root, frozenset({RT.IMAGE}))
    return removed
