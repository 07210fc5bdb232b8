from __future__ import annotations

import pytest

from engine.platform import build_runtime
from engine.runtime.runtime import Runtime
from tests.settings import make_settings


@pytest.fixture
def demo_rt(demo_db) -> Runtime:
    return build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))
