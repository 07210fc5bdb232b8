"""The supervisor benchmark runs on PostgreSQL, prints its three ratios and leaves nothing behind."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.bench.helpers import figure as _figure
from tests.bench.helpers import load
from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "supervisor.py"
TINY = ["--small", "200", "--large", "1000", "--ticks", "3", "--fire", "5", "--completions", "4", "--queries", "3"]
POSTGRES = [u for u in URLS if u.startswith("postgresql")]


def _bench():  # type: ignore[no-untyped-def]
    return load("supervisor")



@pytest.mark.skipif(not POSTGRES, reason="the supervisor bench measures PostgreSQL; no PostgreSQL URL is configured")
def test_the_bench_prints_the_tick_fire_and_dashboard_ratios(capsys):
    url = POSTGRES[0]
    level = logging.getLogger("sunshine").level
    try:
        assert _bench().main([*TINY, "--database-url", url]) == 0
    finally:
        logging.getLogger("sunshine").setLevel(level)
    out = capsys.readouterr().out
    for label in ("supervisor tick ratio", "supervisor fire ratio", "dashboard ratio"):
        assert _figure(out, label) > 0
    assert "fire: 5 due timers fired among 1,000 open cases" in out and "note:" not in out, out
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
