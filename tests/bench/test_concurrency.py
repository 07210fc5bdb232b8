"""The concurrency bench runs its client processes on PostgreSQL, prints its ratios and leaves nothing behind."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.bench.helpers import load
from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "concurrency.py"
PG = [url for url in URLS if url.startswith("postgresql")]


def _bench():  # type: ignore[no-untyped-def]
    return load("concurrency")


@pytest.mark.skipif(not PG, reason="the concurrency bench runs on PostgreSQL only")
def test_the_bench_prints_the_platform_s_ratio_and_the_floor_s(capsys):
    level = logging.getLogger("sunshine").level
    try:
        assert _bench().main(["--database-url", PG[0], "--processes", "2", "--rounds", "1", "--seconds", "0.3"]) == 0
    finally:
        logging.getLogger("sunshine").setLevel(level)
    out = capsys.readouterr().out
    for label in ("concurrency ratio", "concurrency floor ratio"):
        assert re.search(rf"^{label}: \d+\.\d\d$", out, re.MULTILINE), out
    assert "server backends with 2 processes:" in out
    admin = create_engine(PG[0])
    try:
        with admin.connect() as conn:
            left = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :mine"),
                                {"mine": f"sunshine_bench_{os.getpid()}_%"})
            assert left.scalars().all() == []
    finally:
        admin.dispose()


def test_the_bench_refuses_sqlite(capsys):
    with pytest.raises(SystemExit):
        _bench().main(["--database-url", "sqlite:///x.sqlite"])
    assert "PostgreSQL only" in capsys.readouterr().err
