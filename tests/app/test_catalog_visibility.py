"""Adjustment requests over HTTP: a secret power's request answers 404 to whoever may not see it, on every route
that shows it; one open request per power; a trigger date the deadline can count from."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from sqlalchemy import func, select

from engine.store import CatalogChange, Power
from tests.app.conftest import new_change, sign_in
from tests.app.test_catalog import FORM, _work

ROOT = Path(__file__).resolve().parents[2]
LICENSE_BPMN = (ROOT / "processes" / "license_food_business.bpmn").read_bytes()
SECRET_NAME = "涉密测绘成果提供使用审批"
DEMO_SECRET = "涉密测绘成果使用情况监督检查"  # published by the demo for 自然资源局, opened by fazhiban


def _department_option(client) -> str:
    return re.search(r'<option value="(\d+)"', client.get("/catalog/changes/new").get_data(as_text=True))[1]


def _secret_request(app):
    """mulu of 市场监管局 opens a secret licence and attaches both flowcharts: (client, token, change url)."""
    drafter = app.test_client()
    token = sign_in(drafter, "mulu")
    resp = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "add", "name": SECRET_NAME, "category": "license", "reason": "涉密事项",
        "trigger_kind": "other", "department": _department_option(drafter), "secret": "1"})
    assert resp.status_code == 302
    change_url = resp.headers["Location"]
    for which in ("internal", "external"):
        drafter.post(f"{change_url}/upload/{which}", content_type="multipart/form-data",
                     data={"csrf": token, "file": (io.BytesIO(LICENSE_BPMN), "x.bpmn")})
    return drafter, token, change_url


def _power_id(app, name: str) -> int:
    with app.extensions["sunshine"].sessions() as s:
        return s.execute(select(Power.id).where(Power.name == name)).scalar_one()


def _change_count(app) -> int:
    with app.extensions["sunshine"].sessions() as s:
        return s.scalar(select(func.count()).select_from(CatalogChange))


def _client(app, username):
    client = app.test_client()
    return client, sign_in(client, username)


def _reads(change_url: str) -> list[str]:
    return [change_url, f"{change_url}/flowchart/internal/view", f"{change_url}/flowchart/internal/view.bpmn",
            f"{change_url}/flowchart/external/view"]


def _modeler_reads(change_url: str) -> list[str]:
    return [f"{change_url}/flowchart/internal", f"{change_url}/flowchart/internal/xml", f"{change_url}/posts"]


def test_a_secret_request_is_404_on_every_route_for_outsiders(app):
    drafter, token, change_url = _secret_request(app)
    change_id = int(change_url.rsplit("/", 1)[1])
    power_id = _power_id(app, SECRET_NAME)
    missing = "/catalog/changes/999999"

    for username in ("mulu", "shouli", "jiancha", "admin"):  # its department, supervisors, administrators
        client, _ = _client(app, username)
        for url in _reads(change_url):
            assert client.get(url).status_code == 200, (username, url)
        assert client.get(f"/catalog/powers/{power_id}").status_code == 200, username
    assert drafter.get(f"{change_url}/flowchart/internal").status_code == 200

    for username in ("mz_mulu", "fazhiban", "shending", "mz_shouli"):
        client, csrf = _client(app, username)
        for url in _reads(change_url):
            assert client.get(url).status_code == 404, (username, url)
            # The same answer as for a request that does not exist: nothing tells the two apart.
            assert client.get(url.replace(change_url, missing)).status_code == 404
        assert client.get(f"/catalog/powers/{power_id}").status_code == 404, username
        listing = client.get("/catalog/").get_data(as_text=True)
        assert SECRET_NAME not in listing and f'href="{change_url}"' not in listing, username
        if username in ("mz_mulu", "fazhiban"):  # the catalog roles reach the editor's routes: 404 there too
            headers = {"X-CSRF-Token": csrf}
            for url in _modeler_reads(change_url):
                assert client.get(url).status_code == 404, (username, url)
            assert client.post(f"{change_url}/flowchart/internal/xml", data=LICENSE_BPMN,
                               headers=headers | {"Content-Type": "application/xml"}).status_code == 404
            assert client.post("/catalog/lint", json={"xml": "<x/>", "change_id": change_id},
                               headers=headers).status_code == 404
            for step in ("simulate", "simulate/step", "simulate/timer"):
                assert client.post(f"{change_url}/{step}", json={}, headers=headers).status_code == 404, step
            assert client.post(f"{change_url}/fields", data={"csrf": csrf, **FORM}).status_code == 404
            assert client.post(f"{change_url}/upload/internal", content_type="multipart/form-data",
                               data={"csrf": csrf, "file": (io.BytesIO(LICENSE_BPMN), "x.bpmn")}).status_code == 404
            assert client.get(f"/catalog/changes/new?kind=cancel&power={power_id}").status_code == 404


def test_the_review_chain_sees_a_secret_request_when_it_reaches_them(app):
    drafter, token, change_url = _secret_request(app)
    assert drafter.post(change_url + "/fields", data={"csrf": token, **FORM}).status_code == 302
    legal, legal_token = _client(app, "fazhiban")
    gov, gov_token = _client(app, "shending")
    assert legal.get(change_url).status_code == 404  # still a draft of the department's

    _work(drafter, token, {"checked": "true", "opinion": "请审核"})
    page = legal.get(change_url)
    assert page.status_code == 200 and SECRET_NAME in page.get_data(as_text=True)
    assert legal.get(f"{change_url}/flowchart/internal").status_code == 200  # the legal office may model
    assert SECRET_NAME in legal.get("/catalog/").get_data(as_text=True)
    # The task page links to the request, and the link opens.
    task = re.search(r'class="open-task" href="(/work/tasks/[^"]+)"', legal.get("/work/").get_data(as_text=True))[1]
    assert f'href="{change_url}"' in legal.get(task).get_data(as_text=True)
    assert gov.get(change_url).status_code == 404

    _work(legal, legal_token, {"legal_result": "pass", "opinion": "合法"})
    assert gov.get(change_url).status_code == 200
    assert legal.get(change_url).status_code == 200  # who decided keeps seeing what they decided
    _work(gov, gov_token, {"approve_result": "approve", "opinion": "同意"})
    assert gov.get(change_url).status_code == 200
    outsider, _ = _client(app, "mz_mulu")
    assert outsider.get(change_url).status_code == 404


def test_the_demo_secret_power_stays_out_of_other_lists_and_pages(app):
    power_id = _power_id(app, DEMO_SECRET)
    with app.extensions["sunshine"].sessions() as s:
        [change_id] = s.execute(select(CatalogChange.id).where(CatalogChange.power_id == power_id)).scalars()
    for username, seen in (("admin", True), ("jiancha", True), ("mulu", False), ("shending", False)):
        client, _ = _client(app, username)
        listing = client.get("/catalog/").get_data(as_text=True)
        assert (DEMO_SECRET in listing) == seen, username
        assert client.get(f"/catalog/powers/{power_id}").status_code == (200 if seen else 404), username
        assert client.get(f"/catalog/changes/{change_id}").status_code == (200 if seen else 404), username


def test_ordinary_requests_stay_readable_by_all_staff(app):
    drafter, token, change_url = _secret_request(app)
    ordinary = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "add", "name": "普通许可", "category": "license", "reason": "新设",
        "trigger_kind": "other", "department": _department_option(drafter)}).headers["Location"]
    clerk, _ = _client(app, "mz_shouli")
    assert clerk.get(ordinary).status_code == 200
    assert clerk.get(change_url).status_code == 404


def test_the_review_case_is_linked_only_for_those_it_opens_to(app):
    # An ordinary request is read by all staff; its review case, like any case, by its department's staff and the
    # review chain (engine/access.py): nobody is sent to a 404.
    drafter, _, change_url = new_change(app)
    page = drafter.get(change_url).get_data(as_text=True)
    case_url = re.search(r'href="(/work/cases/\d+)">查看审核办件', page)[1]
    task_url = re.search(r'href="(/work/tasks/[^"]+)">编制并提交调整申请', page)[1]
    assert drafter.get(case_url).status_code == 200 and drafter.get(task_url).status_code == 200

    outsider, _ = _client(app, "mz_mulu")  # 民政局
    page = outsider.get(change_url).get_data(as_text=True)
    assert "当前环节：编制并提交调整申请" in page  # still told where the review stands
    assert "查看审核办件" not in page and not re.search(r"/work/(cases/\d|tasks/)", page)
    assert outsider.get(case_url).status_code == 404


def test_a_second_request_for_a_power_is_refused_with_a_link_to_the_open_one(app):
    drafter, token = _client(app, "mulu")
    power_id = _power_id(app, "食品经营许可")
    resp = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "modify", "power": power_id, "reason": "承诺时限压缩", "trigger_kind": "other"})
    assert resp.status_code == 302
    first_url = resp.headers["Location"]
    first = int(first_url.rsplit("/", 1)[1])
    drafter.get(first_url)

    listing = drafter.get("/catalog/").get_data(as_text=True)
    row = next(r for r in listing.split("<tr>") if "<td>食品经营许可</td>" in r)  # the powers table
    assert f'href="{first_url}">#{first}</a>' in row and "kind=suspend" not in row

    form = drafter.get(f"/catalog/changes/new?kind=suspend&power={power_id}")
    page = html.unescape(form.get_data(as_text=True))
    assert form.status_code == 200 and f"调整申请 #{first}（变更，草稿）" in page
    assert f'href="{first_url}"' in page and "创建调整申请" not in page

    before = _change_count(app)
    for kind in ("modify", "cancel", "suspend"):
        resp = drafter.post("/catalog/changes/new", data={
            "csrf": token, "kind": kind, "power": power_id, "reason": "另一申请", "trigger_kind": "other"})
        page = html.unescape(resp.get_data(as_text=True))
        assert resp.status_code == 409 and f"#{first}" in page and f'href="{first_url}"' in page, kind
    assert _change_count(app) == before

    drafter.get("/lang/en")
    page = html.unescape(drafter.get(f"/catalog/changes/new?kind=cancel&power={power_id}").get_data(as_text=True))
    assert f"open adjustment request #{first} (modify, draft)" in page and f"#{first}" in page


def test_a_trigger_date_in_the_future_or_before_1949_is_refused_at_the_field(app):
    drafter, token = _client(app, "mulu")
    department = _department_option(drafter)
    before = _change_count(app)
    for day, message in (("2099-01-01", "公布日期不能晚于今天"), ("1900-01-01", "公布日期不能早于 1949-10-01")):
        resp = drafter.post("/catalog/changes/new", data={
            "csrf": token, "kind": "add", "name": "测试事项", "category": "license", "reason": "测试",
            "trigger_kind": "law", "trigger_published_on": day, "department": department})
        page = resp.get_data(as_text=True)
        assert resp.status_code == 422 and message in page and f'value="{day}"' in page, day
    drafter.get("/lang/en")
    resp = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "add", "name": "测试事项", "category": "license", "reason": "测试",
        "trigger_kind": "law", "trigger_published_on": "2099-01-01", "department": department})
    assert resp.status_code == 422 and "cannot be later than today" in resp.get_data(as_text=True)
    assert _change_count(app) == before
