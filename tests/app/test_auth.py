"""Signing in over HTTP while guesses are throttled: 401 for a wrong password, 429 with the time once locked."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.demo import DEMO_PASSWORD
from tests.app.conftest import csrf

START = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
LOCKED_ZH = "登录失败次数过多，已暂时锁定。请于 {}（北京时间）之后再试。"
LOCKED_EN = "Too many failed sign-ins: signing in is locked for now. Try again after {} (Beijing time)."


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as t:
        yield t


def post(client: FlaskClient, username: str, password: str, address: str = "10.0.0.1") -> TestResponse:
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf(client)},
                       environ_base={"REMOTE_ADDR": address})


def fail(client: FlaskClient, traveller: time_machine.Coordinates, username: str, times: int,
         address: str = "10.0.0.1") -> list[int]:
    """``times`` wrong passwords a minute apart; their status codes."""
    codes = []
    for _ in range(times):
        codes.append(post(client, username, "wrong", address).status_code)
        traveller.shift(timedelta(minutes=1))
    return codes


def message(resp: TestResponse) -> str:
    found = re.search(r'<p class="error" role="alert">([^<]*)</p>', resp.get_data(as_text=True))
    assert found, resp.get_data(as_text=True)
    return found[1]


def test_five_wrong_passwords_lock_the_username_even_against_the_right_one(app, traveller):
    client = app.test_client()
    assert fail(client, traveller, "shouli", 4) == [401] * 4
    fifth = post(client, "shouli", "wrong")  # 10:04 in Beijing: locked until 10:19
    assert fifth.status_code == 429
    assert message(fifth) == LOCKED_ZH.format("2026-06-01 10:19")

    traveller.shift(timedelta(minutes=5))
    right = post(client, "shouli", DEMO_PASSWORD)
    assert right.status_code == 429
    assert message(right) == LOCKED_ZH.format("2026-06-01 10:19")
    assert right.headers["Retry-After"] == str(10 * 60)
    assert 'name="username"' in right.get_data(as_text=True)  # the sign-in page itself, ready for later


def test_the_username_signs_in_again_fifteen_minutes_after_its_last_failure(app, traveller):
    client = app.test_client()
    fail(client, traveller, "shouli", 5)
    traveller.move_to(START + timedelta(minutes=4 + 15) - timedelta(seconds=1))
    assert post(client, "shouli", DEMO_PASSWORD).status_code == 429
    traveller.shift(timedelta(seconds=1))
    resp = post(client, "shouli", DEMO_PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/work/"


def test_a_successful_sign_in_ends_the_streak(app, traveller):
    client = app.test_client()
    assert fail(client, traveller, "shouli", 4) == [401] * 4
    assert post(client, "shouli", DEMO_PASSWORD).status_code == 302
    other = app.test_client()
    assert fail(other, traveller, "shouli", 4) == [401] * 4
    assert post(other, "shouli", DEMO_PASSWORD).status_code == 302


def test_an_unknown_username_is_refused_with_the_same_page(app, traveller):
    known, unknown = app.test_client(), app.test_client()
    codes_known = fail(known, traveller, "shouli", 5, address="10.0.0.2")
    traveller.move_to(START)
    codes_unknown = fail(unknown, traveller, "no-such-user", 5, address="10.0.0.3")
    assert codes_known == codes_unknown == [401] * 4 + [429]

    traveller.shift(timedelta(minutes=1))
    pages = [post(known, "shouli", DEMO_PASSWORD, "10.0.0.2"), post(unknown, "no-such-user", "x", "10.0.0.3")]
    assert [p.status_code for p in pages] == [429, 429]
    assert [p.headers["Retry-After"] for p in pages] == [str(13 * 60)] * 2
    # Apart from each browser's own anti-forgery token, the two answers are the same bytes.
    same = [re.sub(r'name="csrf" value="[^"]+"', "", p.get_data(as_text=True)) for p in pages]
    assert same[0] == same[1]


def test_twenty_failures_from_one_address_lock_that_address(app, traveller):
    client = app.test_client()
    codes = []
    for name in ["shouli", "chengban", "shenhe", "pizhun", "zhifa"]:  # four guesses each: no username locks
        for _ in range(4):
            codes.append(post(client, name, "wrong", "192.0.2.50").status_code)
            traveller.shift(timedelta(seconds=20))
    assert codes == [401] * 19 + [429]

    locked = post(client, "fazhi", DEMO_PASSWORD, "192.0.2.50")
    assert locked.status_code == 429
    assert message(locked) == LOCKED_ZH.format("2026-06-01 10:22")  # the last failure at 10:06:20, + 15, rounded up
    assert post(app.test_client(), "fazhi", DEMO_PASSWORD, "192.0.2.51").status_code == 302
    assert post(app.test_client(), "shouli", DEMO_PASSWORD, "192.0.2.51").status_code == 302


def test_the_lock_message_is_in_english_with_the_english_interface(app, traveller):
    client = app.test_client()
    client.get("/lang/en")
    fail(client, traveller, "shouli", 5)
    resp = post(client, "shouli", DEMO_PASSWORD)
    assert resp.status_code == 429
    assert message(resp) == LOCKED_EN.format("2026-06-01 10:19")
    assert "Incorrect username or password." in post(client, "chengban", "wrong").get_data(as_text=True)


def test_a_lock_is_logged_for_the_operators(app, traveller, caplog):
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="sunshine.auth"):
        fail(client, traveller, "shouli", 5)
    assert [r.levelname for r in caplog.records if r.name == "sunshine.auth"] == ["WARNING"]
    assert "'shouli'" in caplog.text


def test_signing_in_keeps_the_language_chosen_on_the_sign_in_page(app):
    client = app.test_client()
    client.get("/lang/en")
    assert post(client, "shouli", DEMO_PASSWORD).status_code == 302
    assert "Inbox" in client.get("/work/").get_data(as_text=True)


@pytest.mark.parametrize(("referrer", "landed"), [
    ("http://localhost/powers/519900-SCJGJ-XK-0001?q=%E8%AE%B8", "/powers/519900-SCJGJ-XK-0001?q=%E8%AE%B8"),
    ("http://localhost/work/cases", "/work/cases"),
    (None, "/"),
    ("https://evil.example/phish", "/"),
    ("javascript:alert(document.cookie)", "/"),
    ("http://localhost.evil.example/x", "/"),
    ("http://user@localhost/x", "/"),
    ("http://localhost//evil.example/x", "/"),
    ("http://localhost/\\evil.example", "/"),
    ("https://localhost/work/", "/"),  # another scheme is another site
])
def test_switching_language_returns_only_to_a_page_of_this_site(app, referrer, landed):
    client = app.test_client()
    headers = {"Referer": referrer} if referrer else {}
    resp = client.get("/lang/en", headers=headers)
    assert resp.status_code == 302 and resp.headers["Location"] == landed
    assert "Staff sign-in" in client.get("/login").get_data(as_text=True)


def test_an_unknown_language_is_refused_and_the_choice_stays(app):
    client = app.test_client()
    client.get("/lang/en")
    resp = client.get("/lang/fr", headers={"Referer": "http://localhost/"})
    assert resp.status_code == 404 and "Traceback" not in resp.get_data(as_text=True)
    assert "Staff sign-in" in client.get("/login").get_data(as_text=True)
