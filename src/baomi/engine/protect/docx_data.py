"""What a Word file holds as data beside its paragraphs, protected as the scan reads it
(``readers/docx.py`` ``extras``): its document variables (``w:docVars``), the custom XML data
its content controls are bound to (``customXml/item1.xml``), its charts' texts
(``word/charts/``) and its drawings' alternative texts (``替代文字``). Each counts in the manifest's ``extras_changed`` (``labels.protect_extras``).
"""

from __future__ import annotations

from typing import Any

from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.texts import _protect_text, labelled_findings, unit_findings


def protect_variables(run: ProtectRun, document: Any) -> int:
    """A Word file's document variables (``w:docVars``: values a template or a mail merge
    set, which ``DOCVARIABLE`` fields show), each protected as the scan reads it (under
    ``文档变量：<name>``, as a table cell); how many changed."""
    from baomi.engine.readers.properties import DOC_VARIABLE_COLUMN, W_MAIN

    changed = 0
    for node in document.settings.element.iter(f"{W_MAIN}docVar"):
        value = node.get(f"{W_MAIN}val")
        if not value or value.isspace():
            continue
        column = DOC_VARIABLE_COLUMN.format(node.get(f"{W_MAIN}name") or "")
        found = labelled_findings(run, [value], column)
        if 0 in found:
            new = _protect_text(run, value, findings=found[0], in_table=True)[0]
            if new != value:
                node.set(f"{W_MAIN}val", new)
                changed += 1
    return changed


def protect_custom_xml(run: ProtectRun, document: Any) -> int:
    """The texts of a Word file's custom XML data parts (what its content controls are bound
    to: Word shows a bound control's value from there, so a masked paragraph would show the
    customer again when the file is opened), protected as the scan reads them
    (:func:`~baomi.engine.readers.properties.custom_xml_texts`: each element's text, then its
    attributes' values); how many changed."""
    from lxml import etree

    from baomi.engine.readers.properties import BIBLIOGRAPHY, CUSTOM_XML, CUSTOM_XML_COLUMN

    changed = 0
    for part in list(document.part.package.iter_parts()):
        if not CUSTOM_XML.fullmatch(str(part.partname).lstrip("/")):
            continue
        element = getattr(part, "element", None)
        try:
            root = element if isinstance(element, etree._Element) else etree.fromstring(part.blob)
        except etree.XMLSyntaxError:  # not read by the scan either: left out of the copy
            for holder in document.part.package.iter_parts():
                for rid, rel in list(holder.rels.items()):
                    if not rel.is_external and rel.target_part is part:
                        del holder.rels[rid]
            changed += 1
            continue
        if etree.QName(root).namespace == BIBLIOGRAPHY:
            continue  # not read by the scan: Word's list of sources
        # by label (``自定义XML：手机``, as the scan reads them): (element, attribute, text)
        slots: dict[str, list[tuple[Any, str | None, str]]] = {}
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue  # a comment or a processing instruction
            if node.text and not node.text.isspace():
                label = CUSTOM_XML_COLUMN.format(etree.QName(node).localname)
                slots.setdefault(label, []).append((node, None, node.text))
            for key, value in node.attrib.items():
                if value and not value.isspace():
                    label = CUSTOM_XML_COLUMN.format(etree.QName(key).localname)
                    slots.setdefault(label, []).append((node, key, value))
        touched = 0
        for label, items in slots.items():
            texts = [text for _, _, text in items]
            for k, findings in labelled_findings(run, texts, label).items():
                new = _protect_text(run, texts[k], findings=findings, in_table=True)[0]
                if new == texts[k]:
                    continue
                node, attribute, _ = items[k]
                if attribute is None:
                    node.text = new
                else:
                    node.set(attribute, new)
                touched += 1
        changed += touched
        if touched and not isinstance(element, etree._Element):
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    return changed


def _chart_nodes(node: Any, parents: list[str], slots: dict[str, list[Any]]) -> None:
    """Put in ``slots`` (column → elements) the text elements under ``node`` (its own and its
    ancestors' local names ``parents``) that the scan reads of a chart, in document order."""
    from lxml import etree

    from baomi.engine.readers.xlsx_parts import chart_column

    for child in node:
        if not isinstance(child.tag, str):
            continue
        column = chart_column(child.tag, parents)
        if column is not None and child.text and child.text.strip():
            slots.setdefault(column, []).append(child)
        _chart_nodes(child, [*parents, etree.QName(child).localname], slots)


def protect_docx_charts(run: ProtectRun, document: Any) -> int:
    """The texts of a Word file's charts — titles, series names, category labels (a chart
    of customers by name), cached data — protected as the scan reads them
    (``readers/xlsx_parts.py`` ``chart_texts``, by column: ``图表：类别``), as table cells;
    how many changed. The chart's own workbook of data is left out of the copy
    (``images.remove_docx_objects``): Word draws the chart from these texts."""
    from lxml import etree

    from baomi.engine.readers.docx import CHART_PART

    changed = 0
    for part in document.part.package.iter_parts():
        if not CHART_PART.fullmatch(str(part.partname).lstrip("/")):
            continue
        try:
            root = etree.fromstring(part.blob)
        except etree.XMLSyntaxError:  # not read by the scan either (it said so)
            continue
        slots: dict[str, list[Any]] = {}
        _chart_nodes(root, [etree.QName(root).localname], slots)
        touched = 0
        for column, nodes in slots.items():
            texts = [n.text for n in nodes]
            for k, findings in unit_findings(run, texts, column).items():
                new = _protect_text(run, texts[k], findings=findings, in_table=True)[0]
                if new != texts[k]:
                    nodes[k].text = new
                    touched += 1
        if touched:
            part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
        changed += touched
    return changed


def protect_alt_texts(run: ProtectRun, document: Any) -> int:
    """The alternative texts of a Word file's drawings (``descr`` and ``title`` of
    ``wp:docPr`` and of a picture's or shape's ``cNvPr``, a VML shape's ``alt``) in every
    part, each protected as the scan reads it (:mod:`baomi.engine.readers.alt_texts`:
    ``替代文字``, as text); how many changed. A picture that is removed takes its own with it;
    a chart, a text box, a shape or a kept picture keeps a protected one."""
    from lxml import etree

    from baomi.engine.readers.alt_texts import alt_attributes

    changed = 0
    for part in document.part.package.iter_parts():
        root = getattr(part, "element", None)
        if not isinstance(root, etree._Element):
            continue
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue  # comments and processing instructions
            for name in alt_attributes(node.tag):
                value = node.get(name)
                if not value or value.isspace():
                    continue
                new = _protect_text(run, value, in_table=True)[0]
                if new != value:
                    node.set(name, new)
                    changed += 1
    return changed
