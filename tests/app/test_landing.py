"""Menus follow roles: after signing in each user lands where their work is, and sees only the entries they use."""

from __future__ import annotations

import re

import pytest

from engine.demo import DEMO_PASSWORD
from tests.app.conftest import csrf

NAV = re.compile(r"<nav>(.*?)</nav>", re.S)


def _sign_in(client, username: str) -> str:
    resp = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": csrf(client)})
    assert resp.status_code == 302
    return resp.headers["Location"]


@pytest.mark.parametrize(("username", "landing"), [
    ("jiancha", "/watch/"),     # a supervisor: 电子监察, not an empty inbox
    ("admin", "/watch/"),       # administrators supervise too
    ("mulu", "/catalog/"),      # a department's catalog clerk
    ("fazhiban", "/catalog/"),  # the legal office keeps the catalog
    ("shouli", "/work/"),       # window and back-office staff: their inbox
    ("chengban", "/work/"),
])
def test_each_role_lands_where_its_work_is(app, username, landing):
    client = app.test_client()
    assert _sign_in(client, username) == landing
    assert client.get(landing).status_code == 200


def test_a_page_asked_for_before_signing_in_still_wins(app):
    client = app.test_client()
    resp = client.post("/login?next=/work/cases", data={"username": "jiancha", "password": DEMO_PASSWORD,
                                                       "csrf": csrf(client)})
    assert resp.headers["Location"] == "/work/cases"


def test_a_supervisor_sees_supervision_and_no_registration(app):
    client = app.test_client()
    page = client.get(_sign_in(client, "jiancha")).get_data(as_text=True)
    nav = NAV.search(page).group(1)
    assert "电子监察" in nav and "办件" in nav
    assert "受理登记" not in nav and "立案登记" not in nav
    assert "待办" in nav  # the supervisor's steps of an alert's life (审核说明, 整改核查): post 电子监察


def test_window_staff_see_their_inbox_and_registration_but_not_supervision(app):
    client = app.test_client()
    nav = NAV.search(client.get(_sign_in(client, "shouli")).get_data(as_text=True)).group(1)
    assert "待办" in nav and "受理登记" in nav
    assert "电子监察" not in nav and "立案登记" not in nav


def test_a_catalog_clerk_sees_the_catalog_and_their_review_inbox_but_no_registration(app):
    client = app.test_client()
    nav = NAV.search(client.get(_sign_in(client, "mulu")).get_data(as_text=True)).group(1)
    assert "职权目录" in nav and "待办" in nav  # the review chain's steps wait in the inbox
    assert "受理登记" not in nav and "电子监察" not in nav
