"""What a supervision report says: the period's figures for its scope, a trend, and the words around them.

The PDF (``report_pdf``) and the workbook (``report_xlsx``) are two renderings of one ``ReportContent``, so they
always agree with each other and with the database at the moment of generation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine import clock
from engine.calendar import WorkCalendar
from engine.supervision.figures import DepartmentFigures, PeriodFigures, TrendPoint, period_figures, trend
from engine.supervision.periods import KIND_NAMES, MONTH, YEAR, Period, add_months

#: Months of trend a report shows, ending with its period.
TREND_MONTHS = {MONTH: 6, "quarter": 6, YEAR: 12}

#: The department table's columns, in the order both renderings print them.
COLUMNS = ["部门", "受理", "办结", "按时办结", "按时办结率", "平均办理时长（工作日）", "黄灯预警", "红灯报警",
           "每百件预警", "期末未销号预警", "督办", "逾期督办"]
TREND_COLUMNS = ["月份", "受理", "办结", "按时办结", "按时办结率", "平均办理时长（工作日）", "黄灯预警", "红灯报警"]


@dataclass(frozen=True)
class ReportScope:
    """Whom a report covers: ``key`` is unique per scope ("all" for the whole platform), ``department_ids`` None
    for every department."""

    key: str
    name: str
    department_ids: tuple[int, ...] | None = None


PLATFORM = ReportScope("all", "全平台")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def row_values(d: DepartmentFigures) -> list[str | int]:
    """A department's row of the table as printed (numbers as numbers, rates and averages as text)."""
    return [d.department, d.received, d.completed, d.on_time, percent(d.on_time_rate), decimal(d.average_handling_days),
            d.alerts.yellow, d.alerts.red, decimal(d.alerts_per_100), d.open_alerts, d.directives, d.overdue_directives]


def trend_values(p: TrendPoint) -> list[str | int]:
    return [p.label, p.received, p.completed, p.on_time, percent(p.on_time_rate), decimal(p.average_handling_days),
            p.yellow, p.red]


@dataclass(frozen=True)
class ReportContent:
    kind: str
    period: Period
    scope: ReportScope
    figures: PeriodFigures
    trend: Sequence[TrendPoint]
    generated_at: datetime

    @property
    def title(self) -> str:
        return f"{self.scope.name}电子监察{KIND_NAMES[self.kind]}"

    @property
    def subtitle(self) -> str:
        last = self.period.last
        return f"{self.period.label}（{self.period.first:%Y年%m月%d日}至{last:%Y年%m月%d日}）"

    @property
    def generated_text(self) -> str:
        return f"生成时间：{clock.local(self.generated_at):%Y-%m-%d %H:%M}"

    def overview(self) -> str:
        """The totals in one paragraph."""
        t = self.figures.total
        return (f"本期共受理办件 {t.received} 件，办结 {t.completed} 件，其中按时办结 {t.on_time} 件，"
                f"按时办结率 {percent(t.on_time_rate)}；平均办理时长 {decimal(t.average_handling_days)} 个工作日。"
                f"电子监察发出黄灯预警 {t.alerts.yellow} 次、红灯报警 {t.alerts.red} 次，"
                f"每百件办件预警 {decimal(t.alerts_per_100)} 次；期末未销号预警 {t.open_alerts} 件。"
                f"本期督办 {t.directives} 件，逾期未报告督办 {t.overdue_directives} 件。")

    def summary(self) -> dict[str, int | float | None]:
        """The totals stored with the report (its list shows them)."""
        t = self.figures.total
        return {"received": t.received, "completed": t.completed, "on_time": t.on_time,
                "on_time_rate": t.on_time_rate, "average_handling_days": t.average_handling_days,
                "yellow": t.alerts.yellow, "red": t.alerts.red, "open_alerts": t.open_alerts,
                "directives": t.directives}


def build_content(session: Session, kind: str, period: Period, scope: ReportScope, *, calendar: WorkCalendar,
                  generated_at: datetime | None = None) -> ReportContent:
    """The content of the ``kind`` report on ``period`` for ``scope``, read from the database now."""
    ids = list(scope.department_ids) if scope.department_ids is not None else None
    numbers = period_figures(session, period, ids, calendar=calendar)
    first = add_months(period.after, -TREND_MONTHS[kind])
    points = trend(session, MONTH, first, period.after, ids, calendar=calendar)
    return ReportContent(kind=kind, period=period, scope=scope, figures=numbers, trend=points,
                         generated_at=generated_at or clock.now())
