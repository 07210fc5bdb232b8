"""The Content-Security-Policy in a real browser: the pages that run the most script — the flowchart modeler,
the case page's viewer, the hall's power page, the catalog import page — are served under it and break none of
it while they are used."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import select

from app.modeler import starter_diagram
from engine.catalog.drafts import Trigger, open_change
from engine.store import Case, Department, Power
from tests.browser.conftest import LiveServer
from tests.browser.test_inbox_journey import sign_in, sign_out

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
POSTS = ["受理", "承办", "审核", "批准"]
# Chromium reports each violation in the console ("Refused to … because it violates the following Content
# Security Policy directive"); the page's own securitypolicyviolation event is logged too, with the directive.
REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e => console.error(
  'CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.sourceFile +
  ':' + e.lineNumber + ' ' + (e.sample || '')));"""


def watch(page: Page) -> Callable[[], list[str]]:
    """Start collecting what the browser reports against the policy (console messages and uncaught errors)."""
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "CSP violation" in message.text:
            seen.append(message.text)

    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: seen.append(f"page error: {exc}"))
    return lambda: seen


def served_under_policy(page: Page, path: str) -> None:
    """Open ``path`` and check its response carries the policy that forbids inline script."""
    response = page.goto(path)
    assert response is not None and response.ok, path
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy


def test_the_modeler_runs_under_the_policy(page: Page, live_server: LiveServer) -> None:
    violations = watch(page)
    with live_server.app.extensions["sunshine"].sessions.begin() as s:
        dept = s.execute(select(Department).where(Department.code == "SCJGJ")).scalar_one()
        change = open_change(s, "add", department=dept, actor="mulu", reason="新设许可", category="license",
                             trigger=Trigger("law", "《测试条例》", None), name="测试许可")
        change.fields = {**change.fields, "promised_limit_days": 10, "legal_limit_days": 20}
        change.internal_bpmn = starter_diagram(POSTS, "测试许可（内部流程图）")
        change_id = change.id
    sign_in(page, "mulu")
    served_under_policy(page, f"/catalog/changes/{change_id}/flowchart/internal")
    expect(page.locator('#modeler[data-ready="1"]')).to_have_count(1)

    # The side panel, a time limit drawn by script, the replace menu with its icons, saving, then simulating.
    page.locator('.djs-element[data-element-id="Task_1"]').click()
    page.locator('#props-body input[data-prop="limit"]').fill("5")
    page.locator('#props-body input[data-prop="limit"]').press("Tab")
    expect(page.locator('#props-body button[data-action="remove-limit"]')).to_be_visible()
    page.keyboard.press("Escape")
    page.evaluate("() => window.sunshineModeler.modeler.get('selection').select(null)")
    page.locator('.djs-element[data-element-id="Task_1"]').click()
    page.locator('.djs-context-pad .entry[data-action="replace"]').click()
    expect(page.locator(".djs-popup")).to_be_visible()
    page.keyboard.press("Escape")
    # Several elements selected: the align menu, whose icons are SVG markup with style attributes.
    page.evaluate("""() => { const m = window.sunshineModeler.modeler;
        m.get('selection').select(['Task_1', 'StartEvent_1'].map(id => m.get('elementRegistry').get(id))); }""")
    page.locator('.djs-context-pad .entry[data-action="align-elements"]').click()
    expect(page.locator(".djs-popup")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    page.get_by_role("button", name="模拟运行").click()
    expect(page.locator('.sim-task[data-task="Task_1"]')).to_be_visible()
    assert violations() == []


def test_the_case_viewer_and_the_hall_power_page_run_under_the_policy(page: Page, live_server: LiveServer) -> None:
    violations = watch(page)
    with live_server.app.extensions["sunshine"].reader() as s:
        case_id = s.scalars(select(Case.id).join(Power, Power.id == Case.power_id)
                            .where(Power.name == "食品经营许可").order_by(Case.id)).first()
        code = s.scalars(select(Power.code).where(Power.name == "食品经营许可")).first()
    sign_in(page, "shouli")
    served_under_policy(page, f"/work/cases/{case_id}")
    expect(page.locator('.bpmn-view[data-rendered="ok"]')).to_have_count(1)
    expect(page.locator(".bpmn-view .djs-element.bpmn-current")).not_to_have_count(0)
    sign_out(page)

    served_under_policy(page, f"/powers/{code}")
    views = page.locator(".bpmn-view")
    expect(page.locator('.bpmn-view[data-rendered="ok"]')).to_have_count(views.count())
    page.locator(".bpmn-view .djs-element").first.hover()  # the navigated viewer's own handlers
    assert violations() == []


def test_the_catalog_import_page_script_runs_from_its_file(page: Page, tmp_path: Path) -> None:
    """The import page's progress note, once an inline script, still shows while a file uploads."""
    violations = watch(page)
    sign_in(page, "admin")
    served_under_policy(page, "/catalog/io/")
    upload = tmp_path / "empty.json"
    upload.write_text("[]", encoding="utf-8")
    page.locator('input[name="file"]').set_input_files(str(upload))
    # The page's own handler runs on submit; the test's, added after it, keeps the page from leaving.
    shown = page.evaluate("""() => {
        const form = document.getElementById('import-form');
        form.addEventListener('submit', e => e.preventDefault());
        form.requestSubmit(document.getElementById('import-button'));
        return [document.getElementById('importing').hidden, document.getElementById('import-button').disabled];
    }""")
    assert shown == [False, True]
    expect(page.locator("#importing")).to_be_visible()
    assert violations() == []
