"""While the applicant supplements materials the case page says the clock is paused; afterwards, by how much
the time limits moved."""

from __future__ import annotations

import re

from engine import clock
from tests.app.conftest import sign_in
from tests.app.test_applicant_correction import ACCEPT, OLD_NAME, TASK_LINK

CASE_LINK = re.compile(r'href="(/work/cases/\d+)"')


def test_the_case_page_shows_a_paused_clock_and_the_extension(app):
    clerk = app.test_client()
    token = sign_in(clerk, "shouli")
    link = TASK_LINK.search(clerk.get("/work/").get_data(as_text=True)).group(1)
    today = clock.local(clock.now()).date().isoformat()
    supplement = {**ACCEPT, "applicant_name": OLD_NAME, "material_layout": "false", "accept_result": "supplement",
                  "supplement_list": "经营场所平面布局图", "reason": "缺少平面布局图", "opinion": "一次性告知补正。",
                  "application_date": today}
    assert clerk.post(link, data={"csrf": token, **supplement}).status_code == 302

    task_page = clerk.get("/work/").get_data(as_text=True)
    [case_link] = set(CASE_LINK.findall(re.search(r"<tr[^>]*>(?:(?!</tr>).)*接收补正材料.*?</tr>", task_page,
                                                  re.S).group(0)))
    page = clerk.get(case_link).get_data(as_text=True)
    assert "暂停计时，恢复后期限按暂停的工作日顺延" in page and "暂停计时" in page.split("审计记录")[-1]
    clerk.get("/lang/en")
    assert "clock paused since" in clerk.get(case_link).get_data(as_text=True)
    clerk.get("/lang/zh")

    link = re.search(r'class="open-task" href="(/work/tasks/[^"]+)">接收补正材料<', task_page).group(1)
    received = {"supplement_received_date": today, "supplement_received": "true", "supplement_complete": "true",
                "opinion": "补正材料已收齐。"}
    assert clerk.post(link, data={"csrf": token, **received}).status_code == 302
    page = clerk.get(case_link).get_data(as_text=True)
    assert "暂停计时，恢复后" not in page
    assert "恢复计时" in page and "期限顺延 0 个工作日" in page  # supplemented the same day
