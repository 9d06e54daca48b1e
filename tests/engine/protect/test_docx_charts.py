"""A Word file's chart (Insert → Chart) keeps the texts it shows — customers' names as
category labels, a phone in its title — in its own part, and its data in a workbook embedded
in the file. The scan read neither and protect shipped both. The scan now reads the chart's
texts (``图表：类别`` …, as a workbook's) and names the workbook; protect protects the texts
and leaves the workbook out (``embedded_left_out``), and Word draws the chart from its texts."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree
from openpyxl import Workbook

from baomi.engine.scan import ScanOptions, scan_paths

from .conftest import make_mobile, protect_verified

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NAMES = ["张伟明", "李秀英", "赵建国"]
DATA = "word/embeddings/Microsoft_Excel_Worksheet.xlsx"


def chart_docx(path: Path, mobile: str, tmp: Path) -> None:
    """A report with a bar chart of payments by customer, as Word writes one: the chart part
    (title, series name, category labels and values cached) and its workbook of data."""
    wb = Workbook()
    wb.active.append(["客户", "回款"])  # type: ignore[union-attr]
    wb.save(tmp / "data.xlsx")
    document = docx.Document()
    document.add_paragraph("客户回款情况：")
    pts = "".join(f'<c:pt idx="{i}"><c:v>{n}</c:v></c:pt>' for i, n in enumerate(NAMES))
    values = "".join(f'<c:pt idx="{i}"><c:v>{100 * (i + 1)}</c:v></c:pt>' for i in range(3))
    xml = (
        f'<c:chartSpace xmlns:c="{C}"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        "<c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r>"
        f"<a:t>回访 {mobile}</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea>"
        '<c:barChart><c:barDir val="col"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        '<c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:ptCount val="1"/>'
        '<c:pt idx="0"><c:v>回款</c:v></c:pt></c:strCache></c:strRef></c:tx>'
        '<c:cat><c:strRef><c:f>Sheet1!$A$2:$A$4</c:f><c:strCache><c:ptCount val="3"/>'
        f"{pts}</c:strCache></c:strRef></c:cat>"
        '<c:val><c:numRef><c:f>Sheet1!$B$2:$B$4</c:f><c:numCache><c:ptCount val="3"/>'
        f"{values}</c:numCache></c:numRef></c:val></c:ser></c:barChart></c:plotArea>"
        '</c:chart><c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData>'
        "</c:chartSpace>"
    ).encode()
    package = document.part.package
    chart = Part(
        PackURI("/word/charts/chart1.xml"),
        "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
        xml,
        package,
    )
    data = Part(
        PackURI("/" + DATA),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (tmp / "data.xlsx").read_bytes(),
        package,
    )
    assert chart.relate_to(data, RT.PACKAGE) == "rId1"
    rid = document.part.relate_to(chart, RT.CHART)
    document.add_paragraph().add_run()._r.append(
        etree.fromstring(
            '<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
            ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
            ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
            f' xmlns:c="{C}"'
            ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<wp:inline><wp:extent cx="5486400" cy="3200400"/><wp:docPr id="1" name="图表 1"/>'
            f'<a:graphic><a:graphicData uri="{C}"><c:chart r:id="{rid}"/></a:graphicData>'
            "</a:graphic></wp:inline></w:drawing>"
        )
    )
    document.save(str(path))


def test_a_word_charts_texts_are_protected_and_its_workbook_left_out(tmp_path: Path) -> None:
    mobile = make_mobile(random.Random(47))
    src = tmp_path / "in"
    src.mkdir()
    chart_docx(src / "报告.docx", mobile, tmp_path)

    result = scan_paths([src], out_dir=tmp_path / "scan", options=ScanOptions(prose=True))
    lines = (tmp_path / "scan" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    found = sorted((f["column"], f["entity"]) for f in map(json.loads, lines))
    assert found == [("图表：标题", "CN_MOBILE")] + [("图表：类别", "PERSON_NAME")] * 3
    (entry,) = result.inventory.files
    assert any(DATA in e for e in entry.errors)  # the workbook: named, not read

    out = protect_verified(src, tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / "报告.docx") as z:
        names = z.namelist()
        chart = z.read("word/charts/chart1.xml").decode()
    assert DATA not in names and "externalData" not in chart
    assert not [v for v in [mobile, *NAMES] if v in chart]
    assert "回款" in chart and "<c:v>300</c:v>" in chart  # the rest of the chart kept
    (written,) = out.manifest.files
    assert written.embedded_left_out == (DATA,)
    assert written.extras_changed == 4
