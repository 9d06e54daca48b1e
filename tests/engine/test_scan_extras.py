"""What a workbook or a Word file holds beside its cells and paragraphs — cell comments, page
headers and footers, document properties — is scanned (protect protects it: ``labels.py``
``protect_extras``), addressed as docs/readers.md "Beside the cells" says, and a file without
any keeps the findings it had."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from baomi.engine.scan import ScanOptions, scan_paths
from baomi.engine.scan.locate import find, index_files
from tests.engine.recognizers.support import resident_id

#: generated identifiers (check characters computed): no real person's
ID = resident_id("11010519900307123")
ID2 = resident_id("31010419851120456")
MOBILE = "13912345678"
MOBILE2 = "18611112222"
AUTHOR = "王建国"
OPTIONS = ScanOptions(prose=False)


def _rows() -> list[list[Any]]:
    return [
        ["姓名", "手机", "备注"],
        ["张三", "13800138000", "老客户"],
        ["李四", "13700137000", "新客户"],
        ["赵六", "15900159000", None],
    ]


def plain_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    for row in _rows():
        ws.append(row)
    wb.save(path)
    return path


def noted_workbook(path: Path) -> Path:
    """The plain workbook with an ID in a data cell's comment, a mobile in a header cell's
    comment, a mobile in the page header and a name as the author."""
    plain_workbook(path)
    wb = load_workbook(path)
    ws = wb["客户"]
    ws["C3"].comment = Comment(f"身份证 {ID}", "审阅人")  # data row 1, 备注
    ws["B1"].comment = Comment(f"值班 {MOBILE2}", "审阅人")  # the header row
    ws.oddHeader.center.text = f"联系 {MOBILE}"
    ws.oddFooter.right.text = "第 &P 页"
    wb.properties.creator = AUTHOR
    wb.properties.title = f"客户名单 {ID2}"
    wb.save(path)
    return path


def findings(out: Path) -> list[dict[str, Any]]:
    text = (out / "findings.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def scan(root: Path, out: Path, **kw: Any) -> Any:
    return scan_paths([root], out_dir=out, options=OPTIONS, **kw)


def test_comments_headers_and_properties_of_a_workbook_are_found(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    noted_workbook(root / "客户.xlsx")
    result = scan(root, tmp_path / "out")
    found = findings(tmp_path / "out")
    at = {(f["sheet"], f["row"], f["column"], f["entity"]): f for f in found}
    # a data cell's comment: its cell's sheet and row, a column naming that cell's comment
    note = at[("客户", 1, "批注：备注", "CN_RESIDENT_ID")]
    assert (note["start"], note["end"]) == (4, 22)
    # the header row's comment: a row after the data (3 data rows: row 3)
    assert ("客户", 3, "批注：手机", "CN_MOBILE") in at
    # the page header: the next row after the data and the header row's comments
    head = at[("客户", 4, "页眉：中", "CN_MOBILE")]
    assert (head["start"], head["end"]) == (3, 14)
    # the document properties: no sheet, row 0, the property named
    assert (None, 0, "文档属性：作者", "PERSON_NAME") in at
    assert (None, 0, "文档属性：标题", "CN_RESIDENT_ID") in at
    # no value is written
    text = (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8")
    assert ID not in text and MOBILE not in text and AUTHOR not in text
    # the inventory counts them; the table's rows stay its rows
    inv = result.inventory
    (entry,) = inv.files
    assert entry.rows == 3 and inv.summary.rows == 3
    assert entry.sheets == ("客户",)
    columns = {(c.sheet, c.name): c for c in entry.columns}
    assert columns[("客户", "批注：备注")].entities == {"CN_RESIDENT_ID": 1}
    assert columns[("客户", "页眉：中")].entities == {"CN_MOBILE": 1}
    assert columns[(None, "文档属性：作者")].entities == {"PERSON_NAME": 1}
    assert inv.summary.entities["CN_RESIDENT_ID"] == 2
    assert not entry.errors


def test_a_workbook_without_extras_gives_the_findings_it_gave(tmp_path: Path) -> None:
    """The data rows' findings of the noted workbook are the plain workbook's, in the same
    order and before everything beside the cells."""
    for name, make in (("plain", plain_workbook), ("noted", noted_workbook)):
        root = tmp_path / name
        root.mkdir()
        make(root / "客户.xlsx")
        scan(root, tmp_path / f"out-{name}")
    plain = findings(tmp_path / "out-plain")
    noted = findings(tmp_path / "out-noted")
    assert plain and noted[: len(plain)] == plain
    extra = noted[len(plain) :]
    assert extra and all(
        f["column"].startswith(("批注", "页眉", "页脚", "文档属性")) for f in extra
    )


def test_a_comment_links_to_its_row(tmp_path: Path) -> None:
    """The ID in a row's comment is the same customer as the row's mobile: one individual
    more for the header comment and one each for the page header and the properties, none for
    the data row's comment."""
    root = tmp_path / "data"
    root.mkdir()
    plain_workbook(root / "p.xlsx")
    plain = scan(root, tmp_path / "p").inventory.summary.estimated_individuals
    (root / "p.xlsx").unlink()
    wb = load_workbook(plain_workbook(root / "n.xlsx"))
    wb["客户"]["C3"].comment = Comment(f"身份证 {ID}", "审阅人")
    wb.save(root / "n.xlsx")
    noted = scan(root, tmp_path / "n").inventory.summary.estimated_individuals
    assert noted == plain


def test_the_extras_of_a_docx_are_read(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    d = docx.Document()
    d.add_paragraph("正文")
    d.core_properties.author = AUTHOR
    d.core_properties.subject = f"回访 {MOBILE}"
    d.save(root / "c.docx")
    scan(root, tmp_path / "out")
    found = findings(tmp_path / "out")
    entities = {f["entity"] for f in found}
    assert {"PERSON_NAME", "CN_MOBILE"} <= entities
    assert all(f["column"] is None and f["row"] >= 1 for f in found)


def test_dask_gives_the_same_outputs_with_extras(tmp_path: Path) -> None:
    from baomi.engine.scan.distributed import DaskEngine, dask_client

    root = tmp_path / "data"
    root.mkdir()
    noted_workbook(root / "客户.xlsx")
    plain_workbook(root / "plain.xlsx")
    local = scan(root, tmp_path / "local")
    with dask_client(workers=2, processes=False) as client:
        dask = scan(root, tmp_path / "dask", engine=DaskEngine(client))
    for name in ("findings.jsonl",):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    strip = {"created"}
    a = {k: v for k, v in json.loads((tmp_path / "local" / "inventory.json").read_text()).items()}
    b = {k: v for k, v in json.loads((tmp_path / "dask" / "inventory.json").read_text()).items()}
    assert {k: v for k, v in a.items() if k not in strip} == {
        k: v for k, v in b.items() if k not in strip
    }
    assert dask.findings == local.findings


def test_subject_search_finds_an_identifier_in_a_comment(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    noted_workbook(root / "客户.xlsx")
    key = b"k" * 32
    index = index_files([root], key)
    (hit,) = find(index, "CN_RESIDENT_ID", ID, key)
    assert (hit.sheet, hit.row, hit.column) == ("客户", 1, "批注：备注")
    (head,) = find(index, "CN_MOBILE", MOBILE, key)
    assert (head.sheet, head.row, head.column) == ("客户", 4, "页眉：中")


def test_broken_comments_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    good = noted_workbook(tmp_path / "good.xlsx")
    broken = root / "客户.xlsx"
    rewrite_zip(
        good,
        broken,
        lambda name: "comment" in name and name.endswith(".xml"),
        lambda data: data[: len(data) // 2],
    )
    result = scan(root, tmp_path / "out")
    (entry,) = result.inventory.files
    assert any("批注" in e or "comment" in e for e in entry.errors)
    found = findings(tmp_path / "out")
    # the cells, the page header and the properties are still read
    assert {f["column"] for f in found} >= {"手机", "页眉：中", "文档属性：作者"}
    assert entry.rows == 3


def rewrite_zip(
    src: Path, dst: Path, which: Callable[[str], bool], how: Callable[[bytes], bytes]
) -> Path:
    """A copy of the zip ``src`` with the members ``which`` selects changed by ``how``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, how(data) if which(info.filename) else data)
    return dst


def test_a_comment_on_a_sheet_without_rows_is_read(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws["B2"].comment = Comment(f"回电 {MOBILE}", "")
    data = wb.create_sheet("客户")
    for row in _rows():
        data.append(row)
    wb.save(root / "w.xlsx")
    scan(root, tmp_path / "out")
    found = [f for f in findings(tmp_path / "out") if f["sheet"] == "说明"]
    assert [(f["row"], f["column"], f["entity"]) for f in found] == [
        (1, "批注：column_2", "CN_MOBILE")
    ]


def test_custom_properties_of_a_workbook_and_a_word_file_are_found(tmp_path: Path) -> None:
    """Custom properties (File → Properties → Custom: ``docProps/custom.xml``) are read after
    the fixed ones: a mobile typed as a string or as a number is found, in a workbook under
    ``文档属性：自定义：NAME``, in a Word file one row after the fixed properties' places."""
    from openpyxl.packaging.custom import IntProperty, StringProperty

    from baomi.engine.readers.properties import PROPERTIES

    root = tmp_path / "in"
    root.mkdir()
    path = plain_workbook(root / "w.xlsx")
    wb = load_workbook(path)
    wb.custom_doc_props.append(StringProperty(name="客户证件", value=f"证件 {ID}"))
    wb.custom_doc_props.append(IntProperty(name="回访电话", value=int(MOBILE)))
    wb.save(path)
    d = docx.Document()
    d.add_paragraph("甲方：示例有限公司。")
    d.save(tmp_path / "plain.docx")
    custom = custom_xml(("联系人", "lpwstr", f"手机 {MOBILE2}"))
    _with_custom_part(tmp_path / "plain.docx", root / "c.docx", custom)
    scan(root, tmp_path / "out")
    found = findings(tmp_path / "out")
    in_book = {(f["column"], f["entity"]) for f in found if f["file"] == "w.xlsx"}
    assert ("文档属性：自定义：客户证件", "CN_RESIDENT_ID") in in_book
    assert ("文档属性：自定义：回访电话", "CN_MOBILE") in in_book
    paragraphs = len(docx.Document(str(root / "c.docx")).paragraphs)
    in_doc = [f for f in found if f["file"] == "c.docx" and f["entity"] == "CN_MOBILE"]
    assert [f["row"] for f in in_doc] == [paragraphs + len(PROPERTIES)]


def custom_xml(*props: tuple[str, str, str]) -> str:
    """``docProps/custom.xml`` holding ``(name, vt type, text)`` properties, as Word writes it."""
    body = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{name}">'
        f"<vt:{kind}>{text}</vt:{kind}></property>"
        for pid, (name, kind, text) in enumerate(props, start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-'
        'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'docPropsVTypes">{body}</Properties>'
    )


def _with_custom_part(src: Path, dst: Path, custom: str) -> None:
    """``src`` with ``docProps/custom.xml`` added (declared in the content types and the
    package's relationships, as Word writes it)."""
    rel = (
        '<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
    )
    override = (
        '<Override PartName="/docProps/custom.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.custom-properties+xml"/>'
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as z:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            z.writestr(info, data)
        z.writestr("docProps/custom.xml", custom)
