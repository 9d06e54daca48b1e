from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from baomi.engine.contracts import codec
from baomi.engine.contracts.inventory import Inventory
from baomi.errors import PermissionDeniedError
from baomi.i18n import set_language
from baomi.services import deals
from baomi.services.comply.data import summarize
from baomi.services.comply.reports.inventory import deal_inventory_report, inventory_report
from baomi.services.comply.reports.model import ChartKind, Report, Tone
from baomi.services.comply.reports.render import render_html, render_json, render_pdf
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault
from tests.services.fakes import contract_inventory
from tests.vault_support import bank_card, mobile, operator, resident_id


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def _inventory() -> Inventory:
    data: dict[str, Any] = contract_inventory(Path("客户名单.csv"))
    data["files"][0]["columns"].append(
        {
            "name": "手机",
            "sheet": None,
            "mode": "entity",
            "entity": "CN_MOBILE",
            "entities": {"CN_MOBILE": 3},
            "category": "个人基本资料",
            "sensitive": False,
            "matches": 3,
            "non_empty": 3,
            "confidence": 1.0,
        }
    )
    data["files"][0]["entities"] = {"CN_RESIDENT_ID": 1, "CN_MOBILE": 3}
    data["skipped"] = [{"path": "坏文件.xlsx", "reason": "not a zip file"}]
    data["summary"].update(
        entities={"CN_RESIDENT_ID": 1, "CN_MOBILE": 3},
        distinct={"CN_RESIDENT_ID": 1, "CN_MOBILE": 2},
        files_skipped=1,
        minors=2,
        estimated_individuals=2,
    )
    return codec.from_dict(Inventory, data)


def _section(report: Report, heading: str) -> Any:
    return next(s for s in report.sections if s.heading == heading)


def test_a_scan_inventory_report_shows_figures_chart_categories_and_columns() -> None:
    report = inventory_report(_inventory(), "卖方数据", generated_at="2026-12-04T00:00:00Z")
    assert report.kind == "inventory" and report.subject == "卖方数据"
    figures = {f.label: f for f in report.summary}
    assert figures["个人数"].value == "2" and "精确" in figures["个人数"].note
    assert figures["不满十四周岁"].tone is Tone.WARN  # minors are sensitive PI (PIPL-28)
    assert figures["文件"].tone is Tone.WARN  # one file could not be read

    entities = _section(report, "实体分布")
    [chart] = entities.charts
    assert chart.kind is ChartKind.BAR
    assert chart.labels == ("手机号", "居民身份证号") and chart.values == (3.0, 1.0)
    [table] = entities.tables
    assert table.rows[1][:5] == ("居民身份证号", "CN_RESIDENT_ID", "个人身份信息", "是", "1")
    assert table.tones[1] is Tone.WARN

    categories = _section(report, "类别与敏感个人信息")
    assert {c.rule_id for c in categories.citations} == {"S35-A.1", "PIPL-28", "PIPL-31"}
    assert ("个人身份信息", "1", "是") in categories.tables[0].rows

    files = _section(report, "文件")
    assert files.tables[0].rows[0][0] == "客户名单.csv"
    assert files.tables[1].rows == (("坏文件.xlsx", "not a zip file"),)

    columns = _section(report, "逐列清单").tables[0].rows
    assert (
        "客户名单.csv",
        "",
        "身份证号",
        "整列识别",
        "居民身份证号",
        "个人身份信息",
        "是",
        "1 / 1",
    ) in columns
    assert not report.unconfirmed  # every rule it cites is settled


def test_english_report() -> None:
    set_language("en")
    report = inventory_report(_inventory(), "seller")
    assert report.lang == "en" and report.title == "Personal information inventory"
    assert _section(report, "Entity distribution").charts[0].labels[0] == "mobile number"


def test_the_english_report_names_categories_in_english() -> None:
    """The English inventory (the comply page, its PDF) named every category in Chinese — the
    entities' table, the categories' table and the columns' ("个人基本资料", "个人身份信息")."""
    set_language("en")
    report = inventory_report(_inventory(), "seller")
    (entities,) = _section(report, "Entity distribution").tables
    assert {row[2] for row in entities.rows} == {
        "basic personal data",
        "personal identity information",
    }
    (categories,) = _section(report, "Categories and sensitive PI").tables
    named = [row[0] for row in categories.rows]
    assert "personal identity information" in named and "basic personal data" in named
    sensitive = named.index("personal identity information")
    assert categories.tones[sensitive] is Tone.WARN  # still marked sensitive
    (columns,) = _section(report, "Columns").tables
    assert "basic personal data" in {row[5] for row in columns.rows}
    assert not any(
        "个人" in cell
        for table in (entities, categories, columns)
        for row in table.rows
        for cell in row
    )


def test_a_deal_summary_report_gives_both_bounds() -> None:
    data = summarize("d", [codec.to_dict(_inventory()), codec.to_dict(_inventory()), None])
    report = inventory_report(data, "交易")
    figures = {f.label: f for f in report.summary}
    assert figures["个人数（上限）"].value == "4" and "2（下限）" in figures["个人数（上限）"].note
    assert figures["文件"].value == "3" and figures["文件"].tone is Tone.WARN  # one not scanned
    assert [s.heading for s in report.sections] == ["实体分布", "类别与敏感个人信息"]


def test_a_deal_report_reads_its_documents_and_holds_no_raw_value(
    vault: Vault, tmp_path: Path
) -> None:
    ids, cards, phones = [resident_id(i) for i in (3, 4)], [bank_card(5)], [mobile(6)]
    src = tmp_path / "seller"
    src.mkdir()
    (src / "客户名单.csv").write_text(
        f"身份证号,手机\n{ids[0]},{phones[0]}\n{ids[1]},{phones[0]}\n", encoding="utf-8"
    )
    (src / "付款.csv").write_text(f"银行卡号\n{cards[0]}\n", encoding="utf-8")
    deals.create(vault, actor=operator(), name="星河")
    deals.add(vault, actor=operator(), deal_ref="星河", paths=[src])  # the real scanner
    report = deal_inventory_report(vault, actor=operator(), deal_ref="星河")
    assert report.subject == "星河"
    files = {row[0] for row in _section(report, "文件").tables[0].rows}
    assert files == {"客户名单.csv", "付款.csv"}
    labels = _section(report, "实体分布").charts[0].labels
    assert {"居民身份证号", "手机号", "银行卡号"} <= set(labels)
    outputs = (render_json(report), render_html(report))
    pdf = render_pdf(report)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for value in [*ids, *cards, *phones]:
        assert all(value not in out for out in (*outputs, text))
    assert "居民身份证号" in text and "客户名单.csv" in text
    assert json.loads(outputs[0])["kind"] == "inventory"


#: What a database scan writes about how it read (as ``baomi scan DB-URL`` words them in Chinese).
TABLE_NOTES = ["photo: 二进制列，未扫描", "无主键：按位置命名行，以服务器端游标读取"]
SCHEMA_NOTE = (
    "其他模式未读取：audit（2 个表或视图）。按名称读取加 --schema audit，全部读取加 --schema '*'"
)


def _database_inventory(path: Path = Path("x")) -> dict[str, Any]:
    """A database scan's inventory: a table read in full, with its notes, and the schemas the
    scan did not read."""
    data = contract_inventory(path)
    data["files"][0]["path"] = "db://127.0.0.1/crm/public.customers"
    data["files"][0]["notes"] = list(TABLE_NOTES)
    data["notes"] = [SCHEMA_NOTE]
    return data


def _pdf_text(report: Report) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report))).pages)


def test_a_database_scan_report_shows_the_notes_on_how_it_read() -> None:
    # the tables' notes (no primary key, a column left out) and the schemas not read were in
    # inventory.json and on the console, but not in the report
    report = inventory_report(codec.from_dict(Inventory, _database_inventory()), "客户库")
    notes = _section(report, "说明")
    assert SCHEMA_NOTE in notes.paragraphs
    (table,) = notes.tables
    assert table.columns == ("文件", "说明")
    assert table.rows == tuple(("db://127.0.0.1/crm/public.customers", n) for n in TABLE_NOTES)
    assert set(table.tones) == {Tone.NEUTRAL}  # information, not read failures
    assert _section(report, "文件").tables[0].rows[0][-1] == "完整"
    html = render_html(report)
    assert all(n in html for n in TABLE_NOTES) and "--schema audit" in html
    text = _pdf_text(report)
    assert "二进制列" in text and "无主键" in text and "--schema audit" in text


def test_the_notes_section_in_english_and_none_without_notes() -> None:
    set_language("en")
    report = inventory_report(codec.from_dict(Inventory, _database_inventory()), "crm")
    notes = _section(report, "Notes")
    assert notes.tables[0].columns == ("File", "Note")
    assert "how the tables were read" in notes.paragraphs[0]
    # written before the notes had codes: shown as the scan wrote them
    assert [row[1] for row in notes.tables[0].rows] == TABLE_NOTES
    assert SCHEMA_NOTE in notes.paragraphs
    assert "Notes" in _pdf_text(report)
    plain = inventory_report(_inventory(), "seller")
    assert "Notes" not in [s.heading for s in plain.sections]


def add_database_scan(
    vault: Vault, folder: Path, deal: str, scanner: Callable[[Path], dict[str, Any]]
) -> None:
    """A document added to ``deal`` with a database scan's inventory (``scanner``'s)."""
    (folder / "客户.csv").write_text("a\n1\n", encoding="utf-8")
    deals.add(vault, actor=operator(), deal_ref=deal, paths=[folder / "客户.csv"], scanner=scanner)


def test_a_deal_report_shows_its_documents_notes(vault: Vault, tmp_path: Path) -> None:
    deals.create(vault, actor=operator(), name="星河")
    add_database_scan(vault, tmp_path, "星河", _database_inventory)
    notes = _section(deal_inventory_report(vault, actor=operator(), deal_ref="星河"), "说明")
    assert SCHEMA_NOTE in notes.paragraphs
    assert [row[1] for row in notes.tables[0].rows] == TABLE_NOTES


def _coded_inventory(path: Path = Path("x")) -> dict[str, Any]:
    """A database scan's inventory as today's scan writes it, run in Chinese: the notes'
    words and, beside them, their codes."""
    data = _database_inventory(path)
    data["files"][0]["note_codes"] = [
        {"code": "binary_column", "column": "photo"},
        {"code": "no_primary_key"},
    ]
    data["note_codes"] = [{"code": "other_schemas", "schemas": {"audit": 2}}]
    return data


def test_a_deal_report_shows_its_documents_notes_in_the_readers_language(
    vault: Vault, tmp_path: Path
) -> None:
    deals.create(vault, actor=operator(), name="星河")
    add_database_scan(vault, tmp_path, "星河", _coded_inventory)
    set_language("en")
    notes = _section(deal_inventory_report(vault, actor=operator(), deal_ref="星河"), "Notes")
    assert [row[1] for row in notes.tables[0].rows] == [
        "photo: binary column, not scanned",
        "no primary key: rows are named by their position, read by a server-side cursor",
    ]
    assert notes.paragraphs[1] == (
        "other schemas were not read: audit (2 tables or views). Add --schema audit to read "
        "one by name, or --schema '*' for all"
    )
    set_language("zh")
    notes = _section(deal_inventory_report(vault, actor=operator(), deal_ref="星河"), "说明")
    assert [row[1] for row in notes.tables[0].rows] == TABLE_NOTES
    assert notes.paragraphs[1:] == (SCHEMA_NOTE,)


def test_the_buyer_gets_no_inventory_report(vault: Vault) -> None:
    deals.create(vault, actor=operator(), name="d")
    with pytest.raises(PermissionDeniedError):
        deal_inventory_report(vault, actor=Actor("b", Role.BUYER), deal_ref="d")


def _partly_read() -> Inventory:
    """A scan run in Chinese of a file read in part and a file not read: the texts in Chinese,
    the words in both beside them (as the scan writes them)."""
    data: dict[str, Any] = codec.to_dict(_inventory())
    data["files"][0]["errors"] = ["工作表“B”已损坏，未读取"]
    data["files"][0]["error_words"] = [
        {"zh": "工作表“B”已损坏，未读取", "en": "worksheet 'B' is corrupt and was not read"}
    ]
    data["skipped"] = [
        {
            "path": "坏文件.xlsx",
            "reason": "空文件",
            "reason_words": {"zh": "空文件", "en": "empty file"},
        }
    ]
    return codec.from_dict(Inventory, data)


def test_the_files_read_in_part_are_listed_with_what_was_not_read() -> None:
    files = _section(inventory_report(_partly_read(), "卖方数据"), "文件")
    partial, skipped = files.tables[1], files.tables[2]
    assert partial.title == "部分读取的文件" and partial.tones == (Tone.WARN,)
    assert partial.rows == (("客户名单.csv", "工作表“B”已损坏，未读取"),)
    assert skipped.rows == (("坏文件.xlsx", "空文件"),)


def test_what_was_not_read_is_in_the_readers_language() -> None:
    """A Chinese scan's errors and reasons were shown in Chinese in the English report."""
    set_language("en")
    files = _section(inventory_report(_partly_read(), "seller"), "Files")
    assert files.tables[1].rows == (("客户名单.csv", "worksheet 'B' is corrupt and was not read"),)
    assert files.tables[2].rows == (("坏文件.xlsx", "empty file"),)
