"""The http benchmark runs on every database the suite tests: real gunicorn, cases worked through the web pages and
through the engine, both floors; it prints its ratio and references and leaves nothing behind."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.bench.helpers import load
from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "http.py"
TINY = ["--clients", "2", "--workers", "2", "--cases", "2", "--engine-cases", "2", "--rounds", "1"]


def _bench():  # type: ignore[no-untyped-def]
    return load("http")


@pytest.mark.parametrize("url", URLS)
def test_the_bench_prints_the_http_ratio_and_its_references(url, capsys):
    level = logging.getLogger("sunshine").level
    try:
        assert _bench().main([*TINY, "--sqlite"] if url == "sqlite" else [*TINY, "--database-url", url]) == 0
    finally:
        logging.getLogger("sunshine").setLevel(level)
    out = capsys.readouterr().out
    found = re.search(r"^http ratio: (\d+\.\d\d)$", out, re.MULTILINE)
    assert found and float(found.group(1)) > 0, out
    for reference in ("web:", "engine:", "HTTP floor:", "signed-in floor:", "CPU per case:"):
        assert reference in out
    if url != "sqlite":  # the scratch database is gone again
        admin = create_engine(url)
        try:
            with admin.connect() as conn:
                mine = f"sunshine_bench_{os.getpid()}_%"
                left = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :mine"), {"mine": mine})
                assert left.scalars().all() == []
        finally:
            admin.dispose()
