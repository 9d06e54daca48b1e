"""The addresses of a Word document's hyperlinks, as the scan reads them.

Word makes a typed e-mail address a ``mailto:`` link and a CRM's letter links a customer's
page with the phone in its address; the link's text may say only ``联系客户``. The address is
in the part's relationships (``w:hyperlink r:id``, .docx) or in the field code of a link
written as a field (``HYPERLINK "mailto:…"``: .docx and .doc). Protect already rewrites the
addresses (docs/protect.md "Hyperlinks"); the scan reads them as extra rows labelled
:data:`LABEL`, so the inventory counts what protect treats.

An address the document already shows is counted once, in its paragraph: Word's own
``mailto:`` + the typed address is left out, and a ``mailto:`` whose address is shown gives
only what it says more (its query: ``?subject=…``). A link to a place in the document
(``\\l "bookmark"``, ``#top``) has no address to read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from urllib.parse import unquote

from baomi.engine.readers.xml_parts import fromstring

#: The extra rows' label (``column`` of their findings).
LABEL = "链接"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HYPERLINK_TYPE = _R + "/hyperlink"

#: ``HYPERLINK "address"`` in a field code, switches (``\o "tip"``, ``\t``) before or after.
_FIELD = re.compile(r'HYPERLINK\s+(?:\\[a-z]\s+(?:"[^"]*"\s+)?)*"([^"]+)"', re.IGNORECASE)
#: a switch that makes the field's argument a bookmark of the document, not an address
_LOCAL = re.compile(r"HYPERLINK\s+\\l\s", re.IGNORECASE)

#: The parts of a .docx the reader reads, in its order (body, headers and footers, comments,
#: footnotes, endnotes); a part's number sorts its kind's parts.
_PARTS = re.compile(r"word/(document|header\d*|footer\d*|comments|footnotes|endnotes)\.xml")
_KIND_ORDER = {"document": 0, "header": 1, "footer": 1, "comments": 2, "footnotes": 3}


def field_addresses(code: str) -> list[str]:
    """The addresses of the ``HYPERLINK`` fields in a field code (a bookmark is none)."""
    if _LOCAL.search(code):
        return []
    return [m[1] for m in _FIELD.finditer(code)]


def _part_key(name: str) -> tuple[int, int, str]:
    kind = re.sub(r"\d+$", "", name[len("word/") : -len(".xml")])
    number = re.search(r"(\d+)\.xml$", name)
    return (_KIND_ORDER.get(kind, 4), int(number[1]) if number else 0, name)


def docx_parts(zf: zipfile.ZipFile) -> list[str]:
    """The parts of a .docx that hold paragraphs, in the reader's order (body, headers and
    footers, comments, footnotes, endnotes)."""
    return sorted((n for n in zf.namelist() if _PARTS.fullmatch(n)), key=_part_key)


def docx_addresses(zf: zipfile.ZipFile) -> list[str]:
    """Every hyperlink address of a .docx's parts, in the reader's part order and each
    part's document order: external ``w:hyperlink`` targets and ``HYPERLINK`` field codes
    (complex fields' ``w:instrText`` joined per paragraph, and ``w:fldSimple``)."""
    names = set(zf.namelist())
    out: list[str] = []
    for part in docx_parts(zf):
        data = zf.read(part)
        if b"hyperlink" not in data and b"instrText" not in data and b"fldSimple" not in data:
            continue  # most parts: no link to read, no second parse of the part
        rels_name = part.replace("word/", "word/_rels/", 1) + ".rels"
        targets: dict[str, str] = {}
        if rels_name in names:
            for rel in fromstring(zf.read(rels_name)).iter(f"{{{_REL}}}Relationship"):
                if rel.get("Type") == _HYPERLINK_TYPE and rel.get("TargetMode") == "External":
                    targets[rel.get("Id", "")] = rel.get("Target", "")
        root = fromstring(data)
        for paragraph in root.iter(f"{{{_W}}}p"):
            for link in paragraph.iter(f"{{{_W}}}hyperlink"):
                target = targets.get(link.get(f"{{{_R}}}id", ""))
                if target:
                    out.append(target)
            code = "".join(t.text or "" for t in paragraph.iter(f"{{{_W}}}instrText"))
            for simple in paragraph.iter(f"{{{_W}}}fldSimple"):
                code += " " + simple.get(f"{{{_W}}}instr", "")
            out.extend(field_addresses(code))
    return out


def unshown(addresses: Iterable[str], shown: str) -> list[str]:
    """``addresses`` (unquoted) without what ``shown`` (the document's text) already says,
    as the module says; in their order, each distinct one once."""
    out: list[str] = []
    for raw in addresses:
        address = unquote(raw).strip()
        if not address or address.startswith("#"):
            continue
        scheme, colon, rest = address.partition(":")
        if colon and scheme.lower() in ("mailto", "tel", "sms", "callto"):
            target, _, query = rest.partition("?")
            if target.strip() in shown or not target.strip():
                address = ("?" + query) if query else ""
        if address and address not in shown and address not in out:
            out.append(address)
    return out
