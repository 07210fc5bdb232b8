"""The inbox benchmark runs on PostgreSQL, prints both ratios and the plans, and leaves nothing behind."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.bench.helpers import figure as _figure
from tests.bench.helpers import load
from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "inbox.py"
TINY = ["--small", "300", "--large", "1500", "--departments", "3", "--requests", "3", "--explain"]
POSTGRES = [u for u in URLS if u.startswith("postgresql")]


def _bench():  # type: ignore[no-untyped-def]
    return load("inbox")



@pytest.mark.skipif(not POSTGRES, reason="the inbox bench measures PostgreSQL; no PostgreSQL URL is configured")
def test_the_bench_prints_the_inbox_ratios_and_the_plans(capsys):
    url = POSTGRES[0]
    level = logging.getLogger("sunshine").level
    try:
        assert _bench().main([*TINY, "--database-url", url]) == 0
    finally:
        logging.getLogger("sunshine").setLevel(level)
    out = capsys.readouterr().out
    assert _figure(out, "inbox ratio") > 0 and _figure(out, "inbox query ratio") > 0
    assert "Index Only Scan using ix_open_tasks_post_queue" in out
    admin = create_engine(url)
    try:
        with admin.connect() as conn:
            mine = f"sunshine_bench_{os.getpid()}_%"
            left = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :mine"), {"mine": mine})
            assert left.scalars().all() == []
    finally:
        admin.dispose()


def test_the_bench_refuses_sqlite():
    with pytest.raises(SystemExit, match="PostgreSQL"):
        _bench().main(["--database-url", "sqlite:///nowhere.sqlite", *TINY])
