"""The supervisor's dashboard in Chromium, in Chinese: from a number to the cases behind it, and from a case to its
flowchart with the late step marked; the trend charts drawn under the content security policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine import clock
from engine.store import Case, Department, OpenTask
from engine.supervisor.tick import tick
from tests.browser.conftest import LiveServer
from tests.browser.test_csp import watch
from tests.browser.test_inbox_journey import sign_in

pytestmark = pytest.mark.browser


def test_the_city_supervisor_drills_from_a_red_number_to_the_late_step_of_a_county_case(
        page: Page, live_server: LiveServer) -> None:
    rt = live_server.app.extensions["sunshine"]
    # Forty days on, every demo case is late; the supervisor's tick has raised the red alerts.
    with time_machine.travel(clock.now() + timedelta(days=40), tick=True):
        tick(rt, clock.now())
        with rt.reader() as s:
            county = s.execute(select(Department).where(Department.code == "XMZJ")).scalar_one()
            case = s.execute(select(Case).where(Case.department_id == county.id).order_by(Case.id)).scalars().first()
            [late_step] = s.execute(select(OpenTask).where(OpenTask.case_id == case.id)).scalars().all()
        violations = watch(page)
        sign_in(page, "jiancha")
        page.get_by_role("link", name="监察仪表盘").click()
        expect(page.get_by_role("heading", name=re.compile("监察仪表盘"))).to_contain_text("示范市")
        red = page.locator('[data-figure="red"] a')
        assert int(red.inner_text()) > 0
        # The trends are drawn by ECharts from the JSON endpoint.
        expect(page.locator("#trend-week")).to_have_attribute("data-rendered", "ok")
        expect(page.locator("#trend-month")).to_have_attribute("data-points", "12")
        expect(page.locator("#trend-month canvas").first).to_be_visible()

        # The county's row of 「按部门」: its red number lists the county's late cases.
        by_department = page.locator('table[data-by="department"]')
        row = by_department.locator("tr", has_text="示范县民政局")
        row.locator("td").nth(2).get_by_role("link").click()
        expect(page.get_by_role("heading", name="未关闭红灯报警的办件")).to_be_visible()
        expect(page.locator(".hint")).to_contain_text("示范县民政局")
        page.get_by_role("link", name=case.serial).first.click()

        # The case opens on its diagram, the late step marked red and named in the legend.
        page.wait_for_url(re.compile(rf"/work/cases/{case.id}$"))
        view = page.locator(".bpmn-view")
        expect(view).to_have_attribute("data-rendered", "ok")
        assert late_step.bpmn_id in (view.get_attribute("data-late") or "").split()
        expect(page.locator(f'.djs-element.bpmn-late[data-element-id="{late_step.bpmn_id}"]')).to_have_count(1)
        expect(page.locator(".bpmn-legend")).to_contain_text("已超期环节")
        # Opening the case was logged: the case's audit list says who looked.
        expect(page.locator("ol.audit")).to_contain_text("查阅办件")
        assert violations() == []
