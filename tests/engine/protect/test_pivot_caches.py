"""A pivot table's cache (``xl/pivotCache/``) is a copy of its source data: protect left it as
it was, so a package whose sheets were masked still listed every customer's name and mobile
(found by a QA pass; ``--verify`` passed). Generated data only."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

from .conftest import make_mobile, protect_verified


def pivot_workbook(path: Path, names: list[str], mobiles: list[str], notes: list[str]) -> None:
    """A data sheet and a pivot of it by name; the cache shares the names (``sharedItems``)
    and holds the mobiles (as numbers, as Excel stores a typed mobile) and the notes inline in
    its records; refreshed by a person."""
    from openpyxl import Workbook
    from openpyxl.pivot.cache import (
        CacheDefinition,
        CacheField,
        CacheSource,
        SharedItems,
        WorksheetSource,
    )
    from openpyxl.pivot.fields import Index, Number, Text
    from openpyxl.pivot.record import Record, RecordList
    from openpyxl.pivot.table import (
        DataField,
        FieldItem,
        Location,
        PivotField,
        RowColField,
        RowColItem,
        TableDefinition,
    )

    n = len(names)
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "数据"
    ws.append(["姓名", "手机", "备注", "金额"])
    for row in zip(names, mobiles, notes, strict=True):
        ws.append([row[0], int(row[1]), row[2], 100])
    numbers = SharedItems(containsNumber=True, containsSemiMixedTypes=False, containsString=False)
    cache = CacheDefinition(
        cacheSource=CacheSource(
            type="worksheet", worksheetSource=WorksheetSource(ref=f"A1:D{n + 1}", sheet="数据")
        ),
        cacheFields=[
            CacheField(name="姓名", sharedItems=SharedItems(_fields=[Text(v=x) for x in names])),
            CacheField(name="手机", sharedItems=numbers),
            CacheField(name="备注", sharedItems=SharedItems()),
            CacheField(name="金额", sharedItems=numbers),
        ],
        recordCount=n,
        refreshedBy="王建华",
    )
    cache.records = RecordList(
        r=[
            Record(_fields=[Index(v=i), Number(v=int(m)), Text(v=note), Number(v=100)])
            for i, (m, note) in enumerate(zip(mobiles, notes, strict=True))
        ]
    )
    cache.cacheId = 1
    pivot = TableDefinition(
        name="数据透视表1",
        cacheId=1,
        dataCaption="值",
        location=Location(ref=f"A3:B{4 + n}", firstHeaderRow=1, firstDataRow=1, firstDataCol=1),
        pivotFields=[
            PivotField(
                axis="axisRow",
                showAll=False,
                items=[FieldItem(x=i) for i in range(n)] + [FieldItem(t="default")],
            ),
            PivotField(showAll=False),
            PivotField(showAll=False),
            PivotField(dataField=True, showAll=False),
        ],
        rowFields=[RowColField(x=0)],
        rowItems=[RowColItem(x=[Index(v=i)]) for i in range(n)],
        dataFields=[DataField(name="求和项:金额", fld=3, baseField=0, baseItem=0)],
    )
    pivot.cache = cache
    summary: Any = wb.create_sheet("透视")
    summary._pivots.append(pivot)
    wb.save(path)


def test_pivot_cache_values_are_protected(tmp_path: Path) -> None:
    import openpyxl

    rng = random.Random(71)
    names = ["张伟明", "李秀英", "赵建国"]
    mobiles = [make_mobile(rng) for _ in names]
    notes = [f"回电{make_mobile(rng)}" for _ in names]
    src = tmp_path / "in"
    src.mkdir()
    pivot_workbook(src / "统计.xlsx", names, mobiles, notes)
    with zipfile.ZipFile(src / "统计.xlsx") as z:
        cache = "".join(z.read(n).decode() for n in z.namelist() if "pivotCache" in n)
    assert all(v in cache for v in [*names, *mobiles, "王建华"])  # the copy protect must reach

    result = protect_verified(src, tmp_path / "out")

    with zipfile.ZipFile(tmp_path / "out" / "统计.xlsx") as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    left = [v for v in [*names, *mobiles, *(n[2:] for n in notes), "王建华"] if v in text]
    assert left == []
    # the pivot still reads its cache: same fields, shared names by index, one record each
    wb = openpyxl.load_workbook(tmp_path / "out" / "统计.xlsx")
    out = wb["透视"]._pivots[0].cache  # type: ignore[attr-defined]
    assert [f.name for f in out.cacheFields] == ["姓名", "手机", "备注", "金额"]
    assert len(out.cacheFields[0].sharedItems._fields) == len(names)
    assert [r._fields[0].v for r in out.records.r] == [0, 1, 2]
    assert out.cacheFields[1].sharedItems.maxValue is None  # would show a mobile
    assert [r._fields[3].v for r in out.records.r] == [100, 100, 100]  # amounts untouched
    # three names, three mobiles, three notes
    changed = {f.path: f.extras_changed for f in result.manifest.files}
    assert changed == {"统计.xlsx": 9}
