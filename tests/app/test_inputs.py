"""Malformed numbers, JSON and text from a request get a clear answer in the reader's language, never a 500."""

from __future__ import annotations

import json

import pytest

from app.inputs import MAX_JSON_DEPTH
from tests.app.conftest import new_change, sign_in

HUGE = "9" * 25  # a whole number no id column holds: SQLite's driver overflows, PostgreSQL's refuses it


def _english(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/lang/en")


@pytest.mark.parametrize("value", ["²", "٣", HUGE, "1e3", "-1", "0x1"])
def test_a_department_filter_that_is_no_usable_number_is_a_400_page_in_the_readers_language(app, value):
    client = app.test_client()
    resp = client.get(f"/?department={value}")
    assert resp.status_code == 400 and "请求无效" in resp.get_data(as_text=True)
    _english(client)
    resp = client.get(f"/?department={value}")
    assert resp.status_code == 400 and "The request was invalid" in resp.get_data(as_text=True)


def test_ids_in_urls_that_no_column_holds_are_no_such_page_and_bad_id_arguments_a_400(app):
    client = app.test_client()
    sign_in(client, "admin")
    for path in (f"/work/cases/{HUGE}", f"/work/cases/{HUGE}/flowchart.bpmn", f"/catalog/changes/{HUGE}",
                 f"/catalog/powers/{HUGE}", f"/catalog/changes/{HUGE}/flowchart/internal",
                 f"/catalog/changes/{HUGE}/flowchart/internal/xml", "/work/cases/0"):
        resp = client.get(path)
        assert resp.status_code == 404 and "页面不存在" in resp.get_data(as_text=True), path
    for path in (f"/work/?post={HUGE}", "/work/?post=²", f"/catalog/changes/new?kind=modify&power={HUGE}"):
        resp = client.get(path)
        assert resp.status_code == 400 and "请求无效" in resp.get_data(as_text=True), path


def _post_json(client, token: str, url: str, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(url, data=body, headers={"X-CSRF-Token": token, "Content-Type": "application/json"})


@pytest.mark.parametrize("url", ["/catalog/lint", "/catalog/changes/1/simulate/step",
                                 "/catalog/changes/1/simulate/timer"])
def test_the_modelers_json_endpoints_refuse_deep_or_broken_json_with_a_coded_json_error(app, url):
    client = app.test_client()
    token = sign_in(client, "fazhiban")
    cases = {
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000: "json.too_deep",  # the C parser's own recursion limit
        b'{"a":' * (MAX_JSON_DEPTH + 1) + b"1" + b"}" * (MAX_JSON_DEPTH + 1): "json.too_deep",
        b'{"xml": "\\ud800", "change_id": 1, "state": "s", "data": {"\\udfff": 1}}': "json.surrogate",
        b'{"xml": "<x/>", "change_id": ': "json.malformed",
        b"\xff\xfe{}": "json.malformed",
        b"[1, 2]": "json.not_object",
    }
    for body, code in cases.items():
        resp = _post_json(client, token, url, body)
        assert resp.status_code == 400, (url, code, resp.get_data(as_text=True)[:200])
        assert resp.get_json()["code"] == code and resp.get_json()["error"]
    _english(client)
    resp = _post_json(client, token, url, b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    assert resp.get_json() == {"code": "json.too_deep", "error": f"The request nests too deeply (at most "
                                                                   f"{MAX_JSON_DEPTH} levels)."}


def test_lint_refuses_a_change_id_no_column_holds_with_a_coded_error(app):
    client = app.test_client()
    token = sign_in(client, "fazhiban")
    for change_id in (int(HUGE), True, "1", 0):
        resp = _post_json(client, token, "/catalog/lint", json.dumps({"xml": "<x/>", "change_id": change_id}).encode())
        assert resp.status_code == 400 and resp.get_json()["code"] == "request.invalid"
        assert "change_id" in resp.get_json()["error"]


def test_a_time_limit_no_calendar_or_column_holds_is_a_field_message(app):
    client, token, url = new_change(app)
    resp = client.post(f"{url}/fields", data={"csrf": token, "legal_limit_days": HUGE, "promised_limit_days": "1"})
    assert resp.status_code == 422 and "时限不能超过 2500 个工作日。" in resp.get_data(as_text=True)
