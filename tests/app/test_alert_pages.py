"""电子监察 lists what is open; a yellow warning whose step was done in time is history, there and on the case
page. Deadlines in a year whose official holiday schedule is missing carry the warning wherever they are shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine import clock
from engine.runtime.cases import Applicant, start_case
from engine.store import Alert, OpenTask, Power
from engine.supervisor.tick import tick
from tests.app.conftest import sign_in
from tests.app.test_applicant_correction import ACCEPT, OLD_NAME, TASK_LINK


def _alert_row(page: str, alert_id: int) -> str | None:
    found = re.search(rf'<tr[^>]*data-alert="{alert_id}".*?</tr>', page, re.S)
    return found.group(0) if found else None


def test_a_yellow_warning_done_in_time_leaves_the_open_list_and_stays_as_history(app):
    rt = app.extensions["sunshine"]
    clerk = app.test_client()
    sign_in(clerk, "shouli")
    link = TASK_LINK.search(clerk.get("/work/").get_data(as_text=True)).group(1)
    with rt.reader() as s:
        task = s.get_one(OpenTask, link.rsplit("/", 1)[-1])
    with time_machine.travel(task.warn_at + timedelta(minutes=1), tick=False):
        tick(rt)
        with rt.reader() as s:
            alert_id = s.execute(select(Alert.id).where(Alert.subject == task.id, Alert.rule == "T1")).scalar_one()
        boss = app.test_client()
        sign_in(boss, "jiancha")
        assert _alert_row(boss.get("/watch/").get_data(as_text=True), alert_id) is not None  # open: listed

        token = sign_in(clerk, "shouli")
        today = clock.local(clock.now()).date().isoformat()
        done = clerk.post(link, data={"csrf": token, **ACCEPT, "applicant_name": OLD_NAME, "application_date": today})
        assert done.status_code == 302

        sign_in(boss, "jiancha")
        assert _alert_row(boss.get("/watch/").get_data(as_text=True), alert_id) is None
        closed = _alert_row(boss.get("/watch/?state=closed").get_data(as_text=True), alert_id)
        assert closed is not None and "已关闭：按时办结，自动关闭" in closed
        assert _alert_row(boss.get("/watch/?state=all").get_data(as_text=True), alert_id) is not None
        case_page = boss.get(f"/work/cases/{task.case_id}").get_data(as_text=True)
        history = re.search(rf'<li[^>]*data-alert="{alert_id}".*?</li>', case_page, re.S).group(0)
        assert 'class="yellow closed"' in history and "已关闭：按时办结，自动关闭" in history
        boss.get("/lang/en")
        assert "closed automatically" in _alert_row(boss.get("/watch/?state=closed").get_data(as_text=True), alert_id)


def test_deadlines_in_a_year_without_the_official_schedule_are_warned_on_every_page_that_shows_them(app):
    rt = app.extensions["sunshine"]
    last = max(rt.calendar.covered_years)
    # 31 December of the last covered year: the case's deadlines, and its first step's, fall in the next one.
    late_december = datetime(last, 12, 31, 2, 0, tzinfo=UTC)
    warning = f"{last + 1} 年的法定节假日安排尚未录入，期限按周一至周五计算"
    with rt.reader() as s:
        power = s.execute(select(Power).where(Power.name == "食品经营许可")).scalar_one()
    with time_machine.travel(late_december, tick=False):
        case = start_case(rt, power.code, Applicant("示范市年末餐饮店", "统一社会信用代码", "91519900MA62A1B2CY",
                                                    "0837-2881234"), "年末申请", actor="shouli")
        clerk = app.test_client()
        sign_in(clerk, "shouli")
        inbox = clerk.get("/work/").get_data(as_text=True)
        task_link = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*{case.serial}(?:(?!</tr>).)*</tr>', inbox, re.S).group(0)
        assert warning in inbox and 'class="calendar-warning"' in task_link
        task_id = re.search(r'href="/work/tasks/([^"]+)"', task_link).group(1)
        assert warning in clerk.get(f"/work/tasks/{task_id}").get_data(as_text=True)
        case_page = clerk.get(f"/work/cases/{case.id}").get_data(as_text=True)
        assert warning in case_page and 'class="calendar-warning"' in case_page
        clerk.get("/lang/en")
        assert f"schedule for {last + 1} has not been entered" in clerk.get(f"/work/cases/{case.id}").get_data(
            as_text=True)


def test_the_demo_is_quiet_as_it_starts(app):
    """No step of the demo's cases arrives yellow (it used to: every one-working-day step did at once)."""
    result = tick(app.extensions["sunshine"])
    assert (result.yellow, result.red, result.limit_yellow, result.limit_red) == (0, 0, 0, 0)
