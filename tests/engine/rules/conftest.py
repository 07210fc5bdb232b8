"""Runtimes built as the app builds them (``engine.platform.build_runtime``): every rule of the registry installed."""

from __future__ import annotations

import pytest

from engine.calendar_seed import seed_from_chinesecalendar
from engine.platform import build_runtime
from engine.runtime.runtime import Runtime
from tests.engine.catalog.conftest import chain  # noqa: F401  (the catalog review's people, for P3)
from tests.engine.conftest import HERE
from tests.settings import make_settings


@pytest.fixture
def demo_rt(demo_db) -> Runtime:
    """The demo's powers, departments and people, with every rule installed."""
    return build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))


@pytest.fixture
def rt(db) -> Runtime:
    """As ``tests/engine/conftest.py``'s ``rt`` (test forms, the 2025–2026 calendar), with every rule installed."""
    with db.sessions.begin() as s:
        seed_from_chinesecalendar(s, years=[2025, 2026])
    return build_runtime(db.sessions, make_settings(database_url=db.url, forms_dir=HERE / "forms"))
