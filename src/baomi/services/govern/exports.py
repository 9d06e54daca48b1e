"""Every governance list exportable: a :class:`~baomi.services.comply.reports.model.Table` as
CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese; cells that a spreadsheet would
run as a formula are quoted) or as an XLSX workbook (the reports' renderer). One module for
training, audits, the RACI table, surveys and policies."""

from __future__ import annotations

import csv
import io
from enum import StrEnum

from baomi.i18n import current_language
from baomi.services.comply.reports.model import Report, Section, Table, stamp
from baomi.services.comply.reports.render import render_xlsx


class ListFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES: dict[ListFormat, str] = {
    ListFormat.CSV: "text/csv; charset=utf-8",
    ListFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: the same by the format's name (``"csv"``, ``"xlsx"``)
MEDIA: dict[str, str] = {f.value: m for f, m in MEDIA_TYPES.items()}

#: a cell a spreadsheet would read as a formula starts with one of these (CSV injection)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(c) for c in table.columns])
    writer.writerows([_cell(c) for c in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(kind: str, table: Table) -> bytes:
    report = Report(
        kind=kind,
        title=table.title,
        subject=table.title,
        generated_at=stamp(),
        lang=current_language(),
        sections=(Section(table.title, tables=(table,)),),
    )
    return render_xlsx(report)


def export(kind: str, table: Table, fmt: ListFormat | str) -> bytes:
    """``table`` as ``fmt`` (``csv`` | ``xlsx``); ``kind`` names the workbook's report."""
    return csv_bytes(table) if ListFormat(fmt) is ListFormat.CSV else xlsx_bytes(kind, table)
