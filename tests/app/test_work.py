"""Staff pages over HTTP: sign-in, inbox, working a step with field messages, case file, supervision."""

from __future__ import annotations

import re
from datetime import timedelta

from engine import clock
from engine.supervisor.tick import tick
from tests.app.conftest import csrf, required_mark, sign_in

TASK_LINK = re.compile(r'class="open-task" href="(/work/tasks/[^"]+)">([^<]+)<')
ACCEPT = {
    "applicant_name": "示范市味之源餐饮管理有限公司", "applicant_id_type": "uscc",
    "applicant_id_number": "91519900MA62A1B2CY", "applicant_contact": "0837-2881234",
    "legal_representative": "王某", "business_address": "示范市解放路88号", "entity_type": "catering",
    "business_scope": "热食类食品制售", "business_area": "186.5", "application_date": "2026-11-20",
    "material_application": "true", "material_subject_certificate": "true", "material_layout": "true",
    "material_safety_rules": "true", "accept_result": "accept", "opinion": "材料齐全，予以受理。",
}


def _inbox(client) -> list[tuple[str, str]]:
    return TASK_LINK.findall(client.get("/work/").get_data(as_text=True))


def test_staff_must_sign_in_and_wrong_passwords_are_refused(app):
    client = app.test_client()
    assert client.get("/work/").headers["Location"].startswith("/login")
    resp = client.post("/login", data={"username": "shouli", "password": "nope", "csrf": csrf(client)})
    assert resp.status_code == 401
    assert "用户名或密码不正确" in resp.get_data(as_text=True)


def test_signing_in_returns_to_the_page_asked_for_but_never_to_another_site(app):
    for asked, landed in [("/work/cases", "/work/cases"), ("//evil.example/x", "/work/"),
                          ("/%09/evil.example/phish", "/work/"), ("/\\evil.example", "/work/"),
                          ("https://evil.example/", "/work/"), ("/work/\nx", "/work/")]:
        client = app.test_client()
        client.get("/login")
        resp = client.post("/login", query_string={"next": asked.replace("%09", "\t")},
                           data={"username": "shouli", "password": "sunshine", "csrf": csrf(client)})
        assert resp.status_code == 302 and resp.headers["Location"] == landed, asked


def test_forms_without_the_session_token_are_refused(app):
    client = app.test_client()
    resp = client.post("/login", data={"username": "shouli", "password": "sunshine"})
    assert resp.status_code == 400
    assert "Traceback" not in resp.get_data(as_text=True)


def test_inbox_shows_the_posts_steps_and_working_one_moves_the_case(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    steps = _inbox(client)
    # The demo's first licence case waits at 受理; the penalty (立案) and 民政局's case are other posts' work.
    assert [name for _, name in steps] == ["受理"]
    [(link, _)] = steps
    assert "味之源" in client.get(link).get_data(as_text=True)

    # Empty submission: every required field gets its own message, nothing moves.
    resp = client.post(link, data={"csrf": token, "opinion": "先填意见"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert page.count("此项为必填项。") >= 5
    assert "先填意见" in page  # what was typed is kept
    assert len(_inbox(client)) == len(steps)

    resp = client.post(link, data={"csrf": token, **ACCEPT}, follow_redirects=True)
    assert "已办理" in resp.get_data(as_text=True)
    assert _inbox(client) == []

    other = app.test_client()
    sign_in(other, "chengban")
    assert [name for _, name in _inbox(other)] == ["承办审查", "承办审查"]


def test_a_step_of_another_post_is_read_only(app):
    clerk, handler = app.test_client(), app.test_client()
    sign_in(clerk, "shouli")
    token = sign_in(handler, "chengban")
    href, _ = _inbox(clerk)[0]
    page = handler.get(href).get_data(as_text=True)
    assert "只能查看" in page
    assert handler.post(href, data={"csrf": token, **ACCEPT}).status_code == 403


def test_the_case_file_shows_history_and_audit(app):
    client = app.test_client()
    sign_in(client, "chengban")
    href, _ = _inbox(client)[0]
    case_link = re.search(r'href="(/work/cases/\d+)"', client.get("/work/").get_data(as_text=True)).group(1)
    page = client.get(case_link).get_data(as_text=True)
    assert "申请材料齐全，符合法定形式，予以受理。" in page  # 受理's opinion from the demo
    assert "task.complete" in page and "case.start" in page
    assert 'class="bpmn-view"' in page
    flowchart = client.get(case_link + "/flowchart.bpmn")
    assert flowchart.status_code == 200 and b"<bpmn:definitions" in flowchart.data


def test_a_step_opens_with_what_the_case_holds_and_the_case_file_shows_each_step_s_results(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    [(link, _)] = _inbox(client)
    page = client.get(link).get_data(as_text=True)
    # 受理 opens with the registration (证件类型 as the form's choice), still editable; the opinion is the clerk's.
    assert 'id="f-applicant_name" name="applicant_name" value="示范市味之源餐饮管理有限公司"' in page
    assert 'name="applicant_id_type" value="uscc" checked' in page
    assert 'name="applicant_id_number" value="91519900MA62A1B2CY"' in page
    assert re.search(r'<textarea id="f-opinion" name="opinion"[^>]*></textarea>', page)

    # An application dated tomorrow is refused at its field; what was typed stays.
    tomorrow = (clock.local(clock.now()).date() + timedelta(days=1)).isoformat()
    resp = client.post(link, data={"csrf": token, **ACCEPT, "applicant_name": "改正后的名称",
                                   "application_date": tomorrow})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "不能晚于今天" in page and 'value="改正后的名称"' in page

    # The demo's accepted licence case: its 受理 results are labelled by the form, choices by their titles.
    handler = app.test_client()
    sign_in(handler, "chengban")
    case_link = re.search(r'href="(/work/cases/\d+)"', handler.get("/work/").get_data(as_text=True)).group(1)
    page = handler.get(case_link).get_data(as_text=True)
    assert "<dt>主体业态</dt><dd data-field=\"entity_type\">餐饮服务经营者</dd>" in page
    assert "<dt>经营场所面积（平方米）</dt><dd data-field=\"business_area\">46</dd>" in page
    assert "核对事项" in page and "catering" not in page
    handler.get("/lang/en")
    assert "Checklist" in handler.get(case_link).get_data(as_text=True)


def test_supervision_is_for_supervisors_and_lists_alerts(app):
    client = app.test_client()
    sign_in(client, "shouli")
    assert client.get("/watch/").status_code == 403
    boss = app.test_client()
    sign_in(boss, "jiancha")
    page = boss.get("/watch/").get_data(as_text=True)
    assert "电子监察" in page and "2027" in page  # the uncovered-calendar warning is loud


def test_english_is_available(app):
    client = app.test_client()
    client.get("/lang/en")
    assert "Sign in" in client.get("/login").get_data(as_text=True) or "登录" in client.get("/login").get_data(
        as_text=True)


def test_unknown_pages_get_a_plain_error_page(app):
    client = app.test_client()
    resp = client.get("/work/cases/999999")
    assert resp.status_code in (302, 404)
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "页面不存在" in resp.get_data(as_text=True)


def test_nul_bytes_and_wrong_methods_get_a_plain_error_page(app):
    client = app.test_client()
    # PostgreSQL refuses NUL in any string, so these once reached the database and failed there with a 500.
    for resp in (client.get("/?category=%00"), client.get("/powers/%00"),
                 client.post("/login", data={"username": "shou\x00li", "password": "sunshine", "csrf": csrf(client)})):
        assert resp.status_code == 400 and "请求无效" in resp.get_data(as_text=True)
    resp = client.delete("/login")
    assert resp.status_code == 405 and "不支持这种操作" in resp.get_data(as_text=True)


def test_registering_a_case_checks_every_field_and_keeps_what_was_typed(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    form = {"csrf": token, "power": "519900-SCJGJ-XK-0001", "subject": "申请食品经营许可（新办）",
            "applicant_name": "示范市味之源餐饮管理有限公司", "applicant_id_type": "统一社会信用代码",
            "applicant_id_number": "91350100M000100Y44", "applicant_contact": "x"}
    resp = client.post("/work/cases/new", data=form)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "证件号码的校验位不符" in page and "请填写有效的联系电话" in page
    assert 'value="示范市味之源餐饮管理有限公司"' in page and 'value="91350100M000100Y44"' in page

    resp = client.post("/work/cases/new", data={**form, "subject": "申" * 301, "applicant_id_number": "",
                                                "applicant_id_type": "居民身份证", "applicant_contact": ""})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "最多 300 个字" in page and page.count("此项为必填项") == 2

    resp = client.post("/work/cases/new", data={**form, "applicant_id_number": "91350100m000100y43",
                                                "applicant_contact": "0837-2881234"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/work/cases/")


def test_a_clerk_registers_cases_only_for_their_own_department(app):
    client = app.test_client()
    token = sign_in(client, "mz_shouli")  # 民政局 window
    page = client.get("/work/cases/new").get_data(as_text=True)
    assert "519900-MZJ-QR-0001" in page and "519900-SCJGJ-XK-0001" not in page
    form = {"csrf": token, "power": "519900-SCJGJ-XK-0001", "subject": "申请", "applicant_name": "张某某",
            "applicant_id_type": "居民身份证", "applicant_id_number": "11010519491231002X",
            "applicant_contact": "13912345678"}
    resp = client.post("/work/cases/new", data=form)
    assert resp.status_code == 422
    assert "您不在「食品经营许可」所属部门的「受理」岗位上" in resp.get_data(as_text=True)

    supervisor = app.test_client()
    sign_in(supervisor, "jiancha")
    assert "不能登记办件" in supervisor.get("/work/cases/new").get_data(as_text=True)


def test_staff_see_only_their_departments_cases_and_supervisors_see_all(app):
    case_link = re.compile(r'href="/work/cases/(\d+)">([^<]+)<')
    market, civil, watch = app.test_client(), app.test_client(), app.test_client()
    sign_in(market, "shouli")  # 市场监管局
    sign_in(civil, "mz_shouli")  # 民政局
    sign_in(watch, "jiancha")
    market_cases = dict(case_link.findall(market.get("/work/cases").get_data(as_text=True)))
    civil_cases = dict(case_link.findall(civil.get("/work/cases").get_data(as_text=True)))
    all_cases = dict(case_link.findall(watch.get("/work/cases").get_data(as_text=True)))
    assert market_cases and civil_cases and not set(market_cases) & set(civil_cases)
    # The city's supervisor also watches the county below the city (engine/supervision/scope.py).
    assert all_cases.items() >= {**market_cases, **civil_cases}.items() and any(
        s.startswith("XMZJ-") for s in all_cases.values())
    other = next(iter(market_cases))
    # The case file holds the applicant's ID number and telephone: another department gets nothing.
    assert civil.get(f"/work/cases/{other}").status_code == 404
    assert civil.get(f"/work/cases/{other}/flowchart.bpmn").status_code == 404
    task_path = _inbox(market)[0][0]
    assert civil.get(task_path).status_code == 403
    assert market.get(f"/work/cases/{other}").status_code == 200 and watch.get(task_path).status_code == 200


def test_alerts_read_in_the_reader_s_language_with_deadlines_as_the_law_counts_them(app):
    with app.app_context():
        result = tick(app.extensions["sunshine"], clock.now() + timedelta(days=30))
    assert result.red > 0
    boss = app.test_client()
    sign_in(boss, "jiancha")
    page = boss.get("/watch/").get_data(as_text=True)
    assert "红灯报警）" in page and " 24:00" in page and " 00:00" not in page
    boss.get("/lang/en")
    page = boss.get("/watch/").get_data(as_text=True)
    assert "(red alert)" in page and "红灯报警）" not in page


def test_pages_cannot_be_framed_by_other_sites(app):
    resp = app.test_client().get("/login")
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN" and resp.headers["X-Content-Type-Options"] == "nosniff"


def test_an_english_reader_works_a_step_on_a_form_in_english(app):
    handler, reviewer, approver = app.test_client(), app.test_client(), app.test_client()
    for client in (handler, reviewer, approver):
        client.get("/lang/en")
    token = sign_in(handler, "chengban")
    link, _ = _inbox(handler)[0]
    page = handler.get(link).get_data(as_text=True)
    # The form's title and description, field titles and choice titles are English; values stay as they were.
    assert "<h2>Food business licence · Handling and examination</h2>" in page
    assert "The handling post examines the substance" in page
    assert "Application materials are true and complete and meet the statutory conditions" in page
    assert 'value="grant" > Propose to grant the licence</label>' in page
    assert not re.search(r"拟准予许可|现场核查结论|承办意见", page)
    resp = handler.post(link, data={"csrf": token, "materials_verified": "true", "onsite_inspection_required": "false",
                                    "handle_result": "grant", "opinion": "材料真实完整。"})
    assert resp.status_code == 302
    token = sign_in(reviewer, "shenhe")
    link, _ = _inbox(reviewer)[0]
    assert reviewer.post(link, data={"csrf": token, "review_result": "pass", "opinion": "同意。"}).status_code == 302

    token = sign_in(approver, "pizhun")
    link, _ = _inbox(approver)[0]
    page = approver.get(link).get_data(as_text=True)
    assert "Valid until" in page and "A food business licence is valid for 5 years." in page
    assert "Grant the licence" in page and "有效期至" not in page
    # The end of validity before its start: the message names the start date's field in English.
    resp = approver.post(link, data={
        "csrf": token, "approve_result": "approve", "licence_no": "JY15199000000017",
        "decision_no": "示市监食许〔2026〕1号", "legal_basis": "《食品安全法》第三十五条", "opinion": "准予许可",
        "valid_from": "2026-11-23", "valid_until": "2026-11-22"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Must not be earlier than “Valid from” (2026-11-23)." in page and "有效期起" not in page
    # The case page labels each finished step's results in English too, choices by their English titles.
    case_link = re.search(r'href="(/work/cases/\d+)"', approver.get("/work/").get_data(as_text=True)).group(1)
    page = approver.get(case_link).get_data(as_text=True)
    assert '<dt>Type of business</dt><dd data-field="entity_type">Catering service provider</dd>' in page
    assert '<dt>Handling opinion</dt><dd data-field="handle_result">Propose to grant the licence</dd>' in page
    # A Chinese reader still reads the form as written.
    approver.get("/lang/zh")
    assert "<dt>主体业态</dt><dd data-field=\"entity_type\">餐饮服务经营者</dd>" in approver.get(case_link).get_data(
        as_text=True)


def test_a_field_s_help_shows_under_it_and_a_choice_moves_the_required_marks(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    [(link, _)] = _inbox(client)
    page = client.get(link).get_data(as_text=True)
    # The ui schema's ui:help, under the choices and read out with them.
    assert ('<div class="choices" role="radiogroup" aria-labelledby="l-accept_result" '
            'aria-describedby="h-accept_result">') in page
    assert '<small class="hint help" id="h-accept_result">予以受理须四项必备材料齐全；' in page
    # 补正 needs its list of materials: marked once that choice is made (js/stepform.js moves the mark meanwhile).
    assert (required_mark(page, "opinion"), required_mark(page, "supplement_list")) == ("shown", "hidden")
    assert required_mark(page, "material_power_of_attorney") is None  # optional whatever the choice
    resp = client.post(link, data={"csrf": token, **ACCEPT, "accept_result": "supplement"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and required_mark(page, "supplement_list") == "shown"
    # Its description and its error are read out with it too.
    assert ('<textarea id="f-supplement_list" name="supplement_list" rows="4" aria-invalid="true" '
            'aria-describedby="d-supplement_list e-supplement_list">') in page
    assert "data-required-by=" in page and "js/stepform.js" in page
    client.get("/lang/en")
    page = client.get(link).get_data(as_text=True)
    assert "Accept only when all four required materials are present;" in page and "予以受理须" not in page
