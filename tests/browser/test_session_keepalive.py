"""static/js/session.js: while the user types or clicks, an open page tells the server at most every five minutes
that the session is in use; a page left alone says nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_inbox_journey import sign_in

pytestmark = pytest.mark.browser


def test_typing_keeps_the_session_in_use_and_an_idle_page_does_not(page: Page) -> None:
    page.clock.install()
    sign_in(page, "shouli")
    page.goto("/work/cases/new")
    pings: list[str] = []
    page.on("request", lambda request: pings.append(request.url) if request.url.endswith("/account/alive") else None)
    field = page.locator('input[name="applicant_name"]')

    field.type("示范")  # just after loading: the load itself was a request (Chinese comes as input, no keys)
    page.clock.run_for("10:00")  # left alone for ten minutes
    page.wait_for_timeout(200)
    assert pings == []
    with page.expect_response(lambda r: r.url.endswith("/account/alive")) as alive:
        field.press("End")
    assert alive.value.status == 204
    field.type("某公司")
    page.wait_for_timeout(200)
    assert len(pings) == 1  # one every five minutes at most
