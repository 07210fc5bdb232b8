"""Bar and line charts drawn with fpdf2's own primitives (rectangles, lines, text), for the reports' PDF.

No plotting library: a chart is a few dozen vector strokes, prints sharply, and its labels are text in the shipped
font (so a reader can copy the numbers out of the PDF).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

#: Series colours (RGB): blue, green, amber, red, grey.
PALETTE = [(46, 117, 182), (84, 160, 84), (230, 160, 30), (200, 55, 45), (120, 120, 120)]


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: tuple[int, int, int] | None = None


def nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _short(label: str, most: int) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


class _Frame:
    """The plot area of a chart: axes, horizontal grid lines with their values, the title and the legend."""

    def __init__(self, pdf: FPDF, family: str, x: float, y: float, w: float, h: float, title: str,
                 series: Sequence[Series], top: float | None) -> None:
        self.pdf = pdf
        self.family = family
        values = [v for s in series for v in s.values if v is not None]
        self.top = top if top is not None else nice_top(max(values, default=0))
        pdf.set_font(family, size=10)
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(x, y)
        pdf.cell(w, 6, title, align="C")
        # Legend under the title; the plot below it, with room for the axis values on the left and labels below.
        pdf.set_font(family, size=7)
        lx = x + 12
        for i, s in enumerate(series):
            pdf.set_fill_color(*(s.color or PALETTE[i % len(PALETTE)]))
            pdf.rect(lx, y + 8, 3, 3, style="F")
            pdf.set_xy(lx + 4, y + 7.5)
            label = s.name
            pdf.cell(pdf.get_string_width(label) + 2, 4, label)
            lx += pdf.get_string_width(label) + 10
        self.left, self.right = x + 12, x + w - 2
        self.top_y, self.bottom = y + 14, y + h - 10
        pdf.set_draw_color(200, 200, 200)
        pdf.set_line_width(0.1)
        for k in range(5):
            value = self.top * k / 4
            gy = self.y_of(value)
            pdf.line(self.left, gy, self.right, gy)
            pdf.set_xy(x, gy - 2)
            pdf.cell(11, 4, _number(value), align="R")
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.line(self.left, self.bottom, self.right, self.bottom)
        pdf.line(self.left, self.top_y, self.left, self.bottom)

    def y_of(self, value: float) -> float:
        share = min(max(value / self.top, 0), 1) if self.top else 0
        return self.bottom - share * (self.bottom - self.top_y)

    def label(self, cx: float, width: float, text: str) -> None:
        self.pdf.set_font(self.family, size=6.5)
        self.pdf.set_xy(cx - width / 2, self.bottom + 1)
        self.pdf.cell(width, 4, _short(text, max(int(width / 2.4), 3)), align="C")


def bar_chart(pdf: FPDF, family: str, *, x: float, y: float, w: float, h: float, title: str,
              categories: Sequence[str], series: Sequence[Series], top: float | None = None) -> None:
    """Grouped bars: one group per category, one bar per series, the value printed above each bar."""
    frame = _Frame(pdf, family, x, y, w, h, title, series, top)
    if not categories:
        return
    group = (frame.right - frame.left) / len(categories)
    bar = group * 0.8 / max(len(series), 1)
    for c, category in enumerate(categories):
        gx = frame.left + c * group + group * 0.1
        for i, s in enumerate(series):
            value = s.values[c]
            if value is None:
                continue
            top_y = frame.y_of(value)
            pdf.set_fill_color(*(s.color or PALETTE[i % len(PALETTE)]))
            if frame.bottom - top_y > 0:
                pdf.rect(gx + i * bar, top_y, bar * 0.9, frame.bottom - top_y, style="F")
            pdf.set_font(family, size=5.5)
            pdf.set_xy(gx + i * bar - 2, top_y - 3.5)
            pdf.cell(bar * 0.9 + 4, 3, _number(value), align="C")
        frame.label(frame.left + (c + 0.5) * group, group, category)


def line_chart(pdf: FPDF, family: str, *, x: float, y: float, w: float, h: float, title: str,
               categories: Sequence[str], series: Sequence[Series], top: float | None = None) -> None:
    """Lines over the categories (periods), a dot at each known value; a missing value breaks the line."""
    frame = _Frame(pdf, family, x, y, w, h, title, series, top)
    if not categories:
        return
    step = (frame.right - frame.left) / len(categories)
    for c, category in enumerate(categories):
        frame.label(frame.left + (c + 0.5) * step, step, category)
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        pdf.set_draw_color(*color)
        pdf.set_fill_color(*color)
        pdf.set_line_width(0.5)
        previous: tuple[float, float] | None = None
        for c, value in enumerate(s.values):
            if value is None:
                previous = None
                continue
            point = (frame.left + (c + 0.5) * step, frame.y_of(value))
            if previous is not None:
                pdf.line(*previous, *point)
            pdf.ellipse(point[0] - 0.8, point[1] - 0.8, 1.6, 1.6, style="F")
            previous = point
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
