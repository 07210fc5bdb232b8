"""When a report is due, and the reminder shown as that date nears.

Only the annual report has a due date in the rules: 行权部门 submit the year's report **by 31 January** of the next
year (seed 003, 阿坝州办法 第十二条). The monthly report (电子监察月报, 003 第十三条) and the quarterly summaries
(阿坝州办法 第四十三、四十五条, 每季度) have none: the scheduler makes them on the 1st.

From ``REMIND_WORKDAYS`` working days before the due date until the report is marked submitted (报送), the reports page
and 电子监察 show a reminder; past the due date it turns into an overdue notice (红色), and stays until the report is
marked submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import WorkCalendar
from engine.store.reports import Report, ReportSubmission
from engine.supervision.periods import YEAR, Period, period_of, start_of_day
from engine.supervision.report_content import ReportScope

#: Working days before the due date from which the reminder shows.
REMIND_WORKDAYS = 10


def due_date(kind: str, period: Period) -> date | None:
    """The day by which the report must be submitted, where a rule sets one."""
    if kind == YEAR:
        return date(period.first.year + 1, 1, 31)
    return None


@dataclass(frozen=True)
class Reminder:
    kind: str
    period: Period
    scope: ReportScope
    due: date
    #: Working days from today (counted when it is one) up to and including the due date; 0 or less when overdue.
    workdays_left: int
    overdue: bool
    report_id: int | None

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            head = f"The {self.period.label} annual report ({self.scope.name}) is due by {self.due:%Y-%m-%d}"
            if self.overdue:
                return head + " and has not been marked submitted: it is overdue."
            made = "" if self.report_id else "; generate it first"
            return f"{head}: {self.workdays_left} working day(s) left{made}."
        head = f"{self.scope.name}{self.period.label}电子监察年报应于 {self.due:%Y-%m-%d} 前报送"
        if self.overdue:
            return head + "，现已逾期未报送，请尽快报送并标记。"
        made = "" if self.report_id else "，请先生成报告"
        return f"{head}，还有 {self.workdays_left} 个工作日{made}。"


def reminders(session: Session, calendar: WorkCalendar, scope: ReportScope, today: date) -> list[Reminder]:
    """The reminders for ``scope`` on ``today`` (Beijing date): the last year's report, from ``REMIND_WORKDAYS``
    working days before it is due until it is marked submitted."""
    out: list[Reminder] = []
    period = period_of(YEAR, today).previous()
    due = due_date(YEAR, period)
    if due is None:
        return out
    yesterday = start_of_day(today - timedelta(days=1))
    left = calendar.workdays_between(yesterday, start_of_day(due))
    overdue = today > due
    if not overdue and left > REMIND_WORKDAYS:
        return out
    row = session.execute(select(Report.id, ReportSubmission.report_id)
                          .outerjoin(ReportSubmission, ReportSubmission.report_id == Report.id)
                          .where(Report.kind == YEAR, Report.period == period.key, Report.scope == scope.key)).first()
    report_id, submitted = (row[0], row[1] is not None) if row else (None, False)
    if not submitted:
        out.append(Reminder(YEAR, period, scope, due, left, overdue, report_id))
    return out
