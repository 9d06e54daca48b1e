"""SVG charts drawn from a :class:`~.model.Chart`: bars, a heat map and a line.

A small SVG writer of our own: every text is escaped for XML (``<``, ``&``, quotes, control
characters dropped), coordinates are rounded to one decimal and nothing depends on time or
randomness, so the same chart always gives the same bytes. Each chart carries a ``<title>`` (its
accessible name) and ``role="img"``; there is no script. Widths are fixed; a bar chart grows one
row per bar, the heat map one row per level.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from baomi.services.comply.reports.model import Chart, ChartKind, Tone

WIDTH = 640
FONT = '"Noto Sans CJK SC", "Noto Sans CJK", "WenQuanYi Zen Hei", sans-serif'
#: Fill per tone (heat map cells given tones, report colours); kept equal to the report CSS.
TONE_FILL = {
    Tone.NEUTRAL: "#e8eaed",
    Tone.GOOD: "#cfe8d5",
    Tone.WARN: "#fbe3b0",
    Tone.BAD: "#f4c2bd",
}
BAR_FILL = "#3b6ea5"
LINE_STROKE = "#3b6ea5"
INK = "#222222"
GRID = "#d0d4d9"

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def escape(text: str) -> str:
    """``text`` safe inside an XML element or a double-quoted attribute."""
    text = _CONTROL.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _n(x: float) -> str:
    """A coordinate: one decimal at most, no ``-0``."""
    s = f"{round(x, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def number(value: float) -> str:
    """A value as people read it: ``12,345`` or ``87.5``."""
    if math.isfinite(value) and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def text_width(text: str, size: float) -> float:
    """The drawn width estimate of ``text``: wide (CJK) characters 1 em, others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def clip(text: str, size: float, width: float) -> str:
    """``text`` shortened with ``…`` to fit ``width`` (the full text goes in a ``<title>``)."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for c in text:
        if text_width(out + c + "…", size) > width:
            break
        out += c
    return out + "…"


class Svg:
    """An SVG document built element by element (attributes in the order given)."""

    def __init__(self, width: float, height: float, title: str) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = [f"<title>{escape(title)}</title>"]

    @staticmethod
    def _attrs(attrs: dict[str, str | float]) -> str:
        out = []
        for key, value in attrs.items():
            text = _n(value) if isinstance(value, float | int) else escape(value)
            out.append(f' {key.rstrip("_").replace("_", "-")}="{text}"')
        return "".join(out)

    def add(self, tag: str, tip: str = "", **attrs: str | float) -> None:
        """An empty element, or one holding a ``<title>`` tooltip."""
        if tip:
            self.parts.append(f"<{tag}{self._attrs(attrs)}><title>{escape(tip)}</title></{tag}>")
        else:
            self.parts.append(f"<{tag}{self._attrs(attrs)}/>")

    def text(self, x: float, y: float, content: str, **attrs: str | float) -> None:
        self.parts.append(f"<text{self._attrs({'x': x, 'y': y, **attrs})}>{escape(content)}</text>")

    def render(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'width="{_n(self.width)}" height="{_n(self.height)}" '
            f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" '
            f'font-family="{escape(FONT)}" font-size="12" fill="{INK}">'
        )
        return head + "".join(self.parts) + "</svg>\n"


def _heading(svg: Svg, title: str) -> None:
    svg.text(svg.width / 2, 20, clip(title, 14, svg.width - 20), font_size=14, text_anchor="middle")


def _empty(chart: Chart, note: str) -> str:
    svg = Svg(WIDTH, 80, chart.title)
    _heading(svg, chart.title)
    svg.text(WIDTH / 2, 55, note, text_anchor="middle", fill="#666666")
    return svg.render()


def bar(chart: Chart, no_data: str) -> str:
    """Horizontal bars, one per label, with the value at the bar's end."""
    pairs = list(zip(chart.labels, chart.values, strict=False))
    if not pairs:
        return _empty(chart, no_data)
    row, top, left, right = 24, 36, 170, 70
    svg = Svg(WIDTH, top + row * len(pairs) + 12, chart.title)
    _heading(svg, chart.title)
    top_value = max((v for _, v in pairs if math.isfinite(v)), default=0.0)
    span = WIDTH - left - right
    svg.add("line", x1=left, y1=top - 4, x2=left, y2=top + row * len(pairs), stroke=GRID)
    for i, (label, value) in enumerate(pairs):
        y = top + i * row
        v = value if math.isfinite(value) and value > 0 else 0.0
        w = span * v / top_value if top_value > 0 else 0.0
        svg.text(left - 8, y + 15, clip(label, 12, left - 16), text_anchor="end")
        svg.add(
            "rect",
            f"{label}: {number(value)}",
            x=left,
            y=y + 3,
            width=max(w, 1.0 if v > 0 else 0.0),
            height=row - 8,
            fill=BAR_FILL,
        )
        svg.text(left + w + 6, y + 15, number(value))
    return svg.render()


def _intensity(count: int, top: int) -> str:
    """A fill from pale to deep orange-red by ``count / top``."""
    if count <= 0 or top <= 0:
        return "#f5f6f7"
    t = 0.25 + 0.75 * count / top
    r, g, b = (round(255 + (c - 255) * t) for c in (0xC6, 0x3B, 0x1F))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(chart: Chart, no_data: str) -> str:
    """A grid of ``rows × columns`` with each cell's count; cells filled by their tone when the
    chart gives ``cell_tones`` (risk levels), else by the count's share of the largest."""
    if not chart.rows or not chart.columns:
        return _empty(chart, no_data)
    left, top, bottom = 130, 58, 36
    cell_w = (WIDTH - left - 20) / len(chart.columns)
    cell_h = 40.0
    height = top + cell_h * len(chart.rows) + bottom
    svg = Svg(WIDTH, height, chart.title)
    _heading(svg, chart.title)
    if chart.y_title:
        svg.text(8, 40, clip(chart.y_title, 11, left - 12), font_size=11, fill="#555555")
    cells = [
        [_cell(chart.cells, r, c) for c in range(len(chart.columns))]
        for r in range(len(chart.rows))
    ]
    top_count = max((n for row in cells for n in row), default=0)
    for c, label in enumerate(chart.columns):
        x = left + c * cell_w + cell_w / 2
        svg.text(x, top - 6, clip(label, 11, cell_w - 4), font_size=11, text_anchor="middle")
    for r, label in enumerate(chart.rows):
        y = top + r * cell_h
        svg.text(left - 8, y + cell_h / 2 + 4, clip(label, 11, left - 16), text_anchor="end")
        for c, count in enumerate(cells[r]):
            tone = _cell_tone(chart.cell_tones, r, c)
            fill = TONE_FILL[tone] if tone is not None else _intensity(count, top_count)
            dark = tone is None and top_count > 0 and count / top_count > 0.65
            svg.add(
                "rect",
                f"{label} × {chart.columns[c]}: {number(count)}",
                x=left + c * cell_w,
                y=y,
                width=cell_w,
                height=cell_h,
                fill=fill,
                stroke="#ffffff",
                stroke_width=2,
            )
            svg.text(
                left + c * cell_w + cell_w / 2,
                y + cell_h / 2 + 5,
                number(count),
                text_anchor="middle",
                font_size=14,
                fill="#ffffff" if dark else INK,
            )
    if chart.x_title:
        svg.text(
            left + (WIDTH - left - 20) / 2,
            height - 12,
            clip(chart.x_title, 11, WIDTH - left),
            font_size=11,
            text_anchor="middle",
            fill="#555555",
        )
    return svg.render()


def _cell(cells: Sequence[Sequence[int]], r: int, c: int) -> int:
    return int(cells[r][c]) if r < len(cells) and c < len(cells[r]) else 0


def _cell_tone(tones: Sequence[Sequence[Tone]], r: int, c: int) -> Tone | None:
    return tones[r][c] if r < len(tones) and c < len(tones[r]) else None


def _ticks(top: float) -> list[float]:
    """Five round steps from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(5) if step * (i - 1) < top]


def line(chart: Chart, no_data: str) -> str:
    """Values over time: points joined by a line, the y axis from 0 (to ``y_max`` if given)."""
    pairs = [(lab, v) for lab, v in zip(chart.labels, chart.values, strict=False)]
    pairs = [(lab, v) for lab, v in pairs if math.isfinite(v)]
    if not pairs:
        return _empty(chart, no_data)
    left, right, top, bottom, height = 56, 24, 36, 48, 300
    svg = Svg(WIDTH, height, chart.title)
    _heading(svg, chart.title)
    ticks = _ticks(max(chart.y_max or 0.0, *(v for _, v in pairs)))
    y_top = ticks[-1]
    plot_h = height - top - bottom
    plot_w = WIDTH - left - right

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * max(v, 0.0) / y_top

    def x_of(i: int) -> float:
        return left + (plot_w * i / (len(pairs) - 1) if len(pairs) > 1 else plot_w / 2)

    for t in ticks:
        svg.add("line", x1=left, y1=y_of(t), x2=WIDTH - right, y2=y_of(t), stroke=GRID)
        svg.text(left - 6, y_of(t) + 4, number(t), text_anchor="end", font_size=11)
    if chart.y_title:
        svg.text(8, top - 10, clip(chart.y_title, 11, 200), font_size=11, fill="#555555")
    every = max(1, math.ceil(len(pairs) / 8))
    for i, (label, _) in enumerate(pairs):
        if i % every == 0 or i == len(pairs) - 1:
            svg.text(
                x_of(i),
                height - bottom + 18,
                clip(label, 11, plot_w / 8 + 20),
                font_size=11,
                text_anchor="middle",
            )
    points = " ".join(f"{_n(x_of(i))},{_n(y_of(v))}" for i, (_, v) in enumerate(pairs))
    if len(pairs) > 1:
        svg.add("polyline", points=points, fill="none", stroke=LINE_STROKE, stroke_width=2)
    for i, (label, v) in enumerate(pairs):
        svg.add("circle", f"{label}: {number(v)}", cx=x_of(i), cy=y_of(v), r=4, fill=LINE_STROKE)
    last = pairs[-1][1]
    svg.text(x_of(len(pairs) - 1), y_of(last) - 10, number(last), text_anchor="middle")
    if chart.x_title:
        svg.text(left + plot_w / 2, height - 8, chart.x_title, font_size=11, text_anchor="middle")
    return svg.render()


def render_svg(chart: Chart, no_data: str = "无数据 / no data") -> str:
    """The chart as a standalone SVG document (UTF-8 text, no XML declaration)."""
    draw = {ChartKind.BAR: bar, ChartKind.HEATMAP: heatmap, ChartKind.LINE: line}[chart.kind]
    return draw(chart, no_data)
