"""A supervision report as PDF: A4, the totals in words, charts drawn with fpdf2, the department and trend tables.

It uses the shipped CJK font of the legal documents (``engine/documents/render.py``: the GB 2312 subset of Noto
Serif SC), so department names and every label print the same anywhere; a character outside it is logged.
"""

from __future__ import annotations

import logging

from fpdf import FPDF
from fpdf.fonts import FontFace

from engine.documents.render import FAMILY, FONT, missing_characters
from engine.supervision.report_charts import PALETTE, Series, bar_chart, line_chart
from engine.supervision.report_content import COLUMNS, TREND_COLUMNS, ReportContent, row_values, trend_values

log = logging.getLogger("sunshine.reports")

#: Departments the bar chart shows (the busiest); the table lists them all.
CHART_DEPARTMENTS = 12
_WIDTH = 180  # A4 less 15 mm margins
_COLUMN_WIDTHS = (30, 12, 12, 14, 15, 20, 12, 12, 14, 15, 12, 12)
_TREND_WIDTHS = (30, 18, 18, 20, 22, 28, 22, 22)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, size=13)
    pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)


def _table(pdf: FPDF, header: list[str], rows: list[list[str | int]], widths: tuple[int, ...],
           total: list[str | int] | None = None) -> None:
    pdf.set_font(FAMILY, size=7.5)
    bold = FontFace(fill_color=(225, 232, 242))
    with pdf.table(col_widths=widths, width=sum(widths), text_align="CENTER", line_height=5,
                   headings_style=bold, first_row_as_headings=True) as table:
        for line in [header, *rows, *([total] if total else [])]:
            row = table.row()
            for value in line:
                row.cell(str(value))


def render_report_pdf(content: ReportContent) -> bytes:
    """The report's PDF; the same content renders to the same bytes (fixed metadata)."""
    f = content.figures
    text = "\n".join([content.title, content.subtitle, *(d.department for d in f.departments)])
    if missing := missing_characters(text):
        log.warning("report %s: the font lacks %s", content.title, "".join(missing))
    pdf = FPDF(format="A4")
    pdf.set_creation_date(content.generated_at)
    pdf.set_creator("Sunshine")
    pdf.set_title(f"{content.title} {content.period.label}")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.add_page()
    pdf.set_font(FAMILY, size=20)
    pdf.multi_cell(0, 11, content.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=12)
    pdf.multi_cell(0, 7, content.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 6, content.generated_text, align="C", new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, "一、总体情况")
    pdf.multi_cell(0, 6, content.overview(), new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, "二、图表")
    busiest = sorted(f.departments, key=lambda d: (-d.received, -d.completed, d.department))[:CHART_DEPARTMENTS]
    y = pdf.get_y() + 2
    title = "各部门受理、办结与报警" + ("" if len(f.departments) <= CHART_DEPARTMENTS else
                                        f"（受理量前 {CHART_DEPARTMENTS} 个部门）")
    bar_chart(pdf, FAMILY, x=15, y=y, w=_WIDTH, h=70, title=title, categories=[d.department for d in busiest],
              series=[Series("受理", [d.received for d in busiest]), Series("办结", [d.completed for d in busiest]),
                      Series("黄灯预警", [d.alerts.yellow for d in busiest], PALETTE[2]),
                      Series("红灯报警", [d.alerts.red for d in busiest], PALETTE[3])])
    y += 74
    months = [f"{p.period.first.month}月" for p in content.trend]
    span = f"（{content.trend[0].label}—{content.trend[-1].label}）" if content.trend else ""
    line_chart(pdf, FAMILY, x=15, y=y, w=_WIDTH / 2 - 2, h=60, title=f"受理与办结（件）{span}", categories=months,
               series=[Series("受理", [p.received for p in content.trend]),
                       Series("办结", [p.completed for p in content.trend])])
    rates = [None if p.on_time_rate is None else round(p.on_time_rate * 100, 1) for p in content.trend]
    line_chart(pdf, FAMILY, x=15 + _WIDTH / 2 + 2, y=y, w=_WIDTH / 2 - 2, h=60, title="按时办结率（%）",
               categories=months, series=[Series("按时办结率", rates, PALETTE[1])], top=100)
    pdf.set_y(y + 64)
    # The charts leave their colours set; the tables draw on white in black.
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)

    _heading(pdf, "三、各部门情况")
    _table(pdf, COLUMNS, [row_values(d) for d in f.departments], _COLUMN_WIDTHS, row_values(f.total))

    _heading(pdf, "四、月度趋势")
    _table(pdf, TREND_COLUMNS, [trend_values(p) for p in content.trend], _TREND_WIDTHS)

    pdf.ln(4)
    pdf.set_font(FAMILY, size=8)
    pdf.multi_cell(0, 5, "说明：按时办结指在承诺办结时限内办结（无承诺时限的按法定时限）；平均办理时长按工作日计算；"
                         "每百件预警 = 本期预警数 ÷ 本期受理数 × 100；期末未销号预警为本期末仍未销号的预警。",
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
