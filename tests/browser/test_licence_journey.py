"""A licence case with its legal documents, in Chinese, in a real browser: 受理 finds materials missing and issues
the 补正材料通知书 (一次性告知, every missing material listed: the downloaded PDF's text is checked), the applicant
supplements, 受理 issues the 受理通知书, 承办 / 审核 / 批准 decide, and 办结 cannot complete until the
准予行政许可决定书 and the 送达回证 are issued."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from engine import clock
from engine.documents.render import render_pdf
from tests.browser.test_inbox_journey import field, fill_accept_form, inbox_row, sign_in, sign_out

pytestmark = pytest.mark.browser

MISSING = ("与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
           "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等规章制度目录清单")
EXTRA = "从业人员健康证明"


def pdf_text(data: bytes) -> str:
    return re.sub(r"[\s\u3000]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def issue_from_step(page: Page, title: str) -> tuple[str, bytes]:
    """Click 签发《title》 on the step's page: the document opens in a new tab; download it there, close the tab.
    Returns the number and the PDF."""
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=f"签发《{title}》").click()
    tab = opened.value
    expect(tab.get_by_role("heading", name=f"已签发 {title}")).to_be_visible()
    number = tab.locator("[data-number]").get_attribute("data-number")
    with tab.expect_download() as download:
        tab.get_by_role("link", name="下载").click()
    data = Path(download.value.path()).read_bytes()
    tab.close()
    return number, data


def open_step(page: Page, serial: str, step: str) -> None:
    inbox_row(page, serial, step).locator("a.open-task").click()
    expect(page.locator("h1")).to_contain_text(step)


def submit_step(page: Page, step: str, serial: str) -> None:
    page.get_by_role("button", name="提交办理").click()
    expect(page.locator("p.flash")).to_have_text(f"「{step}」已办理，办件 {serial} 已流转。")


def test_a_licence_with_its_notices_decision_and_proof_of_delivery(page: Page, tmp_path: Path) -> None:
    today = clock.local(clock.now()).date().isoformat()
    sign_in(page, "shouli")
    row = inbox_row(page, None, "受理")
    serial = row.locator("td:nth-child(2) a").inner_text()
    open_step(page, serial, "受理")

    # A material of the application, uploaded at the window (the decision later rests on the case's files).
    evidence = tmp_path / "营业执照.pdf"
    evidence.write_bytes(render_pdf(authority="示范市味之源餐饮管理有限公司", title="营业执照（复印件）", number="—",
                                    lines=[], issued_at=clock.now()))
    upload = page.locator("#materials form.upload").last  # the step's evidence (the materials helper's form)
    upload.locator("input[type=file]").set_input_files(str(evidence))
    upload.locator("button[type=submit]").click()
    expect(page.locator("p.flash").first).to_contain_text("已上传")

    # Two materials missing, one more item named by hand: the notice lists all three, once.
    fill_accept_form(page)
    for material in ("layout", "safety_rules"):
        page.locator(f"#f-material_{material}").select_option("false")
    field(page, "accept_result").get_by_label("材料不齐全或不符合法定形式，一次性告知补正").check()
    page.locator("#f-supplement_list").fill(EXTRA)
    page.locator("#f-reason").fill("申请材料不齐全。")
    page.locator("#f-opinion").fill("材料不齐全，一次性告知补正。")
    expect(page.locator("#step-documents")).to_contain_text("法律文书")
    number, pdf = issue_from_step(page, "补正材料通知书")
    assert re.fullmatch(r"示范市监管许补字〔\d{4}〕第 1 号", number)
    text = pdf_text(pdf)
    assert "补正材料通知书" in text and number.replace(" ", "") in text and "一次性告知" in text
    assert f"1.{MISSING[0]}" in text and f"2.{MISSING[1]}" in text and f"3.{EXTRA}" in text
    assert "示范市味之源餐饮管理有限公司" in text
    page.screenshot(path=tmp_path / "accept-supplement.png", full_page=True)
    # The form kept what was typed while the document was issued in its own tab.
    expect(page.locator("#f-supplement_list")).to_have_value(EXTRA)
    submit_step(page, "受理", serial)

    open_step(page, serial, "接收补正材料")
    page.locator("#f-supplement_received_date").fill(today)
    page.locator("#f-supplement_received").fill("；".join((*MISSING, EXTRA)))
    page.locator("#f-supplement_complete").select_option("true")
    page.locator("#f-opinion").fill("补正材料已收齐。")
    submit_step(page, "接收补正材料", serial)

    open_step(page, serial, "受理")
    fill_accept_form(page)
    page.locator("#f-application_date").fill(today)
    acceptance, pdf = issue_from_step(page, "受理通知书")
    assert re.fullmatch(r"示范市监管许受字〔\d{4}〕第 1 号", acceptance)
    assert "予以受理" in pdf_text(pdf)
    submit_step(page, "受理", serial)
    sign_out(page)

    sign_in(page, "chengban")
    open_step(page, serial, "承办审查")
    page.locator("#f-materials_verified").select_option("true")
    page.locator("#f-onsite_inspection_required").select_option("false")
    field(page, "handle_result").get_by_label("拟准予许可").check()
    page.locator("#f-opinion").fill("符合法定条件，拟准予许可。")
    submit_step(page, "承办审查", serial)
    sign_out(page)

    sign_in(page, "shenhe")
    open_step(page, serial, "审核")
    field(page, "review_result").get_by_label("同意承办意见，报请批准").check()
    page.locator("#f-opinion").fill("同意。")
    submit_step(page, "审核", serial)
    sign_out(page)

    sign_in(page, "pizhun")
    open_step(page, serial, "批准")
    field(page, "approve_result").get_by_label("准予许可").check()
    page.locator("#f-licence_no").fill("JY15199000012345")
    page.locator("#f-valid_from").fill(today)
    page.locator("#f-valid_until").fill(f"{int(today[:4]) + 5}{today[4:]}")
    page.locator("#f-decision_no").fill("见准予行政许可决定书")
    page.locator("#f-legal_basis").fill("《中华人民共和国食品安全法》第三十五条")
    page.locator("#f-opinion").fill("准予许可。")
    submit_step(page, "批准", serial)
    sign_out(page)

    # 办结 requires the decision and the proof of delivery: refused, with the reason, until both are issued.
    sign_in(page, "shouli")
    open_step(page, serial, "办结")
    needs = page.locator("#step-documents li[data-required]")
    expect(needs).to_have_count(2)
    expect(needs.first).to_contain_text("尚未签发")
    field(page, "delivery_method").get_by_label("窗口领取").check()
    page.locator("#f-delivered_date").fill(today)
    page.locator("#f-recipient").fill("王某")
    page.locator("#f-opinion").fill("已送达，办结。")
    page.get_by_role("button", name="提交办理").click()
    expect(page.locator("p.flash").first).to_have_text(
        "「办结」办结前须签发《准予行政许可决定书》、《送达回证》（在本页「法律文书」处签发）。")
    page.locator("#f-opinion").fill("已送达，办结。")
    decision, pdf = issue_from_step(page, "准予行政许可决定书")
    assert re.fullmatch(r"示范市监管许字〔\d{4}〕第 1 号", decision)
    text = pdf_text(pdf)
    assert "准予行政许可" in text and "JY15199000012345" in text and "《中华人民共和国食品安全法》第三十五条" in text
    receipt, pdf = issue_from_step(page, "送达回证")
    text = pdf_text(pdf)
    assert "送达回证" in text and decision.replace(" ", "") in text and "窗口领取" in text and "王某" in text
    submit_step(page, "办结", serial)

    page.goto(page.url.split("/work")[0] + "/work/cases")
    page.get_by_role("link", name=serial, exact=True).click()
    documents = page.locator("#documents li[data-document]")
    expect(documents).to_have_count(4)
    for issued in (number, acceptance, decision, receipt):
        expect(page.locator(f'#documents li[data-document="{issued}"]')).to_be_visible()
    page.screenshot(path=tmp_path / "case-documents.png", full_page=True)
