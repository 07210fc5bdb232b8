"""监察报告 and 部门绩效考核 in the browser's place: a supervisor makes the monthly report of the demo's month,
downloads it as PDF and Excel with the figures the database holds, sets the score weights, is reminded of the
annual report."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from engine import clock
from engine.calendar import load_calendar
from engine.store import AuditEvent
from engine.store.reports import DepartmentScore, Report
from engine.supervision.figures import period_figures
from engine.supervision.periods import MONTH, local_day, period_of, start_of_day
from tests.app.conftest import sign_in

#: The month the demo's cases were registered in (the test session's real month).
DEMO_MONTH = period_of(MONTH, local_day(clock.now()))
#: 10:00 on the 3rd of the month after it: the demo's month is over and can be reported.
AFTER = start_of_day(DEMO_MONTH.after + timedelta(days=2)) + timedelta(hours=10)


@pytest.fixture
def later():
    with time_machine.travel(AFTER, tick=False):
        yield AFTER


def _figures(demo_db, department_ids):
    with demo_db.sessions() as s:
        return period_figures(s, DEMO_MONTH, department_ids, calendar=load_calendar(s))


def _pdf_text(content: bytes) -> str:
    return "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_staff_cannot_open_reports(app, demo_db):
    client = app.test_client()
    sign_in(client, "shouli")
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/scores").status_code == 403


def test_the_monthly_report_downloads_as_pdf_and_excel_with_the_database_figures(app, demo_db, later):
    client = app.test_client()
    token = sign_in(client, "jiancha")
    page = client.get("/reports/").get_data(as_text=True)
    assert "监察报告" in page and f'value="{DEMO_MONTH.key}"' in page  # the last finished month is proposed
    resp = client.post("/reports/generate", data={"csrf": token, "kind": "month", "period": DEMO_MONTH.key})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"{DEMO_MONTH.label} 报告。" in page and "已生成 " in page
    with demo_db.sessions() as s:  # jiancha watches 示范市 and the regions below it
        report = s.execute(select(Report)).scalar_one()
    figures = _figures(demo_db, report.department_ids)
    total = figures.total
    assert total.received >= 4  # the demo's cases

    report_id = int(page.split('id="report-')[1].split('"')[0])
    pdf = client.get(f"/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    text = _pdf_text(pdf.data)
    assert f"本期共受理办件{total.received}件，办结{total.completed}件，其中按时办结{total.on_time}件" in text
    assert f"黄灯预警{total.alerts.yellow}次、红灯报警{total.alerts.red}次" in text

    xlsx = client.get(f"/reports/{report_id}.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = {r[0]: r[1:] for r in book["各部门情况"].iter_rows(min_row=2, values_only=True)}
    for d in figures.departments:
        assert rows[d.department][:3] == (d.received, d.completed, d.on_time)
        assert rows[d.department][5:7] == (d.alerts.yellow, d.alerts.red)
    assert rows["合计"][0] == total.received
    with demo_db.sessions() as s:
        downloads = s.execute(select(AuditEvent.payload).where(AuditEvent.action == "report.downloaded")).scalars()
        assert sorted(p["format"] for p in downloads) == ["pdf", "xlsx"]

    # Asking again gives the same report, not a second one.
    resp = client.post("/reports/generate", data={"csrf": token, "kind": "month", "period": DEMO_MONTH.key})
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "报告已生成过" in page and page.count('id="report-') == 1


def test_a_bad_or_unfinished_period_is_refused_on_its_field(app, demo_db, later):
    client = app.test_client()
    token = sign_in(client, "jiancha")
    resp = client.post("/reports/generate", data={"csrf": token, "kind": "month", "period": "2026-13"})
    assert resp.status_code == 422
    assert "报告期间格式不正确" in resp.get_data(as_text=True) and 'value="2026-13"' in resp.get_data(as_text=True)
    this_month = period_of(MONTH, local_day(AFTER)).key
    resp = client.post("/reports/generate", data={"csrf": token, "kind": "month", "period": this_month})
    assert resp.status_code == 422 and "尚未结束" in resp.get_data(as_text=True)
    assert client.get("/reports/999.pdf").status_code == 404


def test_scores_show_their_computation_and_keep_the_weights_they_used(app, demo_db, later):
    client = app.test_client()
    token = sign_in(client, "jiancha")
    page = client.get(f"/reports/scores?kind=month&period={DEMO_MONTH.key}").get_data(as_text=True)
    assert "按第 0 版权重" in page and "综合得分 =" in page and "预警得分 = max(0, 100" in page
    assert "未接入" in page

    resp = client.post("/reports/scores/weights", data={"csrf": token, "timeliness": "60", "alerts": "abc",
                                                        "directives": "10", "ratings": "5"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "请填写 0 到 100 之间的数字。" in body and "尚未接入，权重只能为 0。" in body and 'value="60"' in body

    resp = client.post("/reports/scores/weights", data={
        "csrf": token, "timeliness": "60", "alerts": "30", "directives": "10", "ratings": "0", "complaints": "0",
        "yellow_factor": "1", "red_factor": "5", "directive_penalty": "10", "note": "加重红灯"})
    assert resp.status_code == 302
    page = client.get(f"/reports/scores?kind=month&period={DEMO_MONTH.key}").get_data(as_text=True)
    assert "已保存第 1 版考核权重。" in page and "按第 1 版权重" in page and "加重红灯" in page
    with demo_db.sessions() as s:
        versions = set(s.execute(select(DepartmentScore.weights_version)).scalars())
    assert versions == {0, 1}  # the scores made under version 0 are kept


def test_a_department_supervisor_may_not_set_the_weights(app, demo_db, later):
    from engine.supervision.demo_levels import SUPERVISORS

    placed = next(u for u, _display, (kind, _code) in SUPERVISORS if kind == "department")
    client = app.test_client()
    token = sign_in(client, placed)
    page = client.get("/reports/scores").get_data(as_text=True)
    assert "只有全平台的监察人员或管理员可以设置考核权重。" in page and 'id="weights-form"' not in page
    resp = client.post("/reports/scores/weights", data={"csrf": token, "timeliness": "1"})
    assert resp.status_code == 302


def test_the_annual_report_is_recalled_before_31_january_until_submitted(app, demo_db):
    with time_machine.travel(datetime.fromisoformat("2027-01-20T10:00:00+08:00"), tick=False):
        client = app.test_client()
        token = sign_in(client, "jiancha")
        page = client.get("/reports/").get_data(as_text=True)
        # 20–22 and 25–29 January, and Sunday the 31st if the calendar makes it a working day (春节调休).
        assert re.search("2026年度电子监察年报应于 2027-01-31 前报送，还有 [89] 个工作日，请先生成报告。", page)
        assert "2026年度电子监察年报应于 2027-01-31 前报送" in client.get("/watch/").get_data(as_text=True)
        resp = client.post("/reports/generate", data={"csrf": token, "kind": "year", "period": "2026"})
        report_id = int(resp.headers["Location"].split("#report-")[1])
    with time_machine.travel(datetime.fromisoformat("2027-02-02T10:00:00+08:00"), tick=False):
        client = app.test_client()
        token = sign_in(client, "jiancha")
        assert "现已逾期未报送" in client.get("/reports/").get_data(as_text=True)
        client.post(f"/reports/{report_id}/submitted", data={"csrf": token})
        page = client.get("/reports/").get_data(as_text=True)
        assert "已标记为已报送。" in page and "data-report-reminder" not in page
