"""The flowchart editor in a real browser: draw a time limit, set a form, save, see the problems go, simulate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app import modeler
from app.modeler import starter_diagram
from engine.bpmn import check_bpmn
from engine.catalog.drafts import Trigger, open_change
from engine.demo import DEMO_PASSWORD
from engine.forms import FormRegistry
from engine.identity import create_user
from engine.store import CatalogChange, Department, User
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"
POSTS = ["受理", "承办", "审核", "批准"]


def without_time_limit(xml: str) -> str:
    """The starter drawing minus its timer: 「受理」 then has no time limit, an error the linter reports."""
    xml = re.sub(r"\s*<bpmn:boundaryEvent .*?</bpmn:boundaryEvent>", "", xml, flags=re.S)
    xml = re.sub(r'\s*<bpmndi:BPMNShape id="Task_1_time_limit_di".*?</bpmndi:BPMNShape>', "", xml, flags=re.S)
    return xml.replace("<bpmn:flowNodeRef>Task_1_time_limit</bpmn:flowNodeRef>", "")


@pytest.fixture
def change_id(live_server: LiveServer) -> int:
    app = live_server.app
    if "modeler" not in app.blueprints:  # until create_app registers it
        app.register_blueprint(modeler.bp)
    rt = app.extensions["sunshine"]
    with rt.sessions.begin() as s:
        dept = s.execute(select(Department).where(Department.code == "SCJGJ")).scalar_one()
        if s.execute(select(User.id).where(User.username == "mulu")).first() is None:
            create_user(s, "mulu", "目录管理员", DEMO_PASSWORD, roles=["drafter"], posts=[dept.posts[0]])
        change = open_change(s, "add", department=dept, actor="mulu", reason="新设许可", category="license",
                             trigger=Trigger("law", "《测试条例》", None), name="测试许可")
        change.fields = {**change.fields, "promised_limit_days": 10, "legal_limit_days": 20}
        change.internal_bpmn = without_time_limit(starter_diagram(POSTS, "测试许可（内部流程图）"))
        return change.id


def _draft_the_licence_flowchart(live_server: LiveServer, change_id: int) -> None:
    """Put the demo 食品经营许可 flowchart into the draft as its internal flowchart."""
    licence = (Path(__file__).resolve().parents[2] / "processes" / "license_food_business.bpmn").read_text()
    with live_server.app.extensions["sunshine"].sessions.begin() as s:
        s.get(CatalogChange, change_id).internal_bpmn = licence


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(work|catalog)/"))  # a catalog clerk lands on the catalog (app/auth.py)


def open_modeler(page: Page, change_id: int) -> None:
    page.goto(f"/catalog/changes/{change_id}/flowchart/internal")
    expect(page.locator('#modeler[data-ready="1"]')).to_have_count(1)
    expect(page.locator('.djs-element[data-element-id="Task_1"]')).to_be_visible()


def test_set_a_time_limit_and_save(page: Page, live_server: LiveServer, change_id: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, "mulu")
    open_modeler(page, change_id)

    # The missing time limit is shown on the task and in the list.
    modeler_root = page.locator("#modeler")
    expect(modeler_root).to_have_attribute("data-problems", "1")
    expect(page.locator(".problem-badge")).to_have_count(1)
    expect(page.locator('.problem-badge[data-element="Task_1"]')).to_be_visible()
    expect(page.locator("#problem-list li.error")).to_contain_text("没有办理时限")
    page.screenshot(path=str(SHOTS / "modeler-1-problem.png"))

    # Select the task, give it a form, a 3-working-day limit and the decision flag.
    page.locator('.djs-element[data-element-id="Task_1"]').click()
    panel = page.locator("#props-body")
    expect(panel).to_contain_text("人工环节")
    panel.locator('select[data-prop="form"]').select_option("license_food_business_accept.json")
    panel.locator('input[data-prop="limit"]').fill("3")
    panel.locator('input[data-prop="limit"]').press("Tab")
    expect(page.locator(".djs-shape[data-element-id^='Event_']:not([data-element-id$='_label'])")).to_have_count(1)
    expect(panel.locator('input[data-prop="limit"]')).to_have_value("3")  # the task stays selected
    panel.locator('input[data-prop="decision"]').check()
    expect(page.locator("#dirty-flag")).to_be_visible()

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#modeler-status")).to_have_text("已保存。")
    expect(modeler_root).to_have_attribute("data-problems", "0")
    expect(page.locator(".problem-badge")).to_have_count(0)
    expect(page.locator("#dirty-flag")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "modeler-2-saved.png"))

    # What the panel wrote is stored and passes the platform's checks.
    with live_server.app.extensions["sunshine"].sessions() as s:
        xml = s.get(CatalogChange, change_id).internal_bpmn
    assert 'cancelActivity="false"' in xml and "workdays(3)" in xml and 'attachedToRef="Task_1"' in xml
    assert '<spiffworkflow:property name="formJsonSchemaFilename" value="license_food_business_accept.json" />' in xml
    assert '<spiffworkflow:property name="decision" value="true" />' in xml
    report = check_bpmn(xml.encode(), "saved.bpmn", posts=set(POSTS), form_exists=lambda name: True,
                        promised_limit_days=10, legal_limit_days=20)
    assert report.executable and report.problems == [], report.problems

    # …and survives a reload.
    open_modeler(page, change_id)
    page.locator('.djs-element[data-element-id="Task_1"]').click()
    expect(panel.locator('input[data-prop="limit"]')).to_have_value("3")
    expect(panel.locator('select[data-prop="form"]')).to_have_value("license_food_business_accept.json")
    expect(panel.locator('input[data-prop="decision"]')).to_be_checked()
    expect(panel.locator('input[data-prop="clock"]')).not_to_be_checked()
    assert errors == []


def test_simulate_the_saved_flowchart(page: Page, change_id: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "mulu")
    open_modeler(page, change_id)
    page.get_by_role("button", name="模拟运行").click()
    card = page.locator('.sim-task[data-task="Task_1"]')
    expect(card).to_be_visible()
    expect(page.locator('.djs-element.sim-active[data-element-id="Task_1"]')).to_have_count(1)
    expect(page.locator('.djs-element.sim-done[data-element-id="StartEvent_1"]')).to_have_count(1)
    page.screenshot(path=str(SHOTS / "modeler-3-simulate.png"))
    card.get_by_role("button", name=re.compile("办理完成")).click()
    expect(page.locator(".sim-finished")).to_have_text("流程已结束：办结")
    expect(page.locator('.djs-element.sim-done[data-element-id="EndEvent_1"]')).to_have_count(1)
    page.screenshot(path=str(SHOTS / "modeler-4-finished.png"))


def test_simulate_the_licence_flowchart(page: Page, live_server: LiveServer, change_id: int) -> None:
    """A longer run on 食品经营许可: supplement, its 15-day deadline passes, the application is withdrawn."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    _draft_the_licence_flowchart(live_server, change_id)
    sign_in(page, "mulu")
    page.goto(f"/catalog/changes/{change_id}/flowchart/internal")
    expect(page.locator('#modeler[data-ready="1"]')).to_have_count(1)
    page.get_by_role("button", name="模拟运行").click()
    card = page.locator('.sim-task[data-task="accept"]')
    card.get_by_label("受理结论").select_option("supplement")
    card.get_by_role("button", name=re.compile("办理完成")).click()
    expect(page.locator('.sim-task[data-task="supplement"]')).to_be_visible()
    expect(page.locator('.djs-connection.sim-done[data-element-id="Flow_need_supplement"]')).to_have_count(1)
    expect(page.locator(".sim-timers")).to_contain_text("补正期限 15个工作日")
    page.screenshot(path=str(SHOTS / "modeler-5-licence-supplement.png"))
    page.get_by_role("button", name="时间推进到下一个时限").click()
    expect(page.locator(".sim-finished")).to_have_text("流程已结束：逾期未补正，视为撤回申请")
    expect(page.locator(".sim-fired")).to_contain_text("补正期限 15个工作日")
    page.screenshot(path=str(SHOTS / "modeler-6-licence-withdrawn.png"))


def test_viewer_renders_and_highlights(page: Page, live_server: LiveServer, change_id: int) -> None:
    """_bpmn_assets.html + viewer.js: done/current markers, and friendly messages for bad sources."""
    from flask import render_template_string

    with live_server.app.test_request_context():
        assets = render_template_string("{% include '_bpmn_assets.html' %}")
    sign_in(page, "mulu")
    xml_url = f"/catalog/changes/{change_id}/flowchart/internal/xml"
    page.set_content(f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{assets}</head><body>
      <div class="bpmn-view" id="ok" data-src="{xml_url}" data-done="StartEvent_1" data-current="Task_1"></div>
      <div class="bpmn-view" id="missing" data-src="/nowhere.bpmn"></div>
      <div class="bpmn-view" id="garbage" data-src="/static/sunshine.css"></div></body></html>""")
    expect(page.locator('#ok[data-rendered="ok"]')).to_have_count(1)
    expect(page.locator('#ok .djs-element.bpmn-current[data-element-id="Task_1"]')).to_have_count(1)
    expect(page.locator('#ok .djs-element.bpmn-done[data-element-id="StartEvent_1"]')).to_have_count(1)
    expect(page.locator('#ok .djs-connection.bpmn-done[data-element-id="Flow_1"]')).to_have_count(1)
    expect(page.locator("#missing")).to_have_text("流程图暂时无法加载，请稍后刷新重试。")
    expect(page.locator("#garbage")).to_have_text("流程图格式有误，无法显示。")
    page.screenshot(path=str(SHOTS / "viewer.png"))


def test_submitted_change_opens_read_only(page: Page, live_server: LiveServer, change_id: int) -> None:
    with live_server.app.extensions["sunshine"].sessions.begin() as s:
        s.get(CatalogChange, change_id).status = "submitted"
    sign_in(page, "mulu")
    open_modeler(page, change_id)
    expect(page.locator(".djs-palette")).to_have_count(0)
    expect(page.get_by_role("button", name="保存", exact=True)).to_have_count(0)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "1")
    page.locator('.djs-element[data-element-id="Task_1"]').click()
    expect(page.locator("#props-body")).to_contain_text("只读")
    expect(page.locator('#props-body input[data-prop="limit"]')).to_be_disabled()


def test_upload_and_download(page: Page, change_id: int, tmp_path: Path) -> None:
    licence = Path(__file__).resolve().parents[2] / "processes" / "license_food_business.bpmn"
    sign_in(page, "mulu")
    open_modeler(page, change_id)
    page.locator("#file-upload").set_input_files(str(licence))
    expect(page.locator('.djs-element[data-element-id="supplement"]')).to_be_visible()
    expect(page.locator("#modeler-status")).to_have_text(re.compile("检查"))
    expect(page.locator("#dirty-flag")).to_be_visible()
    page.locator("#problem-list li").first.wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name="下载").click()
    target = tmp_path / "out.bpmn"
    info.value.save_as(target)
    text = target.read_text()
    assert 'id="supplement"' in text and "workdays(15)" in text and "spiffworkflow:properties" in text
    assert "spiffworkflow:instructionsForEndUser" in text  # the moddle extension keeps what it knows
    report = check_bpmn(text.encode(), "roundtrip.bpmn", posts=set(POSTS),
                        form_exists=FormRegistry(licence.parents[1] / "forms").exists,
                        promised_limit_days=10, legal_limit_days=20)
    assert report.executable and report.errors == [], report.errors


VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor" / "bpmn-js"
BUNDLE = VENDOR / "bpmn-modeler.production.min.js"
CJK = re.compile(r"[\u4e00-\u9fff]")


def bundle_templates() -> set[str]:
    """The English UI templates bpmn-js passes through its translate service: menu labels and translate calls."""
    text = BUNDLE.read_text(encoding="utf-8")
    templates = set(re.findall(r'label:"([^"]+)"', text))
    templates |= set(re.findall(r'_translate\("([^"]+)"', text))
    templates |= {t for t in re.findall(r'(?<![\w$.])[A-Za-z_$]\("([^"]+)"\)', text)
                  if re.fullmatch(r"[A-Z][a-z][\w /{}().,-]*", t)}
    templates |= {f"Align elements {where}" for where in ("left", "center", "right", "top", "middle", "bottom")}
    templates.add("Empty pool/participant (removes content)")
    return templates


def open_replace_menu(page: Page, element_id: str) -> None:
    """Select the element afresh (a click on a selected element unselects it) and open "change element"."""
    page.keyboard.press("Escape")
    page.evaluate("() => window.sunshineModeler.modeler.get('selection').select(null)")
    page.locator(f'.djs-element[data-element-id="{element_id}"]').click()
    page.locator('.djs-context-pad .entry[data-action="replace"]').click()
    expect(page.locator(".djs-popup")).to_be_visible()


def search(popup: Locator, text: str) -> None:
    """Type into the popup's search box (the menu filters on keyup, which fill() alone does not send)."""
    popup.locator("input").fill(text)
    popup.locator("input").press("End")


def test_bpmn_js_ui_is_chinese(page: Page, change_id: int) -> None:
    """Every label of bpmn-js's palette, context pad and replace menu has a Chinese translation."""
    sign_in(page, "mulu")
    open_modeler(page, change_id)
    templates = sorted(bundle_templates())
    assert {"User task", "Timer boundary event (non-interrupting)", "Parallel multi-instance"} <= set(templates)
    translated = page.evaluate("""templates => {
        const translate = window.sunshineModeler.modeler.get('translate');
        return templates.map(t => translate(t, { element: '受理' }));
    }""", templates)
    missing = [t for t, zh in zip(templates, translated, strict=True) if zh == t or not CJK.search(zh)]
    assert missing == []
    expect(page.locator('.djs-palette .entry[data-action="create.task"]')).to_have_attribute("aria-label", "任务")


def test_replace_menu_in_chinese(page: Page, change_id: int) -> None:
    """The "change element" popup: entries, header toggles, search and its result count speak Chinese."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, "mulu")
    open_modeler(page, change_id)

    page.locator('.djs-element[data-element-id="Task_1"]').click()
    expect(page.locator('.djs-context-pad .entry[data-action="replace"]')).to_have_attribute("title", "更改类型")
    open_replace_menu(page, "Task_1")
    popup = page.locator(".djs-popup")
    expect(popup.locator(".djs-popup-title")).to_have_text("更改类型")
    for label in ("任务", "服务任务", "脚本任务", "手工任务", "业务规则任务", "调用活动", "子流程（折叠）",
                  "自由子流程（展开）"):
        expect(popup.locator(".djs-popup-entry-name", has_text=label).first).to_be_visible()
    for title in ("并行多实例", "串行多实例", "循环"):
        expect(popup.locator(f'.djs-popup-header [title="{title}"]')).to_have_count(1)
    expect(popup.locator("input")).to_have_attribute("placeholder", "搜索类型…")
    texts = popup.evaluate("""p => p.innerText + ' ' + [...p.querySelectorAll('[title]')]
        .map(e => e.getAttribute('title')).join(' ')""")
    assert not re.search(r"[A-Za-z]{3,}", texts), texts
    page.screenshot(path=str(SHOTS / "modeler-7-replace-menu.png"))

    # Searching filters the Chinese labels and the count is Chinese too.
    search(popup, "服务")
    expect(popup.locator(".djs-popup-search-count")).to_have_text("1 项结果")
    search(popup, "任务")
    expect(popup.locator(".djs-popup-search-count")).to_have_text(re.compile(r"^\d+ 项结果$"))
    search(popup, "没有这种类型")
    expect(popup.locator(".djs-popup-no-results")).to_have_text("没有匹配的类型。")
    expect(popup).not_to_contain_text("found")

    # Turn the step into a service task: now 用户任务 is offered (and "User task" never is).
    search(popup, "")
    popup.locator(".djs-popup-entry-name", has_text="服务任务").click()
    open_replace_menu(page, "Task_1")
    expect(popup.locator(".djs-popup-entry-name", has_text="用户任务")).to_be_visible()
    expect(popup).not_to_contain_text("User task")
    expect(popup).not_to_contain_text("User Task")

    # Events: start, end and the timer variants.
    open_replace_menu(page, "StartEvent_1")
    for label in ("消息开始事件", "定时开始事件", "条件开始事件", "信号开始事件", "中间抛出事件", "结束事件"):
        expect(popup.locator(".djs-popup-entry-name", has_text=label).first).to_be_visible()
    open_replace_menu(page, "EndEvent_1")
    for label in ("终止结束事件", "错误结束事件", "消息结束事件"):
        expect(popup.locator(".djs-popup-entry-name", has_text=label)).to_be_visible()
    assert not re.search(r"[A-Za-z]{3,}", popup.inner_text())
    page.keyboard.press("Escape")
    assert errors == []


def test_remove_a_time_limit(page: Page, live_server: LiveServer, change_id: int) -> None:
    """The panel's 删除时限 removes the timer boundary event (undoably); the saved flowchart lacks the limit again."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, "mulu")
    open_modeler(page, change_id)
    timers = page.locator(".djs-shape[data-element-id^='Event_']:not([data-element-id$='_label'])")
    panel = page.locator("#props-body")
    remove = panel.locator('button[data-action="remove-limit"]')

    page.locator('.djs-element[data-element-id="Task_1"]').click()
    expect(remove).to_have_count(0)  # nothing to remove yet
    panel.locator('input[data-prop="limit"]').fill("3")
    panel.locator('input[data-prop="limit"]').press("Tab")
    expect(timers).to_have_count(1)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "0")

    expect(remove).to_have_text("删除时限")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "modeler-8-remove-limit.png"))
    remove.click()
    expect(timers).to_have_count(0)
    expect(panel.locator('input[data-prop="limit"]')).to_have_value("")
    expect(panel).to_contain_text("尚未设置时限")
    expect(remove).to_have_count(0)
    expect(page.locator("#modeler-status")).to_contain_text("已删除时限")
    expect(page.locator("#dirty-flag")).to_be_visible()
    attached = """() => window.sunshineModeler.modeler.get('elementRegistry')
        .filter(e => e.type === 'bpmn:BoundaryEvent' && e.host && e.host.id === 'Task_1').length"""
    assert page.evaluate(attached) == 0

    # Undo brings the limit back (and the panel shows it), redo removes it again.
    page.locator("#canvas").click(position={"x": 5, "y": 5})
    page.locator('.djs-element[data-element-id="Task_1"]').click()
    page.keyboard.press("Control+z")
    expect(timers).to_have_count(1)
    expect(panel.locator('input[data-prop="limit"]')).to_have_value("3")
    assert page.evaluate(attached) == 1
    remove.click()
    expect(timers).to_have_count(0)

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#modeler-status")).to_have_text("已保存，发现 1 个问题。")
    expect(page.locator('.problem-badge[data-element="Task_1"]')).to_be_visible()
    expect(page.locator("#problem-list li.error")).to_contain_text("没有办理时限")
    with live_server.app.extensions["sunshine"].sessions() as s:
        xml = s.get(CatalogChange, change_id).internal_bpmn
    assert "boundaryEvent" not in xml and "workdays(" not in xml
    assert errors == []


def test_remove_a_time_limit_with_a_path(page: Page, live_server: LiveServer, change_id: int) -> None:
    """A timer that leads somewhere (补正期限 → withdrawn) is only removed after the user confirms."""
    _draft_the_licence_flowchart(live_server, change_id)
    sign_in(page, "mulu")
    page.goto(f"/catalog/changes/{change_id}/flowchart/internal")
    expect(page.locator('#modeler[data-ready="1"]')).to_have_count(1)
    page.evaluate("""() => window.sunshineModeler.modeler.get('selection')
        .select(window.sunshineModeler.modeler.get('elementRegistry').get('supplement'))""")
    panel = page.locator("#props-body")
    expect(panel.locator('input[data-prop="limit"]')).to_have_value("15")
    timer = page.locator('.djs-shape[data-element-id="supplement_time_limit"]')

    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    panel.locator('button[data-action="remove-limit"]').click()
    expect(timer).to_have_count(1)
    assert messages and "路径" in messages[0]

    page.once("dialog", lambda dialog: dialog.accept())
    panel.locator('button[data-action="remove-limit"]').click()
    expect(timer).to_have_count(0)
    expect(panel.locator('input[data-prop="limit"]')).to_have_value("")
