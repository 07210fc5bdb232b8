"""A demo platform behind Flask's test client, and a helper to sign in."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from app import create_app
from engine.demo import DEMO_PASSWORD
from tests.settings import make_settings

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def app(demo_db):
    """The platform over a fresh copy of the demo database (``demo_db``: ask for it too to reach the database)."""
    application = create_app(make_settings(database_url=demo_db.url))
    application.config["TESTING"] = False  # exercise the real error pages
    return application


def required_mark(page: str, name: str) -> str | None:
    """How a task page marks field ``name`` required: "shown", "hidden" (until a choice requires it) or None."""
    label = re.search(rf'<label id="l-{name}"[^>]*>.*?</label>', page, re.S)
    assert label is not None, name
    star = re.search(r'<span class="req"( hidden)?>\*</span>', label[0])
    return None if star is None else "hidden" if star[1] else "shown"


def csrf(client: FlaskClient, path: str = "/login") -> str:
    """The anti-forgery token a page hands the browser."""
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(client: FlaskClient, username: str) -> str:
    resp = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": csrf(client)})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return csrf(client, "/work/")


def new_change(app) -> tuple[FlaskClient, str, str]:  # type: ignore[no-untyped-def]
    """A new 「测试事项」 of 市场监管局 drafted by mulu: (client, csrf token, change URL)."""
    drafter = app.test_client()
    token = sign_in(drafter, "mulu")
    form = drafter.get("/catalog/changes/new").get_data(as_text=True)
    resp = drafter.post("/catalog/changes/new", data={
        "csrf": token, "kind": "add", "name": "测试事项", "category": "license", "reason": "测试",
        "trigger_kind": "other", "department": re.search(r'<option value="(\d+)"', form)[1]})
    assert resp.status_code == 302
    drafter.get(resp.headers["Location"])  # shows, and so clears, 「已创建调整申请」
    return drafter, token, resp.headers["Location"]
