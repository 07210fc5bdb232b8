"""The catalog in a real browser: a department drafts a power, the legal office and the government review it
in their inboxes, and the public finds it in the hall with its flowchart drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_inbox_journey import sign_in, sign_out

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
NAME = "小餐饮经营许可（试点）"
FIELDS = {
    "implementing_body": "示范市市场监督管理局",
    "legal_basis": "《中华人民共和国食品安全法》|第三十六条|食品生产加工小作坊和食品摊贩等的管理办法由省级制定。"
                   "|https://flk.npc.gov.cn/",
    "conditions": "有固定经营场所，符合食品安全要求。",
    "materials": "小餐饮经营许可申请书|1|是\n经营场所使用证明|1|是",
    "legal_limit_days": "20", "promised_limit_days": "10",
    "place": "示范市政务服务中心二楼", "phone": "0837-2881000", "supervision_phone": "0837-12345",
    "online_url": "https://zwfw.example.gov.cn/xcy", "service_guide": "窗口或网上申请，现场核查后发证。",
    "forms": "小餐饮经营许可申请书|https://zwfw.example.gov.cn/forms/xcy.docx",
    "faq": "需要现场核查吗？|需要。", "rights_channels": "可依法申请行政复议或者提起行政诉讼。",
}


def work_first_step(page: Page, step: str, choices: dict[str, str], texts: dict[str, str]) -> None:
    page.goto("/work/")
    page.locator("a.open-task", has_text=step).first.click()
    for name, label in choices.items():
        page.locator(f'.field[data-field="{name}"]').get_by_label(label).check()
    for name, value in texts.items():
        locator = page.locator(f"#f-{name}")
        if locator.evaluate("e => e.tagName") == "SELECT":
            locator.select_option(value)
        else:
            locator.fill(value)
    page.get_by_role("button", name="提交办理").click()
    expect(page.get_by_text("已办理")).to_be_visible()


def test_a_new_power_goes_from_draft_to_the_public_hall(page: Page, tmp_path: Path) -> None:
    sign_in(page, "mulu")
    page.goto("/catalog/")
    page.get_by_role("link", name="新增权力事项").click()
    page.locator("input[name=name]").fill(NAME)
    page.locator("select[name=category]").select_option("license")
    page.locator("textarea[name=reason]").fill("试点改革，新增小餐饮经营许可")
    page.locator("input[name=trigger_document]").fill("《四川省小餐饮经营许可管理办法》")
    page.get_by_role("button", name="创建调整申请").click()
    expect(page.get_by_text("提交前还需完成")).to_be_visible()

    for key, value in FIELDS.items():
        page.locator(f'[name="{key}"]').first.fill(value)
    page.locator('input[name=fees_charged][value=no]').check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    bpmn = ROOT / "processes" / "license_food_business.bpmn"
    for form in page.locator("form[enctype='multipart/form-data']").all():
        form.locator("input[type=file]").set_input_files(str(bpmn))
        form.get_by_role("button", name="上传并检查").click()
        expect(page.get_by_text("流程图已上传并通过检查。")).to_be_visible()
    expect(page.get_by_text("提交前还需完成")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "change.png"), full_page=True)

    # The required marks follow the choice: 已核对 and 申请说明 to submit, a reason to withdraw.
    page.goto("/work/")
    page.locator("a.open-task", has_text="编制并提交调整申请").first.click()
    marks = {name: page.locator(f'.field[data-field="{name}"] > label .req') for name in ("checked", "reason")}
    expect(marks["checked"]).to_be_visible()
    expect(marks["reason"]).to_be_hidden()
    page.locator('.field[data-field="prepare_result"]').get_by_label("撤回申请").check()
    expect(marks["reason"]).to_be_visible()
    expect(marks["checked"]).to_be_hidden()
    work_first_step(page, "编制并提交调整申请", {}, {"checked": "true", "opinion": "请审核"})
    sign_out(page)
    sign_in(page, "fazhiban")
    work_first_step(page, "法制审核", {"legal_result": "同意，报请政府审定"}, {"opinion": "依据充分"})
    sign_out(page)
    sign_in(page, "shending")
    work_first_step(page, "政府审定", {"approve_result": "审定通过"}, {"opinion": "同意"})
    sign_out(page)
    sign_in(page, "mulu")
    work_first_step(page, "更新并公布目录", {}, {"confirmed": "true", "opinion": "已公布"})

    page.goto("/?q=小餐饮")
    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_text("《中华人民共和国食品安全法》").first).to_be_visible()
    expect(page.locator(".bpmn-view svg").first).to_be_visible(timeout=15_000)
    page.screenshot(path=str(tmp_path / "hall.png"), full_page=True)
