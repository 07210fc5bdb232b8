"""Sunshine benchmark: the fire ratio, what firing one due timer costs the supervisor (see bench/README.md).

    python bench/fire.py [--database-url URL] [--cases 1000] [--rounds 2] [--completions 300]

Fire ratio: the seconds of a supervisor ``tick`` that fires ``--cases`` due timers, per timer, divided by the
seconds of one uncached ``complete_task`` (a workflow restored from the database, the live cache off) measured in
the same run and process, alternating with the ticks (C T C T C). Every case is real: started through the engine
on bench/fixtures/bench_linear.bpmn, its step's yellow raised by an earlier tick, then the clock (time-machine) is
moved past the step's two-working-day limit; each burst has a fresh database of its own. Also printed: the same
ratio in this process's CPU time, how many ticks each burst took to drain, and when, within the tick, each timer
began to fire (from the platform's own ``timer.fired`` audit events). Prints figures only; asserts nothing about
wall-clock time.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# As in bench/engine.py: bench/ must not shadow the ``engine`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import time_machine  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.shared import engine_bench  # noqa: E402
from engine.runtime.cases import complete_task, start_case  # noqa: E402
from engine.runtime.runtime import Runtime  # noqa: E402
from engine.store import AuditEvent, OpenTask, ProcessVersion, WaitingTimer  # noqa: E402
from engine.supervisor.tick import TickResult, tick  # noqa: E402

bench = engine_bench()

#: Each burst's cases arrive at 受理申请 on Monday 10:00 (Beijing), in a week the official calendar covers; their
#: limit, workdays(2), ends Wednesday 24:00.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
#: How long after the moment it waits for each tick runs (a tick every 30 s comes 0–30 s after a burst falls due).
AFTER = timedelta(seconds=30)
WARMUP = 5


@dataclasses.dataclass(frozen=True)
class Round:
    """One burst: cases that arrived together, their yellow tick, then the timed tick that fires them."""

    fire_seconds: float
    #: This process's CPU seconds in the tick (the database server's are not counted).
    fire_cpu: float
    result: TickResult
    left_due: int
    #: Seconds from the tick's start to the moment each case's firing began (its ``timer.fired`` event).
    began: list[float]
    yellow_seconds: float
    yellow: int


def start_cases(p: Any, count: int) -> list[int]:
    """``count`` real cases, each left at 受理申请 with its boundary timer (workdays(2)) armed."""
    return [start_case(p.rt, bench.POWER_CODE, bench.APPLICANT, bench.SUBJECT, actor="bench").id
            for _ in range(count)]


def open_steps(rt: Runtime, case_ids: list[int]) -> list[str]:
    """Each case's open step, as its user's inbox would find it (read before the timing starts)."""
    with rt.reader() as s:
        found = dict(s.execute(select(OpenTask.case_id, OpenTask.id).where(OpenTask.case_id.in_(case_ids))).all())
    return [found[case_id] for case_id in case_ids]


class Reference:
    """Uncached completions of 受理申请 on a database of their own, so no tick of the fired cases meets them.

    The live cache is off: each ``complete_task`` restores its workflow from the database, as firing must.
    """

    def __init__(self, p: Any) -> None:
        self.p = p
        self.rt = Runtime(p.rt.sessions, dataclasses.replace(p.rt.settings, live_cases=0))
        self.user = p.users[bench.STEPS[0][1]]
        self.seconds: list[list[float]] = []
        self.cpu = 0.0

    def run(self, count: int, *, warm_up: int = 0) -> None:
        """Start ``warm_up + count`` cases (not timed), then time ``count`` completions (after ``warm_up``)."""
        tasks = open_steps(self.rt, start_cases(self.p, warm_up + count))
        spent = []
        for n, task_id in enumerate(tasks):
            started, cpu = time.perf_counter(), time.process_time()
            complete_task(self.rt, task_id, dict(bench.OPINION), self.user)
            if n >= warm_up:
                spent.append(time.perf_counter() - started)
                self.cpu += time.process_time() - cpu
        self.seconds.append(spent)


def _parse_spec(runtime: Runtime) -> None:
    """Parse the bench flowchart once, outside the timing (each process does so once in its life)."""
    with runtime.reader() as s:
        runtime.codec.parsed(s.execute(select(ProcessVersion)
                                       .where(ProcessVersion.process_key == bench.PROCESS_KEY)).scalar_one())


def fire_round(p: Any, cases: int) -> Round:
    """Start ``cases`` at ``START``, raise their yellows (untimed), then time the tick past their limit."""
    # The supervisor is a process of its own: nothing it fires is in its memory.
    supervisor = Runtime(p.rt.sessions, p.rt.settings)
    _parse_spec(supervisor)
    with time_machine.travel(START, tick=True):
        fired_ids = start_cases(p, cases)
    with p.rt.reader() as s:
        warn = s.execute(select(func.max(OpenTask.warn_at)).where(OpenTask.case_id.in_(fired_ids))).scalar_one()
        due = s.execute(select(func.max(WaitingTimer.fire_at)).where(WaitingTimer.case_id.in_(fired_ids))).scalar_one()
    with time_machine.travel(warn + AFTER, tick=True):  # as an earlier tick would have: the steps' yellows
        started = time.perf_counter()
        yellow = tick(supervisor)
        yellow_seconds = time.perf_counter() - started
    with time_machine.travel(due + AFTER, tick=True):
        tick_start = datetime.now(UTC)
        started, cpu = time.perf_counter(), time.process_time()
        result = tick(supervisor)
        fire_seconds, fire_cpu = time.perf_counter() - started, time.process_time() - cpu
    with p.rt.reader() as s:
        left_due = s.execute(select(func.count()).select_from(WaitingTimer)
                             .where(WaitingTimer.case_id.in_(fired_ids), WaitingTimer.fire_at <= due)).scalar()
        fired_at = s.execute(select(AuditEvent.at).where(AuditEvent.action == "timer.fired",
                                                         AuditEvent.case_id.in_(fired_ids))).scalars().all()
    began = sorted((at - tick_start).total_seconds() for at in fired_at)
    return Round(fire_seconds, fire_cpu, result, left_due or 0, began, yellow_seconds, yellow.yellow)


def measure(dbs: Any, ref: Reference, cases: int, completions: int, rounds: int) -> list[Round]:
    """Alternate the reference completions with the timed ticks: C T C T … C, so both see the same load.

    Each burst has a fresh database of its own, so every timed tick meets that burst and nothing else.
    """
    _parse_spec(ref.rt)
    parts = [completions * (k + 1) // (rounds + 1) - completions * k // (rounds + 1) for k in range(rounds + 1)]
    done: list[Round] = []
    for k in range(rounds + 1):
        with time_machine.travel(START, tick=True):
            ref.run(parts[k], warm_up=WARMUP if k == 0 else 0)
        if k == rounds:
            break
        with time_machine.travel(START, tick=True):  # the calendar years seeded are the story's
            p = bench.set_up(dbs.new(f"fire{k + 1}"))
        try:
            done.append(fire_round(p, cases))
        finally:
            p.engine.dispose()
    return done


def _percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", help="default: fresh SQLite files in a temp dir; a PostgreSQL URL gets "
                    "scratch databases sunshine_bench_<pid>_fire1 … and _fireref next to it, dropped at the end")
    ap.add_argument("--cases", type=int, default=1_000, help="due timers each timed tick fires (default 1000)")
    ap.add_argument("--rounds", type=int, default=2, help="timed ticks, each a burst of its own (default 2)")
    ap.add_argument("--completions", type=int, default=300,
                    help="uncached completions for the reference, spread before, between and after the ticks "
                         "(default 300)")
    args = ap.parse_args(argv)
    if args.cases < 1 or args.rounds < 1 or args.completions < args.rounds + 1:
        ap.error("need --cases ≥ 1, --rounds ≥ 1 and --completions > --rounds")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sunshine").setLevel(logging.ERROR)

    began = time.perf_counter()
    with bench.ScratchDatabases(args.database_url) as dbs:
        print(f"database: {dbs.describe()}")
        with time_machine.travel(START, tick=True):  # the calendar years seeded are the story's
            q = bench.set_up(dbs.new("fireref"))
        try:
            print(f"fire: {args.rounds} ticks each firing {args.cases:,} due timers (real cases, restored from the "
                  f"database) vs {args.completions} uncached completions before, between and after them "
                  f"({WARMUP} warm-ups not counted)")
            ref = Reference(q)
            rounds = measure(dbs, ref, args.cases, args.completions, args.rounds)
        finally:
            q.engine.dispose()
    ratios = []
    for k, r in enumerate(rounds):
        per_fire = r.fire_seconds / max(r.result.fired_cases, 1)
        per_completion = statistics.mean(ref.seconds[k] + ref.seconds[k + 1])
        ratios.append(per_fire / per_completion)
        print(f"  tick {k + 1}: {r.result.fired_cases:,} fired in {r.fire_seconds:.2f} s, {per_fire * 1000:.2f} ms "
              f"per timer; uncached completions around it {per_completion * 1000:.2f} ms; "
              f"ratio {ratios[-1]:.2f}")
        if r.result.failed or r.result.yellow or r.result.red or r.result.limit_red or r.result.limit_yellow:
            print(f"    note: the tick did more than fire ({r.result.summary}; {len(r.result.failed)} failed)")
    fired = sum(r.result.fired_cases for r in rounds)
    per_fire = sum(r.fire_seconds for r in rounds) / max(fired, 1)
    per_completion = statistics.mean(s for part in ref.seconds for s in part)
    yellows = sum(r.yellow for r in rounds)
    print(f"  all: {per_fire * 1000:.2f} ms per fired timer, {per_completion * 1000:.2f} ms per uncached completion "
          f"(the yellow ticks before: {yellows:,} step warnings, "
          f"{sum(r.yellow_seconds for r in rounds) / max(yellows, 1) * 1000:.2f} ms each)")
    print(f"fire ratio: {per_fire / per_completion:.2f}")
    print(f"  (per tick: {', '.join(f'{x:.2f}' for x in ratios)})")
    completed = sum(len(part) for part in ref.seconds)
    cpu_fire, cpu_completion = sum(r.fire_cpu for r in rounds) / max(fired, 1), ref.cpu / completed
    print(f"  (this process's CPU time, which other load on the machine hardly moves: {cpu_fire * 1000:.2f} ms per "
          f"fired timer, {cpu_completion * 1000:.2f} ms per completion, ratio {cpu_fire / cpu_completion:.2f})")
    left = [r.left_due for r in rounds]
    drained = "1 (nothing due left after it)" if not any(left) else f"more than 1 ({max(left):,} still due)"
    print(f"  ticks to drain {args.cases:,} timers due at once: {drained}")
    began_all = sorted(b for r in rounds for b in r.began)
    if began_all:
        print(f"  firing began, from the tick's start: p50 {_percentile(began_all, 0.5):.1f} s, "
              f"p95 {_percentile(began_all, 0.95):.1f} s, last {began_all[-1]:.1f} s; timer lag = the wait for "
              f"the next tick (0–{ref.rt.settings.tick_seconds:.0f} s) + this")
    print(f"total: {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
