"""The monthly report in a real browser: 郑监察 opens 监察报告, generates the 月报 of the demo's month and downloads it
as PDF and as Excel; both show the figures the database holds."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from engine import clock
from engine.calendar import load_calendar
from engine.store.reports import Report
from engine.supervision.figures import period_figures
from engine.supervision.periods import MONTH, local_day, period_of, start_of_day
from tests.browser.test_inbox_journey import sign_in

pytestmark = pytest.mark.browser

#: The month the demo's cases were registered in, and a moment after it (the report of a month is made once it ends).
DEMO_MONTH = period_of(MONTH, local_day(clock.now()))
AFTER = start_of_day(DEMO_MONTH.after + timedelta(days=2)) + timedelta(hours=10)


def _download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.locator("#reports tbody tr").first.get_by_role("link", name=name).click()
    path = info.value.path()
    return path.read_bytes()


def test_the_monthly_report_is_downloaded_as_pdf_and_excel_with_the_database_figures(page: Page, demo_db):
    with time_machine.travel(AFTER, tick=True):
        sign_in(page, "jiancha")
        page.get_by_role("link", name="监察报告").click()
        expect(page.get_by_role("heading", name="监察报告")).to_be_visible()
        page.get_by_label("报告类型").select_option(label="月报")
        expect(page.get_by_label("报告期间")).to_have_value(DEMO_MONTH.key)
        page.get_by_role("button", name="生成报告").click()
        expect(page.locator("p.flash")).to_contain_text(f"{DEMO_MONTH.label} 报告。")
        row = page.locator("#reports tbody tr").first
        expect(row).to_contain_text(DEMO_MONTH.label)

        with demo_db.sessions() as s:
            report = s.execute(select(Report)).scalar_one()
            figures = period_figures(s, DEMO_MONTH, report.department_ids, calendar=load_calendar(s))
        total = figures.total
        expect(row.locator("td").nth(2)).to_have_text(str(total.received))

        pdf = _download(page, "PDF")
        text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        assert f"本期共受理办件{total.received}件，办结{total.completed}件，其中按时办结{total.on_time}件" in text
        assert f"黄灯预警{total.alerts.yellow}次、红灯报警{total.alerts.red}次" in text
        for d in figures.departments:
            assert d.department in text

        book = load_workbook(io.BytesIO(_download(page, "Excel")))
        rows = {r[0]: r[1:] for r in book["各部门情况"].iter_rows(min_row=2, values_only=True)}
        for d in figures.departments:
            assert rows[d.department][:3] == (d.received, d.completed, d.on_time)
            assert rows[d.department][5:7] == (d.alerts.yellow, d.alerts.red)
        assert rows["合计"][0] == total.received

        # Marking it submitted (报送) is recorded on the row.
        row.get_by_role("button", name="标记为已报送").click()
        expect(page.locator("p.flash")).to_have_text("已标记为已报送。")
        expect(page.locator("#reports tbody tr").first).to_contain_text(re.compile("已报送"))
