from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from PIL import ImageStat
from pypdf import PdfReader

from baomi.errors import InputError
from baomi.services.comply.reports.model import (
    Chart,
    ChartKind,
    Citation,
    Figure,
    Report,
    Section,
    Signature,
    Table,
    Tone,
    stamp,
)
from baomi.services.comply.reports.render import (
    ReportFormat,
    render_html,
    render_html_fragment,
    render_json,
    render_pdf,
    render_xlsx,
    stylesheet,
    write_report,
)


def _report(*, lang: str = "zh", draft: bool = True, subject: str = "星河科技转让") -> Report:
    citations = (Citation("PIPL-55", "LRB", "P"),) + (
        (Citation("S393-D3", "GB/T 39335 报批稿", "D", "风险矩阵"),) if draft else ()
    )
    return Report(
        kind="pia",
        title="个人信息保护影响评估报告",
        subject=subject,
        generated_at="2026-12-04T07:00:00+00:00",
        lang=lang,
        summary=(
            Figure("个人数", "12,345", Tone.WARN, "上限"),
            Figure("敏感个人信息个人数", "3,210", Tone.BAD),
        ),
        sections=(
            Section(
                "一、数据概况",
                paragraphs=("本交易涉及客户名单与订单。",),
                figures=(Figure("文件数", "7"),),
                charts=(
                    Chart(
                        ChartKind.BAR,
                        "实体分布",
                        labels=("手机号", "居民身份证号"),
                        values=(9000, 4500),
                    ),
                ),
                tables=(
                    Table(
                        ("文件", "列", "实体"),
                        (("客户名单.csv", "手机", "手机号"), ("订单.jsonl", "=1+1", "电子邮箱")),
                        title="逐列清单",
                        tones=(Tone.BAD,),
                    ),
                ),
                citations=citations,
            ),
            Section(
                "二、风险评估",
                charts=(
                    Chart(
                        ChartKind.HEATMAP,
                        "风险热力图",
                        rows=("高", "低"),
                        columns=("低", "高"),
                        cells=((1, 4), (6, 0)),
                        x_title="可能性",
                        y_title="影响",
                    ),
                ),
            ),
        ),
        signatures=(Signature("个人信息保护负责人", "张三"),),
        retention="至少保存 3 年（PIPL-56）",
    )


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(_report())


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_holds_the_chinese_headings_figures_and_page_numbers(pdf: bytes) -> None:
    text = _pdf_text(pdf)
    for expected in (
        "个人信息保护影响评估报告",
        "一、数据概况",
        "二、风险评估",
        "12,345",
        "3,210",
        "客户名单.csv",
        "个人信息保护负责人",
        "至少保存 3 年",
        "第 1 页",
    ):
        assert expected in text, expected
    # the charts' labels are drawn as text too
    assert "实体分布" in text and "9,000" in text


def test_pdf_says_which_rules_are_unconfirmed(pdf: bytes) -> None:
    text = _pdf_text(pdf)
    assert "未确认的规则" in text
    assert "S393-D3" in text and "草案" in text


def test_a_pdf_page_is_not_blank(pdf: bytes) -> None:
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=1).to_pil().convert("L")
    stat = ImageStat.Stat(image)
    assert stat.var[0] > 100  # text and coloured boxes, not a white page
    assert stat.extrema[0][0] < 80  # dark ink somewhere


def test_without_unconfirmed_rules_no_notice() -> None:
    report = _report(draft=False)
    assert "未确认的规则" not in render_html(report)
    assert "未确认的规则" not in _pdf_text(render_pdf(report))


def test_html_escapes_values_and_carries_the_notice() -> None:
    html = render_html(_report(subject="<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html  # no script at all in a report
    assert "未确认的规则" in html and "S393-D3" in html
    assert "<svg" in html and 'role="img"' in html
    assert 'class="tone-bad"' in html
    assert html.count("<section") == 4  # summary, two sections, signatures


def test_the_fragment_embeds_in_a_page_under_a_strict_csp() -> None:
    fragment = render_html_fragment(_report(subject="<b>x</b>"))
    assert fragment.startswith('<article class="report report-pia" lang="zh-CN">')
    assert "<style" not in fragment and "<html" not in fragment and " style=" not in fragment
    assert "&lt;b&gt;x&lt;/b&gt;" in fragment and "未确认的规则" in fragment
    rules = re.findall(r"(?m)^([^\s/@{][^{]*)\{", stylesheet())
    assert rules and all(
        all(part.strip().startswith(".report") for part in r.split(",")) for r in rules
    )


def test_english_reports_use_english_words() -> None:
    html = render_html(_report(lang="en"))
    assert "Unconfirmed rules" in html and "Signatures" in html and 'lang="en"' in html
    assert "Page 1 of" in _pdf_text(render_pdf(_report(lang="en")))


def test_xlsx_holds_the_tables_figures_and_chart_data() -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(_report())))
    names = wb.sheetnames
    assert names[0] == "概要"
    assert {"逐列清单", "实体分布", "风险热力图"} <= set(names)
    table = [tuple(r) for r in wb["逐列清单"].iter_rows(values_only=True)]
    assert table[1] == ("文件", "列", "实体")
    assert table[2] == ("客户名单.csv", "手机", "手机号")
    assert table[3][1] == "=1+1"  # kept as text, never a formula
    assert wb["逐列清单"]["A3"].fill.fgColor.rgb.endswith("F4C2BD")  # tone BAD
    bars = [tuple(r) for r in wb["实体分布"].iter_rows(values_only=True)]
    assert ("手机号", 9000) in bars and ("居民身份证号", 4500) in bars
    heat = [tuple(r) for r in wb["风险热力图"].iter_rows(values_only=True)]
    assert heat[1] == ("影响 \\ 可能性", "低", "高") and heat[2] == ("高", 1, 4)
    summary = [c for row in wb["概要"].iter_rows(values_only=True) for c in row if c is not None]
    for expected in (
        "12,345",
        "未确认的规则",
        "S393-D3",
        "个人信息保护负责人",
        "至少保存 3 年（PIPL-56）",
    ):
        assert expected in summary, expected


def test_json_lists_the_unconfirmed_rules() -> None:
    data = json.loads(render_json(_report()))
    assert data["kind"] == "pia"
    assert [c["rule_id"] for c in data["unconfirmed"]] == ["S393-D3"]
    assert data["sections"][0]["tables"][0]["rows"][0][0] == "客户名单.csv"


def test_sheet_names_are_valid_and_unique() -> None:
    table = Table(("a",), (("1",),), title="报告/附表:一?[x]" + "很长" * 20)
    report = Report(
        "inventory",
        "t",
        "s",
        "now",
        "zh",
        sections=(Section("h", tables=(table, table)),),
    )
    names = load_workbook(io.BytesIO(render_xlsx(report))).sheetnames
    assert len(names) == 3 and len(set(names)) == 3
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


@pytest.mark.parametrize("fmt", ["html", "xlsx", "json"])
def test_write_report_writes_atomically(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "out" / f"r.{fmt}"
    assert write_report(_report(), fmt, target) == target
    assert target.stat().st_size > 0
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left


def test_format_from_file_name() -> None:
    assert ReportFormat.of_path(Path("a.PDF")) is ReportFormat.PDF
    assert ReportFormat.of_path(Path("a.htm")) is ReportFormat.HTML
    with pytest.raises(InputError):
        ReportFormat.of_path(Path("a.docx"))


def test_stamp_reads_well_in_china_time() -> None:
    assert stamp("2026-12-04T15:23:59.123456+08:00") == "2026-12-04 15:23 UTC+8"
    assert stamp("2026-12-04T07:23:00") == "2026-12-04 15:23 UTC+8"  # stored without offset: UTC
    assert stamp("2026-12-05T17:30:00+00:00") == "2026-12-06 01:30 UTC+8"  # the next day in China
    assert stamp().endswith(" UTC+8") and len(stamp()) == len("2026-12-04 07:23 UTC+8")


def _beside_wide_columns(rules: str, cite_columns: tuple[int, ...] = ()) -> Report:
    """A PIA-like table: step, three wide columns, then ``rules``."""
    wide = "所提供的个人信息是否限于实现目的的最小范围？为什么？" * 4
    table = Table(
        ("步骤", "问题", "回答", "来源", "依据"),
        (("5.1", wide, wide, wide, rules),),
        cite_columns=cite_columns,
    )
    return _with_table(table)


def _with_table(table: Table, lang: str = "zh") -> Report:
    """A report of one section holding ``table``."""
    return Report(
        kind="pia",
        title="影响评估",
        subject="星河科技转让",
        generated_at=stamp(),
        lang=lang,
        sections=(Section("一", tables=(table,)),),
    )


def test_a_short_chinese_column_heading_stays_on_one_line() -> None:
    """Beside a wide column the PIA's "步骤" and the overview's "要求" were set one character a
    line (a Chinese heading breaks between any two characters): a heading of a few characters
    keeps its line; a long one still wraps."""
    lines = _pdf_text(render_pdf(_beside_wide_columns("PIPL-55"))).splitlines()
    heading = next(line for line in lines if "问题" in line and "回答" in line)
    assert "步骤" in heading and "依据" in heading, heading


def test_a_rule_id_stays_whole_in_its_cell() -> None:
    """Beside wide columns a rule id broke inside its cell ("PIPL-" above "55": cells wrap
    anywhere); the columns of rule ids keep each id on one line, and several ids in a cell
    still wrap between them."""
    report = _beside_wide_columns("PIPL-55, PIPL-22, S393-D3（未确认）", cite_columns=(4,))
    html = render_html(report)
    assert '<td class="cite-col"><span class="cite-id">PIPL-55</span>' in html
    assert re.search(r"\.cite-id\s*\{[^}]*white-space:\s*nowrap", stylesheet())
    lines = _pdf_text(render_pdf(report)).splitlines()
    for rule in ("PIPL-55", "PIPL-22", "S393-D3"):
        assert any(rule in line for line in lines), (rule, lines)


def test_the_reports_mark_their_rule_columns() -> None:
    from baomi.services.comply import crossborder_report, overview
    from baomi.services.comply.reports import assessments

    for table in (
        assessments._question_table(()),
        crossborder_report._points(()),
        overview._duties([]).tables[0],
        overview._obligations([]).tables[0],
    ):
        rules = [i for i, c in enumerate(table.columns) if c == "依据"]
        assert rules and table.cite_columns == tuple(rules), table.columns


@pytest.mark.parametrize(("lang", "said"), [("zh", "无记录"), ("en", "None")])
def test_a_table_without_rows_says_so(lang: str, said: str) -> None:
    """The cross-border report's provisions, the notices' channels and the PIA's risks printed
    their column headings over nothing when there were none yet."""
    report = _with_table(Table(("日期", "接收方", "个人数"), ()), lang)
    html = render_html(report)
    assert f'<td colspan="3" class="empty">{said}</td>' in html
    assert said in _pdf_text(render_pdf(report))


def test_only_rule_ids_are_kept_whole_in_a_rule_column() -> None:
    """The checklist's basis column names laws in words beside rule ids ("PIPL-21; Network Data
    Security Management Regulations, Art. 12"): the whole phrase was kept on one line, which
    squeezed the English checklist's items to a word a line and split "not started"."""
    cell = "PIPL-21; Network Data Security Management Regulations, Art. 12"
    html = render_html(_beside_wide_columns(cell, cite_columns=(4,)))
    assert '<span class="cite-id">PIPL-21</span>; Network Data Security' in html
    assert "Regulations, Art. 12</td>" in html
    ids = re.findall(r'<span class="cite-id">([^<]*)</span>', html)
    assert ids and all(" " not in i for i in ids), ids


def test_an_english_word_is_not_split_in_a_narrow_column() -> None:
    """Beside wide columns the English overview set "required" as "requir / ed" and "if it
    happens" as "happe / ns": cells could break anywhere, so a column shrank below its words. A
    long unbroken value (a SHA-256) may still break anywhere, or it would push the table off
    the page."""
    wide = "The recipient continues the PI processor's duties and the network-data duties. " * 3
    digest = "ab" * 32
    table = Table(
        ("Level", "Obligation", "Why", "Digest"),
        (("required", wide, wide, digest), ("if it happens", wide, wide, digest)),
    )
    report = _with_table(table, "en")
    html = render_html(report)
    assert f'<td class="long">{digest}</td>' in html and '<td class="long">required' not in html
    lines = _pdf_text(render_pdf(report)).splitlines()
    # (pypdf joins a row's cells on a line: "requiredThe recipient …")
    assert any(line.startswith("required") for line in lines), lines
    assert not any(line.startswith(("ed", "ns")) for line in lines), lines
