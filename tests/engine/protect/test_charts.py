"""A workbook's chart keeps its title and cached copies of the cells it plots (category labels,
series names) in its own XML, which openpyxl writes back: protect left them as they were, so a
package whose sheets were masked still named the customers in the chart (a QA pass). Generated
data only."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

from .conftest import customer_sheet, make_mobile, protect_verified


def test_chart_titles_and_cached_labels_are_protected(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrData, StrRef, StrVal

    rng = random.Random(91)
    mobile = make_mobile(rng)
    names = ["张伟明", "李秀英", "赵建国"]
    src = tmp_path / "in"
    src.mkdir()
    wb, ws = customer_sheet(["姓名", "消费"], *([n, 100 + i] for i, n in enumerate(names)))
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.title = f"{names[0]}（{mobile}）的消费"
    cache = StrData(ptCount=3, pt=[StrVal(idx=i, v=n) for i, n in enumerate(names)])
    chart.series[0].cat = AxDataSource(strRef=StrRef(f="'客户'!$A$2:$A$4", strCache=cache))
    ws.add_chart(chart, "D2")
    wb.save(src / "排行.xlsx")
    with zipfile.ZipFile(src / "排行.xlsx") as z:
        assert names[1] in z.read("xl/charts/chart1.xml").decode()

    result = protect_verified(src, tmp_path / "out")

    with zipfile.ZipFile(tmp_path / "out" / "排行.xlsx") as z:
        text = z.read("xl/charts/chart1.xml").decode()
    assert [v for v in [*names, mobile] if v in text] == []
    assert "的消费" in text and "'客户'!$A$2:$A$4" in text  # still the chart of those cells
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"排行.xlsx": 4}  # the title and three cached names


def test_a_chart_sheets_chart_is_protected(tmp_path: Path) -> None:
    """A chart on a chart sheet of its own (Excel's "Move Chart → New sheet") kept its title
    and labels: protect read only the worksheets' charts."""
    from openpyxl.chart import BarChart, Reference

    rng = random.Random(92)
    mobile = make_mobile(rng)
    src = tmp_path / "in"
    src.mkdir()
    wb, ws = customer_sheet(["姓名", "消费"], ["张伟明", 100])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    chart.title = f"回访 {mobile}"
    wb.create_chartsheet("图").add_chart(chart)
    wb.save(src / "图表.xlsx")

    result = protect_verified(src, tmp_path / "out")

    with zipfile.ZipFile(tmp_path / "out" / "图表.xlsx") as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if "chart" in n)
    assert mobile not in text and "回访" in text
    assert {f.path: f.extras_changed for f in result.manifest.files} == {"图表.xlsx": 1}
