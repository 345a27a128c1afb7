"""Inline SVG bar charts drawn on the server: no script, labels escaped, a tooltip per bar."""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

EMPTY = Markup('<p class="chart-empty muted">暂无数据</p>')
WIDTH = 640
COLUMNS_HEIGHT = 220
ROW_HEIGHT = 28
LABEL_WIDTH = 110  # room for a row chart's labels, left of its bars
VALUE_WIDTH = 48  # room for a row chart's numbers, right of its bars
TOP, BOTTOM, LEFT = 16, 26, 36  # a column chart's margins: headroom, day labels, axis numbers


@dataclass(frozen=True)
class Bar:
    """One bar: its label on the axis and its value; the tooltip defaults to both."""

    label: str
    value: int
    tooltip: str = ""

    @property
    def title(self) -> str:
        return self.tooltip or f"{self.label}：{self.value}"


def column_chart(bars: Sequence[Bar], title: str, label_every: int = 1) -> Markup:
    """Bars side by side (a value per day); "暂无数据" when there is nothing to draw."""
    top = max((bar.value for bar in bars), default=0)
    if top <= 0:
        return EMPTY
    plot_width = WIDTH - LEFT - 8
    plot_height = COLUMNS_HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = plot_width / len(bars)
    parts = [
        _axis_text(LEFT - 6, TOP + 4, str(top), "end"),
        _axis_text(LEFT - 6, baseline, "0", "end"),
        f'<line class="grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - 8}" y2="{TOP}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{baseline}" x2="{WIDTH - 8}" y2="{baseline}"/>',
    ]
    for n, bar in enumerate(bars):
        x = LEFT + n * slot
        if bar.value > 0:
            height = bar.value / top * plot_height
            parts.append(
                _rect(x + slot * 0.15, baseline - height, max(slot * 0.7, 1.0), height, bar.title)
            )
        if n % label_every == 0:
            parts.append(_axis_text(x + slot / 2, COLUMNS_HEIGHT - 8, bar.label, "middle"))
    return _svg(title, COLUMNS_HEIGHT, parts)


def row_chart(bars: Sequence[Bar], title: str) -> Markup:
    """Bars one under another (a value per category); "暂无数据" when all are zero."""
    top = max((bar.value for bar in bars), default=0)
    if top <= 0:
        return EMPTY
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for n, bar in enumerate(bars):
        y = n * ROW_HEIGHT + 4
        middle = y + ROW_HEIGHT / 2 - 2
        length = bar.value / top * room
        parts.append(_axis_text(LABEL_WIDTH - 8, middle + 4, bar.label, "end"))
        if bar.value > 0:
            parts.append(_rect(LABEL_WIDTH, y + 3, length, ROW_HEIGHT - 10, bar.title))
        parts.append(_axis_text(LABEL_WIDTH + length + 6, middle + 4, str(bar.value), "start"))
    return _svg(title, len(bars) * ROW_HEIGHT + 8, parts)


def _svg(title: str, height: int, parts: list[str]) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}"'
        f' xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(parts)}</svg>'
    )


def _rect(x: float, y: float, width: float, height: float, title: str) -> str:
    # The <title> inside the bar is the browser's tooltip for it.
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}">'
        f"<title>{escape(title)}</title></rect>"
    )


def _axis_text(x: float, y: float, text: str, anchor: str) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'
