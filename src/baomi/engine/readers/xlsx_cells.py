"""The texts of some cells of a worksheet, read again from its XML after its rows: the cells
a hyperlink is on, whose text the link may only restate (``mailto:`` + the e-mail address
Excel linked: :func:`.xlsx_parts.restates`).

openpyxl's read-only rows carry no hyperlink (the ``<hyperlinks>`` element follows the rows in
the XML), and keeping every cell's text in case a link names it would cost the memory the
streaming read saves. So, for a sheet with links on its data rows only, the sheet's XML is
inflated once more and searched with one regular expression for the cells of the linked
columns (the others are skipped in C); each cell found is parsed by the caller's ``read``
(openpyxl's own cell parser, so its text is the one the rows gave).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Collection
from xml.etree.ElementTree import Element, ParseError

from baomi.engine.readers.xlsx_parts import open_part
from baomi.engine.readers.xml_parts import fromstring

#: the namespace of a worksheet's cells (SpreadsheetML), declared around the cells found
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: a row longer than this in the XML stops the search (its cells' links count as before)
MAX_ROW_BYTES = 64 * 1024 * 1024
#: column letters spelled out in the search; more linked columns: any column, then filtered
MAX_LETTERS = 64
_CHUNK = 1 << 20
_SHEET_DATA = re.compile(rb"<(?:([\w.-]+):)?sheetData[\s/>]")

CellReader = Callable[[Element], str | None]


def _letters(col: int) -> str:
    """The letters of a 0-based column (``A``, ``AB``)."""
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def _index(letters: bytes) -> int:
    n = 0
    for c in letters.upper():
        n = n * 26 + c - 64
    return n - 1


def _pattern(prefix: bytes, columns: list[str]) -> re.Pattern[bytes]:
    """A cell element of one of ``columns`` (``<c r="B2" t="s"><v>3</v></c>``, self-closing
    too): its letters and row as groups."""
    tag = re.escape(prefix + b":") if prefix else b""
    letters = (
        b"|".join(c.encode("ascii") for c in columns)
        if len(columns) <= MAX_LETTERS
        else rb"[A-Za-z]{1,3}"
    )
    return re.compile(
        rb"<" + tag + rb"c\s[^>]*?\br\s*=\s*[\"'](" + letters + rb")(\d+)[\"']"
        rb"[^>]*?(?:/>|>.*?</" + tag + rb"c\s*>)",
        re.DOTALL,
    )


def cell_texts(
    zf: zipfile.ZipFile, part: str, cells: Collection[tuple[int, int]], read: CellReader
) -> dict[tuple[int, int], str]:
    """The text of each of ``cells`` ((Excel row, 0-based column)) of worksheet ``part`` that
    holds one, by ``read`` (a cell element's text as the rows read it). A cell the search
    does not find — none in the XML, a row over :data:`MAX_ROW_BYTES`, an element it cannot
    parse — is left out."""
    wanted = set(cells)
    out: dict[tuple[int, int], str] = {}
    if not wanted:
        return out
    columns = sorted(_letters(c) for c in {c for _, c in wanted})
    buf, prefix = b"", None
    pattern: re.Pattern[bytes] | None = None
    row_end = b""
    with open_part(zf, part) as stream:
        while len(out) < len(wanted):
            chunk = stream.read(_CHUNK)
            buf += chunk
            if prefix is None:
                m = _SHEET_DATA.search(buf)
                if m is None:
                    if not chunk:
                        break
                    buf = buf[-256:]  # a tag cut between two chunks
                    continue
                prefix, buf = m.group(1) or b"", buf[m.start() :]
                pattern = _pattern(prefix, columns)
                row_end = b"</" + (prefix + b":" if prefix else b"") + b"row"
            # whole rows only: a cell cut between two chunks is found in the next round
            cut = len(buf) if not chunk else buf.rfind(row_end)
            if cut < 0:
                if len(buf) > MAX_ROW_BYTES:
                    break
                continue
            assert pattern is not None
            _take(buf[:cut], pattern, prefix, wanted, read, out)
            buf = buf[cut:]
            if not chunk:
                break
    return out


def _take(
    data: bytes,
    pattern: re.Pattern[bytes],
    prefix: bytes,
    wanted: set[tuple[int, int]],
    read: CellReader,
    out: dict[tuple[int, int], str],
) -> None:
    """Add to ``out`` the texts of the ``wanted`` cells among whole rows ``data``."""
    found = []
    for m in pattern.finditer(data):
        at = (int(m.group(2)), _index(m.group(1)))
        if at in wanted:
            found.append((at, m.group()))
    if not found:
        return
    ns = b"xmlns" + (b":" + prefix if prefix else b"") + b'="' + MAIN_NS + b'"'
    for (at, _), node in zip(found, _parsed(ns, [e for _, e in found]), strict=True):
        if node is None:
            continue
        try:
            text = read(node)
        except (ValueError, TypeError, IndexError, KeyError, OverflowError):
            continue  # a value the rows' reader would not have given as this text
        if text is not None:
            out[at] = text


def _parsed(ns: bytes, elements: list[bytes]) -> list[Element | None]:
    """The cell elements parsed in the sheet's namespace, at once; one by one when one of
    them does not parse (that one ``None``)."""
    try:
        return list(fromstring(b"<cells " + ns + b">" + b"".join(elements) + b"</cells>"))
    except ParseError:
        pass
    nodes: list[Element | None] = []
    for element in elements:
        try:
            nodes.append(fromstring(b"<cells " + ns + b">" + element + b"</cells>")[0])
        except ParseError:
            nodes.append(None)
    return nodes
