"""Sunshine benchmark: the memory ratio of one worker process (see bench/README.md).

    python bench/memory.py [--database-url URL] [--steps 100000] [--first 1000] [--open 600]

Memory ratio: the process's resident memory (RSS) after ``--steps`` completed steps divided by its RSS after
``--first``, both read after a full garbage collection. The process works ``--open`` cases at once (more than the
live cache keeps, so it fills, evicts and restores), each step on a case picked at random, as the bench's persisted
run does it (``complete_task`` as the user of the step's post, after an inbox read); a finished case is replaced by a
new one (``start_case``). Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# As in bench/engine.py: bench/ must not shadow the ``engine`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.shared import engine_bench  # noqa: E402
from engine.runtime import runtime as runtime_module  # noqa: E402

_PAGE = os.sysconf("SC_PAGE_SIZE")




def rss() -> int:
    """Resident memory of this process in bytes, after a full garbage collection (/proc/self/statm)."""
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:7.1f} MB"


def _caches(p: Any) -> str:
    """Sizes of what the process keeps between steps: each must stay bounded."""
    rt = p.rt
    return (f"live cache {len(rt.live)} cases ({rt.live.chars / 1024 / 1024:.1f} M chars of JSON), "
            f"parsed versions {len(rt.codec)}, lock statements {len(runtime_module._LOCKING)}, "
            f"python objects {len(gc.get_objects()):,}")


def main(argv: list[str] | None = None) -> int:
    """Run the steps and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir; a PostgreSQL URL gets a "
                    "scratch database sunshine_bench_<pid>_memory created next to it and dropped at the end")
    ap.add_argument("--steps", type=int, default=100_000, help="completed steps in all (default 100000)")
    ap.add_argument("--first", type=int, default=1_000, help="steps before the first reading (default 1000)")
    ap.add_argument("--open", type=int, default=600, help="cases worked at once (default 600)")
    ap.add_argument("--seed", type=int, default=20261204)
    args = ap.parse_args(argv)
    if not 0 < args.first < args.steps or args.open < 1:
        ap.error("need 0 < --first < --steps and --open >= 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sunshine").setLevel(logging.ERROR)
    # Stopped from outside (kill), still drop the scratch databases on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = engine_bench()
    rng = random.Random(args.seed)

    began = time.perf_counter()
    with bench.ScratchDatabases(args.database_url) as dbs:
        print(f"database: {dbs.describe()}")
        p = bench.set_up(dbs.new("memory"))
        print(f"memory: {args.steps:,} steps, {args.open} cases at once (live cache keeps {p.rt.live.size}), "
              f"RSS read after gc.collect() at {args.first:,} steps and every tenth of the run")
        try:
            working = [bench.persisted_case(p) for _ in range(args.open)]
            for case in working:
                next(case)  # started
            steps = started = 0
            readings: dict[int, int] = {}
            marks = sorted({args.first, *(args.steps * k // 10 for k in range(1, 11))})
            while steps < args.steps:
                at = rng.randrange(len(working))
                try:
                    next(working[at])
                    steps += 1
                except StopIteration:  # the case finished: a new one takes its place
                    working[at] = bench.persisted_case(p)
                    next(working[at])
                    started += 1
                    continue
                if steps == marks[0]:
                    marks.pop(0)
                    readings[steps] = rss()
                    print(f"  {steps:>9,} steps: RSS {_mb(readings[steps])}  ({time.perf_counter() - began:6.1f} s; "
                          f"{_caches(p)})", flush=True)
        finally:
            p.engine.dispose()
    first, last = readings[args.first], readings[args.steps]
    print(f"  ({started:,} cases started beyond the first {args.open}; RSS {_mb(first).strip()} after {args.first:,} "
          f"steps, {_mb(last).strip()} after {args.steps:,})")
    print(f"memory ratio: {last / first:.2f}")
    print(f"total: {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
