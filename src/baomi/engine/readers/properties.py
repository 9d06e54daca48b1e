"""The document properties a person types into a workbook or a Word file (File → Info →
Properties): ``docProps/core.xml`` (title, subject, author, tags, comments, last saved by,
category, status) and ``docProps/app.xml`` (manager, company), read from the zip.

Each has a fixed place (:data:`PROPERTIES`), so its address does not depend on which others
are set: an XLSX puts them in one row beside the sheets (no sheet, row 0, column
``文档属性：作者``), a DOCX one paragraph row each after its comments (docs/readers.md "Beside
the cells"). Protect removes the names of who wrote the file and protects the rest
(``protect/labels.py``)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import fromstring


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


def document_properties(zf: zipfile.ZipFile) -> list[tuple[int, Property, str]]:
    """(place in :data:`PROPERTIES`, property, text) of each property with text; a part that is
    missing has none, one that does not parse raises ``ParseError``."""
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
    return [
        (i, p, values[(p.part, p.key)])
        for i, p in enumerate(PROPERTIES)
        if (p.part, p.key) in values
    ]
