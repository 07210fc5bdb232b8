"""The memory bench completes steps, reads its RSS after a garbage collection and prints the ratio."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.bench.helpers import load
from tests.conftest import URLS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "memory.py"


def _bench():  # type: ignore[no-untyped-def]
    return load("memory")


@pytest.mark.parametrize("url", URLS)
def test_the_bench_prints_the_memory_ratio(url, capsys):
    level = logging.getLogger("sunshine").level
    tiny = ["--steps", "40", "--first", "10", "--open", "6"]
    try:
        assert _bench().main(tiny if url == "sqlite" else [*tiny, "--database-url", url]) == 0
    finally:
        logging.getLogger("sunshine").setLevel(level)
    out = capsys.readouterr().out
    found = re.search(r"^memory ratio: (\d+\.\d\d)$", out, re.MULTILINE)
    assert found and float(found.group(1)) > 0, out
    assert re.search(r"^ +10 steps: RSS", out, re.MULTILINE) and re.search(r"^ +40 steps: RSS", out, re.MULTILINE)
