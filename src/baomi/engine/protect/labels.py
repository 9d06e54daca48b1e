"""A table's labels — its header cells and its sheet's name — with the identifiers in them
protected as file names are (:class:`~baomi.engine.protect.names.PathNames`): a mobile typed into
a header, a customer's name and number as a sheet's name, or a header-less file's first record
read as its header would otherwise reach the package and its manifest as they were.

CSV/TSV, XLSX, and JSON keys (the writer renames them once the values are set at their
paths); not Parquet's column names (its schema; docs/protect.md).

Also what a workbook or a Word file holds beside its cells and paragraphs
(:func:`protect_extras`): comments, page headers and footers, document properties."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from baomi.engine.protect.charts import protect_charts
from baomi.engine.protect.defined_names import protect_defined_names
from baomi.engine.protect.docx_data import (
    protect_alt_texts,
    protect_custom_xml,
    protect_docx_charts,
    protect_variables,
)
from baomi.engine.protect.external_links import protect_external_links
from baomi.engine.protect.names import PathNames
from baomi.engine.protect.nested import protect_nested
from baomi.engine.protect.pivots import protect_pivot_caches
from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.texts import _protect_text, unit_findings
from baomi.engine.protect.writers import Document
from baomi.engine.readers.base import unique_headers
from baomi.engine.readers.properties import COLUMN as PROPERTY_COLUMN
from baomi.engine.readers.properties import CUSTOM_LABEL
from baomi.engine.readers.xlsx import cell_text

#: Characters Excel does not allow in a sheet's name (a mask's ``*`` among them).
_NOT_IN_SHEET_NAMES = re.compile(r"[\\*?:/\[\]]")
MAX_SHEET_NAME = 31


def protect_labels(run: ProtectRun, doc: Document, entries: list[dict[str, Any]]) -> None:
    """Protect ``doc``'s header cells and sheet names in place, and name its columns and
    sheets in ``entries`` (its tables' manifest entries) as they are written."""
    if doc.format in ("json", "jsonl"):
        _json_keys(run, doc, entries)
        return
    if doc.format not in ("csv", "tsv", "xlsx"):
        return
    names = PathNames(run)
    taken = {t.sheet for t in doc.tables if t.sheet is not None}
    for table, entry in zip(doc.tables, entries, strict=True):
        if table.sheet is not None:
            title = _sheet_name(names.label(table.sheet), taken - {table.sheet})
            if title != table.sheet:
                taken = (taken - {table.sheet}) | {title}
                doc.state[table.sheet].title = title
                table.sheet = entry["sheet"] = title
        if not table.header:
            continue
        if doc.format == "xlsx":
            ws = doc.state[table.sheet]
            at = (table.first_row or 2) - 1  # the header's sheet row
            raw = [cell_text(c.value) for c in next(ws.iter_rows(min_row=at, max_row=at))]
            written = [names.label(v) if v else v for v in raw]
            for col, (old, new) in enumerate(zip(raw, written, strict=True), start=1):
                if new != old:
                    ws.cell(row=at, column=col).value = new
        else:
            raw = list(doc.state.header)
            written = [names.label(v) if v else v for v in raw]
            doc.state = dataclasses.replace(doc.state, header=tuple(written))
        if written == raw:
            continue
        # the columns are named as a reader of the written file names them
        renamed = dict(zip(unique_headers(raw), unique_headers(written), strict=True))
        table.frame = table.frame.rename(
            {k: v for k, v in renamed.items() if k in table.frame.columns}
        )
        for column in entry["columns"]:
            column["name"] = renamed.get(column["name"], column["name"])


def _json_keys(run: ProtectRun, doc: Document, entries: list[dict[str, Any]]) -> None:
    """Object keys holding identifiers (a document keyed by mobile) written protected, and the
    columns — the readers' paths through those keys — named as the written file's reader names
    them."""
    names = PathNames(run)
    renames = {k: names.label(k) for k in doc.state.object_keys()}
    renames = {k: v for k, v in renames.items() if v != k}
    if not renames:
        return
    doc.state.renames = renames

    def path(name: str) -> str:
        return ".".join(_key_part(part, renames) for part in name.split("."))

    for entry in entries:
        for column in entry["columns"]:
            column["name"] = path(column["name"])


def _key_part(part: str, renames: dict[str, str]) -> str:
    """A path component (``key`` or ``key[0]`` / ``key[*]``) with its key renamed."""
    key, bracket, rest = part.partition("[")
    return renames.get(key, key) + bracket + rest


def _sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as Excel allows a sheet's (no ``\\ * ? : / [ ]``, 31 characters), unique."""
    clean = _NOT_IN_SHEET_NAMES.sub(lambda m: "＊" if m.group() == "*" else "_", name)
    clean = clean[:MAX_SHEET_NAME] or "_"
    n = 1
    out = clean
    while out in taken:
        n += 1
        suffix = f"~{n}"
        out = clean[: MAX_SHEET_NAME - len(suffix)] + suffix
    return out


#: Document properties that name who wrote or last saved a file: a person, left out.
_WHO = ("creator", "lastModifiedBy")
_WHO_DOCX = ("author", "last_modified_by")
#: Properties whose text is protected as a document's (every one the scan reads:
#: ``readers/properties.py``).
_ABOUT = ("title", "subject", "description", "keywords", "category", "contentStatus")
_ABOUT_DOCX = ("title", "subject", "comments", "keywords", "category", "content_status")
#: Extended properties (``docProps/app.xml``) python-docx writes back as they were (openpyxl
#: writes its own): the manager is a person, left out; the company protected.
_APP_WHO = ("Manager",)
_APP_ABOUT = ("Company",)


def protect_extras(run: ProtectRun, doc: Document) -> int:
    """Protect what an XLSX or DOCX file holds beside its cells and paragraphs: cell and Word
    comments (their text protected, their author left out), page headers and footers, the
    title rows above a table's header (a CSV's too), and the document properties (the author and the last editor left out, the rest protected). The
    number of texts protect changed or left out because they held personal information; the
    authors, editors and managers, always left out, are not counted, nor a Word comment's text
    (protected with the paragraphs). 0 for other formats."""
    if doc.format == "csv":
        return _csv_titles(run, doc)
    if doc.format == "xlsx":
        return _sheet_titles(run, doc) + _workbook_extras(run, doc.state)
    if doc.format == "docx":
        return _docx_extras(run, doc.state[0])
    if doc.format == "parquet":
        return protect_nested(run, doc)
    return 0


def remove_images(run: ProtectRun, doc: Document) -> int:
    """Take the pictures out of an XLSX or DOCX ``doc`` unless the policy keeps them
    (:mod:`.images`); how many."""
    from baomi.engine.protect.images import remove_docx_images, remove_xlsx_images

    if run.policy.images == "keep":
        return 0
    if doc.format == "xlsx":
        return remove_xlsx_images(doc.state)
    if doc.format == "docx":
        return remove_docx_images(doc.state[0])
    return 0


def _text(run: ProtectRun, text: str | None) -> str | None:
    return _protect_text(run, text)[0] if text else text


def _csv_titles(run: ProtectRun, doc: Document) -> int:
    """A CSV's title rows above its header, each filled field protected as text (as the
    scan reads them: ``readers.header.title_extras``); how many fields changed."""
    titles = doc.state.titles
    written = tuple(tuple(_title_text(run, f) if f.strip() else f for f in row) for row in titles)
    doc.state = dataclasses.replace(doc.state, titles=written)
    pairs = zip(titles, written, strict=True)
    return sum(a != b for old, new in pairs for a, b in zip(old, new, strict=True))


def _sheet_titles(run: ProtectRun, doc: Document) -> int:
    """The title rows above each sheet's header, each filled cell protected as text (a
    number holding an identifier becomes its protected text); how many cells changed."""
    changed = 0
    for table in doc.tables:
        ws = doc.state[table.sheet]
        for at in table.title_rows:
            for cell in next(ws.iter_rows(min_row=at, max_row=at)):
                text = cell_text(cell.value)
                if text is None or not text.strip():
                    continue
                new = _title_text(run, text)
                if new != text:
                    cell.value = new
                    changed += 1
    return changed


def _title_text(run: ProtectRun, text: str) -> str:
    """A title cell protected as text, as a table's cell (no zero-width marks)."""
    return _protect_text(run, text, in_table=True)[0]


def _custom_value(run: ProtectRun, text: str, header: str | None) -> str:
    """A custom property's value protected as the scan reads it (``header``: the column a
    workbook's property is read under, context as a header is; a Word file's has none)."""
    found = unit_findings(run, [text], header).get(0, [])
    return _protect_text(run, text, findings=found)[0] if found else text


def _workbook_extras(run: ProtectRun, wb: Any) -> int:
    from openpyxl.comments import Comment

    changed = 0
    for name in _WHO:
        setattr(wb.properties, name, None)
    for name in _ABOUT:
        value = getattr(wb.properties, name)
        new = _text(run, value)
        changed += new != value
        setattr(wb.properties, name, new)
    # custom properties: a string protected; a number or a date that holds an identifier
    # (a mobile typed as a number) cannot hold its masked form, and is left out
    kept = []
    for prop in wb.custom_doc_props.props:
        value = prop.value
        if value is None or isinstance(value, bool):
            kept.append(prop)
            continue
        text = value if isinstance(value, str) else _written(value)
        header = PROPERTY_COLUMN.format(CUSTOM_LABEL.format(prop.name))
        new = _custom_value(run, text, header)
        if new == text:
            kept.append(prop)
            continue
        changed += 1
        if isinstance(value, str):
            prop.value = new
            kept.append(prop)
    wb.custom_doc_props.props = kept
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None:
                    text = _text(run, cell.comment.text) or ""
                    changed += text != (cell.comment.text or "")
                    note = Comment(text, "")
                    note.width, note.height = cell.comment.width, cell.comment.height
                    cell.comment = note
                if cell.hyperlink is not None:
                    changed += _protect_link(run, cell.hyperlink)
        changed += _protect_validations(run, ws)
        changed += _protect_filters(run, ws)
        changed += _protect_conditional(run, ws)
        for part in (
            "oddHeader",
            "oddFooter",
            "evenHeader",
            "evenFooter",
            "firstHeader",
            "firstFooter",
        ):
            item = getattr(ws, part, None)
            if item is None:
                continue
            for side in (item.left, item.center, item.right):
                if side.text:
                    new = _text(run, side.text)
                    changed += new != side.text
                    side.text = new
    changed += protect_defined_names(run, wb)
    changed += protect_pivot_caches(run, wb) + protect_charts(run, wb)
    return changed + protect_external_links(run, wb)


#: A cell hyperlink's texts, which hold what the cell shows (Excel makes a typed e-mail address
#: a ``mailto:`` link) or more (a CRM address with the customer's phone in its query).
_LINK_TEXTS = ("target", "display", "tooltip")


def _protect_link(run: ProtectRun, link: Any) -> int:
    """Protect a cell hyperlink's target, display text and tooltip in place, as a cell is (no
    zero-width marks: they would break the address), with every recognizer, as the scan reads
    them (``链接：…``): a CRM address may hold the customer's name (``?name=张伟明``), and
    the Latin words of an address are no names (:mod:`baomi.engine.prose.latin`). How many
    changed."""
    changed = 0
    for name in _LINK_TEXTS:
        value = getattr(link, name)
        if not value:
            continue
        new = _protect_text(run, value, None, in_table=True)[0]
        if new != value:
            changed += 1
            setattr(link, name, new)
    return changed


#: A data validation's list (``"a,b"``) or bounds, and the messages it shows.
_VALIDATION_FORMULAS = ("formula1", "formula2")
_VALIDATION_TEXTS = ("prompt", "promptTitle", "error", "errorTitle")


def _protect_validations(run: ProtectRun, ws: Any) -> int:
    """Protect the data validations of ``ws`` in place: a drop-down list typed in (the
    customer's numbers, or the people, to pick from) and the input and error messages, each
    as text with every recognizer, as the scan reads them (``数据验证：…``); how many
    changed."""
    changed = 0
    for rule in ws.data_validations.dataValidation:
        for name in (*_VALIDATION_FORMULAS, *_VALIDATION_TEXTS):
            value = getattr(rule, name)
            if not value:
                continue
            new = _protect_text(run, value, None, in_table=True)[0]
            if new != value:
                changed += 1
                setattr(rule, name, new)
    return changed


def _protect_filters(run: ProtectRun, ws: Any) -> int:
    """Protect the values the filters of ``ws`` and of its tables select (a list filtered by
    a customer's name or phone keeps it in ``<filter val>``): each as a cell's text under
    ``筛选：<header>``, as the scan reads it (``readers/xlsx_parts.py`` ``filter_values``);
    how many changed."""
    from baomi.engine.readers.xlsx_parts import FILTER_COLUMN, cell_of

    changed = 0
    tables = [t.autoFilter for t in ws.tables.values() if t.autoFilter is not None]
    for flt in [ws.auto_filter, *tables]:
        first = cell_of(flt.ref or "")
        if first is None:
            continue
        for column in flt.filterColumn:
            col = first[1] + column.colId + 1
            header = cell_text(ws.cell(row=first[0], column=col).value) or f"column_{col}"
            plain = list(column.filters.filter) if column.filters is not None else []
            custom = list(column.customFilters.customFilter) if column.customFilters else []
            texts = plain + [c.val or "" for c in custom]
            found = unit_findings(run, texts, FILTER_COLUMN.format(header))
            new = list(texts)
            for k, findings in found.items():
                new[k] = _protect_text(run, texts[k], findings=findings, in_table=True)[0]
            if new == texts:
                continue
            changed += sum(a != b for a, b in zip(new, texts, strict=True))
            if column.filters is not None:
                column.filters.filter = new[: len(plain)]
            for c, value in zip(custom, new[len(plain) :], strict=True):
                c.val = value
    return changed


def _protect_conditional(run: ProtectRun, ws: Any) -> int:
    """Protect the texts of the conditional formats of ``ws`` (a row highlighted by the
    customer's name or phone its rule looks for) as the scan reads them
    (``readers/xlsx_parts.py`` ``conditional_texts``): a rule's ``text`` and the text literals
    of its formulas, each as a cell's text; how many changed. A rule still looks for what
    it looked for, masked."""
    from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

    from baomi.engine.readers.xlsx_parts import literal_text

    changed = 0
    for formatting in ws.conditional_formatting:
        for rule in formatting.rules:
            if rule.text and not rule.text.isspace():
                new = _protect_text(run, rule.text, in_table=True)[0]
                changed += new != rule.text
                rule.text = new
            formulas = list(rule.formula or ())
            for i, formula in enumerate(formulas):
                try:
                    tokens = Tokenizer("=" + formula)
                except (TokenizerError, ValueError, IndexError):
                    continue
                touched = False
                for token in tokens.items:
                    if token.type != Token.OPERAND or token.subtype != Token.TEXT:
                        continue
                    text = literal_text(token.value)
                    if not text.strip():
                        continue
                    new = _protect_text(run, text, in_table=True)[0]
                    if new != text:
                        token.value = '"' + new.replace('"', '""') + '"'
                        changed += 1
                        touched = True
                if touched:
                    formulas[i] = tokens.render()[1:]
            rule.formula = formulas
    return changed


def _identifiers(run: ProtectRun) -> list[Any]:
    """The analyzer's recognizers without the prose model: what an address is searched with."""
    return [r for r in run.analyzer.text_recognizers if not r.model_based]


def _docx_extras(run: ProtectRun, document: Any) -> int:
    from docx.oxml.coreprops import CT_CoreProperties

    props = document.core_properties
    changed = 0
    if not isinstance(props._element, CT_CoreProperties):
        # a damaged part python-docx opens anyway (its root in another namespace), whose
        # texts it cannot set: not shipped, the part written empty
        document.part.package._core_properties_part._element = CT_CoreProperties.new()
        props, changed = document.core_properties, 1
    for name in _WHO_DOCX:
        setattr(props, name, "")
    for name in _ABOUT_DOCX:
        value = getattr(props, name)
        if value:
            new = _text(run, value)
            changed += new != value
            setattr(props, name, new)
    changed += _docx_app_properties(run, document)
    changed += _docx_custom_properties(run, document)
    changed += _docx_link_targets(run, document)
    changed += protect_variables(run, document)
    changed += protect_custom_xml(run, document)
    changed += protect_docx_charts(run, document)
    changed += protect_alt_texts(run, document)
    _docx_revision_authors(document)
    # the comments' text is protected with the document's paragraphs (they are units of the
    # reader, ``readers/docx.py``); who wrote each comment is left out here
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    if any(r.reltype == RT.COMMENTS for r in document.part.rels.values()):
        for comment in document.comments:
            comment.author, comment.initials = "", ""
    return changed


_INSTR_TEXT = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText"
_PARAGRAPH = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"


def _docx_link_targets(run: ProtectRun, document: Any) -> int:
    """The addresses of a Word file's hyperlinks (``mailto:`` + the customer's e-mail: Word
    makes a typed address a link), in every part's relationships, and the field codes of
    links written as fields (``HYPERLINK "mailto:…"`` in ``w:instrText``), protected with
    every recognizer as a workbook's link targets are (the scan reads them under ``链接``:
    ``readers/word_links.py``); other field codes for identifiers. How many changed. The
    links' text is a paragraph's."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    changed = 0
    for part in document.part.package.iter_parts():
        for rel in part.rels.values():
            if rel.reltype != RT.HYPERLINK or not rel.is_external:
                continue
            new = _protect_text(run, rel.target_ref, None, in_table=True)[0]
            if new != rel.target_ref:
                changed += 1
                rel._target = new  # python-docx writes an external target from ``_target``
        root = getattr(part, "element", None)
        if not isinstance(root, etree._Element):
            continue
        for paragraph in root.iter(_PARAGRAPH):
            codes = [c for c in paragraph.iter(_INSTR_TEXT) if c.text]
            # a link's code may be split over runs (HYPERLINK "https://…?name=" + "张伟明")
            link = "HYPERLINK" in "".join(c.text for c in codes).upper()
            which = None if link else _identifiers(run)
            for code in codes:
                new = _protect_text(run, code.text, which, in_table=True)[0]
                if new != code.text:
                    changed += 1
                    code.text = new
    return changed


_AUTHOR = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}author"


def _docx_revision_authors(document: Any) -> None:
    """Who made each tracked change is a person, as a comment's author is, and is left out:
    ``w:author`` emptied on every element of the file's XML parts (insertions, deletions,
    formatting changes), and Word's list of reviewers (``word/people.xml``) emptied."""
    from lxml import etree

    for part in document.part.package.iter_parts():
        root = getattr(part, "element", None)
        if isinstance(root, etree._Element):
            for node in root.iter():
                if node.get(_AUTHOR):
                    node.set(_AUTHOR, "")
        elif str(part.partname).endswith("/people.xml"):  # kept as bytes by python-docx
            people = _parsed(part, _EMPTY_PEOPLE)
            if people is None:
                continue
            for person in list(people):
                people.remove(person)
            part._blob = etree.tostring(
                people, xml_declaration=True, encoding="UTF-8", standalone=True
            )


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: the parts below written with nothing in them, in place of a damaged one
_EMPTY_APP = _DECLARATION + (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>'
)
_EMPTY_CUSTOM = _DECLARATION + (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
)
_EMPTY_PEOPLE = _DECLARATION + (
    b'<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"/>'
)


def _parsed(part: Any, empty: bytes) -> Any:
    """A part python-docx keeps as bytes, parsed; ``None`` when it does not parse — the scan
    could not read it either (it says so), so its text is not shipped: the part is written
    as ``empty``."""
    from lxml import etree

    try:
        return etree.fromstring(part.blob)
    except etree.XMLSyntaxError:
        part._blob = empty
        return None


def _package_part(document: Any, partname: str) -> Any:
    """The part of a Word file's package named ``partname`` (``/docProps/app.xml``), or None."""
    return next((p for p in document.part.package.iter_parts() if p.partname == partname), None)


def _docx_app_properties(run: ProtectRun, document: Any) -> int:
    """The manager left out and the company protected in a Word file's extended properties;
    how many company names were changed."""
    from lxml import etree

    part = _package_part(document, "/docProps/app.xml")
    if part is None:
        return 0
    root = _parsed(part, _EMPTY_APP)
    if root is None:
        return 1
    changed, dirty = 0, False
    for node in root:
        name = etree.QName(node).localname
        if name in _APP_WHO and node.text:
            node.text = None
            dirty = True
        elif name in _APP_ABOUT and node.text:
            new = _text(run, node.text)
            changed += new != node.text
            node.text = new
    if changed or dirty:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return changed


#: The value types of a custom property that hold text (``vt:lpwstr`` and its kin).
_TEXT_TYPES = ("lpwstr", "lpstr", "bstr")


def _written(value: Any) -> str:
    """A number or date as a workbook's custom property writes it (``vt:i4`` ``3``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _docx_custom_properties(run: ProtectRun, document: Any) -> int:
    """A Word file's custom properties (``docProps/custom.xml``, written back as they were by
    python-docx): a text value protected, a number or date that holds an identifier left out;
    how many were changed."""
    from lxml import etree

    part = _package_part(document, "/docProps/custom.xml")
    if part is None:
        return 0
    root = _parsed(part, _EMPTY_CUSTOM)
    if root is None:
        return 1
    changed = 0
    for node in list(root):
        value = next(iter(node), None)
        if value is None or not value.text or value.text.isspace():
            continue
        new = _custom_value(run, value.text, None)
        if new == value.text:
            continue
        changed += 1
        if etree.QName(value).localname in _TEXT_TYPES:
            value.text = new
        else:
            root.remove(node)
    if changed:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return changed
