"""An alert's life and a 督办 in a real browser, in Chinese: a red alert explained, rejected, explained again, rectified
and closed (销号); a 督办 issued, extended once, reported late, its red alert raised."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.demo import POWERS
from engine.platform import build_runtime
from engine.runtime.cases import Applicant, start_case
from engine.store import Alert, Power
from engine.supervisor.tick import tick
from tests.browser.conftest import LiveServer
from tests.browser.test_catalog_journey import work_first_step
from tests.browser.test_inbox_journey import sign_in
from tests.settings import make_settings

pytestmark = pytest.mark.browser

SHOP = Applicant("示范市老街坊小吃店", "统一社会信用代码", "92519900MA62D4E5F6", "13908371234")


def bj(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC) - timedelta(hours=8)


def _runtime(live_server: LiveServer):  # type: ignore[no-untyped-def]
    rt = live_server.app.extensions["sunshine"]
    return build_runtime(rt.sessions, make_settings(database_url=str(rt.sessions.kw["bind"].url)))


def _tick(rt, at: datetime) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(at, tick=False):
        tick(rt, at)


def test_a_red_alert_explained_rejected_rectified_and_closed(page: Page, live_server: LiveServer) -> None:
    rt = _runtime(live_server)
    with rt.reader() as s:
        code = s.execute(select(Power.code).where(Power.name == POWERS[0].name)).scalar_one()
    with time_machine.travel(bj(11, 30, 10), tick=False):
        case = start_case(rt, code, SHOP, "申请食品经营许可（新办）", actor="shouli")
    _tick(rt, bj(12, 2, 10))  # 受理 was due 12-01 24:00: its red alert goes to 市场监管局's 负责人
    with rt.reader() as s:
        [red] = s.execute(select(Alert).where(Alert.case_id == case.id, Alert.level == "red")).scalars().all()
    with time_machine.travel(bj(12, 2, 11)):
        sign_in(page, "pizhun")
        work_first_step(page, "情况说明", {}, {"opinion": "窗口人员临时外出"})
        sign_in(page, "jiancha")
        page.goto("/watch/")
        row = page.locator(f'tr[data-alert="{red.id}"]')
        expect(row).to_contain_text("已超过办理时限")
        row.get_by_role("link", name="处置").click()
        expect(page.locator("dd.stage")).to_have_text("待审核说明")
        work_first_step(page, "审核说明", {"review_result": "不予采纳，退回重新说明"},
                        {"opinion": "说明过于笼统，请说明具体原因"})
    with time_machine.travel(bj(12, 3, 10)):
        sign_in(page, "pizhun")
        work_first_step(page, "情况说明", {}, {"opinion": "受理人员休假未交接，已建立AB岗制度"})
        sign_in(page, "jiancha")
        work_first_step(page, "审核说明", {"review_result": "采纳说明，责令整改"}, {"opinion": "限期整改"})
    with time_machine.travel(bj(12, 7, 10)):
        sign_in(page, "pizhun")
        work_first_step(page, "整改", {}, {"opinion": "已补办受理，全员培训AB岗制度"})
        sign_in(page, "jiancha")
        work_first_step(page, "整改核查", {"verify_result": "整改到位，予以销号"}, {"opinion": "整改到位"})
        page.goto("/ledger/?state=closed")
        row = page.locator(f'tr[data-alert="{red.id}"]')
        expect(row.locator("td.stage")).to_have_text("已销号")
        row.locator("td a", has_text="已超过办理时限").click()
        moves = page.locator("table.life-moves tbody tr")
        expect(moves).to_have_count(7)
        expect(moves.nth(2)).to_contain_text("说明退回")
        expect(moves.nth(2)).to_contain_text("说明过于笼统，请说明具体原因")
        expect(moves.nth(6)).to_contain_text("销号")
        # Raised 12-02, closed 12-07 (a Monday): 12-03, 04 and 07 are working days.
        expect(page.locator("dl.alert-facts")).to_contain_text("3")
        expect(page.locator("dd.status")).to_contain_text("已关闭")


def test_a_directive_issued_extended_once_and_reported_late(page: Page, live_server: LiveServer) -> None:
    rt = _runtime(live_server)
    with time_machine.travel(bj(9, 30, 10)):
        sign_in(page, "jiancha")
        page.goto("/directives/")
        page.get_by_role("link", name="新建督办").click()
        page.get_by_label("督办部门").select_option(label="示范市市场监督管理局")
        page.get_by_label("督办事项").fill("窗口受理超时问题")
        page.get_by_label("督办要求").fill("查明受理超时原因，整改并上报")
        page.get_by_role("button", name="发出督办").click()
        expect(page.locator("p.flash").first).to_have_text("已督办，上报期限 2026-11-03 24:00。")
        url = page.url
    with time_machine.travel(bj(10, 20, 10)):
        sign_in(page, "pizhun")
        page.goto("/directives/")
        page.get_by_role("link", name="窗口受理超时问题").click()
        page.get_by_label("延期天数（工作日）").fill("2")
        page.get_by_label("理由").fill("涉及多个科室，需调取监控")
        page.get_by_role("button", name="申请延期").click()
        expect(page.locator("p.flash").first).to_have_text("已申请延期，等待监察机关审批。")
        expect(page.get_by_role("button", name="申请延期")).to_have_count(0)  # once only
    with time_machine.travel(bj(10, 21, 10)):
        sign_in(page, "jiancha")
        page.goto(url)
        page.get_by_role("button", name="同意延期", exact=True).click()
        expect(page.locator("p.flash").first).to_have_text("已同意延期，新的上报期限 2026-11-05 24:00。")
    _tick(rt, bj(11, 6, 1))  # the new deadline passed unreported: red
    with time_machine.travel(bj(11, 6, 9)):
        sign_in(page, "pizhun")
        page.goto(url)
        expect(page.locator("dd.due")).to_contain_text("已超期")
        page.get_by_role("link", name="上报调查处理情况").click()
        page.locator("#f-opinion").fill("经调查系人员休假未交接所致，已整改")
        page.get_by_role("button", name="提交办理").click()
        expect(page.get_by_text("已办理")).to_be_visible()
        page.goto(url)
        expect(page.locator("dd.state")).to_have_text("已上报（逾期）")
        sign_in(page, "jiancha")
        page.goto("/watch/")
        expect(page.locator("table.alerts")).to_contain_text(
            "督办「窗口受理超时问题」已超过上报期限 2026-11-05 24:00（红灯报警）")
        page.goto("/directives/?state=late")
        expect(page.locator("table.directives tbody tr")).to_have_count(1)
        assert re.search(r"/directives/\d+$", url)
