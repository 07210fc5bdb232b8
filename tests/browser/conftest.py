"""A live demo platform on a free local port, and one headless Chromium per test session."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from tests.conftest import Database
from tests.settings import make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 5_000


@dataclass(frozen=True)
class LiveServer:
    """The running platform: its base URL and the Flask app behind it."""

    url: str
    app: Flask


@pytest.fixture
def live_server(demo_db: Database) -> Iterator[LiveServer]:
    """The demo platform over a fresh copy of the demo database, served from a background thread."""
    app = create_app(make_settings(database_url=demo_db.url), start_supervisor=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        # Release the app's own connections so the per-test database can be dropped.
        app.extensions["sunshine"].sessions.kw["bind"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A headless Chromium shared by the session; skipped (or failed in CI) when it is not installed."""
    if not CHROMIUM.exists():
        message = "chromium not installed: apt-get install -y chromium"
        if os.environ.get("SUNSHINE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh Chinese-speaking browser tab pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
