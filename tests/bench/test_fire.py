"""The fire benchmark runs on every database the suite tests, prints its ratio and leaves nothing behind."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.bench.helpers import load
from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fire.py"
TINY = ["--cases", "4", "--rounds", "2", "--completions", "3"]


def _bench():  # type: ignore[no-untyped-def]
    return load("fire")


@pytest.mark.parametrize("url", URLS)
def test_the_bench_fires_every_burst_in_one_tick_and_prints_the_fire_ratio(url, capsys):
    level = logging.getLogger("sunshine").level
    try:
        assert _bench().main(TINY if url == "sqlite" else [*TINY, "--database-url", url]) == 0
    finally:
        logging.getLogger("sunshine").setLevel(level)
    out = capsys.readouterr().out
    found = re.search(r"^fire ratio: (\d+\.\d\d)$", out, re.MULTILINE)
    assert found and float(found.group(1)) > 0, out
    assert "ticks to drain 4 timers due at once: 1 (nothing due left after it)" in out
    assert re.search(r"tick 2: 4 fired in ", out) and "note:" not in out, out
    if url != "sqlite":  # the scratch databases are gone again
        admin = create_engine(url)
        try:
            with admin.connect() as conn:
                mine = f"sunshine_bench_{os.getpid()}_%"
                left = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :mine"), {"mine": mine})
                assert left.scalars().all() == []
        finally:
            admin.dispose()
