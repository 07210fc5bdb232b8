"""The period figures a supervisor reads (reports, scores, the dashboard), from cases run through the engine."""

from __future__ import annotations

from datetime import date

import time_machine

from engine.clock import LOCAL_TZ
from engine.identity import create_user, ensure_department, ensure_region
from engine.runtime.runtime import Runtime
from engine.supervision import directives
from engine.supervision.figures import figures, period_figures, trend
from engine.supervision.periods import MONTH, period_of
from tests.engine.supervision.month_cases import bj, fresh_rt, month_of_cases  # noqa: F401 - fixtures rt, month
from tests.settings import make_settings

NOVEMBER = period_of(MONTH, date(2026, 11, 1))
DECEMBER = period_of(MONTH, date(2026, 12, 1))


def test_november_counts_what_was_received_completed_and_alerted(rt, month):
    with rt.reader() as s:
        got = period_figures(s, NOVEMBER, calendar=rt.calendar)
    dept = got.of(month.department_id)
    assert (dept.received, dept.completed, dept.on_time, dept.late) == (3, 1, 1, 0)
    assert dept.on_time_rate == 1.0
    assert dept.average_handling_days == 0  # A was completed on the day it came in
    assert (dept.alerts.yellow, dept.alerts.red) == (1, 2)
    assert dept.alerts_per_100 == 100.0 and dept.red_per_100 == 200 / 3
    # At the end of November B's and C's reds are open; B's yellow closed when its red took over.
    assert dept.open_alerts == 2
    assert got.total.received == 3 and got.total.department == "合计"


def test_december_counts_a_late_completion_in_working_days(rt, month):
    with rt.reader() as s:
        dept = period_figures(s, DECEMBER, calendar=rt.calendar).of(month.department_id)
    assert (dept.received, dept.completed, dept.on_time) == (0, 1, 0)
    assert dept.on_time_rate == 0.0
    # 23 November → 2 December: 24, 25, 26, 27, 30 November, 1, 2 December.
    assert dept.average_handling_days == 7
    assert dept.alerts.red == 1  # B's promised limit (T3), raised as it ended late
    assert dept.alerts_per_100 is None  # nothing received: no rate rather than a division by zero


def test_a_scope_counts_only_its_departments_and_lists_each_even_without_cases(rt, month):
    with rt.reader() as s:
        only_other = period_figures(s, NOVEMBER, [month.other_id], calendar=rt.calendar)
        both = period_figures(s, NOVEMBER, calendar=rt.calendar)
    assert [d.department for d in only_other.departments] == ["其他局"]
    assert only_other.total.received == 0 and only_other.total.on_time_rate is None
    assert {d.department for d in both.departments} == {"测试局", "其他局"}
    assert both.total.received == 3


def test_open_alerts_are_counted_at_the_moment_asked(rt, month):
    with rt.reader() as s:
        before_reds = figures(s, NOVEMBER.start, NOVEMBER.end, open_at=NOVEMBER.start.replace(day=25))
    # On 25 November only B's yellow was open.
    assert before_reds.of(month.department_id).open_alerts == 1


def test_a_monthly_trend_sums_the_scope_month_by_month(rt, month):
    with rt.reader() as s:
        points = trend(s, "month", date(2026, 11, 1), date(2027, 1, 1), [month.department_id], calendar=rt.calendar)
        counts_only = trend(s, "month", date(2026, 11, 1), date(2027, 1, 1))
    assert [p.label for p in points] == ["2026年11月", "2026年12月"]
    assert [(p.received, p.completed, p.on_time, p.yellow, p.red) for p in points] == [(3, 1, 1, 1, 2),
                                                                                      (0, 1, 0, 0, 1)]
    assert [p.average_handling_days for p in points] == [0, 7]
    assert [(p.received, p.completed, p.on_time, p.red) for p in counts_only] == [(3, 1, 1, 2), (0, 1, 0, 1)]
    assert counts_only[0].average_handling_days is None


def test_a_weekly_trend_starts_on_mondays(rt, month):
    with rt.reader() as s:
        points = trend(s, "week", date(2026, 11, 16), date(2026, 12, 7))
    assert [p.period.first for p in points] == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert [p.received for p in points] == [0, 3, 0]
    assert [p.completed for p in points] == [0, 1, 1]


def test_directives_count_when_issued_and_while_overdue_and_their_own_cases_do_not(rt, month, db):
    platform = Runtime(db.sessions, make_settings(database_url=db.url))  # the real forms: the directive's process
    with rt.sessions.begin() as s:
        office = ensure_department(s, ensure_region(s, "510000", "测试市"), "JCS", "监察室", ["电子监察"])
        directives.install(s, platform, office.id)
        chief = create_user(s, "chief", "监察科长", "pw-chief", roles=["supervisor"])
    with time_machine.travel(bj(2, 10), tick=False):  # due 20 working days later: 30 November 24:00
        directive = directives.issue(platform, chief, subject="办件超期", requirement="说明原因并整改",
                                     department_id=month.department_id)
    assert directive.due_at.astimezone(LOCAL_TZ).date() == date(2026, 12, 1)
    with rt.reader() as s:
        november = period_figures(s, NOVEMBER, [month.department_id], calendar=rt.calendar).total
        december = period_figures(s, DECEMBER, [month.department_id], calendar=rt.calendar).total
    assert (november.directives, november.overdue_directives) == (1, 0)
    assert (december.directives, december.overdue_directives) == (0, 1)  # unreported past its deadline
    assert november.received == 3  # the directive's own case (上报 step) is the platform's, not a received case
