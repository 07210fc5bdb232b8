"""The case page in Chromium: the flowchart's zoom controls work, a wide chart stays legible, the legend says what
the colours mean, and the timeline tells the case."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine import clock
from engine.demo import _ACCEPT_SAMPLE
from engine.runtime.cases import complete_task
from engine.store import Case, OpenTask, Power, User
from tests.browser.conftest import LiveServer
from tests.browser.test_csp import served_under_policy, watch
from tests.browser.test_inbox_journey import sign_in

pytestmark = pytest.mark.browser


def _zoom(page: Page) -> float:
    return float(page.locator(".bpmn-view").get_attribute("data-zoom") or "0")


def _changes_zoom(page: Page, action: str, before: float) -> float:
    page.locator(f'.bpmn-toolbar button[data-action="{action}"]').click()
    expect(page.locator(".bpmn-view")).not_to_have_attribute("data-zoom", f"{before:.3f}")
    return _zoom(page)


def test_the_flowchart_zooms_fits_and_goes_full_screen_and_the_timeline_shows(page: Page,
                                                                                live_server: LiveServer) -> None:
    violations = watch(page)
    with live_server.app.extensions["sunshine"].reader() as s:
        case_id = s.scalars(select(Case.id).join(Power, Power.id == Case.power_id)
                            .where(Power.name == "食品经营许可").order_by(Case.id)).first()
    sign_in(page, "shouli")
    served_under_policy(page, f"/work/cases/{case_id}")
    view = page.locator(".bpmn-view")
    expect(view).to_have_attribute("data-rendered", "ok")

    # A wide chart opens legible: never below the readable scale, the rest reached by panning.
    opened = _zoom(page)
    assert opened >= 0.7 - 1e-3
    toolbar = page.get_by_role("toolbar", name="流程图缩放")
    for label in ("放大", "缩小", "适应宽度", "显示全图", "重置", "全屏"):
        expect(toolbar.get_by_role("button", name=re.compile(label))).to_be_visible()

    bigger = _changes_zoom(page, "zoom-in", opened)
    assert bigger == pytest.approx(opened * 1.25, rel=0.02)
    smaller = _changes_zoom(page, "zoom-out", bigger)
    assert smaller == pytest.approx(opened, rel=0.02)

    # Fit to width: the whole chart's width fits the canvas.
    page.locator('.bpmn-toolbar button[data-action="fit-width"]').click()
    widths = page.evaluate("""() => { const v = document.querySelector('.bpmn-view');
        const box = v.bpmnViewer.get('canvas').viewbox();
        return [box.inner.width * box.scale, box.outer.width]; }""")
    assert widths[0] <= widths[1] + 1
    page.locator('.bpmn-toolbar button[data-action="reset"]').click()
    expect(view).to_have_attribute("data-zoom", f"{opened:.3f}")

    # Full screen fills the window, Escape leaves it.
    page.locator('.bpmn-toolbar button[data-action="full-screen"]').click()
    expect(page.locator(".bpmn-frame.bpmn-full")).to_have_count(1)
    box = view.bounding_box()
    assert box is not None and box["height"] > page.viewport_size["height"] * 0.8
    page.keyboard.press("Escape")
    expect(page.locator(".bpmn-frame.bpmn-full")).to_have_count(0)

    # The legend names what the marks mean; the current step is marked.
    legend = page.locator(".bpmn-legend")
    expect(legend).to_contain_text("已办环节")
    expect(legend).to_contain_text("当前环节")
    expect(page.locator(".bpmn-view .djs-element.bpmn-current")).not_to_have_count(0)

    # The timeline tells the case, oldest first.
    timeline = page.locator("ol.timeline > li")
    expect(timeline.first).to_contain_text("登记受理")
    assert violations() == []


def test_a_paused_case_marks_its_waiting_step_and_says_so_in_the_legend(page: Page, live_server: LiveServer,
                                                                         tmp_path) -> None:
    rt = live_server.app.extensions["sunshine"]
    with rt.reader() as s:
        case_id, step_id = s.execute(select(Case.id, OpenTask.id).join(OpenTask, OpenTask.case_id == Case.id)
                                     .where(Case.subject.like("%热食类%"))).one()
        clerk = s.execute(select(User).where(User.username == "shouli")).scalar_one()
    complete_task(rt, step_id, {**_ACCEPT_SAMPLE, "applicant_name": "示范市味之源餐饮管理有限公司",
                                "applicant_id_number": "91519900MA62A1B2CY", "applicant_contact": "0837-2881234",
                                "application_date": clock.local(clock.now()).date().isoformat(),
                                "material_layout": "false", "accept_result": "supplement",
                                "supplement_list": "平面布局图", "reason": "缺平面布局图",
                                "opinion": "一次性告知补正。"}, clerk)
    sign_in(page, "shouli")
    page.goto(f"/work/cases/{case_id}")
    expect(page.locator(".bpmn-view")).to_have_attribute("data-rendered", "ok")
    expect(page.locator('.bpmn-view .djs-element.bpmn-paused[data-element-id="supplement"]')).to_have_count(1)
    expect(page.locator('.bpmn-view .djs-element.bpmn-done[data-element-id="accept"]')).to_have_count(1)
    expect(page.locator(".bpmn-legend")).to_contain_text("暂停计时中")
    items = page.locator("ol.timeline > li")
    expect(items).to_have_count(3)
    expect(items.nth(1)).to_contain_text("完成「受理」")
    expect(items.nth(2)).to_contain_text("暂停计时")
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
