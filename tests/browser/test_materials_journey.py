"""Materials and evidence in a real browser, in Chinese: a licence registered with a material, evidence uploaded at
its first step and previewed, and a refused upload that says why."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_inbox_journey import sign_in
from tests.engine.files import samples

pytestmark = pytest.mark.browser

POWER = "食品经营许可"
LICENCE = "营业执照或者其他主体资格证明文件"


def test_a_licence_with_its_materials_and_evidence(page: Page, tmp_path):
    sign_in(page, "shouli")
    page.goto("/work/cases/new")
    select = page.get_by_label("权力事项")
    code = select.locator("option", has_text=POWER).first.get_attribute("value")
    select.select_option(code)
    materials = page.locator(".power-materials:not([hidden])")
    expect(materials).to_have_count(1)  # only the chosen power's list shows
    expect(materials).to_contain_text(LICENCE)
    page.get_by_label("办件事由").fill("申请食品经营许可（新办）")
    page.get_by_label("名称或姓名").fill("示范市味之源餐饮管理有限公司")
    page.get_by_label("证件类型").select_option("统一社会信用代码")
    page.get_by_label("证件号码").fill("91519900MA62A1B2CY")
    page.get_by_label("联系电话").fill("0837-2881234")
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(samples.pdf("licence"))
    materials.locator(f'input[data-material="{LICENCE}"]').set_input_files(licence)
    page.get_by_role("button", name="登记并开始办理").click()

    expect(page.locator(".flash").first).to_contain_text("已登记办件")
    row = page.locator(f'tr[data-material="{LICENCE}"]')
    expect(row).to_contain_text("营业执照.pdf")
    expect(page.locator('tr[data-material="食品经营许可申请书"]')).to_contain_text("未提交")
    with page.context.expect_page() as opened:  # a PDF opens in the browser's own viewer
        row.get_by_role("link", name="营业执照.pdf").click()
    shown = opened.value
    shown.wait_for_load_state()
    assert shown.evaluate("document.contentType") == "application/pdf"
    shown.close()

    # The first step: its checklist shows the material, and evidence goes up with the step.
    page.locator("ul.open a").first.click()
    expect(page.locator(f'.checklist li[data-material="{LICENCE}"]')).to_contain_text("营业执照.pdf")
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(samples.png(40, 30, 120))
    evidence = page.locator("section.step-files form.upload").last
    evidence.locator('input[type="file"]').set_input_files(photo)
    evidence.get_by_role("button", name="上传证据").click()
    expect(page.locator(".flash")).to_contain_text("已上传「现场照片.png」（第 1 版）。")

    # Previewed by the browser itself, as an image.
    link = page.get_by_role("link", name="现场照片.png")
    with page.context.expect_page() as opened:
        link.click()
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.evaluate("document.contentType") == "image/png"
    assert preview.evaluate("document.images.length") == 1
    preview.close()

    # A page named .pdf is refused, and says so.
    fake = tmp_path / "营业执照2.pdf"
    fake.write_bytes(samples.HTML)
    evidence = page.locator("section.step-files form.upload").last
    evidence.locator('input[type="file"]').set_input_files(fake)
    evidence.get_by_role("button", name="上传证据").click()
    expect(page.locator(".flash")).to_contain_text("「营业执照2.pdf」不是可接受的文件类型")
    expect(page.locator("section.step-files")).not_to_contain_text("营业执照2.pdf")
    page.screenshot(path=tmp_path / "step-materials.png", full_page=True)
