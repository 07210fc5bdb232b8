"""Signed-in sessions end when they should: signing out, a new password, deactivation, 30 minutes idle, 12 hours
after sign-in. A cookie saved before any of these opens nothing afterwards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app import create_app
from engine.demo import DEMO_PASSWORD
from engine.store import AuditEvent, Membership, OpenTask, User, WebSession
from tests.app.conftest import csrf, sign_in
from tests.app.test_cli_user import invoke
from tests.settings import make_settings

START = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
NEW_PASSWORD = "Lantern-river-42"
FLASH = re.compile(r'<p class="flash" role="status">([^<]*)</p>')


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as t:
        yield t


def case_of(app, username: str) -> str:
    """The page of a case ``username`` may open: one waiting at a step of their post."""
    with app.extensions["sunshine"].reader() as s:
        case_id = s.scalar(select(OpenTask.case_id).join(Membership, Membership.post_id == OpenTask.post_id)
                           .join(User, User.id == Membership.user_id).where(User.username == username)
                           .order_by(OpenTask.case_id))
    assert case_id is not None
    return f"/work/cases/{case_id}"


def cookie(client: FlaskClient) -> str:
    """The session cookie as the browser holds it (what a thief would copy)."""
    found = client.get_cookie("session")
    assert found is not None
    return found.value


def browser_with(app, value: str) -> FlaskClient:
    """Another browser holding a copy of a session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def signed_out(resp: TestResponse) -> bool:
    return resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def flash_after(client: FlaskClient, resp: TestResponse) -> list[str]:
    """The messages the sign-in page shows after the redirect ``resp``."""
    return FLASH.findall(client.get(resp.headers["Location"]).get_data(as_text=True))


def sessions_of(app, username: str) -> list[WebSession]:
    with app.extensions["sunshine"].reader() as s:
        return list(s.scalars(select(WebSession).join(User).where(User.username == username)
                              .order_by(WebSession.id)))


def test_a_cookie_saved_before_signing_out_opens_no_case_page_afterwards(app):
    client = app.test_client()
    token = sign_in(client, "shouli")
    page = case_of(app, "shouli")
    assert client.get(page).status_code == 200
    saved = cookie(client)
    client.post("/logout", data={"csrf": token})

    thief = browser_with(app, saved)
    resp = thief.get(page)
    assert signed_out(resp)
    assert flash_after(thief, resp) == ["您的登录已结束，请重新登录。"]
    assert "味之源" not in thief.get(page).get_data(as_text=True)
    [row] = sessions_of(app, "shouli")
    assert row.end_reason == "signed_out" and row.ended_at is not None


def test_thirty_minutes_without_a_request_end_the_session(app, traveller):
    client = app.test_client()
    sign_in(client, "shouli")
    page = case_of(app, "shouli")
    traveller.shift(timedelta(minutes=29))
    assert client.get(page).status_code == 200
    traveller.shift(timedelta(minutes=29, seconds=59))
    assert client.get(page).status_code == 200  # each request starts the half hour again
    traveller.shift(timedelta(minutes=30))
    resp = client.get(page)
    assert signed_out(resp) and resp.headers["Location"] == f"/login?next={page}"
    assert flash_after(client, resp) == ["您已 30 分钟未操作，登录已结束，请重新登录。"]
    assert [(r.end_reason, r.ended_at) for r in sessions_of(app, "shouli")] == [
        ("idle", START + timedelta(minutes=29 + 29, seconds=59) + timedelta(minutes=30))]


def test_a_session_in_use_all_day_ends_twelve_hours_after_sign_in(app, traveller):
    client = app.test_client()
    sign_in(client, "shouli")
    for _ in range(12 * 4 - 1):
        traveller.shift(timedelta(minutes=15))
        assert client.get("/work/").status_code == 200
    traveller.shift(timedelta(minutes=15))
    resp = client.get("/work/")
    assert signed_out(resp)
    assert flash_after(client, resp) == ["登录已满 12 小时，请重新登录。"]
    assert sessions_of(app, "shouli")[0].end_reason == "expired"


def test_the_limits_are_the_operators_and_the_message_is_in_the_readers_language(app, traveller):
    url = app.extensions["sunshine"].settings.database_url
    strict = create_app(make_settings(database_url=url, session_idle_minutes=10, session_max_hours=1))
    client = strict.test_client()
    client.get("/lang/en")
    sign_in(client, "shouli")
    traveller.shift(timedelta(minutes=10))
    resp = client.get("/work/")
    assert flash_after(client, resp) == ["You have been inactive for 10 minutes, so you were signed out. "
                                         "Please sign in again."]


def test_last_seen_is_written_at_most_once_a_minute(app, traveller):
    client = app.test_client()
    sign_in(client, "shouli")
    for seconds in (10, 30, 59):
        traveller.move_to(START + timedelta(seconds=seconds))
        client.get("/work/")
    assert sessions_of(app, "shouli")[0].last_seen_at == START
    traveller.move_to(START + timedelta(seconds=61))
    client.get("/work/")
    assert sessions_of(app, "shouli")[0].last_seen_at == START + timedelta(seconds=61)


def test_every_sign_in_makes_a_new_session_id_and_ends_the_one_before(app):
    client = app.test_client()
    client.get("/login")
    before = cookie(client)  # a cookie an attacker could have planted before the sign-in
    sign_in(client, "shouli")
    first = cookie(client)
    assert first != before
    assert signed_out(browser_with(app, before).get("/work/"))
    sign_in(client, "chengban")  # the same browser, someone else
    assert signed_out(browser_with(app, first).get("/work/"))
    assert [r.end_reason for r in sessions_of(app, "shouli")] == ["signed_in_again"]
    assert "承办" in client.get("/work/").get_data(as_text=True)


def test_a_form_posted_into_an_ended_session_leads_to_the_sign_in_page_with_the_reason(app, traveller):
    client = app.test_client()
    token = sign_in(client, "shouli")
    traveller.shift(timedelta(hours=1))
    resp = client.post("/work/cases/new", data={"csrf": token, "applicant_name": "某公司"})
    assert signed_out(resp)  # not a bare 400 for the token
    assert flash_after(client, resp) == ["您已 30 分钟未操作，登录已结束，请重新登录。"]


def test_a_user_at_work_in_an_open_page_keeps_the_session(app, traveller):
    """static/js/session.js calls /account/alive while the user types or clicks: long forms outlast no session."""
    client = app.test_client()
    sign_in(client, "shouli")
    for _ in range(3):
        traveller.shift(timedelta(minutes=25))
        assert client.get("/account/alive").status_code == 204
    traveller.shift(timedelta(minutes=25))
    assert client.get("/work/").status_code == 200  # 100 minutes after the page was opened
    traveller.shift(timedelta(minutes=31))
    assert client.get("/account/alive").status_code == 401  # no redirect for a script to follow
    assert app.test_client().get("/account/alive").status_code == 401


def test_static_files_need_no_session(app):
    client = app.test_client()
    sign_in(client, "shouli")
    with app.extensions["sunshine"].sessions.begin() as s:
        s.execute(WebSession.__table__.update().values(ended_at=START, end_reason="signed_out"))
    resp = client.get("/static/sunshine.css")
    assert resp.status_code == 200 and "no-store" not in resp.headers.get("Cache-Control", "")


# ---- the password page ----

def change(client: FlaskClient, token: str, current: str, new: str, again: str | None = None) -> TestResponse:
    return client.post("/account/password", data={
        "csrf": token, "current_password": current, "new_password": new,
        "new_password2": new if again is None else again})


def field_error(resp: TestResponse, name: str) -> str | None:
    page = resp.get_data(as_text=True)
    label = re.search(rf'<input name="{name}".*?(?=<label>|<button)', page, re.S)
    assert label is not None, name
    found = re.search(r'<span class="field-error" id="e-[^"]+">([^<]*)</span>', label[0])
    return found[1] if found else None


def test_a_new_password_ends_every_other_session_and_this_browser_goes_on(app):
    here, elsewhere = app.test_client(), app.test_client()
    token = sign_in(here, "shouli")
    sign_in(elsewhere, "shouli")
    saved = cookie(here)
    page = here.get("/account/password").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page

    resp = change(here, token, DEMO_PASSWORD, NEW_PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/work/"
    assert FLASH.findall(here.get("/work/").get_data(as_text=True)) == [
        "密码已更改。您在其他浏览器或设备上的登录已全部结束。"]
    assert cookie(here) != saved  # a new session id
    resp = elsewhere.get("/work/")
    assert signed_out(resp) and flash_after(elsewhere, resp) == ["账号密码已更改，登录已结束，请重新登录。"]
    assert signed_out(browser_with(app, saved).get("/work/"))

    again = app.test_client()
    assert again.post("/login", data={"username": "shouli", "password": DEMO_PASSWORD,
                                      "csrf": csrf(again)}).status_code == 401
    assert again.post("/login", data={"username": "shouli", "password": NEW_PASSWORD,
                                      "csrf": csrf(again)}).status_code == 302
    with app.extensions["sunshine"].reader() as s:
        event = s.execute(select(AuditEvent.actor, AuditEvent.payload)
                          .where(AuditEvent.action == "user.password_changed")).one()
    assert event == ("shouli", {"user": "shouli", "sessions_ended": 2})
    assert NEW_PASSWORD not in str(event)


@pytest.mark.parametrize(("current", "new", "again", "errors"), [
    ("", NEW_PASSWORD, None, {"current_password": "请输入当前密码。"}),
    (DEMO_PASSWORD, "Short-1", None, {"new_password": "密码至少需要 10 个字符。"}),
    (DEMO_PASSWORD, "lanternriver", None,
     {"new_password": "密码须包含大写字母、小写字母、数字、其他符号中的至少 3 种。"}),
    (DEMO_PASSWORD, "Shouli-river-42", None, {"new_password": "密码不能包含用户名。"}),
    (DEMO_PASSWORD, "Admin@12345", None, {"new_password": "这个密码过于常见，容易被猜中，请换一个。"}),
    (DEMO_PASSWORD, NEW_PASSWORD, "Lantern-river-43", {"new_password2": "两次输入的新密码不一致。"}),
    (DEMO_PASSWORD, "", "", {"new_password": "请输入新密码。"}),
])
def test_a_refused_new_password_is_marked_at_its_field_and_changes_nothing(app, current, new, again, errors):
    client = app.test_client()
    token = sign_in(client, "shouli")
    resp = change(client, token, current, new, again)
    assert resp.status_code == 422
    shown = {name: field_error(resp, name) for name in ("current_password", "new_password", "new_password2")}
    assert {k: v for k, v in shown.items() if v} == errors
    assert 'value="' + new not in resp.get_data(as_text=True) or not new  # passwords are never sent back
    assert client.get("/work/").status_code == 200  # still signed in, the password unchanged
    assert sessions_of(app, "shouli")[0].ended_at is None


def test_guessing_the_current_password_on_the_password_page_counts_towards_the_sign_in_lock(app, traveller):
    client = app.test_client()
    token = sign_in(client, "shouli")
    codes = []
    for _ in range(5):
        resp = change(client, token, "wrong-guess", NEW_PASSWORD)
        codes.append(resp.status_code)
        traveller.shift(timedelta(minutes=1))
    assert codes == [422] * 4 + [429]
    assert field_error(change(client, token, "wrong", NEW_PASSWORD), "current_password") is None  # locked
    locked = change(client, token, DEMO_PASSWORD, NEW_PASSWORD)
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
    assert "Retry-After" in locked.headers


def test_the_password_page_speaks_english(app):
    client = app.test_client()
    client.get("/lang/en")
    token = sign_in(client, "shouli")
    assert "Change password" in client.get("/work/").get_data(as_text=True)
    resp = change(client, token, "wrong", NEW_PASSWORD)
    assert field_error(resp, "current_password") == "The current password is not correct."
    resp = change(client, token, DEMO_PASSWORD, "short")
    assert field_error(resp, "new_password") == (
        "A password needs at least 10 characters. A password needs at least 3 of: upper-case letters, "
        "lower-case letters, digits, other characters.")


def test_the_password_page_needs_a_sign_in(app):
    assert app.test_client().get("/account/password").headers["Location"].startswith("/login")


def test_a_deactivated_users_case_pages_close_at_once(app):
    client = app.test_client()
    sign_in(client, "shouli")
    page = case_of(app, "shouli")
    assert client.get(page).status_code == 200
    assert invoke(app, "user", "deactivate", "shouli").exit_code == 0
    assert signed_out(client.get(page))
    assert sessions_of(app, "shouli")[0].end_reason == "deactivated"


def test_a_cookie_forged_with_the_signing_key_opens_nothing(app):
    # Even someone holding the cookie-signing key (once the public default) cannot sign in as anyone: the cookie
    # must name a session the server started.
    with app.extensions["sunshine"].reader() as s:
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
    serializer = app.session_interface.get_signing_serializer(app)
    for forged in ({"uid": admin_id}, {"sid": "a-token-never-issued", "uid": admin_id}):
        resp = browser_with(app, serializer.dumps(forged)).get("/watch/")
        assert signed_out(resp), forged
