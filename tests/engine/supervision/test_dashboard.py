"""The dashboard's figures, from a month of cases run through the engine (tests/engine/supervision/month_cases.py):
A done in an hour on 23 November; B late (yellow, then red on its 受理, then past its promised limit as it ended on
2 December); C red on its 受理 and still waiting there."""

from __future__ import annotations

from sqlalchemy import event, select

from engine.store import Post
from engine.supervision.dashboard import NO_POST, drill, main_figures, trends
from engine.supervision.scope import WHOLE, Scope
from tests.engine.supervision.month_cases import bj, fresh_rt, month_of_cases  # noqa: F401 - fixtures rt, month


def test_open_alerts_are_counted_by_department_power_and_post(rt, month, power):
    with rt.reader() as s:
        f = main_figures(s, WHOLE, bj(30, 12), calendar=rt.calendar)
        accept = s.execute(select(Post).where(Post.department_id == month.department_id,
                                              Post.name == "受理")).scalar_one()
    # B's yellow closed as its red took over; B's red on 受理, B's promised limit, C's red on 受理 stay open.
    assert (f.yellow, f.red) == (0, 3)
    assert [(t.key, t.label, t.yellow, t.red) for t in f.by_department] == [(month.department_id, "测试局", 0, 3)]
    assert [(t.key, t.label, t.red) for t in f.by_power] == [(power.id, power.name, 3)]
    # A step's alert stays with the post that was late, even once the step is done (B's red on 受理, like C's);
    # B's limit alert is the case's.
    assert [(t.key, t.label, t.red) for t in f.by_post] == [(accept.id, "测试局 · 受理", 2), (NO_POST, "", 1)]
    assert f.open_directives == 0 and f.patrol_lapses == 0


def test_november_on_time_rate_average_time_and_alerts_per_100_come_from_its_completed_cases(rt, month):
    with rt.reader() as s:
        f = main_figures(s, WHOLE, bj(30, 12), calendar=rt.calendar)
    assert f.period.key == "2026-11"
    assert (f.completed, f.on_time, f.on_time_rate) == (1, 1, 1.0)  # A, in an hour
    assert f.average_handling_days == 0 and f.alerts_per_100 == 0


def test_december_counts_b_completed_late_after_seven_working_days_with_its_three_alerts(rt, month):
    with rt.reader() as s:
        f = main_figures(s, WHOLE, bj(15, 12, month=12), calendar=rt.calendar)
    assert (f.completed, f.on_time, f.on_time_rate) == (1, 0, 0.0)
    assert f.average_handling_days == 7  # 23 November → 2 December
    assert f.alerts_per_100 == 300  # B's yellow, its red on 受理, its promised limit


def test_a_scope_without_the_department_sees_none_of_it(rt, month):
    with rt.reader() as s:
        f = main_figures(s, Scope(frozenset({month.other_id})), bj(15, 12, month=12), calendar=rt.calendar)
    assert (f.yellow, f.red, f.completed, f.by_department) == (0, 0, 0, [])
    assert f.on_time_rate is None and f.average_handling_days is None and f.alerts_per_100 is None


def test_every_number_drills_down_to_its_cases(rt, month):
    now_nov, now_dec = bj(30, 12), bj(15, 12, month=12)
    with rt.reader() as s:
        red = drill(s, WHOLE, now_nov, "red")
        on_no_post = drill(s, WHOLE, now_nov, "red", post_id=NO_POST)
        of_department = drill(s, WHOLE, now_nov, "alerts", department_id=month.department_id)
        elsewhere = drill(s, WHOLE, now_nov, "red", department_id=month.other_id)
        late = drill(s, WHOLE, now_dec, "late", calendar=rt.calendar)
        completed_nov = drill(s, WHOLE, now_nov, "completed")
        alerted = drill(s, WHOLE, now_dec, "alerted")
    assert sorted(r.case_id for r in red.rows) == sorted([month.b.id, month.b.id, month.c.id]) and not red.more
    assert {r.level for r in red.rows} == {"red"}
    assert [r.case_id for r in on_no_post.rows] == [month.b.id]  # B's limit alert; its red on 受理 is that post's
    assert len(of_department.rows) == 3 and elsewhere.rows == []
    assert [(r.case_id, r.workdays) for r in late.rows] == [(month.b.id, 7)]  # the days the average counts
    assert [r.case_id for r in completed_nov.rows] == [month.a.id]
    assert [r.case_id for r in alerted.rows] == [month.b.id]


def test_the_main_figures_take_the_same_statements_however_many_cases_are_open(rt, month, db):
    from tests.engine.supervision.month_cases import start

    def statements() -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with rt.reader() as s:
                main_figures(s, WHOLE, bj(30, 12), calendar=rt.calendar)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    before = statements()
    from engine.store import Power

    with rt.reader() as s:
        power = s.execute(select(Power)).scalars().first()
    for day in (25, 26, 27):
        start(rt, power, bj(day, 9))
    assert statements() == before


def test_the_trends_hold_twelve_weeks_and_twelve_months_up_to_now(rt, month):
    with rt.reader() as s:
        got = trends(s, WHOLE, bj(15, 12, month=12))
    assert len(got["week"]) == 12 and len(got["month"]) == 12
    assert got["month"][-1]["key"] == "2026-12" and got["month"][0]["key"] == "2026-01"
    november = got["month"][-2]
    assert (november["received"], november["completed"], november["on_time_rate"]) == (3, 1, 100.0)
    assert (november["yellow"], november["red"]) == (1, 2)


def test_on_sqlite_every_statement_of_the_main_figures_reads_cases_and_alerts_by_index(rt, month, db):
    if db.dialect != "sqlite":
        return  # PostgreSQL plans by its statistics; bench/ measures it at 1,000,000 open cases
    sent: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        with rt.reader() as s:
            main_figures(s, Scope(frozenset({month.department_id, month.other_id})), bj(15, 12, month=12),
                         calendar=rt.calendar)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    plans = []
    with db.engine.connect() as conn:
        for statement, parameters in sent:
            if statement.lstrip().upper().startswith("SELECT"):
                plans += [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    assert not [p for p in plans if p.startswith(("SCAN cases", "SCAN alerts"))], plans
    assert any("ix_cases_completed_at" in p for p in plans) and any("ix_alerts_status_raised" in p for p in plans)
