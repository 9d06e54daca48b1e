"""A workbook's chart keeps its title and cached copies of the cells it plots (category labels,
series names) in its own XML, which openpyxl writes back: protect left them as they were, so a
package whose sheets were masked still named the customers in the chart (a QA pass). Generated
data only."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

from .conftest import make_mobile, protect_verified


def test_chart_titles_and_cached_labels_are_protected(tmp_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrData, StrRef, StrVal

    rng = random.Random(91)
    mobile = make_mobile(rng)
    names = ["张伟明", "李秀英", "赵建国"]
    src = tmp_path / "in"
    src.mkdir()
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "客户"
    ws.append(["姓名", "消费"])
    for i, name in enumerate(names):
        ws.append([name, 100 + i])
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
