"""The document properties a person types into a workbook or a Word file (File → Info →
Properties): ``docProps/core.xml`` (title, subject, author, tags, comments, last saved by,
category, status), ``docProps/app.xml`` (manager, company) and the custom properties of
``docProps/custom.xml`` (File → Properties → Custom: any name, any value), read from the zip.

Each has a fixed place (:data:`PROPERTIES`, the custom ones after them in the file's order),
so its address does not depend on which others are set: an XLSX puts them in one row beside the sheets (no sheet, row 0, column
``文档属性：作者``), a DOCX one paragraph row each after its comments (docs/readers.md "Beside
the cells"). Protect removes the names of who wrote the file and protects the rest
(``protect/labels.py``)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from baomi.engine.readers.xml_parts import fromstring


@dataclass(frozen=True, slots=True)
class Property:
    part: str  # "core" or "app"
    key: str  # the element's local name
    label: str
    #: the value names a person (who wrote or last saved the file, the manager)
    person: bool


#: in this order (a DOCX's rows follow it)
PROPERTIES = (
    Property("core", "title", "标题", False),
    Property("core", "subject", "主题", False),
    Property("core", "creator", "作者", True),
    Property("core", "keywords", "关键词", False),
    Property("core", "description", "备注", False),
    Property("core", "lastModifiedBy", "最后修改者", True),
    Property("core", "category", "类别", False),
    Property("core", "contentStatus", "状态", False),
    Property("app", "Manager", "经理", True),
    Property("app", "Company", "单位", False),
)
PARTS = {"core": "docProps/core.xml", "app": "docProps/app.xml"}
COLUMN = "文档属性：{}"
CUSTOM_PART = "docProps/custom.xml"
#: a custom property's label (its column in a workbook: ``文档属性：自定义：合同编号``)
CUSTOM_LABEL = "自定义：{}"


def custom_properties(zf: zipfile.ZipFile) -> list[tuple[int, str, str]]:
    """(place in the file, name, text) of each custom property with a value: a string, a
    number or a date as the file writes it (a mobile typed as a number is a number)."""
    try:
        data = zf.read(CUSTOM_PART)
    except KeyError:
        return []
    out: list[tuple[int, str, str]] = []
    for place, node in enumerate(fromstring(data)):
        name = node.get("name") or ""
        value = next(iter(node), None)
        text = None if value is None else value.text
        if name and text and not text.isspace():
            out.append((place, name, text))
    return out


#: a custom XML data part (``customXml/item1.xml``): the data a Word file's content controls
#: are bound to (a contract generated from a CRM: the customer's name, phone, ID)
CUSTOM_XML = re.compile(r"customXml/item\d+\.xml")


def custom_xml_texts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """The texts of a file's custom XML data parts (:data:`CUSTOM_XML`, in the zip's order),
    each with its label (:data:`CUSTOM_XML_COLUMN` of its element's or attribute's local
    name: ``自定义XML：手机``, a header's context): each element's text, then its attributes'
    values, in document order — what protect's
    ``labels.py`` rewrites there. Word shows a bound content control's value from these
    parts, so a value left in them comes back when the file is opened. A part that does
    not parse raises ``ParseError``."""
    texts: list[tuple[str, str]] = []
    for name in zf.namelist():
        if not CUSTOM_XML.fullmatch(name) or zf.getinfo(name).file_size > MAX_CUSTOM_XML:
            continue
        root = fromstring(zf.read(name))
        if root.tag.startswith(f"{{{BIBLIOGRAPHY}}}"):
            continue  # Word's list of sources, in every file it writes: no one's data
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            tag = node.tag.rsplit("}", 1)[-1]
            if node.text and not node.text.isspace():
                texts.append((CUSTOM_XML_COLUMN.format(tag), node.text))
            texts += [
                (CUSTOM_XML_COLUMN.format(k.rsplit("}", 1)[-1]), v)
                for k, v in node.attrib.items()
                if v and not v.isspace()
            ]
    return texts


CUSTOM_XML_COLUMN = "自定义XML：{}"
#: a Word file's document variables (``w:docVars`` in ``word/settings.xml``: values a template
#: or a mail merge set — a customer's phone — that fields such as ``DOCVARIABLE`` show)
DOC_VARIABLE_COLUMN = "文档变量：{}"
SETTINGS_PART = "word/settings.xml"
W_MAIN = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def doc_variables(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(label, value) of each document variable of a Word file with a value
    (:data:`DOC_VARIABLE_COLUMN` of its name), in the file's order; none without settings.
    A settings part that does not parse raises ``ParseError``."""
    try:
        info = zf.getinfo(SETTINGS_PART)
    except KeyError:
        return []
    if info.file_size > MAX_CUSTOM_XML:
        return []
    return [
        (DOC_VARIABLE_COLUMN.format(node.get(f"{W_MAIN}name") or ""), value)
        for node in fromstring(zf.read(info)).iter(f"{W_MAIN}docVar")
        if (value := node.get(f"{W_MAIN}val")) and not value.isspace()
    ]


#: the namespace of Word's bibliography sources part (a custom XML part of every file)
BIBLIOGRAPHY = "http://schemas.openxmlformats.org/officeDocument/2006/bibliography"
#: a custom XML part larger than this inflated is not read (a zip bomb, not data)
MAX_CUSTOM_XML = 64 * 1024 * 1024


def document_properties(zf: zipfile.ZipFile) -> list[tuple[int, Property, str]]:
    """(place, property, text) of each property with text — the place in :data:`PROPERTIES`,
    the custom properties after them; a part that is missing has none, one that does not
    parse raises ``ParseError``."""
    values: dict[tuple[str, str], str] = {}
    for part, name in PARTS.items():
        try:
            data = zf.read(name)
        except KeyError:
            continue
        for node in fromstring(data):
            text = node.text
            if text and not text.isspace():
                values.setdefault((part, node.tag.rsplit("}", 1)[-1]), text)
    fixed = [
        (i, p, values[(p.part, p.key)])
        for i, p in enumerate(PROPERTIES)
        if (p.part, p.key) in values
    ]
    custom = [
        (len(PROPERTIES) + j, Property("custom", name, CUSTOM_LABEL.format(name), False), text)
        for j, name, text in custom_properties(zf)
    ]
    return fixed + custom


#: olefile's names of the :data:`PROPERTIES` in an OLE file's property streams (a legacy
#: ``.doc`` or ``.xls``: ``\x05SummaryInformation``, ``\x05DocumentSummaryInformation``)
_OLE_NAMES = {
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "keywords": "keywords",
    "description": "comments",
    "lastModifiedBy": "last_saved_by",
    "category": "category",
    "contentStatus": "content_status",
    "Manager": "manager",
    "Company": "company",
}


def _ole_text(value: object, codepage: int | None) -> str | None:
    if isinstance(value, bytes):
        page = (codepage or 1252) & 0xFFFF  # olefile reads the code page as a signed short
        encoding = {65001: "utf-8", 1200: "utf-16-le"}.get(page, f"cp{page}")
        try:
            decoded = value.decode(encoding, errors="replace")
        except LookupError:
            decoded = value.decode("cp1252", errors="replace")
        value = decoded
    if not isinstance(value, str | int | float):
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def ole_properties(path: Path) -> list[tuple[int, Property, str]]:
    """(place, property, text) of each of the :data:`PROPERTIES` a legacy Office file (an
    OLE compound file: ``.doc``, ``.xls``) sets, decoded by the code page its property stream
    names (olefile). A file whose property streams do not parse has none; ``OSError`` when it
    is no OLE file or a broken one."""
    import olefile

    try:
        ole = olefile.OleFileIO(str(path))
    except (ValueError, IndexError, TypeError) as exc:  # olefile's errors of a broken file
        raise OSError(str(exc)) from None
    with ole:
        try:
            meta = ole.get_metadata()
        except Exception:  # olefile raises many types on a broken property stream
            return []
        codepage = getattr(meta, "codepage", None)
        out = []
        for place, prop in enumerate(PROPERTIES):
            text = _ole_text(getattr(meta, _OLE_NAMES[prop.key], None), codepage)
            if text:
                out.append((place, prop, text))
        return out
