"""A supervision report as an Excel workbook: a sheet per table (总体情况, 各部门情况, 月度趋势).

Counts are numbers in their cells; rates are numbers too (按时办结率 as a fraction formatted as a percentage, the
average and per-100 figures with one decimal), blank where there is nothing to divide by.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from engine.supervision.figures import DepartmentFigures, TrendPoint
from engine.supervision.report_content import COLUMNS, TREND_COLUMNS, ReportContent

SHEETS = ("总体情况", "各部门情况", "月度趋势")


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def department_cells(d: DepartmentFigures) -> list[Any]:
    return [d.department, d.received, d.completed, d.on_time, _round(d.on_time_rate, 4),
            _round(d.average_handling_days, 1), d.alerts.yellow, d.alerts.red, _round(d.alerts_per_100, 1),
            d.open_alerts, d.directives, d.overdue_directives]


def trend_cells(p: TrendPoint) -> list[Any]:
    return [p.label, p.received, p.completed, p.on_time, _round(p.on_time_rate, 4),
            _round(p.average_handling_days, 1), p.yellow, p.red]


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]], percent_column: int | None) -> None:
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    if percent_column is not None:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=percent_column, max_col=percent_column):
            cell.number_format = "0.0%"
    sheet.column_dimensions["A"].width = 24


def render_report_xlsx(content: ReportContent) -> bytes:
    f = content.figures
    t = f.total
    book = Workbook()
    book.remove(book.active)
    _sheet(book, SHEETS[0], ["项目", "数值"], [
        ["报告", content.title], ["期间", content.subtitle], ["范围", content.scope.name],
        ["受理", t.received], ["办结", t.completed], ["按时办结", t.on_time],
        ["按时办结率", _round(t.on_time_rate, 4)], ["平均办理时长（工作日）", _round(t.average_handling_days, 1)],
        ["黄灯预警", t.alerts.yellow], ["红灯报警", t.alerts.red], ["每百件预警", _round(t.alerts_per_100, 1)],
        ["期末未销号预警", t.open_alerts], ["督办", t.directives], ["逾期督办", t.overdue_directives],
        ["生成时间", content.generated_text.removeprefix("生成时间：")],
    ], None)
    book[SHEETS[0]]["B8"].number_format = "0.0%"
    _sheet(book, SHEETS[1], COLUMNS, [department_cells(d) for d in f.departments] + [department_cells(t)], 5)
    _sheet(book, SHEETS[2], TREND_COLUMNS, [trend_cells(p) for p in content.trend], 5)
    # Fixed properties: the same content gives the same workbook.
    book.properties.creator = "Sunshine"
    book.properties.created = book.properties.modified = content.generated_at.replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
