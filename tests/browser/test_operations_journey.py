"""Case operations in a real browser, in Chinese: a case paused before 国庆 and resumed after it with every due moment
moved on; penalties merged; a return outside the flowchart's arrows with its reason on the reopened step; two
colleagues claiming the same step at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from engine.demo import DEMO_PASSWORD, POWERS
from engine.identity import create_user
from engine.platform import build_runtime
from engine.runtime.cases import Applicant, start_case
from engine.store import Department, OpenTask, Power
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.test_inbox_journey import sign_in
from tests.settings import make_settings

pytestmark = pytest.mark.browser

SHOP = Applicant("示范市老街坊小吃店", "统一社会信用代码", "92519900MA62D4E5F6", "13908371234")
MARKET = Applicant("示范市惠民超市有限公司", "统一社会信用代码", "91519900MA62G7H8JK", "0837-2887766")


def bj(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def _runtime(live_server: LiveServer):  # type: ignore[no-untyped-def]
    rt = live_server.app.extensions["sunshine"]
    return build_runtime(rt.sessions, make_settings(database_url=str(rt.sessions.kw["bind"].url)))


def _code(rt, name: str) -> str:  # type: ignore[no-untyped-def]
    with rt.reader() as s:
        return s.execute(select(Power.code).where(Power.name == name)).scalar_one()


def _fact(page: Page, title: str) -> str:
    return page.locator("dl.facts").first.locator(f"dt:text-is('{title}') + dd").inner_text()


def test_a_case_paused_before_national_day_and_resumed_after_it_has_every_due_moment_moved(
        page: Page, live_server: LiveServer) -> None:
    rt = _runtime(live_server)
    with time_machine.travel(bj(9, 28, 10), tick=False):
        case = start_case(rt, _code(rt, POWERS[0].name), SHOP, "申请食品经营许可（新办）", actor="shouli")
    with time_machine.travel(bj(9, 29, 10)):
        sign_in(page, "shouli")
        page.goto(f"/work/cases/{case.id}")
        assert _fact(page, "承诺期限") == "2026-10-16 24:00" and _fact(page, "法定期限") == "2026-10-30 24:00"
        expect(page.locator("ul.open")).to_contain_text("时限 2026-09-29 24:00")
        page.locator("#op-suspend summary").click()
        page.locator("#op-suspend button").click()  # no ground chosen
        expect(page.locator("#op-suspend .field-error")).to_have_text("请选择暂停的法定事由。")
        page.locator("#suspend-ground").select_option(label="检验检测（最长 30 个工作日）")
        page.locator("#suspend-reason").fill("样品送检验机构检测")
        page.locator("#op-suspend button").click()
        expect(page.locator("#suspension")).to_contain_text("办件已暂停：检验检测")
        expect(page.locator("ul.open")).to_contain_text("时限 —")
    with time_machine.travel(bj(10, 9, 10)):
        sign_in(page, "shouli")
        page.goto(f"/work/cases/{case.id}")
        page.get_by_role("button", name="恢复办理").click()
        expect(page.locator("p.flash").first).to_have_text("办件已恢复，各时限顺延 3 个工作日。")
        # 30 September, 8 and 9 October were paused: each moment moves on by three working days.
        assert _fact(page, "承诺期限") == "2026-10-21 24:00" and _fact(page, "法定期限") == "2026-11-04 24:00"
        expect(page.locator("ul.open")).to_contain_text("时限 2026-10-09 24:00")
        expect(page.locator("ol.audit")).to_contain_text("恢复办理")
    with rt.reader() as s:
        [timer_at] = s.execute(select(OpenTask.due_at).where(OpenTask.case_id == case.id)).scalars().all()
    assert timer_at == bj(10, 10)


def test_a_penalty_merged_into_another(page: Page, live_server: LiveServer) -> None:
    rt = _runtime(live_server)
    code = _code(rt, POWERS[1].name)
    kept = start_case(rt, code, MARKET, "涉嫌经营超过保质期的食品案（一店）", actor="zhifa")
    other = start_case(rt, code, MARKET, "涉嫌经营超过保质期的食品案（二店）", actor="zhifa")
    sign_in(page, "zhifa")
    page.goto(f"/work/cases/{kept.id}")
    page.locator("#op-merge summary").click()
    page.get_by_label("并入本案的案件编号（多个用逗号分隔）").fill(other.serial)
    page.locator("#op-merge button").click()
    expect(page.locator("#op-merge .field-error")).to_have_text("请填写理由。")
    expect(page.get_by_label("并入本案的案件编号（多个用逗号分隔）")).to_have_value(other.serial)
    page.locator("#merge-reason").fill("同一当事人同类违法行为，并案处理")
    page.locator("#op-merge button").click()
    expect(page.locator("p.flash").first).to_have_text(f"已将 {other.serial} 并入本案。")
    page.locator("#case-links").get_by_role("link", name=other.serial).click()
    expect(page.locator("dd.status")).to_have_text(f"已办结：并入 {kept.serial}")
    expect(page.locator("#case-links")).to_contain_text(f"本案已并入 {kept.serial}")
    expect(page.locator("ul.open")).to_contain_text("无")


def test_a_return_outside_the_arrows_shows_its_reason_on_the_reopened_step(page: Page,
                                                                          live_server: LiveServer) -> None:
    rt = _runtime(live_server)
    with rt.reader() as s:
        handle = s.execute(select(OpenTask).where(OpenTask.bpmn_id == "handle")).scalars().one()
    sign_in(page, "chengban")
    page.goto(f"/work/tasks/{handle.id}")
    page.locator("#op-return summary").click()
    page.get_by_label("退回到").select_option(label="受理（流程图外退回，须说明理由）")
    page.locator("#op-return button").click()
    expect(page.locator("#op-return .field-error")).to_have_text("请填写理由。")
    page.locator("#return-reason").fill("营业执照复印件不清晰，请重新受理核对")
    page.locator("#op-return button").click()
    expect(page.locator("p.flash").first).to_have_text("已退回。")
    page.get_by_role("button", name="退出").click()

    sign_in(page, "shouli")
    page.goto(f"/work/cases/{handle.case_id}")
    page.locator("ul.open").get_by_role("link", name="受理").click()
    expect(page.locator("#returned")).to_contain_text("退回理由：营业执照复印件不清晰，请重新受理核对")
    expect(page.locator("#f-business_address")).to_have_value("示范市老街88号")  # the clerk's answer again
    expect(page.locator(".claim-state")).to_contain_text("张受理")  # back to whoever worked it


def test_two_colleagues_claim_the_same_step_one_wins_the_other_is_told(browser: Browser,
                                                                      live_server: LiveServer) -> None:
    rt = _runtime(live_server)
    with rt.sessions.begin() as s:
        dept = s.execute(select(Department).where(Department.code == "SCJGJ")).scalar_one()
        create_user(s, "chengban2", "周承办", DEMO_PASSWORD, roles=["staff"],
                    posts=[p for p in dept.posts if p.name == "承办"])
    with rt.reader() as s:
        handle = s.execute(select(OpenTask).where(OpenTask.bpmn_id == "handle")).scalars().one()
    tabs = []
    for username in ("chengban", "chengban2"):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        tab = context.new_page()
        sign_in(tab, username)
        tab.goto(f"/work/tasks/{handle.id}")
        expect(tab.get_by_role("button", name="签收", exact=True)).to_be_visible()
        tabs.append(tab)
    mine, theirs = tabs
    try:
        mine.get_by_role("button", name="签收", exact=True).click()
        expect(mine.locator("p.flash").first).to_have_text("已签收该环节。")
        theirs.get_by_role("button", name="签收", exact=True).click()
        expect(theirs.locator("p.flash").first).to_have_text("该环节已由李承办签收，您未能签收。")
        expect(theirs.locator(".claim-state")).to_have_text(re.compile("办理人：李承办"))
        expect(theirs.get_by_text("您不在该环节的岗位上，只能查看。")).to_be_visible()
        expect(mine.locator(".claim-state")).to_have_text(re.compile("办理人：李承办"))
        expect(mine.get_by_role("button", name="提交办理")).to_be_visible()
    finally:
        for tab in tabs:
            tab.context.close()
