"""The benchmark runs on every database the suite tests, prints its figures and leaves nothing behind."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.bench.helpers import figure as _figure
from tests.bench.helpers import load
from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "engine.py"
TINY = ["--cases", "3", "--memory-cases", "6", "--open-small", "5", "--open-large", "20", "--ticks", "1"]


def _bench():  # type: ignore[no-untyped-def]
    return load("engine")



@pytest.mark.parametrize("url", URLS)
def test_the_bench_prints_its_ratios_and_their_references(url, capsys):
    level = logging.getLogger("sunshine").level
    try:
        assert _bench().main(TINY if url == "sqlite" else [*TINY, "--database-url", url]) == 0
    finally:
        logging.getLogger("sunshine").setLevel(level)
    out = capsys.readouterr().out
    for ratio in ("engine ratio", "cold ratio", "floor ratio", "supervisor ratio"):
        assert _figure(out, ratio) > 0
    for reference in ("in memory:", "JSON only:", "durable floor:", "persisted ÷ durable floor:"):
        assert reference in out
    if url != "sqlite":  # the scratch databases are gone again
        admin = create_engine(url)
        try:
            with admin.connect() as conn:
                mine = f"sunshine_bench_{os.getpid()}_%"
                left = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :mine"), {"mine": mine})
                assert left.scalars().all() == []
        finally:
            admin.dispose()
