"""What responses and the session cookie carry: a Content-Security-Policy the templates satisfy, no-store on every
page behind sign-in, SameSite/HttpOnly cookies that are Secure outside development."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from engine.demo import DEMO_PASSWORD
from engine.store import Membership, OpenTask, Power, User
from tests.app.conftest import csrf, new_change, sign_in
from tests.settings import make_settings

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
DIRECTIVES = ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'self'",
              "form-action 'self'", "frame-ancestors 'self'"]


def policy(client: FlaskClient, path: str) -> dict[str, str]:
    """The Content-Security-Policy of ``path``, directive name -> its sources."""
    header = client.get(path).headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_carries_the_policy_and_it_allows_no_inline_script(app):
    client = app.test_client()
    with app.extensions["sunshine"].reader() as s:
        code = s.scalar(select(Power.code).where(Power.status == "published").order_by(Power.id))
    for path in ("/", f"/powers/{code}", "/login", "/no-such-page"):
        found = policy(client, path)
        assert [found.get(d.split()[0]) for d in DIRECTIVES] == DIRECTIVES, path
        assert "'unsafe-inline'" not in found["script-src"] and "'unsafe-eval'" not in found["script-src"]
    sign_in(client, "shouli")
    assert policy(client, "/work/")["script-src"] == "script-src 'self'"


def test_no_template_holds_script_the_policy_would_block():
    """Inline <script>, on…= handler attributes and javascript: URLs: the policy refuses all three."""
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for tag in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in tag[0]:
                found.append(f"{template.name}: inline {tag[0]}")
        for tag in re.finditer(r"<[a-zA-Z][^>]*>", text):
            handler = re.search(r"\son[a-z]+\s*=", tag[0])
            if handler:
                found.append(f"{template.name}: handler {handler[0].strip()} in {tag[0][:60]}")
        if re.search(r"javascript:", text, re.I):
            found.append(f"{template.name}: javascript: URL")
    assert found == []


def _shouli_pages(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.extensions["sunshine"].reader() as s:
        task_id, case_id = s.execute(
            select(OpenTask.id, OpenTask.case_id).join(Membership, Membership.post_id == OpenTask.post_id)
            .join(User, User.id == Membership.user_id).where(User.username == "shouli").order_by(OpenTask.case_id)
        ).first()
    return ["/work/", "/work/cases", f"/work/cases/{case_id}", f"/work/cases/{case_id}/flowchart.bpmn",
            f"/work/tasks/{task_id}", "/work/cases/new", "/account/password", "/catalog/"]


def test_no_page_behind_sign_in_may_be_stored_by_a_browser_or_proxy(app):
    """Case pages show ID numbers and telephones: the back button after sign-out must not show them either."""
    clerk = app.test_client()
    sign_in(clerk, "shouli")
    pages = {path: clerk.get(path) for path in _shouli_pages(app)}
    admin = app.test_client()
    sign_in(admin, "admin")
    pages |= {path: admin.get(path) for path in ("/watch/", "/catalog/io/", "/catalog/io/export.json",
                                                 "/catalog/io/export.xlsx")}
    drafter, _, change = new_change(app)
    pages[change] = drafter.get(change)
    assert {path: resp.status_code for path, resp in pages.items()} == {path: 200 for path in pages}
    assert {path: resp.headers.get("Cache-Control") for path, resp in pages.items()} == {
        path: "no-store" for path in pages}


def test_the_public_hall_may_be_cached(app):
    client = app.test_client()
    with app.extensions["sunshine"].reader() as s:
        code = s.scalar(select(Power.code).where(Power.status == "published").order_by(Power.id))
    for path in ("/", f"/powers/{code}", "/static/sunshine.css"):
        resp = client.get(path)
        assert resp.status_code == 200 and "no-store" not in resp.headers.get("Cache-Control", ""), path


def cookie_flags(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]} | {
        part.strip().lower() for part in header.split(";") if part.strip().lower().startswith("samesite")}


def test_the_session_cookie_is_samesite_lax_and_httponly_and_plain_http_only_in_development(app):
    resp = app.test_client().get("/login")
    flags = cookie_flags(resp.headers["Set-Cookie"])
    assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags


def test_outside_development_the_cookie_is_secure_and_signing_in_over_https_works(demo_db):
    production = create_app(make_settings(database_url=demo_db.url, env="production"))
    client = production.test_client()
    https = "https://sunshine.example.gov.cn"
    page = client.get("/login", base_url=https)
    assert {"secure", "httponly", "samesite=lax"} <= cookie_flags(page.headers["Set-Cookie"])
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))[1]
    resp = client.post("/login", base_url=https, data={"username": "shouli", "password": DEMO_PASSWORD,
                                                       "csrf": token})
    assert resp.status_code == 302
    assert client.get("/work/", base_url=https).status_code == 200
    production.extensions["sunshine"].sessions.kw["bind"].dispose()


def test_the_language_choice_and_the_anti_forgery_token_survive_the_stricter_cookie(app):
    client = app.test_client()
    client.get("/lang/en")
    token = csrf(client)
    assert client.post("/login", data={"username": "shouli", "password": DEMO_PASSWORD,
                                       "csrf": token}).status_code == 302
    assert "Inbox" in client.get("/work/").get_data(as_text=True)
