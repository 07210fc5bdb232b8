"""The supervisor benchmark runs on PostgreSQL, prints its three ratios and leaves nothing behind."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "supervisor.py"
TINY = ["--small", "200", "--large", "1000", "--ticks", "3", "--fire", "5", "--completions", "4", "--queries", "3"]
POSTGRES = [u for u in URLS if u.startswith("postgresql")]


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("sunshine_bench_supervisor", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _figure(out: str, label: str) -> float:
    found = re.search(rf"^{label}: (\d+\.\d\d)$", out, re.MULTILINE)
    assert found, f"no '{label}' line in:\n{out}"
    return float(found.group(1))


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
