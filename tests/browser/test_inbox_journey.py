"""The inbox journey in a real browser: 受理 signs in, works the 食品经营许可 step, 承办 picks it up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from engine.demo import DEMO_PASSWORD
from tests.app.test_inbox import _add_found

pytestmark = pytest.mark.browser

REQUIRED = "此项为必填项。"
POWER = "食品经营许可"
APPLICANT = "示范市味之源餐饮管理有限公司"
OPINION = "申请材料齐全，符合法定形式，予以受理。"


def sign_in(page: Page, username: str) -> None:
    """Sign in through the login form and land where the user's role starts (staff: the inbox; app/auth.py)."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(work|catalog|watch)/$"))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()


def inbox_row(page: Page, serial: str | None, step: str) -> Locator:
    """The inbox row of ``step`` for the licence case (``serial`` narrows it to one case)."""
    rows = page.locator("table.inbox tbody tr").filter(has_text=POWER)
    if serial:
        rows = rows.filter(has=page.get_by_role("link", name=serial, exact=True))
    return rows.filter(has=page.locator("a.open-task", has_text=re.compile(f"^{step}$")))


def field(page: Page, name: str) -> Locator:
    return page.locator(f'.field[data-field="{name}"]')


def assert_overdue_first(page: Page) -> None:
    """Rows run by deadline, so overdue (red) rows come before the others."""
    rows = page.locator("table.inbox tbody tr[data-task]")
    statuses = [row.get_attribute("class") for row in rows.all()]
    dues = rows.locator("td.due").all_inner_texts()
    assert statuses == sorted(statuses, key=lambda s: s != "red"), statuses
    dated = [d for d in dues if d != "—"]
    assert dated == sorted(dated) and dues == dated + ["—"] * (len(dues) - len(dated)), dues


def fill_accept_form(page: Page) -> None:
    """A complete, valid 受理 decision: accept with all four required materials present."""
    page.locator("#f-applicant_name").fill(APPLICANT)
    field(page, "applicant_id_type").get_by_label("统一社会信用代码").check()
    page.locator("#f-applicant_id_number").fill("91519900MA62A1B2CY")
    page.locator("#f-applicant_contact").fill("0837-2881234")
    page.locator("#f-legal_representative").fill("王某")
    page.locator("#f-business_address").fill("示范市解放路88号")
    field(page, "entity_type").get_by_label("餐饮服务经营者").check()
    page.locator("#f-business_scope").fill("热食类食品制售")
    page.locator("#f-business_area").fill("186.5")
    page.locator("#f-application_date").fill("2026-11-20")
    for material in ("application", "subject_certificate", "layout", "safety_rules"):
        page.locator(f"#f-material_{material}").select_option("true")
    field(page, "accept_result").get_by_label("予以受理").check()
    page.locator("#f-opinion").fill(OPINION)


def test_accept_step_moves_the_case_to_handling(page: Page, tmp_path: Path) -> None:
    sign_in(page, "shouli")
    expect(page.locator("table.inbox thead")).to_contain_text("办理时限")
    assert_overdue_first(page)
    page.screenshot(path=tmp_path / "inbox.png", full_page=True)

    row = inbox_row(page, None, "受理")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(APPLICANT)
    serial = row.locator("td:nth-child(2) a").inner_text()
    row.locator("a.open-task").click()
    expect(page.get_by_role("heading", name="食品经营许可 · 受理")).to_be_visible()
    page.screenshot(path=tmp_path / "task.png", full_page=True)

    # The registration fills in the applicant; the rest left empty: every required field says so beside
    # itself, and the step stays open.
    expect(page.locator("#f-applicant_name")).to_have_value(APPLICANT)
    expect(field(page, "applicant_id_type").get_by_label("统一社会信用代码")).to_be_checked()
    submit = page.get_by_role("button", name="提交办理")
    submit.click()
    for name in ("legal_representative", "entity_type", "business_area", "accept_result", "opinion"):
        expect(field(page, name)).to_have_class(re.compile(r"\binvalid\b"))
        expect(field(page, name).locator(".field-error")).to_have_text(REQUIRED)
    for name in ("applicant_name", "applicant_id_type", "material_power_of_attorney"):
        expect(field(page, name).locator(".field-error")).to_have_count(0)
    page.screenshot(path=tmp_path / "task-errors.png", full_page=True)

    # Partly filled: what was typed survives the round trip; only the missing fields complain.
    page.locator("#f-applicant_name").fill(APPLICANT)
    field(page, "entity_type").get_by_label("餐饮服务经营者").check()
    page.locator("#f-material_layout").select_option("true")
    page.locator("#f-opinion").fill(OPINION)
    submit.click()
    expect(field(page, "legal_representative").locator(".field-error")).to_have_text(REQUIRED)
    expect(page.locator("#f-applicant_name")).to_have_value(APPLICANT)
    expect(field(page, "entity_type").get_by_label("餐饮服务经营者")).to_be_checked()
    expect(page.locator("#f-material_layout")).to_have_value("true")
    expect(page.locator("#f-opinion")).to_have_value(OPINION)
    expect(field(page, "applicant_name").locator(".field-error")).to_have_count(0)

    fill_accept_form(page)
    submit.click()
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    expect(page.locator("p.flash")).to_have_text(f"「受理」已办理，办件 {serial} 已流转。")
    expect(inbox_row(page, serial, "受理")).to_have_count(0)
    sign_out(page)

    sign_in(page, "chengban")
    assert_overdue_first(page)
    page.screenshot(path=tmp_path / "inbox-chengban.png", full_page=True)
    handle = inbox_row(page, serial, "承办审查")
    expect(handle).to_have_count(1)
    handle.get_by_role("link", name=serial, exact=True).click()
    expect(page.get_by_role("heading", name=f"办件 {serial}")).to_be_visible()
    done = page.locator("ol.history > li").filter(has_text="受理")
    expect(done).to_have_count(1)
    expect(done).to_contain_text("shouli")
    expect(done.locator(".opinion")).to_have_text(f"意见：{OPINION}")
    expect(page.locator("ul.open")).to_contain_text("承办审查")
    page.screenshot(path=tmp_path / "case.png", full_page=True)


def test_english_switch_translates_the_workspace(page: Page, tmp_path: Path) -> None:
    sign_in(page, "shouli")
    page.locator("header.top").get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="My inbox")).to_be_visible()
    nav = page.locator("header.top nav")
    expect(nav.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    expect(page.locator("table.inbox thead")).to_contain_text("Case serial no.")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.locator("a.open-task").first.click()
    expect(page.get_by_role("button", name="Submit")).to_be_visible()
    expect(page.get_by_role("heading", name="Handling history")).to_be_visible()
    page.screenshot(path=tmp_path / "task-en.png", full_page=True)
    page.locator("header.top").get_by_role("link", name="中文").click()
    expect(page.get_by_role("button", name="提交办理")).to_be_visible()


def test_search_filter_and_page_through_the_inbox(page: Page, demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A day's work: 62 steps of one applicant; found by name, paged both ways, the returned ones filtered."""
    added = _add_found(demo_db, "shouli", 62)  # a third of them returned, each with its reason
    sign_in(page, "shouli")
    rows = page.locator("table.inbox tbody tr[data-task]")
    page.get_by_label("搜索", exact=True).fill("王小明")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("p.inbox-count")).to_have_text("共 62 个待办环节，每页 50 个")
    expect(rows).to_have_count(50)
    first_page = rows.evaluate_all("rs => rs.map(r => r.dataset.task)")
    page.locator('nav.pager[data-at="bottom"] a[rel="next"]').click()
    expect(rows).to_have_count(12)
    expect(page.get_by_label("搜索", exact=True)).to_have_value("王小明")  # the search travels with the link
    second_page = rows.evaluate_all("rs => rs.map(r => r.dataset.task)")
    assert sorted(first_page + second_page) == sorted(added)  # none lost, none twice
    page.locator('nav.pager[data-at="top"] a[rel="prev"]').click()
    expect(rows).to_have_count(50)
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.task)") == first_page

    # 被退回, counted on its tab: each row says it was returned and why.
    returned = page.locator('.states a[data-state="returned"]')
    expect(returned).to_contain_text("被退回 21")
    returned.click()
    expect(rows).to_have_count(21)
    expect(rows.first.locator(".returned")).to_contain_text("退回理由：退回理由")
    expect(rows.first.locator("td.assignee")).to_have_text("待认领")

    # Sorted by serial: the serials run in order.
    page.get_by_label("排序").select_option("serial")
    page.get_by_role("button", name="筛选").click()
    serials = rows.locator("td:nth-child(2)").all_inner_texts()
    assert serials == sorted(serials) and len(serials) == 21
    page.screenshot(path=tmp_path / "inbox-search.png", full_page=True)
