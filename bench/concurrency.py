"""Sunshine benchmark: the concurrency ratio on PostgreSQL (see bench/README.md).

    python bench/concurrency.py [--database-url URL] [--processes 4] [--rounds 4] [--seconds 1.5]

Concurrency ratio: cases per second through the platform (``start_case`` and five ``complete_task`` calls, each its
own transaction, as bench/engine.py's persisted run) with ``--processes`` client processes at once ÷ with one. Every
case is of one power of one department (a busy window: the worst case for anything shared per department); each
process works only its own cases. The same is measured for the durable floor (SpiffWorkflow, each step's JSON stored
by one statement and a durable COMMIT), whose ratio bounds what any engine can reach on this machine. While the
many-process rounds run, the server's backends are sampled (``pg_stat_activity``) to show what they wait on.
Prints figures only; asserts nothing about wall-clock time.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import queue
import runpy
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# As in bench/engine.py: bench/ must not shadow the ``engine`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.shared import engine_bench  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Transactions per case, on both sides: the start and five steps.
COMMITS_PER_CASE = 6
SIDES = ("platform", "floor")
#: How often the server's backends are sampled while a round runs (seconds).
SAMPLE_EVERY = 0.02
#: The name this file runs under in a client process.
WORKER = "sunshine_concurrency_worker"




# ---- the client processes -------------------------------------------------------------------------


def _forever(make: Callable[[], Iterator[None]]) -> Iterator[None]:
    while True:
        yield from make()


def _worker(url: str, audit_key: str, commands: Any, results: Any) -> None:
    """One client process: runs transactions of one side until told to stop, and reports how many it finished.

    Cases run on across rounds (a round may end mid-case), so no round pays for half-finished cases.
    """
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("sunshine").setLevel(logging.ERROR)
    bench = engine_bench()
    p = bench.connect(url, audit_key=audit_key)
    floor = bench.DurableFloor(p, bench.bench_version(p), create=False)
    streams = {"platform": _forever(lambda: bench.persisted_case(p)), "floor": _forever(floor.instance)}
    try:
        while (command := commands.get()) is not None:
            side, start_at, stop_at = command
            stream = streams[side]
            time.sleep(max(0.0, start_at - time.monotonic()))
            began, cpu = time.monotonic(), time.process_time()
            done = 0
            while time.monotonic() < stop_at:
                next(stream)
                done += 1
            results.put((done, time.monotonic() - began, time.process_time() - cpu))
    finally:
        floor.close()
        p.engine.dispose()


@dataclass
class Side:
    """What one side (platform or floor) at one number of processes did over all rounds."""

    commits: float = 0.0  # transactions per second, summed over rounds
    rounds: int = 0
    cpu: float = 0.0  # client CPU seconds per wall second (cores busy), summed over rounds
    busy: float = 0.0  # the machine's busy share of its cores, summed over rounds
    waits: Counter[str] = field(default_factory=Counter)

    @property
    def cases_per_s(self) -> float:
        return self.commits / self.rounds / COMMITS_PER_CASE


class Pool:
    """``n`` spawned client processes on one database, driven round by round.

    Each runs this file (``runpy``, under the name ``WORKER``), so it works however the bench itself was loaded.
    """

    def __init__(self, n: int, url: str, audit_key: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.results = ctx.Queue()
        self.commands = [ctx.Queue() for _ in range(n)]
        self.procs = [
            ctx.Process(target=runpy.run_path, args=(str(Path(__file__).resolve()),), daemon=True,
                        kwargs={"run_name": WORKER, "init_globals": {
                            "WORKER_ARGS": {"url": url, "audit_key": audit_key, "commands": q,
                                            "results": self.results}}})
            for q in self.commands]
        for proc in self.procs:
            proc.start()

    def _reports(self, n: int, timeout: float) -> list[tuple[int, float, float]]:
        """The reports of ``n`` processes; fails at once if one of them died."""
        reports: list[tuple[int, float, float]] = []
        give_up = time.monotonic() + timeout
        while len(reports) < n:
            try:
                reports.append(self.results.get(timeout=0.5))
            except queue.Empty:
                dead = [proc.exitcode for proc in self.procs if not proc.is_alive()]
                if dead or time.monotonic() > give_up:
                    raise RuntimeError(f"client processes failed (exit codes {dead})") from None
        return reports

    def run(self, side: str, n: int, seconds: float, sampler: Sampler | None, into: Side | None) -> None:
        """One round: ``n`` processes run ``side`` for ``seconds`` together."""
        start_at = time.monotonic() + 0.3  # every process starts at the same moment
        for q in self.commands[:n]:
            q.put((side, start_at, start_at + seconds))
        before = _cpu_times()
        waits = sampler.sample_until(start_at, start_at + seconds) if sampler is not None else Counter()
        reports = self._reports(n, seconds + 120)
        busy = _busy_share(before, _cpu_times())
        if into is not None:
            into.commits += sum(done / elapsed for done, elapsed, _ in reports)
            into.cpu += sum(cpu / elapsed for _, elapsed, cpu in reports)
            into.busy += busy
            into.waits.update(waits)
            into.rounds += 1

    def close(self) -> None:
        for q in self.commands:
            q.put(None)
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def _busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


class Sampler:
    """Samples what the run's backends are doing: on CPU, waiting (and on what), or idle in a transaction."""

    QUERY = ("SELECT state, wait_event_type, wait_event, left(query, 30) FROM pg_stat_activity WHERE datname = %s "
             "AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'")

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.database = parsed.database
        self.conn = psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                    password=parsed.password, dbname=parsed.database, autocommit=True)

    def sample_until(self, start_at: float, stop_at: float) -> Counter[str]:
        found: Counter[str] = Counter()
        time.sleep(max(0.0, start_at - time.monotonic()))
        while time.monotonic() < stop_at:
            for state, kind, event, query in self.conn.execute(self.QUERY, (self.database,)):
                if state == "active" and kind == "Lock":  # a row or advisory lock: say which statement waits
                    found[f"{kind}:{event} ({' '.join(query.split())}…)"] += 1
                elif state == "active":
                    found["on CPU" if kind is None else f"{kind}:{event}"] += 1
                else:  # idle in transaction: the client is working while its transaction is open
                    found[f"{state} (client busy)"] += 1
            time.sleep(SAMPLE_EVERY)
        return found

    def close(self) -> None:
        self.conn.close()


# ---- main -----------------------------------------------------------------------------------------


def measure(url: str, processes: int, rounds: int, seconds: float) -> dict[tuple[str, int], Side]:
    """Alternating rounds of each side with 1 and ``processes`` processes on the scratch database ``url``."""
    bench = engine_bench()
    audit_key = os.urandom(32).hex()
    p = bench.set_up(url, audit_key=audit_key)
    bench.DurableFloor.create_table(p.engine)
    p.engine.dispose()
    pool = Pool(processes, url, audit_key)
    sampler = Sampler(url)
    try:
        for side in SIDES:  # warm-up: connections, parsed spec, compiled and server-prepared statements
            pool.run(side, processes, 1.0, None, None)
        out = {(side, n): Side() for side in SIDES for n in (1, processes)}
        for r in range(rounds):
            for side in SIDES:
                # Alternate which size goes first, so a drift in the machine's load hits both alike.
                for n in ((1, processes) if r % 2 == 0 else (processes, 1)):
                    pool.run(side, n, seconds, sampler, out[(side, n)])
        return out
    finally:
        sampler.close()
        pool.close()


def _waits(side: Side, top: int = 7) -> str:
    total = sum(side.waits.values())
    if not total:
        return "no samples"
    return ", ".join(f"{name} {100 * count / total:.0f} %" for name, count in side.waits.most_common(top))


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=os.environ.get("SUNSHINE_BENCH_PG", DEFAULT_URL),
                    help="a PostgreSQL URL; a scratch database sunshine_bench_<pid>_concurrency is created next to "
                         "it and dropped at the end (default: SUNSHINE_BENCH_PG, else the local test server)")
    ap.add_argument("--processes", type=int, default=4, help="client processes of the many-process rounds (4)")
    ap.add_argument("--rounds", type=int, default=4, help="alternating rounds of each kind (default 4)")
    ap.add_argument("--seconds", type=float, default=1.5, help="length of one round in seconds (default 1.5)")
    args = ap.parse_args(argv)
    if args.processes < 2 or args.rounds < 1 or args.seconds <= 0:
        ap.error("need --processes >= 2, --rounds >= 1 and --seconds > 0")
    bench = engine_bench()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        ap.error("--database-url: the concurrency bench runs on PostgreSQL only")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sunshine").setLevel(logging.ERROR)
    # Stopped from outside (kill), still drop the scratch databases on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    began = time.perf_counter()
    n = args.processes
    with bench.ScratchDatabases(args.database_url) as dbs:
        print(f"database: {dbs.describe()}")
        print(f"concurrency: 1 vs {n} client processes, one department, each process its own cases; "
              f"{args.rounds} alternating rounds of {args.seconds:g} s each ({os.cpu_count()} cores)")
        out = measure(dbs.new("concurrency"), n, args.rounds, args.seconds)
    for side, label in (("platform", "platform"), ("floor", "durable floor")):
        one, many = out[(side, 1)], out[(side, n)]
        print(f"  {label + ':':15}{one.cases_per_s:8.1f} cases/s with 1 process, {many.cases_per_s:8.1f} with {n} "
              f"(clients used {one.cpu / one.rounds:.2f} and {many.cpu / many.rounds:.2f} cores; machine busy "
              f"{100 * one.busy / one.rounds:.0f} % and {100 * many.busy / many.rounds:.0f} %)")
        print(f"    server backends with {n} processes: {_waits(many)}")
    platform = out[("platform", n)].cases_per_s / out[("platform", 1)].cases_per_s
    floor = out[("floor", n)].cases_per_s / out[("floor", 1)].cases_per_s
    print(f"concurrency ratio: {platform:.2f}")
    print(f"concurrency floor ratio: {floor:.2f}")
    print(f"  (the floor's ratio bounds the platform's on this machine; platform ÷ floor with 1 process: "
          f"{out[('platform', 1)].cases_per_s / out[('floor', 1)].cases_per_s:.2f}, with {n}: "
          f"{out[('platform', n)].cases_per_s / out[('floor', n)].cases_per_s:.2f})")
    print(f"total: {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
elif __name__ == WORKER:
    _worker(**WORKER_ARGS)  # type: ignore[name-defined]  # noqa: F821 - given by Pool
