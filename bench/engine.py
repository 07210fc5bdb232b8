"""Sunshine benchmark: the engine, cold, floor and supervisor ratios (see bench/README.md).

    python bench/engine.py [--database-url URL] [--cases N] [--memory-cases N]
                           [--open-small 1000] [--open-large 100000] [--ticks 7]

Engine ratio: cases per second through the platform (``start_case`` and five ``complete_task`` calls,
each its own transaction) divided by raw SpiffWorkflow in memory on the same spec and sandbox; also printed,
SpiffWorkflow with a JSON save/restore around every step ("JSON only"), SpiffWorkflow with each step stored by
one statement and a durable commit ("durable floor"), and the ratios against them.
Cold ratio: the platform's cases per second with the live cache off (every step restores its workflow from the
row) divided by the same with it on. Floor ratio: the platform's cases per second divided by the durable floor's.
Supervisor ratio: the median time of one ``tick`` with ``--open-large`` open cases, none due, divided
by the same with ``--open-small``. Prints figures only; asserts nothing about wall-clock time.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# ``python bench/engine.py`` puts bench/ first on sys.path, where this file would shadow the ``engine``
# package; drop it and put the project root first instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import Engine, bindparam, create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine import clock  # noqa: E402
from engine.calendar_seed import package_years, seed_from_chinesecalendar  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.db import make_engine, session_factory  # noqa: E402
from engine.identity import create_user, ensure_department, ensure_region  # noqa: E402
from engine.migrate import upgrade  # noqa: E402
from engine.prepared import Prepared  # noqa: E402
from engine.runtime.cases import Applicant, complete_task, start_case, start_data  # noqa: E402
from engine.runtime.deploy import deploy  # noqa: E402
from engine.runtime.runtime import Runtime  # noqa: E402
from engine.store import Case, OpenTask, Power, ProcessVersion, User, WaitingTimer  # noqa: E402
from engine.supervisor.tick import TickResult, tick  # noqa: E402

BPMN = HERE / "fixtures" / "bench_linear.bpmn"
FORMS = HERE / "forms"
PROCESS_KEY = "bench_linear"
POWER_CODE = "510000-JZCS-XK-001"
#: (user task id, lane = post, step name) in process order, as in bench_linear.bpmn.
STEPS = [("accept", "受理", "受理申请"), ("handle", "承办", "承办审查"), ("review", "审核", "审核"),
         ("approve", "批准", "批准决定"), ("deliver", "送达", "制证送达")]
APPLICANT = Applicant("成都示例餐饮有限公司", "统一社会信用代码", "91510100MA6C00000M", "028-12345678")
SUBJECT = "申请食品经营许可（新办）"
POWER_NAME = "基准测试许可"
#: What start_case puts into a new workflow's data, for the runs without the platform.
START_DATA = start_data(APPLICANT, SUBJECT, POWER_CODE, POWER_NAME)
OPINION = {"opinion": "经审查，材料齐全，符合法定形式，同意。"}
WARMUP = 5
ROUNDS = 5
CHUNK = 5_000
#: The bulk-inserted cases' workflow: the tick never loads it, so a stand-in will do.
PLACEHOLDER_JSON = '{"bench": "placeholder"}'


# ---- the database ---------------------------------------------------------------------------------


class ScratchDatabases:
    """Fresh databases for one run. PostgreSQL ones are created next to the given database through an
    AUTOCOMMIT admin connection (which touches nothing else there) and dropped at the end."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.backend = "sqlite" if url is None else make_url(url).get_backend_name()
        if self.backend not in ("sqlite", "postgresql"):
            raise SystemExit(f"--database-url: unsupported database {self.backend!r}")
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._admin: Engine | None = None
        self._made: list[str] = []

    def __enter__(self) -> ScratchDatabases:
        if self.url is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="sunshine-bench-")
        elif self.backend == "postgresql":
            self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._admin is not None:
            with self._admin.connect() as conn:
                for name in self._made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self._admin.dispose()
        if self._tmp is not None:
            self._tmp.cleanup()

    def describe(self) -> str:
        if self.url is None:
            return "SQLite, fresh files in a temp dir (dropped afterwards)"
        parsed = make_url(self.url)
        if self.backend == "sqlite":
            return f"SQLite, {parsed.database} (and siblings, kept)"
        return (f"PostgreSQL {parsed.host}:{parsed.port or 5432}, scratch databases "
                f"sunshine_bench_{os.getpid()}_* (dropped afterwards)")

    def new(self, label: str) -> str:
        """The URL of a new empty database called after ``label``."""
        if self._tmp is not None:
            return f"sqlite:///{Path(self._tmp.name) / f'bench-{label}.sqlite'}"
        assert self.url is not None
        parsed = make_url(self.url)
        if self.backend == "sqlite":
            given = Path(parsed.database or "")
            if not parsed.database or parsed.database == ":memory:":
                raise SystemExit("--database-url: give a SQLite file, not an in-memory database")
            path = given if label == "engine" else given.with_name(f"{given.stem}-{label}{given.suffix}")
            if path.exists():
                raise SystemExit(f"--database-url: {path} exists; give a file name that does not exist yet")
            return parsed.set(database=str(path)).render_as_string(hide_password=False)
        assert self._admin is not None
        name = f"sunshine_bench_{os.getpid()}_{label}"
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self._made.append(name)
        return parsed.set(database=name).render_as_string(hide_password=False)


@dataclass
class Platform:
    """A migrated database with one department, one user per post and the benchmark power deployed."""

    engine: Engine
    rt: Runtime
    users: dict[str, User]  # lane (post name) -> the user holding that post
    url: str = ""


def set_up(url: str, *, audit_key: str | None = None, live_cases: int | None = None) -> Platform:
    """Migrate, seed the calendar, create the department and users, deploy the process and the power."""
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    this_year = clock.local(clock.now()).year
    years = [y for y in (this_year - 1, this_year, this_year + 1) if y in package_years()]
    with sessions.begin() as s:
        seed_from_chinesecalendar(s, years=years)
    engine.dispose()
    p = connect(url, audit_key=audit_key, live_cases=live_cases, users=False)
    posts = [post for _, post, _ in STEPS]
    with p.rt.sessions.begin() as s:
        region = ensure_region(s, "510000", "基准市")
        dept = ensure_department(s, region, "JZCS", "基准测试局", posts)
        by_name = {p.name: p for p in dept.posts}
        for sid, post, _ in STEPS:
            create_user(s, f"bench_{sid}", f"{post}岗", "bench-pw", roles=["staff"], posts=[by_name[post]])
        deploy(s, BPMN.read_bytes(), BPMN.name, author="bench", forms=p.rt.forms, posts=set(posts))
        s.add(Power(code=POWER_CODE, name=POWER_NAME, category="license", department_id=dept.id,
                    process_key=PROCESS_KEY, legal_limit_days=20, promised_limit_days=10))
    p.users.update(bench_users(p.rt))
    return p


def connect(url: str, *, audit_key: str | None = None, live_cases: int | None = None,
            users: bool = True) -> Platform:
    """A runtime on a database ``set_up`` prepared (another process may have prepared it)."""
    engine = make_engine(url)
    # The audit key keys every event's hash (engine/audit); a throwaway one per run, as nothing is verified later.
    settings = Settings(database_url=url, forms_dir=FORMS, audit_key=audit_key or uuid.uuid4().hex * 2)
    if live_cases is not None:
        settings = dataclasses.replace(settings, live_cases=live_cases)
    rt = Runtime(session_factory(engine), settings)
    return Platform(engine, rt, bench_users(rt) if users else {}, url)


def without_live_cache(p: Platform) -> Platform:
    """A second runtime on ``p``'s database with the live cache off, as a web worker without sticky routing (or a
    supervisor) meets most cases: every step restores its workflow from the row."""
    return connect(p.url, audit_key=p.rt.settings.audit_key, live_cases=0)


def bench_users(rt: Runtime) -> dict[str, User]:
    """Lane (post name) → the bench user holding that post."""
    with rt.reader() as s:
        found = {u.username: u for u in s.execute(select(User).where(User.username.like("bench_%"))).scalars()}
    return {post: found[f"bench_{sid}"] for sid, post, _ in STEPS}


# ---- engine ratio ---------------------------------------------------------------------------------


#: The case's open step, as the next user's inbox finds it (one indexed read, prebuilt as the engine's are).
_OPEN_STEP = Prepared(select(OpenTask.__table__.c.id, OpenTask.__table__.c.lane).where(
    OpenTask.__table__.c.case_id == bindparam("case_id")))


def bench_version(p: Platform) -> ProcessVersion:
    """The deployed version of the bench process."""
    with p.rt.reader() as s:
        return s.execute(select(ProcessVersion).where(ProcessVersion.process_key == PROCESS_KEY)).scalar_one()


def run_persisted_case(p: Platform) -> None:
    """One case through the platform: start it, then complete each step as the user of its post."""
    for _ in persisted_case(p):
        pass


def persisted_case(p: Platform) -> Iterator[None]:
    """``run_persisted_case`` one transaction at a time: yields after each commit (six in all)."""
    rt = p.rt
    case = start_case(rt, POWER_CODE, APPLICANT, SUBJECT, actor="bench")
    yield
    for _ in STEPS:
        with rt.reader() as s:
            task_id, lane = _OPEN_STEP.first(s.connection(), {"case_id": case.id})
        case = complete_task(rt, task_id, dict(OPINION), p.users[lane])
        yield
    if case.status != "completed":
        raise RuntimeError(f"case {case.serial} ended as {case.status!r}")


def run_memory_instance(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec],
                        script_engine: PythonScriptEngine) -> None:
    """One instance in plain SpiffWorkflow: no database, no JSON, no index rows, no audit."""
    wf = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    wf.task_tree.data.update(START_DATA)
    wf.do_engine_steps()
    while not wf.completed:
        _work_next_step(wf, "in-memory")


def run_json_instance(rt: Runtime, version: ProcessVersion) -> None:
    """Like ``run_memory_instance``, but the workflow is saved to JSON after every step and restored before
    the next, with the platform's codec (spec by reference): what any durable engine pays, no database."""
    wf = rt.new_workflow(version)
    wf.task_tree.data.update(START_DATA)
    wf.do_engine_steps()
    blob = rt.codec.dumps(wf)
    while True:
        wf = rt.codec.loads(blob, version)
        wf.script_engine = rt.script_engine
        if wf.completed:
            return
        _work_next_step(wf, "JSON")
        blob = rt.codec.dumps(wf)


class DurableFloor:
    """The least any engine that keeps every step durably must pay: SpiffWorkflow in memory, the codec's JSON,
    and per step one statement storing that JSON plus a durable COMMIT, on the raw driver connection of the
    benchmark database (same settings as the platform's). No lock, index rows, audit, form or ORM."""

    TABLE = "bench_durable_floor"

    def __init__(self, p: Platform, version: ProcessVersion, *, create: bool = True) -> None:
        self.rt, self.version = p.rt, version
        self.postgres = p.engine.dialect.name == "postgresql"
        if create:
            self.create_table(p.engine)
        self._pooled = p.engine.raw_connection()
        self._conn: Any = self._pooled.driver_connection
        mark = "%s" if self.postgres else "?"
        self._insert = f"INSERT INTO {self.TABLE} (workflow_json) VALUES ({mark}) RETURNING id"
        self._update = f"UPDATE {self.TABLE} SET workflow_json = {mark} WHERE id = {mark}"

    @classmethod
    def create_table(cls, engine: Engine) -> None:
        """The floor's table, once per database (all processes of a run share it, each with rows of its own)."""
        postgres = engine.dialect.name == "postgresql"
        with engine.begin() as conn:
            key = "serial" if postgres else "integer"
            conn.execute(text(f"CREATE TABLE {cls.TABLE} (id {key} PRIMARY KEY, workflow_json text NOT NULL)"))
            if postgres:  # as migration 0005 does for the cases table
                conn.execute(text(f"DO $$ BEGIN ALTER TABLE {cls.TABLE} ALTER COLUMN workflow_json SET COMPRESSION "
                                  f"lz4; EXCEPTION WHEN OTHERS THEN NULL; END $$"))

    def _store(self, sql: str, params: tuple[Any, ...]) -> Any:
        if not self.postgres:  # the platform's engine leaves pysqlite in autocommit; begin as it does
            self._conn.execute("BEGIN IMMEDIATE")
        cur = self._conn.cursor()
        cur.execute(sql, params)
        row = cur.fetchone() if sql is self._insert else None
        cur.close()
        self._conn.commit()
        return row[0] if row else None

    def run_instance(self) -> None:
        """One instance, stored after its start and after every step."""
        for _ in self.instance():
            pass

    def instance(self) -> Iterator[None]:
        """``run_instance`` one commit at a time: yields after each."""
        wf = self.rt.new_workflow(self.version)
        wf.task_tree.data.update(START_DATA)
        wf.do_engine_steps()
        row_id = self._store(self._insert, (self.rt.codec.dumps(wf),))
        yield
        while not wf.completed:
            _work_next_step(wf, "durable floor")
            self._store(self._update, (self.rt.codec.dumps(wf), row_id))
            yield

    def close(self) -> None:
        self._pooled.close()


def _work_next_step(wf: BpmnWorkflow, run: str) -> None:
    """Fill in and complete the workflow's ready user task, then run on to the next wait."""
    task = wf.get_next_task(state=TaskState.READY, manual=True)
    if task is None:
        raise RuntimeError(f"{run} instance stalled")
    task.set_data(**OPINION)
    task.run()
    wf.do_engine_steps()


def timed(n: int, run: Callable[[], None]) -> float:
    """Seconds taken by ``n`` calls of ``run``."""
    started = time.perf_counter()
    for _ in range(n):
        run()
    return time.perf_counter() - started


@dataclass(frozen=True)
class EngineRates:
    """Cases or instances per second, each side measured in the same alternating rounds."""

    persisted: float
    cold: float
    memory: float
    json_only: float
    durable_floor: float


def engine_ratio(p: Platform, cases: int, memory_cases: int, rounds: int = ROUNDS) -> EngineRates:
    """The platform and its three references on the deployed process, in alternating rounds so that all
    see the same machine load."""
    version = bench_version(p)
    parsed = p.rt.codec.parsed(version)  # the very spec the platform runs, parsed once

    def memory() -> None:
        run_memory_instance(parsed.spec, parsed.subprocess_specs, p.rt.script_engine)

    def persisted() -> None:
        run_persisted_case(p)

    cold_platform = without_live_cache(p)

    def cold() -> None:
        run_persisted_case(cold_platform)

    def json_round_trip() -> None:
        run_json_instance(p.rt, version)

    floor = DurableFloor(p, version)
    try:
        # (run, instances in all rounds): the JSON and floor runs are slower, so they get fewer.
        sides = {"memory": (memory, memory_cases), "persisted": (persisted, cases), "cold": (cold, cases),
                 "json_only": (json_round_trip, max(1, memory_cases // 3)),
                 "durable_floor": (floor.run_instance, cases)}
        for run, _ in sides.values():
            timed(WARMUP, run)
        spent = dict.fromkeys(sides, 0.0)
        for r in range(rounds):
            for name, (run, total) in sides.items():
                spent[name] += timed(_share(total, r, rounds), run)
    finally:
        floor.close()
        cold_platform.engine.dispose()
    return EngineRates(**{name: total / spent[name] for name, (_, total) in sides.items()})


def _share(total: int, r: int, rounds: int) -> int:
    """Round ``r``'s part of ``total`` when split into ``rounds`` nearly equal parts."""
    return total * (r + 1) // rounds - total * r // rounds


# ---- supervisor ratio -----------------------------------------------------------------------------


def bulk_open_cases(p: Platform, count: int, rng: random.Random) -> None:
    """Insert ``count`` running cases, each waiting at one step with its boundary timer armed, not due.

    These are the rows ``start_case``/``complete_task`` would leave (a case row with the power's promised and
    legal limits counted in working days, not yet passed; one open task; one waiting timer per case), written
    with Core executemany because the tick reads nothing else.
    """
    now = clock.now()
    limits = _case_limits(p)
    with p.rt.reader() as s:
        power = s.execute(select(Power).where(Power.code == POWER_CODE)).scalar_one()
        query = select(ProcessVersion.id).where(ProcessVersion.process_key == PROCESS_KEY)
        version_id = s.execute(query).scalar_one()
        posts = {post.name: post.id for post in power.department.posts}
        first_id = (s.execute(select(func.max(Case.id))).scalar() or 0) + 1
    with p.engine.begin() as conn:
        for start in range(0, count, CHUNK):
            cases, tasks, timers = [], [], []
            for case_id in range(first_id + start, first_id + min(start + CHUNK, count)):
                sid, post, name = STEPS[rng.randrange(len(STEPS))]
                created = now - timedelta(days=rng.uniform(0, 5))
                due = now + timedelta(days=rng.uniform(30, 365))  # far in the future: nothing is due
                task_id = str(uuid.uuid4())
                cases.append(dict(
                    id=case_id, serial=f"JZCS-BULK-{case_id:07d}", power_id=power.id,
                    process_version_id=version_id, department_id=power.department_id, subject=SUBJECT,
                    applicant_name=APPLICANT.name, applicant_id_type=APPLICANT.id_type,
                    applicant_id_number=APPLICANT.id_number, applicant_contact=APPLICANT.contact,
                    status="running", created_at=created, created_by="bench", workflow_json=PLACEHOLDER_JSON,
                    version=1, **limits(created), limit_alert_level=0,
                ))
                tasks.append(dict(
                    id=task_id, case_id=case_id, bpmn_id=sid, name=name, lane=post, post_id=posts[post],
                    department_id=power.department_id, assignee_id=None, form=f"bench_{sid}.json",
                    created_at=created, due_at=due, warn_at=due - timedelta(days=1), alert_level=0,
                ))
                timers.append(dict(
                    id=str(uuid.uuid4()), case_id=case_id, bpmn_id=f"{sid}_limit", name=f"{name}时限",
                    attached_task_id=task_id, attached_name=name, interrupting=False, fire_at=due,
                ))
            conn.execute(insert(Case), cases)
            conn.execute(insert(OpenTask), tasks)
            conn.execute(insert(WaitingTimer), timers)
    if p.engine.dialect.name == "postgresql":
        with p.engine.begin() as conn:
            # Keep the id sequence ahead of the explicit ids.
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                              "(SELECT max(id) FROM cases))"))
        with p.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Do now what autovacuum would do after a load this size (statistics for the planner, the
            # visibility map), so it does not compete for the CPU while ticks are timed. (The platform never
            # runs ANALYZE on SQLite, so neither do we: the bench measures it as shipped.)
            conn.execute(text("VACUUM ANALYZE cases, open_tasks, waiting_timers"))


def _case_limits(p: Platform) -> Callable[[datetime], dict[str, datetime]]:
    """created → the case's ``promised_due_at`` and ``legal_due_at``, as ``start_case`` counts them."""
    with p.rt.reader() as s:
        power = s.execute(select(Power).where(Power.code == POWER_CODE)).scalar_one()
        promised_days, legal_days = power.promised_limit_days, power.legal_limit_days
    calendar = p.rt.calendar
    known: dict[date, dict[str, datetime]] = {}

    def limits(created: datetime) -> dict[str, datetime]:
        # A deadline in working days depends only on the day the case starts (it ends at 24:00).
        day = clock.local(created).date()
        if day not in known:
            known[day] = {"promised_due_at": calendar.add_workdays(created, promised_days),
                          "legal_due_at": calendar.add_workdays(created, legal_days)}
        return known[day]

    return limits


def supervisor_ratio(small: Platform, large: Platform, ticks: int) -> tuple[float, float, list[str]]:
    """(median tick seconds on ``small``, on ``large``, calendar warnings of the last tick).

    Ticks alternate between the two databases so that both sizes see the same machine load.
    """
    times: dict[int, list[float]] = {id(small): [], id(large): []}
    results: dict[int, TickResult] = {}
    for p in (small, large):  # warm-up: connections, compiled statements, the calendar cache
        tick(p.rt, clock.now())
    for _ in range(ticks):
        for p in (small, large):
            now = clock.now()
            started = time.perf_counter()
            results[id(p)] = tick(p.rt, now)
            times[id(p)].append(time.perf_counter() - started)
    for p in (small, large):
        r = results[id(p)]
        if r.fired_cases or r.yellow or r.red or r.limit_red or r.failed:
            print(f"  note: a tick found work ({r}); the figures are not 'none due'")
    return statistics.median(times[id(small)]), statistics.median(times[id(large)]), \
        results[id(large)].calendar_warnings


# ---- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", help="default: fresh SQLite files in a temp dir; a PostgreSQL URL gets "
                    "scratch databases sunshine_bench_<pid>_* created next to it and dropped at the end")
    ap.add_argument("--cases", type=int, default=200, help="cases through the platform (default 200)")
    ap.add_argument("--memory-cases", type=int, default=1500, help="in-memory instances (default 1500)")
    ap.add_argument("--open-small", type=int, default=1_000, help="open cases, small tick (default 1000)")
    ap.add_argument("--open-large", type=int, default=100_000, help="open cases, large tick (default 100000)")
    ap.add_argument("--ticks", type=int, default=7, help="timed ticks per size, median taken (default 7)")
    args = ap.parse_args(argv)
    if args.cases < 1 or args.memory_cases < 1 or args.ticks < 1:
        ap.error("--cases, --memory-cases and --ticks must be positive")
    if not 0 < args.open_small < args.open_large:
        ap.error("need 0 < --open-small < --open-large")
    # The engine logs a calendar warning on every tick while next year's official schedule is missing;
    # it is printed once below instead.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sunshine").setLevel(logging.ERROR)

    began = time.perf_counter()
    with ScratchDatabases(args.database_url) as dbs:
        print(f"database: {dbs.describe()}")
        p = set_up(dbs.new("engine"))
        try:
            print(f"engine: {args.cases} persisted cases, {args.memory_cases} in-memory instances "
                  f"({len(STEPS)} user tasks each; {ROUNDS} alternating rounds, {WARMUP} warm-ups not counted)")
            r = engine_ratio(p, args.cases, args.memory_cases)
            print(f"  persisted:     {r.persisted:8.1f} cases/s      (start_case + {len(STEPS)} x complete_task)")
            print(f"  cold:          {r.cold:8.1f} cases/s      (the same with the live cache off: every step "
                  f"restores its workflow from the row)")
            print(f"  in memory:     {r.memory:8.1f} instances/s  (SpiffWorkflow alone, same spec and sandbox)")
            print(f"  JSON only:     {r.json_only:8.1f} instances/s  (the same, saved and restored around every step)")
            print(f"  durable floor: {r.durable_floor:8.1f} instances/s  (in memory, each step's JSON stored with one "
                  f"statement and a durable COMMIT)")
            print(f"engine ratio: {r.persisted / r.memory:.2f}")
            print(f"  (persisted ÷ JSON only: {r.persisted / r.json_only:.2f}; JSON only ÷ in memory: "
                  f"{r.json_only / r.memory:.2f})")
            print(f"  (durable floor ÷ in memory: {r.durable_floor / r.memory:.2f}, about the most an engine that "
                  f"commits every step can reach here; persisted ÷ durable floor: {r.persisted / r.durable_floor:.2f})")
            print(f"cold ratio: {r.cold / r.persisted:.2f}")
            print(f"floor ratio: {r.persisted / r.durable_floor:.2f}")
        finally:
            p.engine.dispose()
        print(f"  ({time.perf_counter() - began:.1f} s so far)")

        print(f"supervisor: {args.open_small:,} vs {args.open_large:,} open cases, none due; "
              f"median of {args.ticks} alternating ticks each")
        small = set_up(dbs.new(f"open{args.open_small}"))
        large = set_up(dbs.new(f"open{args.open_large}"))
        try:
            rng = random.Random(20261121)
            bulk_open_cases(small, args.open_small, rng)
            bulk_open_cases(large, args.open_large, rng)
            t_small, t_large, warnings = supervisor_ratio(small, large, args.ticks)
        finally:
            small.engine.dispose()
            large.engine.dispose()
        print(f"  {args.open_small:>9,} open: {t_small * 1000:8.2f} ms per tick")
        print(f"  {args.open_large:>9,} open: {t_large * 1000:8.2f} ms per tick")
        print(f"supervisor ratio: {t_large / t_small:.2f}")
        for w in warnings:
            print(f"  (the tick also reports: {w})")
    print(f"total: {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
