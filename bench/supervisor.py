"""Sunshine benchmark: the supervisor at a million open cases — the tick ratio, the fire ratio, the dashboard ratio.

    python bench/supervisor.py [--database-url URL] [--small 10000] [--large 1000000] [--ticks 30]
                               [--fire 1000] [--completions 100] [--queries 30]

Two scratch PostgreSQL databases are set up as bench/engine.py sets one up (the bench power, its department and
people) and bulk-loaded with COPY, as bench/inbox.py loads its own, with ``--small`` and ``--large`` open cases:
each case waiting at one step (``open_tasks``) with its limit's timer (``waiting_timers``), promised and legal
deadlines and the case's yellow moment all months ahead, so that nothing is due; one case in a hundred carries an
open alert (yellow or red, already in its life), as the supervision pages find them. Then:

- **tick**: ``tick`` with nothing due, ``--ticks`` times on each database in turn (alternating which goes first);
- **fire**: on the large database, ``--fire`` real cases started through the engine and their step's yellow raised,
  then the tick that fires their ``--fire`` due timers is timed (bench/fire.py's ``fire_round``), against
  uncached completions of one task through the engine on the small database before and after it (its
  ``Reference``);
- **dashboard**: the dashboard's main query (``engine.supervision.dashboard.main_figures`` for the whole platform)
  ``--queries`` times on each database in turn.

    supervisor tick ratio = p95 of a tick with nothing due at --large  ÷  at --small     (target ≤ 2)
    supervisor fire ratio = seconds of the firing tick per timer  ÷  one uncached completion   (target ≤ 2)
    dashboard ratio       = p95 of the main query at --large  ÷  at --small                 (target ≤ 3)

Prints figures only; asserts nothing about wall-clock time.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# As in bench/engine.py: bench/ must not shadow the ``engine`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

import time_machine  # noqa: E402
from sqlalchemy import Engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.shared import engine_bench, print_plans  # noqa: E402
from engine.runtime.runtime import Runtime  # noqa: E402
from engine.store import Alert, Department, OpenTask, Power, ProcessVersion  # noqa: E402
from engine.supervisor.tick import tick  # noqa: E402

bench = engine_bench()
DEFAULT_PG = os.environ.get("SUNSHINE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: The story's moment: Monday 23 November 2026, 11:00 Beijing (bench/fire.py starts its bursts an hour earlier).
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
#: Every loaded deadline lies this far ahead, and the loaded cases began up to 30 days before ``NOW``.
AHEAD = timedelta(days=120)
#: One loaded case in ALERT_EVERY has an open alert.
ALERT_EVERY = 100
CHUNK = 50_000
WARMUP = 3


def fire_bench() -> ModuleType:
    """bench/fire.py, loaded once under the name ``sunshine_bench_fire``."""
    name = "sunshine_bench_fire"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "fire.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


# ---- the load ---------------------------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    """A timestamp as COPY reads it into a ``timestamp`` column: naive UTC, as the models store it."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _uuid(bits: int) -> str:
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def rows(p: Any, count: int, rng: random.Random, alert_every: int
         ) -> Iterator[tuple[list[str], list[str], list[str], list[str]]]:
    """Chunks of (cases, open_tasks, waiting_timers, alerts) lines in COPY's text format: ``count`` open cases, one in
    ``alert_every`` with an open alert."""
    with p.rt.reader() as s:
        power_id, dept_id = s.execute(select(Power.id, Power.department_id)
                                      .where(Power.code == bench.POWER_CODE)).one()
        version = s.execute(select(ProcessVersion.id).where(ProcessVersion.process_key == bench.PROCESS_KEY)
                            ).scalar_one()
        post = {p_.name: p_.id for p_ in s.get_one(Department, dept_id).posts}
    steps = [(sid, lane, name, post[lane]) for sid, lane, name in bench.STEPS]
    random_, bits = rng.random, rng.getrandbits
    done = 0
    while done < count:
        cases, tasks, timers, alerts = [], [], [], []
        for case_id in range(done + 1, min(count, done + CHUNK) + 1):
            created = NOW - timedelta(seconds=random_() * 30 * 86400)
            due = NOW + AHEAD + timedelta(seconds=random_() * 30 * 86400)
            sid, lane, name, post_id = steps[int(random_() * len(steps))]
            cases.append(f"{case_id}\tJZ-{case_id:08d}\t{power_id}\t{version}\t{dept_id}\t{bench.SUBJECT}\t"
                         f"申请人{case_id % 9973}有限公司\t统一社会信用代码\t91510100MA{case_id:08d}\t028-12345678\t"
                         f"running\t{_stamp(created)}\tbench\t{_stamp(due)}\t{_stamp(due + AHEAD)}\t"
                         f"{_stamp(due - timedelta(days=1))}\t{{\"bench\": 1}}\t1\t0")
            task = _uuid(bits(128))
            tasks.append(f"{task}\t{case_id}\t{sid}\t{name}\t{lane}\t{post_id}\t{dept_id}\t\\N\t\\N\t"
                         f"{_stamp(created)}\t{_stamp(due)}\t{_stamp(due - timedelta(days=1))}\t0")
            timers.append(f"{_uuid(bits(128))}\t{case_id}\t{sid}_limit\t时限\t{task}\t{name}\tf\t{_stamp(due)}")
            if case_id % alert_every == 0:
                level, rule = ("red", "T2") if case_id % (2 * alert_every) == 0 else ("yellow", "T1")
                alerts.append(f"{case_id}\t{dept_id}\t{power_id}\t{post_id}\t{task}\t{name}\t{rule}\t{level}\t"
                              f"{_stamp(due)}\t{_stamp(created)}\t「{name}」基准预警\topen\texplaining")
        done += len(cases)
        yield cases, tasks, timers, alerts


_COLUMNS = {
    "cases": "id, serial, power_id, process_version_id, department_id, subject, applicant_name, applicant_id_type, "
             "applicant_id_number, applicant_contact, status, created_at, created_by, promised_due_at, legal_due_at, "
             "promised_warn_at, workflow_json, version, limit_alert_level",
    "open_tasks": "id, case_id, bpmn_id, name, lane, post_id, department_id, assignee_id, form, created_at, due_at, "
                  "warn_at, alert_level",
    "waiting_timers": "id, case_id, bpmn_id, name, attached_task_id, attached_name, interrupting, fire_at",
    "alerts": "case_id, department_id, power_id, post_id, subject, step_name, rule, level, due_at, raised_at, message, "
              "status, stage",
}
_TABLES = tuple(_COLUMNS)
#: The secondary indexes of the loaded tables (not those behind a constraint): dropped for the load, rebuilt after.
_INDEXES = text("""
    SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relname IN ('cases', 'open_tasks', 'waiting_timers', 'alerts')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
""")


def load(p: Any, count: int, rng: random.Random, alert_every: int) -> float:
    """COPY ``count`` open cases in (indexes dropped and rebuilt, foreign keys not checked row by row, as
    bench/inbox.py loads); seconds taken, ``VACUUM ANALYZE`` included."""
    started = time.perf_counter()
    raw = p.engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        with conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET maintenance_work_mem = '256MB'")
            cur.execute(str(_INDEXES))
            indexes = cur.fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            for chunk in rows(p, count, rng, alert_every):
                for table, lines in zip(_TABLES, chunk, strict=True):
                    if lines:
                        with cur.copy(f"COPY {table} ({_COLUMNS[table]}) FROM STDIN") as copy:
                            copy.write("\n".join(lines) + "\n")
            for _, definition in indexes:
                cur.execute(definition)
            cur.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))")
        conn.commit()
    finally:
        raw.close()
    with p.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f"VACUUM ANALYZE {', '.join(_TABLES)}"))
    return time.perf_counter() - started


# ---- the measurements -------------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def alternate(sized: list[tuple[str, Callable[[], Any]]], count: int) -> dict[str, list[float]]:
    """Seconds of ``count`` runs of each (label, run), in turn, the order reversed every other round."""
    for _, run in sized * WARMUP:
        run()
    times: dict[str, list[float]] = {label: [] for label, _ in sized}
    for i in range(count):
        for label, run in sized if i % 2 == 0 else sized[::-1]:
            started = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - started)
    return times


def supervisor_of(p: Any) -> Runtime:
    """A supervisor runtime of its own on ``p``'s database, with the flowchart parsed (as a running one has)."""
    rt = Runtime(p.rt.sessions, p.rt.settings)
    fire_bench()._parse_spec(rt)
    return rt


def idle_tick(rt: Runtime) -> Callable[[], Any]:
    def run() -> None:
        with time_machine.travel(NOW, tick=False):
            result = tick(rt)
        if result.did_anything or result.failed:
            raise RuntimeError(f"a tick with nothing due did something: {result.summary}")
    return run


def dashboard_query(rt: Runtime) -> tuple[str, Callable[[], Any]]:
    """The dashboard's main query for the whole platform (or, without it, the open alerts by department)."""
    try:
        from engine.supervision.dashboard import main_figures
        from engine.supervision.scope import WHOLE
    except ImportError:
        main_figures = None
    calendar = rt.calendar

    if main_figures is not None:
        def figures() -> None:
            with rt.reader() as s:
                main_figures(s, WHOLE, NOW, calendar=calendar)
        return "main_figures (whole platform)", figures

    def by_department() -> None:
        with rt.reader() as s:
            s.execute(select(Alert.department_id, Alert.level, func.count()).where(Alert.status == "open")
                      .group_by(Alert.department_id, Alert.level)).all()
    return "open alerts by department", by_department


def explain(p: Any, run: Callable[[], Any]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each SELECT ``run`` sends."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    # Through whichever engine the runtime reads with (its read-only pool is an engine of its own).
    event.listen(Engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    print_plans(p.engine, seen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=DEFAULT_PG,
                    help="a PostgreSQL database next to which scratch databases sunshine_bench_<pid>_* are made "
                         "and dropped (default: $SUNSHINE_BENCH_PG or the local test server)")
    ap.add_argument("--small", type=int, default=10_000, help="open cases, small database (default 10000)")
    ap.add_argument("--large", type=int, default=1_000_000, help="open cases, large database (default 1000000)")
    ap.add_argument("--ticks", type=int, default=30, help="timed idle ticks per size (default 30)")
    ap.add_argument("--fire", type=int, default=1_000, help="due timers the timed tick fires (default 1000)")
    ap.add_argument("--completions", type=int, default=100,
                    help="uncached completions for the fire reference, before and after the tick (default 100)")
    ap.add_argument("--queries", type=int, default=30, help="timed dashboard queries per size (default 30)")
    ap.add_argument("--alerts", type=int, default=0,
                    help="open alerts at each size (default 0: one per 100 open cases, growing with them)")
    ap.add_argument("--explain", action="store_true", help="print the plans of the dashboard's statements (large)")
    args = ap.parse_args(argv)
    if make_url(args.database_url).get_backend_name() != "postgresql":
        raise SystemExit("--database-url: the supervisor bench runs on PostgreSQL, the production database")
    if not 0 < args.small < args.large:
        ap.error("need 0 < --small < --large")
    if min(args.ticks, args.fire, args.queries) < 2 or args.completions < 2 or args.alerts < 0:
        ap.error("--ticks, --fire, --queries and --completions must be at least 2, --alerts not negative")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sunshine").setLevel(logging.ERROR)
    fire = fire_bench()

    began = time.perf_counter()
    with bench.ScratchDatabases(args.database_url) as dbs:
        print(f"database: {dbs.describe()}")
        platforms: list[tuple[str, int, Any]] = []
        try:
            rng = random.Random(20261123)
            for label, count in (("small", args.small), ("large", args.large)):
                with time_machine.travel(NOW, tick=True):  # the calendar years seeded are the story's
                    p = bench.set_up(dbs.new(f"supervisor{count}"))
                platforms.append((label, count, p))
                every = max(1, count // args.alerts) if args.alerts else ALERT_EVERY
                seconds = load(p, count, rng, every)
                with p.rt.reader() as s:
                    open_ = s.execute(select(func.count()).select_from(OpenTask)).scalar_one()
                    alerts = s.execute(select(func.count()).select_from(Alert)).scalar_one()
                print(f"  {count:>9,} open cases loaded in {seconds:5.1f} s ({open_:,} open steps, "
                      f"{alerts:,} open alerts, nothing due)")
            (_, small_n, small), (_, large_n, large) = platforms

            # A tick with nothing due.
            runs = [(label, idle_tick(supervisor_of(p))) for label, _, p in platforms]
            ticks = alternate(runs, args.ticks)
            for label, count, _ in platforms:
                t = ticks[label]
                print(f"  tick, nothing due, {count:>9,} open: p50 {statistics.median(t) * 1000:7.2f} ms  "
                      f"p95 {p95(t) * 1000:7.2f} ms")
            print(f"supervisor tick ratio: {p95(ticks['large']) / p95(ticks['small']):.2f}")

            # The dashboard's main query.
            what, _ = dashboard_query(small.rt)
            queries = alternate([(label, dashboard_query(p.rt)[1]) for label, _, p in platforms], args.queries)
            for label, count, _ in platforms:
                t = queries[label]
                print(f"  dashboard {what}, {count:>9,} open: p50 {statistics.median(t) * 1000:7.2f} ms  "
                      f"p95 {p95(t) * 1000:7.2f} ms")
            print(f"dashboard ratio: {p95(queries['large']) / p95(queries['small']):.2f}")
            if args.explain:
                print(f"plans of the dashboard's statements at {large_n:,} open cases:")
                explain(large, dashboard_query(large.rt)[1])

            # A tick firing --fire due timers among the large database's million, against uncached completions.
            ref = fire.Reference(small)
            fire._parse_spec(ref.rt)
            half = args.completions // 2
            with time_machine.travel(fire.START, tick=True):
                ref.run(half, warm_up=fire.WARMUP)
            burst = fire.fire_round(large, args.fire)
            with time_machine.travel(fire.START, tick=True):
                ref.run(args.completions - half)
            per_fire = burst.fire_seconds / max(burst.result.fired_cases, 1)
            per_completion = statistics.mean(s for part in ref.seconds for s in part)
            print(f"  fire: {burst.result.fired_cases:,} due timers fired among {large_n:,} open cases in "
                  f"{burst.fire_seconds:.2f} s, {per_fire * 1000:.2f} ms per timer; one uncached completion "
                  f"{per_completion * 1000:.2f} ms ({args.completions} around it, at {small_n:,})")
            if burst.left_due or burst.result.failed:
                print(f"    note: {burst.left_due} still due after the tick, {len(burst.result.failed)} failed")
            print(f"supervisor fire ratio: {per_fire / per_completion:.2f}")
        finally:
            for _, _, p in platforms:
                p.engine.dispose()
    print(f"total: {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
