"""电子监察月报/季报/年报: the PDF and the workbook show the figures the database holds, made once per period."""

from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from engine.clock import LOCAL_TZ
from engine.db import make_engine, session_factory
from engine.files.storage import local_storage
from engine.identity import create_user
from engine.runtime.runtime import Runtime
from engine.store import AuditEvent, Region, User
from engine.store.reports import Report
from engine.supervision.figures import period_figures
from engine.supervision.periods import MONTH, period_of
from engine.supervision.report_content import PLATFORM
from engine.supervision.report_schedule import run_monthly
from engine.supervision.reports import ReportProblem, download, generate, generate_for, list_reports, mark_submitted
from engine.supervision.scope import assign
from engine.supervisor.scheduler import start_background
from tests.engine.supervision.month_cases import fresh_rt, month_of_cases  # noqa: F401 - fixtures rt, month

NOVEMBER = period_of(MONTH, date(2026, 11, 1))
#: 00:30 on 1 December 2026, Beijing time: when the scheduler's monthly job runs.
FIRST_OF_DECEMBER = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
LATER = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def storage(rt: Runtime):
    return local_storage(rt.settings.files_dir)


@pytest.fixture
def chief(rt: Runtime) -> str:
    with rt.sessions.begin() as s:
        return create_user(s, "chief", "监察科长", "pw-chief", roles=["supervisor"]).username


def _user(s, username: str) -> User:
    return s.execute(select(User).where(User.username == username)).scalar_one()


def _november(rt, storage, month):
    with rt.sessions.begin() as s:
        made = generate(s, storage, rt.calendar, MONTH, NOVEMBER, PLATFORM, actor="chief", now=LATER)
    return made.report


def _pdf_text(content: bytes) -> str:
    """The PDF's text without white space (extraction spaces numbers out)."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_monthly_pdf_shows_the_figures_the_database_holds(rt, storage, month):
    report = _november(rt, storage, month)
    with rt.reader() as s:
        figures = period_figures(s, NOVEMBER, calendar=rt.calendar).of(month.department_id)
    text = _pdf_text(storage.read(report.pdf_sha256))
    assert "全平台电子监察月报" in text and "2026年11月" in text
    assert (figures.received, figures.completed, figures.on_time) == (3, 1, 1)
    assert "本期共受理办件3件，办结1件，其中按时办结1件，按时办结率100.0%" in text
    assert "黄灯预警1次、红灯报警2次" in text
    # The department table's row: 测试局 3 received, 1 completed, 1 on time, 100.0%, 0.0 days, 1 yellow, 2 red …
    assert "测试局" in text and "其他局" in text
    assert "各部门受理、办结与报警" in text and "按时办结率（%）" in text  # the charts' titles


def test_the_workbook_holds_the_same_figures_in_cells(rt, storage, month):
    report = _november(rt, storage, month)
    book = load_workbook(io.BytesIO(storage.read(report.xlsx_sha256)))
    assert book.sheetnames == ["总体情况", "各部门情况", "月度趋势"]
    rows = {row[0]: row[1:] for row in book["各部门情况"].iter_rows(min_row=2, values_only=True)}
    # 部门, 受理, 办结, 按时办结, 按时办结率, 平均办理时长, 黄灯, 红灯, 每百件预警, 未销号, 督办, 逾期督办
    assert rows["测试局"] == (3, 1, 1, 1.0, 0.0, 1, 2, 100.0, 2, 0, 0)
    assert rows["其他局"] == (0, 0, 0, None, None, 0, 0, None, 0, 0, 0)
    assert rows["合计"][:3] == (3, 1, 1)
    overview = {k: v for k, v in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert (overview["受理"], overview["办结"], overview["红灯报警"]) == (3, 1, 2)
    trend = list(book["月度趋势"].iter_rows(min_row=2, values_only=True))
    assert trend[-1][:4] == ("2026年11月", 3, 1, 1) and len(trend) == 6
    assert report.summary["received"] == 3 and report.summary["red"] == 2


def test_a_report_is_made_once_and_its_download_is_audited(rt, storage, month, chief):
    first = _november(rt, storage, month)
    second = _november(rt, storage, month)
    assert first.id == second.id
    with rt.sessions.begin() as s:
        user = _user(s, chief)
        got = download(s, storage, user, first.id, "xlsx")
        assert got.filename == "全平台电子监察月报-2026年11月.xlsx"
        assert got.content == storage.read(first.xlsx_sha256)
        assert mark_submitted(s, user, first.id) is True
        assert mark_submitted(s, user, first.id) is False
        [listed] = list_reports(s, user)
        assert listed.submission is not None and listed.period_label == "2026年11月"
    with rt.reader() as s:
        actions = list(s.execute(select(AuditEvent.action).where(AuditEvent.action.like("report.%"))
                                 .order_by(AuditEvent.id)).scalars())
    assert actions == ["report.generated", "report.downloaded", "report.submitted"]


def test_a_period_not_over_is_refused_with_a_message(rt, storage, month, chief):
    with rt.sessions.begin() as s, pytest.raises(ReportProblem) as refused:
        generate(s, storage, rt.calendar, MONTH, period_of(MONTH, date(2026, 12, 1)), PLATFORM, actor="chief",
                 now=LATER)
    assert refused.value.message() == "2026年12月尚未结束，期末后才能生成报告。"
    with rt.sessions.begin() as s, pytest.raises(ReportProblem) as refused:
        generate_for(s, storage, rt.calendar, _user(s, chief), MONTH, "2026-13")
    assert refused.value.field == "period"


def test_staff_may_not_use_reports(rt, storage, month, org):
    with rt.sessions.begin() as s, pytest.raises(ReportProblem):
        list_reports(s, _user(s, "clerk"))


def test_the_job_on_the_first_makes_the_month_quarter_and_year_once_even_run_twice(rt, storage, month):
    made = run_monthly(rt, FIRST_OF_DECEMBER)
    assert [(g.report.kind, g.report.period, g.created) for g in made] == [
        ("month", "2026-11", True), ("quarter", "2026-Q3", True), ("year", "2025", True)]
    again = run_monthly(rt, FIRST_OF_DECEMBER)
    assert [g.created for g in again] == [False, False, False]
    assert [g.report.id for g in again] == [g.report.id for g in made]
    assert "本期共受理办件3件" in _pdf_text(storage.read(made[0].report.pdf_sha256))


def test_two_supervisor_processes_make_each_report_once(rt, storage, month, db):
    other_engine = make_engine(db.url)
    second = Runtime(session_factory(other_engine), rt.settings)
    barrier = threading.Barrier(2)
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def run(n: int, runtime: Runtime) -> None:
        try:
            barrier.wait()
            results[n] = run_monthly(runtime, FIRST_OF_DECEMBER)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate((rt, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other_engine.dispose()
    if errors:
        raise errors[0]
    with rt.reader() as s:
        assert s.execute(select(func.count()).select_from(Report)).scalar() == 3
        generated = s.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "report.generated")).scalar()
    assert generated == 3
    assert sum(g.created for r in results.values() for g in r) == 3


def test_the_supervisor_runs_the_reports_at_0030_beijing_time_on_the_first(rt):
    scheduler = start_background(rt, BackgroundScheduler(timezone="UTC"))
    try:
        job = scheduler.get_job("monthly_reports")
        after = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
        assert job.trigger.get_next_fire_time(None, after) == datetime(2027, 1, 1, 0, 30, tzinfo=LOCAL_TZ)
    finally:
        scheduler.shutdown(wait=True)


def test_the_job_also_reports_each_scope_a_supervisor_is_placed_at(rt, storage, month, chief):
    with rt.sessions.begin() as s:
        region_id = s.execute(select(Region.id).where(Region.code == "510000")).scalar_one()
        assign(s, _user(s, chief).id, region_id=region_id, actor="admin")
    made = run_monthly(rt, FIRST_OF_DECEMBER)
    assert sorted({g.report.scope for g in made}) == ["all", f"region:{region_id}"]
    regional = next(g.report for g in made if g.report.scope != "all" and g.report.kind == "month")
    assert regional.scope_name == "测试市" and regional.summary["received"] == 3
    with rt.reader() as s:  # the placed supervisor sees their region's reports only
        assert {x.report.scope for x in list_reports(s, _user(s, chief))} == {f"region:{region_id}"}
