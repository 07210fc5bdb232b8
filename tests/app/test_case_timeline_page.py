"""The case page's timeline and flowchart marks, over HTTP."""

from __future__ import annotations

import re

from engine import clock
from tests.app.conftest import sign_in
from tests.app.test_applicant_correction import ACCEPT, OLD_NAME, TASK_LINK

TIMELINE = re.compile(r'<ol class="timeline">(.*?)</ol>', re.S)


def test_the_case_page_tells_the_case_in_one_timeline_and_marks_the_paused_step(app):
    clerk = app.test_client()
    token = sign_in(clerk, "shouli")
    link = TASK_LINK.search(clerk.get("/work/").get_data(as_text=True)).group(1)
    supplement = {**ACCEPT, "applicant_name": OLD_NAME, "material_layout": "false", "accept_result": "supplement",
                  "supplement_list": "经营场所平面布局图", "reason": "缺少平面布局图", "opinion": "一次性告知补正。",
                  "application_date": clock.local(clock.now()).date().isoformat()}
    resp = clerk.post(link, data={"csrf": token, **supplement})
    assert resp.status_code == 302
    inbox = clerk.get("/work/").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*接收补正材料.*?</tr>", inbox, re.S).group(0)
    case_link = re.search(r'href="(/work/cases/\d+)"', row).group(1)
    page = clerk.get(case_link).get_data(as_text=True)

    items = re.findall(r'<li class="tl-([a-z_]+)[^"]*" data-kind="[^"]+" data-action="([^"]+)"', TIMELINE.search(page)
                       .group(1))
    # Registration first, the step, then the stopped clock: newest last.
    assert [a for _, a in items] == ["case.start", "step.done", "case.clock_paused"]
    timeline = TIMELINE.search(page).group(1)
    assert "完成「受理」" in timeline and "登记受理" in timeline and "暂停计时" in timeline
    # The flowchart marks 受理 done, 补正 current and paused (the case's clock stands still).
    view = re.search(r'<div class="bpmn-view"[^>]*>', page).group(0)
    assert 'data-done="accept"' in view and 'data-current="supplement"' in view and 'data-paused="supplement"' in view

    clerk.get("/lang/en")
    timeline = TIMELINE.search(clerk.get(case_link).get_data(as_text=True)).group(1)
    assert "Completed “受理”" in timeline or "Completed “Acceptance”" in timeline
