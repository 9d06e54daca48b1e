"""What a workbook's other parts hold, read from the zip for the scan (docs/readers.md "Beside
the cells"): cell hyperlinks and data validations (in a worksheet's XML after its rows, kept as
openpyxl reads them: :func:`blocks`), the texts of charts (titles, cached category labels
and series names), the values of pivot caches, the constants of defined names, and the
embedded objects (named, not read). Protect rewrites the same places (``protect/labels.py``,
``protect/pivots.py``, ``protect/charts.py``). A link's text that only restates the data cell
it is on (:func:`restates`; the cell read again by :mod:`.xlsx_cells`) is the cell's PI, found
in the cell: the reader leaves it out (protect still rewrites it). One that says more is read
with its cell (``Extra.cell``): the scan does not count again what it finds of the cell's own
identifiers (:class:`baomi.engine.scan.model.LinkedCells`).

Each part is opened only when the workbook has one: charts when ``[Content_Types].xml``
declares a chart, pivot caches and defined names from ``xl/workbook.xml`` (read once for the
sheets), links and validations from the sheet's tail the reader already holds.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from baomi.engine.readers.xml_parts import fromstring, iterparse

#: A part larger than this (inflated) is not read (a zip bomb, not a workbook).
MAX_PART_BYTES = 256 * 1024 * 1024
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
EMBEDDINGS = "xl/embeddings/"

#: the column of each text of a cell's hyperlink (``链接：手机``): its address, the text it
#: shows and its screen tip (Excel's 地址, 要显示的文字, 屏幕提示)
LINK_COLUMNS = (("target", "链接：{}"), ("display", "链接文字：{}"), ("tooltip", "链接提示：{}"))
#: the columns of a data validation's texts, in this order
VALIDATION_COLUMNS = (
    ("formula1", "数据验证：公式1"),
    ("formula2", "数据验证：公式2"),
    ("promptTitle", "数据验证：输入标题"),
    ("prompt", "数据验证：输入信息"),
    ("errorTitle", "数据验证：出错标题"),
    ("error", "数据验证：出错信息"),
)
CHART_COLUMN = "图表：{}"
PIVOT_COLUMN = "数据透视表缓存：{}"
NAME_COLUMN = "定义名称：{}"
#: the column an external workbook's cached cell values are read under: its sheet's name
EXTERNAL_COLUMN = "外部链接缓存：{}"

_BLOCKS = re.compile(
    rb"<(?:[\w.-]+:)?(hyperlinks|dataValidations|autoFilter|conditionalFormatting)[\s/>]"
    rb".*?(?:</(?:[\w.-]+:)?\1\s*>|$)",
    re.DOTALL,
)
#: a filter's criteria: an ``<autoFilter>`` (its ``ref``), each ``<filterColumn>`` (its
#: ``colId``) and the values it selects (``<filter val>``, ``<customFilter val>``)
_AUTO_FILTER = re.compile(
    rb"<(?:[\w.-]+:)?autoFilter(\s[^>]*?)?(?:/>|>(.*?)</(?:[\w.-]+:)?autoFilter\s*>)", re.DOTALL
)
_FILTER_COLUMN = re.compile(
    rb"<(?:[\w.-]+:)?filterColumn(\s[^>]*?)?(?:/>|>(.*?)</(?:[\w.-]+:)?filterColumn\s*>)",
    re.DOTALL,
)
_FILTER_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:filter|customFilter)(\s[^>]*?)?/?>")
#: the column a filter's values are read under: the header of the column it filters
FILTER_COLUMN = "筛选：{}"
#: a conditional format's rule (``<cfRule>``: its ``text``, its ``<formula>``s)
_CF_RULE = re.compile(
    rb"<(?:[\w.-]+:)?cfRule(\s[^>]*?)?(?:/>|>(.*?)</(?:[\w.-]+:)?cfRule\s*>)", re.DOTALL
)
_CF_FORMULA = re.compile(
    rb"<(?:[\w.-]+:)?formula(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?formula\s*>", re.DOTALL
)
#: the columns of a conditional format's texts: the text a rule looks for (格式 → 文本包含),
#: and the texts written in its formulas
CONDITIONAL_TEXT = "条件格式：文本"
CONDITIONAL_FORMULA = "条件格式：公式"
_TAG = re.compile(
    rb"<(?:[\w.-]+:)?(hyperlink|dataValidation)(\s[^>]*?)?(/>|>(.*?)</(?:[\w.-]+:)?\1\s*>)",
    re.DOTALL,
)
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_FORMULA = re.compile(
    rb"<(?:[\w.-]+:)?(formula1|formula2)(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?\1\s*>", re.DOTALL
)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def open_part(zf: zipfile.ZipFile, part: str) -> IO[bytes]:
    """``part`` opened to be streamed; one over :data:`MAX_PART_BYTES` inflated raises
    ``ValueError`` (a zip bomb, not a workbook)."""
    if zf.getinfo(part).file_size > MAX_PART_BYTES:
        raise ValueError("part too large")
    return zf.open(part)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


def _attributes(raw: bytes | None) -> dict[str, str]:
    """A tag's attributes by local name (``r:id`` → ``id``), unescaped."""
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw or b""):
        name = m.group(1).decode("ascii", "replace").rsplit(":", 1)[-1]
        if name != "xmlns" and not m.group(1).startswith(b"xmlns:"):
            out.setdefault(name, _text(m.group(2) if m.group(2) is not None else m.group(3)))
    return out


def blocks(tail: bytes) -> bytes:
    """The ``<hyperlinks>``, ``<dataValidations>`` and ``<autoFilter>`` elements of a sheet's
    XML after its rows (empty without any): what the scan keeps of it beside the page
    headers."""
    return b"".join(m.group() for m in _BLOCKS.finditer(tail))


def cell_of(ref: str) -> tuple[int, int] | None:
    """(Excel row, 0-based column) of a reference's first cell (``B2``, ``B2:C9``)."""
    m = _REF.match(ref.strip())
    if m is None:
        return None
    n = 0
    for c in m.group(1).upper():
        n = n * 26 + ord(c) - 64
    return int(m.group(2)), n - 1


@dataclass(frozen=True, slots=True)
class Link:
    """A cell hyperlink: its first cell, and its texts by :data:`LINK_COLUMNS` name."""

    row: int
    col: int
    texts: tuple[tuple[str, str], ...]


def links(tail: bytes, targets: dict[str, str]) -> list[Link]:
    """The hyperlinks of a sheet's kept tail, in the file's order; ``targets``: the sheet's
    external relationships (id → address), where a link's address is."""
    out = []
    for m in _TAG.finditer(tail):
        if m.group(1) != b"hyperlink":
            continue
        attrs = _attributes(m.group(2))
        at = cell_of(attrs.get("ref", ""))
        if at is None:
            continue
        values = {"target": targets.get(attrs.get("id", ""), ""), **attrs}
        texts = tuple(
            (column, text)
            for name, column in LINK_COLUMNS
            if (text := values.get(name) or "") and not text.isspace()
        )
        if texts:
            out.append(Link(at[0], at[1], texts))
    return out


def has_links(tail: bytes) -> bool:
    return b"hyperlink" in tail


#: what a tel: address may put between its digits (RFC 3966 visual separators) and blanks
_TEL_MARKS = re.compile(r"[\s().-]")
_TEL_COUNTRY = re.compile(r"^(?:\+|00)86")


def restates(text: str, cell: str) -> bool:
    """Whether a link's ``text`` (its address, the text it shows or its screen tip) only
    restates ``cell``, the text of the cell it is on: that text itself, or that text behind
    the scheme that makes it an address — ``mailto:`` + the e-mail address (as Excel links a
    typed one; percent-escapes read), ``tel:`` + the phone number (RFC 3966 separators,
    blanks and a ``+86`` aside), ``http://`` / ``https://`` + a web address (a closing
    ``/`` aside: Excel links ``www.…`` so). Anything more (a query, a subject, ``拨打 …``)
    is not a restatement: that text is read, and the scan compares what it finds in it with
    the cell's findings."""
    t, c = text.strip(), cell.strip()
    if not c:
        return False
    if t == c:
        return True
    scheme, colon, rest = t.partition(":")
    scheme = scheme.lower()
    if not colon or not rest:
        return False
    if scheme == "mailto":
        return unquote(rest) == c
    if scheme == "tel":
        number = _TEL_COUNTRY.sub("", _TEL_MARKS.sub("", unquote(rest)))
        return number == _TEL_COUNTRY.sub("", _TEL_MARKS.sub("", c))
    if scheme in ("http", "https"):
        site = t.rstrip("/")
        return c.rstrip("/") in (site, site.partition("://")[2])
    return False


def filter_values(xml: bytes) -> list[tuple[int, str]]:
    """The values each filter in ``xml`` (a sheet's kept tail, or a table part) selects —
    a customer's name or phone once a list was filtered by it, kept with the file — as
    (0-based column of the sheet, text), in the file's order; ``*`` and ``?`` of a custom
    filter kept."""
    out: list[tuple[int, str]] = []
    for block in _AUTO_FILTER.finditer(xml):
        first = cell_of(_attributes(block.group(1)).get("ref", ""))
        if first is None:
            continue
        for column in _FILTER_COLUMN.finditer(block.group(2) or b""):
            col_id = _attributes(column.group(1)).get("colId", "")
            if not col_id.isdigit():
                continue
            for value in _FILTER_VALUE.finditer(column.group(2) or b""):
                text = _attributes(value.group(1)).get("val")
                if text and not text.isspace():
                    out.append((first[1] + int(col_id), text))
    return out


def formula_strings(formula: str) -> list[str]:
    """The text literals of a formula (``SEARCH("张伟",A2)`` → ``张伟``), as openpyxl's
    tokenizer parses it; none for a formula it cannot parse."""
    from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

    try:
        tokens = Tokenizer("=" + formula).items
    except (TokenizerError, ValueError, IndexError):
        return []
    return [
        literal_text(t.value)
        for t in tokens
        if t.type == Token.OPERAND and t.subtype == Token.TEXT and literal_text(t.value).strip()
    ]


def conditional_texts(tail: bytes) -> list[tuple[str, str]]:
    """(column, text) of each text of a sheet's conditional formats (a customer's row
    highlighted by the name or phone the rule looks for): a rule's ``text``
    (:data:`CONDITIONAL_TEXT`), then the text literals of its formulas
    (:data:`CONDITIONAL_FORMULA`), in the file's order."""
    out: list[tuple[str, str]] = []
    for rule in _CF_RULE.finditer(tail):
        text = _attributes(rule.group(1)).get("text")
        if text and not text.isspace():
            out.append((CONDITIONAL_TEXT, text))
        for formula in _CF_FORMULA.finditer(rule.group(2) or b""):
            out += [(CONDITIONAL_FORMULA, s) for s in formula_strings(_text(formula.group(1)))]
    return out


def validations(tail: bytes) -> list[list[tuple[str, str]]]:
    """The texts of each data validation of a sheet's kept tail that has any: [(column,
    text)] in :data:`VALIDATION_COLUMNS` order."""
    out = []
    for m in _TAG.finditer(tail):
        if m.group(1) != b"dataValidation":
            continue
        values = _attributes(m.group(2))
        for f in _FORMULA.finditer(m.group(4) or b""):
            values[f.group(1).decode()] = _text(f.group(2))
        texts = [
            (column, text)
            for name, column in VALIDATION_COLUMNS
            if (text := values.get(name) or "") and not text.isspace()
        ]
        if texts:
            out.append(texts)
    return out


# --- relationships and the workbook part ------------------------------------------------


def relationships(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str, bool]]:
    """(id, type, target, external) of ``part``'s relationships (none without a rels part):
    an internal target as the part's name in the zip, an external one as written."""
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    try:
        root = fromstring(zf.read(name))
    except KeyError:
        return []
    out = []
    for rel in root:
        if _local(rel.tag) != "Relationship":
            continue
        target = rel.get("Target") or ""
        external = rel.get("TargetMode") == "External"
        if not external:
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
        out.append((rel.get("Id") or "", rel.get("Type") or "", target, external))
    return out


def link_targets(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A worksheet's external relationships: id → address (a hyperlink's)."""
    return {i: t for i, kind, t, ext in relationships(zf, part) if ext}


def r_id(node: Element) -> str:
    for key, value in node.attrib.items():
        if _local(key) == "id" and key.startswith("{"):
            return value
    return ""


@dataclass(frozen=True, slots=True)
class BookXml:
    """``xl/workbook.xml`` (or the part the package names), parsed once."""

    part: str
    root: Element

    def targets(self, zf: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
        return {i: (kind, t) for i, kind, t, _ in relationships(zf, self.part)}


def book_xml(zf: zipfile.ZipFile) -> BookXml:
    part = next(
        (t for _, kind, t, ext in relationships(zf, "") if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    return BookXml(part, fromstring(zf.read(part)))


def recalculated_on_load(book: BookXml) -> bool:
    """Whether the workbook asks to be recalculated when it is opened (``<calcPr
    fullCalcOnLoad="1">``): its writer did not compute its formulas, so a formula cell's cached
    value is a placeholder — XlsxWriter caches ``0`` for every formula and sets this flag;
    openpyxl sets it and caches nothing. Excel writes no such flag (it computed the values)."""
    calc = next((node for node in book.root if _local(node.tag) == "calcPr"), None)
    if calc is None:
        return False
    flag = next((v for k, v in calc.attrib.items() if _local(k) == "fullCalcOnLoad"), None)
    return flag in ("1", "true")


# --- defined names -------------------------------------------------------------------------

_STRING = r'"(?:[^"]|"")*"'
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_LITERAL = re.compile(rf"{_STRING}|{_NUMBER}|TRUE|FALSE|#N/A", re.IGNORECASE)
_CONSTANT = re.compile(rf"\s*=?\s*(?:({_STRING}|{_NUMBER})|(\{{[^{{}}]*\}}))\s*", re.IGNORECASE)
_ARRAY_ITEM = re.compile(rf"\s*(?:{_LITERAL.pattern})\s*", re.IGNORECASE)


def constant_literals(value: str) -> list[tuple[int, int]] | None:
    """The (start, end) of each string or number literal of a defined name's value when it is
    a constant — a string (``"13812345678"``, ``="张三"``), a number, or an array of them
    (``{"a","b";1,2}``) — else ``None`` (a reference such as ``Sheet1!$A$1``, a formula).
    A string literal's span includes its quotes."""
    m = _CONSTANT.fullmatch(value)
    if m is None:
        return None
    if m.group(1) is not None:
        return [m.span(1)]
    start, end = m.span(2)
    spans, at = [], start + 1
    for piece in re.split(r"([,;])", value[start + 1 : end - 1]):
        if piece in (",", ";"):
            at += 1
            continue
        item = _ARRAY_ITEM.fullmatch(piece)
        if item is None:
            return None  # a comma inside a string: read as a whole below
        lit = _LITERAL.search(piece)
        if lit is not None and lit.group().upper() not in ("TRUE", "FALSE", "#N/A"):
            spans.append((at + lit.start(), at + lit.end()))
        at += len(piece)
    return spans


def literal_text(literal: str) -> str:
    """A literal's text: a string's without its quotes (``""`` read as ``"``)."""
    if literal.startswith('"'):
        return literal[1:-1].replace('""', '"')
    return literal


@dataclass(frozen=True, slots=True)
class Name:
    """A defined name with a constant value: its column (``定义名称：回访号码``, a sheet's
    own name ``定义名称：客户!回访号码``) and its value as written."""

    column: str
    text: str


def defined_names(book: BookXml, sheets: list[str]) -> list[Name]:
    """The defined names of the workbook whose value is a constant (:func:`constant_literals`),
    in the file's order; ``sheets``: the sheets' names in order (a local name's scope)."""
    out = []
    for node in book.root.iter():
        if _local(node.tag) != "definedName":
            continue
        value, name = node.text or "", node.get("name") or ""
        if not value.strip() or constant_literals(value) is None:
            continue
        scope = node.get("localSheetId")
        if scope is not None and scope.isdigit() and int(scope) < len(sheets):
            name = f"{sheets[int(scope)]}!{name}"
        out.append(Name(NAME_COLUMN.format(name), value))
    return out


# --- charts ----------------------------------------------------------------------------


def content_types(zf: zipfile.ZipFile) -> dict[str, str]:
    """The parts ``[Content_Types].xml`` declares one by one: part name → content type."""
    try:
        root = fromstring(zf.read("[Content_Types].xml"))
    except KeyError:
        return {}
    return {
        (node.get("PartName") or "").lstrip("/"): node.get("ContentType") or ""
        for node in root
        if _local(node.tag) == "Override"
    }


def charts_of(zf: zipfile.ZipFile, part: str) -> list[str]:
    """The chart parts of a worksheet's or chart sheet's drawings, in the drawings' order."""
    out = []
    for _, kind, drawing, ext in relationships(zf, part):
        if ext or not kind.endswith("/drawing"):
            continue
        charts = {i: t for i, k, t, x in relationships(zf, drawing) if k.endswith("/chart")}
        for node in fromstring(zf.read(drawing)).iter():
            if _local(node.tag) == "chart" and (target := charts.get(r_id(node))):
                out.append(target)
    return out


def chart_texts(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str]]:
    """(column, text) of each text of a chart, in its XML's order: titles' and labels' runs
    (``图表：标题``, ``图表：文字``) and cached strings — series names (``图表：系列``),
    category labels (``图表：类别``), other data (``图表：数据``) — the texts protect's
    ``charts.py`` protects."""
    out: list[tuple[str, str]] = []
    path: list[str] = []
    with open_part(zf, part) as stream:
        for event, node in iterparse(stream, events=("start", "end")):
            name = _local(node.tag)
            if event == "start":
                path.append(name)
                continue
            path.pop()
            text = node.text or ""
            if text.strip() and (column := chart_column(node.tag, path)) is not None:
                out.append((column, text))
    return out


def chart_column(tag: str, parents: list[str]) -> str | None:
    """The column a chart's text element ``tag`` (its ancestors' local names ``parents``) is
    read under (:func:`chart_texts`), or ``None`` for an element that holds no text of it."""
    if not _is_text(tag, parents):
        return None
    return CHART_COLUMN.format(_chart_label(_local(tag), parents))


_DRAWING_MAIN = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _is_text(tag: str, parents: list[str]) -> bool:
    if tag == _DRAWING_MAIN + "t":
        return True
    return (
        _local(tag) == "v"
        and len(parents) >= 2
        and parents[-1] == "pt"
        and (parents[-2] in ("strCache", "strLit", "lvl"))
    )


def _chart_label(name: str, parents: list[str]) -> str:
    if name == "t":
        return "标题" if "title" in parents else "文字"
    if "cat" in parents:
        return "类别"
    if "tx" in parents:
        return "系列"
    return "数据"


# --- pivot caches ----------------------------------------------------------------------


def book_parts(zf: zipfile.ZipFile, book: BookXml, tag: str) -> list[str]:
    """The parts the workbook lists in its elements ``tag`` (``pivotCache``: the pivot cache
    definitions; ``externalReference``: the external links), in its order."""
    ids = [r_id(n) for n in book.root.iter() if _local(n.tag) == tag]
    if not ids:
        return []
    targets = book.targets(zf)
    return [targets[i][1] for i in ids if i in targets]


def written_number(raw: str) -> str:
    """A cached number as protect reads it (``13812345678``, ``1.5``): through a float; a text
    that is no number, as it is."""
    try:
        value = float(raw)
    except ValueError:
        return raw
    return str(int(value)) if value.is_integer() else str(value)


def _value(node: Element) -> str | None:
    kind, raw = _local(node.tag), node.get("v")
    if raw is None or kind not in ("s", "n"):
        return None
    text = raw if kind == "s" else written_number(raw)
    return text if text.strip() else None


def pivot_values(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[str, int, str]]:
    """(field name, place, text) of each text or number of a pivot cache, as protect's
    ``pivots.py`` reads them: each field's shared items, then the records' inline values;
    ``place`` counts a field's values in that order."""
    names: list[str] = []
    shared: list[list[str]] = []
    with open_part(zf, part) as stream:
        definition = fromstring(stream.read())
    for node in definition.iter():
        if _local(node.tag) != "cacheField":
            continue
        names.append(node.get("name") or f"column_{len(names) + 1}")
        items = next((c for c in node if _local(c.tag) == "sharedItems"), None)
        shared.append([t for c in (items if items is not None else ()) if (t := _value(c))])
    for field, values in enumerate(shared):
        for place, text in enumerate(values):
            yield names[field], place, text
    count = [len(v) for v in shared]
    for _, kind, records, ext in relationships(zf, part):
        if ext or not kind.endswith("/pivotCacheRecords"):
            continue
        with open_part(zf, records) as stream:
            for _, node in iterparse(stream, events=("end",)):
                if _local(node.tag) != "r":
                    continue
                for field, child in enumerate(node):
                    if field < len(names) and (value := _value(child)) is not None:
                        yield names[field], count[field], value
                        count[field] += 1
                node.clear()


# --- external links --------------------------------------------------------------------


def external_values(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[str, int, str]]:
    """(sheet name, place, text) of each text or number an external link caches of the other
    workbook's cells (``<sheetDataSet>``: what Excel shows in the formulas that read it until
    the link is updated), as protect's ``external_links.py`` reads them; ``place`` counts a
    sheet's values in the part's order. Errors and logical values are not read."""
    with open_part(zf, part) as stream:
        root = fromstring(stream.read())
    names = [n.get("val") or "" for n in root.iter() if _local(n.tag) == "sheetName"]
    for data in (n for n in root.iter() if _local(n.tag) == "sheetData"):
        index = int(data.get("sheetId") or 0)
        sheet = names[index] if 0 <= index < len(names) else f"sheet_{index + 1}"
        place = 0
        for cell in (n for n in data.iter() if _local(n.tag) == "cell"):
            value = next((c.text for c in cell if _local(c.tag) == "v"), None)
            kind = cell.get("t") or "n"
            if value is None or kind in ("e", "b") or not value.strip():
                continue
            yield sheet, place, written_number(value) if kind == "n" else value
            place += 1


# --- embedded objects ------------------------------------------------------------------


def embedded_objects(zf: zipfile.ZipFile) -> list[str]:
    """The embedded objects' parts (``xl/embeddings/…``: a Word file, a workbook, an OLE
    object), from the zip's directory: nothing is inflated."""
    return sorted(n for n in zf.namelist() if n.startswith(EMBEDDINGS) and not n.endswith("/"))
