from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from baomi.services.comply.reports.charts import clip, escape, number, render_svg
from baomi.services.comply.reports.model import Chart, ChartKind, Tone

NS = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML or this raises


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def _bar() -> Chart:
    return Chart(
        ChartKind.BAR,
        "实体分布 / entity distribution",
        labels=("手机号", "居民身份证号", "姓名"),
        values=(9000, 4500, 12000),
    )


def test_bar_chart_draws_one_bar_per_label_with_its_value() -> None:
    root = _tree(render_svg(_bar()))
    assert root.get("role") == "img"
    assert root.find(f"{NS}title") is not None
    assert root.find(f"{NS}title").text == "实体分布 / entity distribution"  # type: ignore[union-attr]
    rects = list(root.iter(f"{NS}rect"))
    assert len(rects) == 3
    widths = [float(r.get("width", "0")) for r in rects]
    assert widths[2] == max(widths) and widths[1] == pytest.approx(widths[0] / 2, abs=0.1)
    texts = _texts(root)
    assert {"手机号", "居民身份证号", "姓名", "9,000", "4,500", "12,000"} <= set(texts)
    # each bar's tooltip names its label and value
    tips = [r.find(f"{NS}title").text for r in rects]  # type: ignore[union-attr]
    assert tips == ["手机号: 9,000", "居民身份证号: 4,500", "姓名: 12,000"]


def test_same_chart_same_bytes_and_no_script() -> None:
    first, second = render_svg(_bar()), render_svg(_bar())
    assert first == second
    assert "<script" not in first and "javascript:" not in first.lower()


@pytest.mark.parametrize("kind", list(ChartKind))
def test_markup_in_labels_and_titles_is_escaped(kind: ChartKind) -> None:
    nasty = "<script>&\"'x"
    chart = Chart(
        kind,
        nasty,
        labels=(nasty,),
        values=(3.0,),
        rows=(nasty,),
        columns=(nasty,),
        cells=((2,),),
        x_title=nasty,
        y_title=nasty,
    )
    svg = render_svg(chart)
    root = _tree(svg)
    assert "<script" not in svg
    assert "&lt;script&gt;&amp;&quot;&#39;x" in svg
    assert root.find(f"{NS}title").text == nasty  # type: ignore[union-attr]
    assert not list(root.iter(f"{NS}script"))


def test_control_characters_are_dropped() -> None:
    assert escape("a\x00b\x1fc") == "abc"
    _tree(render_svg(Chart(ChartKind.BAR, "t\x0b", labels=("x\x01",), values=(1,))))


@pytest.mark.parametrize("kind", list(ChartKind))
def test_empty_data_says_so(kind: ChartKind) -> None:
    root = _tree(render_svg(Chart(kind, "空 / empty"), no_data="无数据 / no data"))
    assert "无数据 / no data" in _texts(root)
    assert not list(root.iter(f"{NS}rect")) and not list(root.iter(f"{NS}circle"))


def test_heatmap_shows_every_count_in_its_cell() -> None:
    chart = Chart(
        ChartKind.HEATMAP,
        "风险热力图",
        rows=("高", "中", "低"),
        columns=("低", "中", "高"),
        cells=((0, 1, 7), (2, 0, 0), (9, 0, 4)),
        x_title="可能性",
        y_title="影响",
    )
    root = _tree(render_svg(chart))
    rects = list(root.iter(f"{NS}rect"))
    assert len(rects) == 9
    tips = [r.find(f"{NS}title").text for r in rects]  # type: ignore[union-attr]
    assert tips[2] == "高 × 高: 7" and tips[6] == "低 × 低: 9"
    texts = _texts(root)
    for n in ("0", "1", "7", "2", "9", "4"):
        assert n in texts
    assert "可能性" in texts and "影响" in texts
    # the largest count is the deepest fill
    fills = [r.get("fill") for r in rects]
    assert fills[6] == "#c63b1f" and fills[0] == "#f5f6f7"


def test_heatmap_cells_take_their_tones_when_given() -> None:
    chart = Chart(
        ChartKind.HEATMAP,
        "r",
        rows=("a",),
        columns=("x", "y"),
        cells=((1, 2),),
        cell_tones=((Tone.GOOD, Tone.BAD),),
    )
    fills = [r.get("fill") for r in _tree(render_svg(chart)).iter(f"{NS}rect")]
    assert fills == ["#cfe8d5", "#f4c2bd"]


def test_line_chart_has_a_point_per_value_and_labels_the_last() -> None:
    chart = Chart(
        ChartKind.LINE,
        "清单得分趋势",
        labels=("2026-01", "2026-02", "2026-03"),
        values=(40, 55.5, 86),
        y_max=100,
    )
    root = _tree(render_svg(chart))
    circles = list(root.iter(f"{NS}circle"))
    assert len(circles) == 3
    ys = [float(c.get("cy", "0")) for c in circles]
    assert ys[0] > ys[1] > ys[2]  # higher values are drawn higher
    assert len(list(root.iter(f"{NS}polyline"))) == 1
    texts = _texts(root)
    assert {"2026-01", "2026-03", "86", "100"} <= set(texts)


def test_a_single_point_is_drawn_without_a_line() -> None:
    root = _tree(render_svg(Chart(ChartKind.LINE, "t", labels=("2026-01",), values=(0.0,))))
    assert len(list(root.iter(f"{NS}circle"))) == 1
    assert not list(root.iter(f"{NS}polyline"))


def test_long_labels_are_clipped_and_numbers_read_well() -> None:
    assert clip("银行卡号非常非常长的标签名字", 12, 60).endswith("…")
    assert clip("短", 12, 60) == "短"
    assert number(12345) == "12,345" and number(87.5) == "87.5"
