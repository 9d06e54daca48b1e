"""Every governance list as a download: CSV (UTF-8 with BOM, so spreadsheet programs in China
open it right) or XLSX (the reports' renderer), from one :class:`Table`."""

from __future__ import annotations

import csv
import io
from enum import StrEnum

from baomi.i18n import current_language
from baomi.services.comply.reports.model import Report, Section, Table
from baomi.services.comply.reports.render import render_xlsx
from baomi.services.vault import now


class ListFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES: dict[ListFormat, str] = {
    ListFormat.CSV: "text/csv; charset=utf-8",
    ListFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def to_csv(table: Table) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(kind: str, table: Table) -> bytes:
    report = Report(
        kind=kind,
        title=table.title,
        subject=table.title,
        generated_at=now(),
        lang=current_language(),
        sections=(Section(heading=table.title, tables=(table,)),),
    )
    return render_xlsx(report)


def export(kind: str, table: Table, fmt: ListFormat) -> bytes:
    """``table`` as a file in ``fmt``; ``kind`` names the workbook's report (``audit-findings``)."""
    return to_csv(table) if fmt is ListFormat.CSV else to_xlsx(kind, table)
