"""The editor's panel sets whose time a timer measures (clock = applicant / third_party) and shows it again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from engine.bpmn import check_bpmn
from engine.store import CatalogChange
from tests.browser.conftest import LiveServer
from tests.browser.test_modeler import _draft_the_licence_flowchart, change_id, sign_in  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def _open(page: Page, change: int) -> None:
    page.goto(f"/catalog/changes/{change}/flowchart/internal")
    expect(page.locator('#modeler[data-ready="1"]')).to_have_count(1)


def _saved(live_server: LiveServer, change: int) -> str:
    with live_server.app.extensions["sunshine"].sessions() as s:
        return s.get(CatalogChange, change).internal_bpmn


def test_the_panel_marks_a_timer_as_the_applicants_time(page: Page, live_server: LiveServer,
                                                        change_id: int) -> None:  # noqa: F811 - fixture
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _draft_the_licence_flowchart(live_server, change_id)
    sign_in(page, "mulu")
    _open(page, change_id)
    panel = page.locator("#props-body")
    whose = panel.locator('select[data-prop="time-of"]')

    # The demo's 补正 period is the applicant's; 承办审查's limit is the department's.
    page.locator('.djs-element[data-element-id="supplement_time_limit"]').click()
    expect(whose).to_have_value("applicant")
    page.locator('.djs-element[data-element-id="handle_time_limit"]').click()
    expect(whose).to_have_value("")

    whose.select_option("third_party")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    xml = _saved(live_server, change_id)
    handle = xml[xml.index('<bpmn:boundaryEvent id="handle_time_limit"'):]
    handle = handle[:handle.index("</bpmn:boundaryEvent>")]
    assert '<spiffworkflow:property name="clock" value="third_party" />' in handle
    # 承办审查 does not stop the clock: the linter says that third party's time would count against the limits.
    codes = [p.code for p in check_bpmn(xml.encode(), "saved.bpmn").problems]
    assert "clock.others_time_running" in codes

    _open(page, change_id)
    page.locator('.djs-element[data-element-id="handle_time_limit"]').click()
    expect(whose).to_have_value("third_party")
    whose.select_option("")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    xml = _saved(live_server, change_id)
    handle = xml[xml.index('<bpmn:boundaryEvent id="handle_time_limit"'):]
    assert 'name="clock"' not in handle[:handle.index("</bpmn:boundaryEvent>")]
    assert errors == []
