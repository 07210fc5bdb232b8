"""Sunshine benchmark: the inbox ratio — the inbox page with a million open steps against ten thousand.

    python bench/inbox.py [--database-url URL] [--small 10000] [--large 1000000] [--requests 200] [--explain]

Two scratch PostgreSQL databases are bulk-loaded with ``--small`` and ``--large`` open steps (``open_tasks`` rows
and their cases) across ``--departments`` departments. The measured user holds three posts of the busiest
department, whose queues hold thousands of steps at the small size and a hundred thousand at the large, and has
steps assigned to them. Then, alternating between the databases, the inbox as the user meets it:

- page: ``GET /work/`` through Flask's test client, signed in: the first page, later pages reached by following
  the "下一页" links, and a "上一页" link — the whole request (session, query, counts, template);
- query: the engine's part of the same requests, ``inbox_page`` and ``inbox_counts`` in one read-only session.

- views: the filtered and searched inbox (我的, 待认领, 已超期, 被退回, 已暂停; a serial's beginning, an applicant's
  name, an ID number) and the case list (办件: first page, 已超期, a search) — ``VIEWS``, each a GET.

    inbox ratio       = p95 of the page with --large open steps  ÷  p95 with --small
    inbox query ratio = the same for the query alone
    inbox views ratio = the same for the views

``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of every statement the inbox runs at the large size.
Prints figures only; asserts nothing about wall-clock time.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# ``python bench/inbox.py`` puts bench/ first on sys.path, where bench/engine.py would shadow the ``engine``
# package; drop it and put the project root first instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from html import unescape  # noqa: E402
from typing import Any  # noqa: E402

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import Engine, create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from bench.shared import print_plans  # noqa: E402
from engine import clock  # noqa: E402
from engine.calendar_seed import package_years, seed_from_chinesecalendar  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.db import make_engine, session_factory  # noqa: E402
from engine.identity import create_user, ensure_department, ensure_region  # noqa: E402
from engine.inbox import InboxFilter, PageKey, inbox_counts, inbox_page  # noqa: E402
from engine.migrate import upgrade  # noqa: E402
from engine.runtime.deploy import deploy  # noqa: E402
from engine.runtime.runtime import Runtime  # noqa: E402
from engine.store import Power  # noqa: E402
from engine.store.case import NO_ALERTS  # noqa: E402

DEFAULT_PG = os.environ.get("SUNSHINE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BPMN = HERE / "fixtures" / "bench_linear.bpmn"
FORMS = HERE / "forms"
PROCESS_KEY = "bench_linear"
PASSWORD = "bench-inbox-pw"
USER = "inbox_user"
#: (post, user task id, step name) of bench_linear.bpmn, and each post's share of a department's open steps.
POSTS = [("受理", "accept", "受理申请", 10), ("承办", "handle", "承办审查", 35), ("审核", "review", "审核", 25),
         ("批准", "approve", "批准决定", 20), ("送达", "deliver", "制证送达", 10)]
#: The measured user's posts in the busiest department.
HELD = ("承办", "审核", "批准")
#: The busiest department's share of all open steps.
BUSY_SHARE = 0.3
#: Shares of all steps: without a deadline; assigned to a colleague; their deadline not the department's.
UNDATED, ASSIGNED_ELSEWHERE, OTHERS_TIME = 0.12, 0.05, 0.03
#: Deadlines fall at the end of a day from this many days ago to this many ahead (so many steps tie on one).
DUE_DAYS = (-10, 30)
CHUNK = 50_000
WARMUP = 5
PAGES_DEEP = 12  # how far the walk follows "下一页" to find later pages
#: One case in PAUSED_EVERY is paused, the steps of one case in RETURNED_EVERY returned (so those filters find some).
PAUSED_EVERY, RETURNED_EVERY = 1000, 500
#: The filtered and searched pages timed as "views" (case 123 is the busiest department's at every size).
VIEWS = ["/work/?state=mine", "/work/?state=unclaimed", "/work/?state=overdue", "/work/?state=returned",
         "/work/?state=paused", "/work/?q=JZ000-0000012", "/work/?q=申请人123有限公司&sort=serial",
         "/work/?q=91510100MA00000123", "/work/cases", "/work/cases?state=overdue", "/work/cases?q=JZ000-0000012"]
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREV = re.compile(r'<a rel="prev" href="([^"]+)"')
ROW = re.compile(r'<tr class="[a-z]+" data-task=')


# ---- the databases ----------------------------------------------------------------------------------------------


class ScratchDatabases:
    """PostgreSQL databases ``sunshine_bench_<pid>_<label>`` created next to the given one through an AUTOCOMMIT
    admin connection (which touches nothing else there) and dropped at the end."""

    def __init__(self, url: str) -> None:
        if make_url(url).get_backend_name() != "postgresql":
            raise SystemExit("--database-url: the inbox bench runs on PostgreSQL, the production database")
        self.url = url
        self._admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self._made: list[str] = []

    def __enter__(self) -> ScratchDatabases:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._admin.connect() as conn:
            for name in self._made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()

    def new(self, label: str) -> str:
        name = f"sunshine_bench_{os.getpid()}_{label}"
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self._made.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)


@dataclass
class Org:
    """What the load needs to know of the departments set up: per department its power and post ids."""

    version_id: int
    powers: list[int]  # per department
    departments: list[int]
    posts: list[dict[str, int]]  # per department: post name -> id
    user_id: int
    colleagues: list[int]  # users of the busiest department to whom steps are assigned


@dataclass
class Platform:
    label: str
    url: str
    open_steps: int
    engine: Engine
    sessions: Any
    user_id: int
    settings: Settings
    client: FlaskClient | None = None
    #: Requests to time: (name, URL of the page) and (name, after, before) for the engine.
    urls: list[tuple[str, str]] = field(default_factory=list)
    keys: list[tuple[str, PageKey | None, PageKey | None]] = field(default_factory=list)


def set_up(url: str, departments: int, tmp: Path) -> tuple[Engine, Org, Settings]:
    """Migrate; seed the calendar; departments with the five posts, a power each; the users; the process."""
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    this_year = clock.local(clock.now()).year
    years = [y for y in (this_year - 1, this_year, this_year + 1) if y in package_years()]
    with sessions.begin() as s:
        seed_from_chinesecalendar(s, years=years)
    settings = Settings(database_url=url, env="development", forms_dir=FORMS, secret_key=uuid.uuid4().hex * 2,
                        audit_key=uuid.uuid4().hex * 2, instance_dir=tmp,
                        audit_checkpoint_path=tmp / f"checkpoints-{uuid.uuid4().hex}.jsonl")
    rt = Runtime(sessions, settings)
    names = [p for p, *_ in POSTS]
    with sessions.begin() as s:
        region = ensure_region(s, "510000", "基准市")
        depts = [ensure_department(s, region, f"JZ{i:03d}", f"基准局{i:03d}", names) for i in range(departments)]
        version = deploy(s, BPMN.read_bytes(), BPMN.name, author="bench", forms=rt.forms, posts=set(names))
        powers = []
        for i, dept in enumerate(depts):
            power = Power(code=f"510000-JZ{i:03d}-XK-001", name=f"基准许可事项{i:03d}", category="license",
                          department_id=dept.id, process_key=PROCESS_KEY, legal_limit_days=20,
                          promised_limit_days=10)
            s.add(power)
            powers.append(power)
        s.flush()
        posts = [{p.name: p.id for p in dept.posts} for dept in depts]
        busy = {p.name: p for p in depts[0].posts}
        user = create_user(s, USER, "待办测试员", PASSWORD, roles=["staff"], posts=[busy[p] for p in HELD])
        colleagues = [create_user(s, f"inbox_peer{i}", f"同事{i}", PASSWORD, roles=["staff"],
                                  posts=[busy[p] for p in HELD]) for i in range(2)]
        org = Org(version.id, [p.id for p in powers], [d.id for d in depts], posts, user.id,
                  [c.id for c in colleagues])
    return engine, org, settings


# ---- the load ---------------------------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    """A timestamp as COPY reads it into a ``timestamp`` column: naive UTC, as the models store it."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def open_steps(org: Org, count: int, rng: random.Random, now: datetime) -> Iterator[tuple[list[str], list[str]]]:
    """Chunks of (cases, open_tasks) lines in COPY's text format, ``count`` open steps in all.

    A step belongs to the busiest department with ``BUSY_SHARE``, else to one of the others; within it to a post
    by the post's share. Most wait unclaimed in their post's queue; ``ASSIGNED_ELSEWHERE`` are assigned to a
    colleague in the busiest department, and one in 2,000 (at least 20) to the measured user. Deadlines end a
    day (24:00 local) between ``DUE_DAYS``, so thousands share one; ``UNDATED`` have none. One case in ten waits
    at two steps at once (parallel branches). Written for speed: a million lines take some seconds.
    """
    mine = max(20, count // 2000)
    mine_every = max(1, int(count * BUSY_SHARE) // mine)
    naive_now = now.astimezone(UTC).replace(tzinfo=None)
    today = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    day_ends = [today + timedelta(days=d + 1) for d in range(DUE_DAYS[0], DUE_DAYS[1] + 1)]
    dues = [(_stamp(d), _stamp(d - timedelta(days=1)),
             "2" if d <= now else "1" if d - timedelta(days=1) <= now else "0") for d in day_ends]
    # A case's limits depend only on the day it began (30 days back at most).
    limits = [(_stamp(now + timedelta(days=14 - d)), _stamp(now + timedelta(days=28 - d))) for d in range(31)]
    # Posts drawn by their shares from a table of a hundred.
    by_share = [(post, sid, name) for post, sid, name, share in POSTS for _ in range(share)]
    assert len(by_share) == 100
    posts = [{post: str(pid) for post, pid in dept.items()} for dept in org.posts]
    powers, departments = [str(p) for p in org.powers], [str(d) for d in org.departments]
    version, user, colleagues = str(org.version_id), str(org.user_id), [str(c) for c in org.colleagues]
    random_, bits = rng.random, rng.getrandbits
    elsewhere = ASSIGNED_ELSEWHERE / BUSY_SHARE
    busy_steps = case_id = task = 0
    dept = age = 0
    case_line = created = ""
    while task < count:
        cases: list[str] = []
        tasks: list[str] = []
        for _ in range(min(CHUNK, count - task)):
            if not tasks or random_() >= 0.1:  # else a second step of the same case
                case_id += 1
                dept = 0 if random_() < BUSY_SHARE else 1 + int(random_() * (len(departments) - 1))
                age = random_() * 30 * 86400
                created = (naive_now - timedelta(seconds=age)).isoformat(" ")
                promised, legal = limits[int(age // 86400)]
                case_line = (f"{case_id}\tJZ{dept:03d}-{case_id:08d}\t{powers[dept]}\t{version}\t{departments[dept]}\t"
                             f"申请基准许可（第{case_id % 97}类）\t申请人{case_id % 9973}有限公司\t统一社会信用代码\t"
                             f"91510100MA{case_id:08d}\t028-12345678\trunning\t{created}\tbench\t{promised}\t{legal}\t"
                             '{"bench": 1}\t1\t0')
                cases.append(case_line)
            post, sid, name = by_share[int(random_() * 100)]
            arrived = (naive_now - timedelta(seconds=age * random_())).isoformat(" ")
            assignee = "\\N"
            if dept == 0:
                busy_steps += 1
                if busy_steps % mine_every == 0:
                    assignee = user
                elif random_() < elsewhere:
                    assignee = colleagues[int(random_() * len(colleagues))]
            roll = random_()
            if roll < UNDATED:
                due, warn, level = "\\N", "\\N", "0"
            else:
                due, warn, level = dues[int(random_() * len(dues))]
                if roll < UNDATED + OTHERS_TIME:
                    warn, level = "\\N", str(NO_ALERTS)
            h = f"{bits(128):032x}"
            tasks.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}\t{case_id}\t{sid}\t{name}\t{post}\t"
                         f"{posts[dept][post]}\t{departments[dept]}\t{assignee}\tbench_{sid}.json\t{arrived}\t{due}\t"
                         f"{warn}\t{level}")
            task += 1
        yield cases, tasks


_CASE_COLUMNS = ("id, serial, power_id, process_version_id, department_id, subject, applicant_name, "
                 "applicant_id_type, applicant_id_number, applicant_contact, status, created_at, created_by, "
                 "promised_due_at, legal_due_at, workflow_json, version, limit_alert_level")
_TASK_COLUMNS = ("id, case_id, bpmn_id, name, lane, post_id, department_id, assignee_id, form, created_at, due_at, "
                 "warn_at, alert_level")
#: The secondary indexes of the loaded tables (not those behind a constraint): dropped for the load, rebuilt after.
_INDEXES = text("""
    SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relname IN ('cases', 'open_tasks')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
""")


def load(engine: Engine, org: Org, count: int, rng: random.Random) -> float:
    """COPY ``count`` open steps and their cases in; seconds taken, ``VACUUM ANALYZE`` included.

    The secondary indexes are dropped first and built again after, and foreign keys are not checked row by row
    (``session_replication_role = replica``; the rows refer to what ``set_up`` made): the tables and indexes end
    as the platform's own writes would leave them, only sooner, and the indexes freshly packed.
    """
    started = time.perf_counter()
    now = clock.now()
    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        with conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET maintenance_work_mem = '256MB'")
            cur.execute(str(_INDEXES))
            indexes = cur.fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            for cases, tasks in open_steps(org, count, rng, now):
                if cases:
                    with cur.copy(f"COPY cases ({_CASE_COLUMNS}) FROM STDIN") as copy:
                        copy.write("\n".join(cases) + "\n")
                with cur.copy(f"COPY open_tasks ({_TASK_COLUMNS}) FROM STDIN") as copy:
                    copy.write("\n".join(tasks) + "\n")
            # A few paused cases and returned steps, before the indexes are built again.
            cur.execute(f"UPDATE cases SET clock_paused_at = created_at WHERE id % {PAUSED_EVERY} = 7")
            cur.execute(f"UPDATE open_tasks SET returned_reason = '基准退回' WHERE case_id % {RETURNED_EVERY} = 3")
            for _, definition in indexes:
                cur.execute(definition)
            cur.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))")
        conn.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        # What autovacuum does after a load this size (statistics, the visibility map), done now so it does not
        # compete for the CPU while requests are timed.
        c.execute(text("VACUUM ANALYZE cases, open_tasks"))
    return time.perf_counter() - started


# ---- the requests -----------------------------------------------------------------------------------------------


def sign_in(app: Any) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None, "no sign-in form"
    resp = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf": token.group(1)})
    if resp.status_code != 302:
        raise RuntimeError(f"sign-in failed: {resp.status_code}")
    return client


def _get(client: FlaskClient, url: str) -> str:
    resp = client.get(url)
    if resp.status_code != 200:
        raise RuntimeError(f"GET {url}: {resp.status_code}")
    return resp.get_data(as_text=True)


def walk(p: Platform) -> None:
    """Follow "下一页" from the first page, then one "上一页": the pages the timed requests revisit."""
    assert p.client is not None
    url, pages = "/work/", []
    for _ in range(PAGES_DEEP):
        page = _get(p.client, url)
        if not ROW.search(page):
            raise RuntimeError(f"{p.label}: an empty inbox page at {url}")
        pages.append(url)
        found = NEXT.search(page)
        if found is None:
            break
        url = unescape(found.group(1))
    last = _get(p.client, pages[-1])
    back = PREV.search(last)
    p.urls = [("first", pages[0]), ("second", pages[min(1, len(pages) - 1)]), ("later", pages[-1])]
    if back is not None:
        p.urls.append(("previous", unescape(back.group(1))))
    # The same pages for the engine alone.
    with p.sessions() as s:
        keys: list[tuple[str, PageKey | None, PageKey | None]] = [("first", None, None)]
        page_ = inbox_page(s, p.user_id)
        for step in range(1, len(pages)):
            if page_.next_key is None:
                break
            after = page_.next_key
            page_ = inbox_page(s, p.user_id, after=after)
            if step in (1, len(pages) - 1):
                keys.append(("second" if step == 1 else "later", after, None))
        if page_.prev_key is not None:
            keys.append(("previous", None, page_.prev_key))
    p.keys = keys


def query(p: Platform, after: PageKey | None, before: PageKey | None) -> int:
    """The engine's part of one inbox request: the page and the counts, in one read-only session."""
    with p.sessions() as s:
        page = inbox_page(s, p.user_id, after=after, before=before)
        inbox_counts(s, p.user_id, InboxFilter())
    return len(page.rows)


def measure(platforms: list[Platform], requests: int) -> dict[str, dict[str, list[float]]]:
    """Per platform label and kind ("page", "query"): the seconds of each timed request.

    Each round times one request of each kind on each database in turn (in reverse order every other round),
    cycling through the pages, so that both sizes see the same machine load.
    """
    times: dict[str, dict[str, list[float]]] = {p.label: {"page": [], "query": [], "views": []} for p in platforms}
    runs: list[tuple[Platform, str, Callable[[int], None]]] = []
    for p in platforms:
        def page(i: int, p: Platform = p) -> None:
            _get(p.client, p.urls[i % len(p.urls)][1])  # type: ignore[arg-type]

        def engine_only(i: int, p: Platform = p) -> None:
            _, after, before = p.keys[i % len(p.keys)]
            query(p, after, before)

        def view(i: int, p: Platform = p) -> None:
            _get(p.client, VIEWS[i % len(VIEWS)])  # type: ignore[arg-type]

        runs += [(p, "page", page), (p, "query", engine_only), (p, "views", view)]
    for i in range(WARMUP):
        for _, _, run in runs:
            run(i)
    for i in range(requests):
        # Every other round the other database goes first, so that neither always follows the same work.
        for p, kind, run in runs if i % 2 == 0 else runs[::-1]:
            started = time.perf_counter()
            run(i)
            times[p.label][kind].append(time.perf_counter() - started)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def explain(p: Platform) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement one inbox request runs (a later page and the counts)."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    later = next((after for name, after, _ in p.keys if name == "later"), None)
    event.listen(p.engine, "before_cursor_execute", capture)
    try:
        query(p, later, None)
    finally:
        event.remove(p.engine, "before_cursor_execute", capture)
    # The views, through the application's own engine (any engine's statements are captured meanwhile).
    event.listen(Engine, "before_cursor_execute", capture)
    try:
        for url in ("/work/?state=returned", "/work/?q=申请人123有限公司&sort=serial", "/work/cases?q=JZ000-0000012"):
            seen.append((f"SELECT 'GET {url}'", {}))
            _get(p.client, url)  # type: ignore[arg-type]
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    seen = [(st, params) for st, params in seen if "web_sessions" not in st and "FROM users" not in st]
    print_plans(p.engine, seen)


# ---- main -------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=DEFAULT_PG,
                    help="a PostgreSQL database next to which scratch databases sunshine_bench_<pid>_* are made "
                         "and dropped (default: $SUNSHINE_BENCH_PG or the local test server)")
    ap.add_argument("--small", type=int, default=10_000, help="open steps, small database (default 10000)")
    ap.add_argument("--large", type=int, default=1_000_000, help="open steps, large database (default 1000000)")
    ap.add_argument("--departments", type=int, default=40, help="departments (default 40)")
    ap.add_argument("--requests", type=int, default=200, help="timed requests of each kind per size (default 200)")
    ap.add_argument("--explain", action="store_true", help="print the plans of the inbox's statements (large)")
    args = ap.parse_args(argv)
    if not 0 < args.small < args.large:
        ap.error("need 0 < --small < --large")
    if args.departments < 2 or args.requests < 2:
        ap.error("--departments and --requests must be at least 2")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sunshine").setLevel(logging.ERROR)  # the calendar's "next year not loaded", every request

    began = time.perf_counter()
    platforms: list[Platform] = []
    with ScratchDatabases(args.database_url) as dbs, tempfile.TemporaryDirectory(prefix="sunshine-inbox-") as tmp:
        parsed = make_url(args.database_url)
        print(f"database: PostgreSQL {parsed.host}:{parsed.port or 5432}, scratch databases "
              f"sunshine_bench_{os.getpid()}_* (dropped afterwards)")
        rng = random.Random(20261121)
        try:
            for label, count in (("small", args.small), ("large", args.large)):
                url = dbs.new(f"inbox{count}")
                engine, org, settings = set_up(url, args.departments, Path(tmp))
                seconds = load(engine, org, count, rng)
                p = Platform(label, url, count, engine, session_factory(engine), org.user_id, settings)
                with p.sessions() as s:
                    counts = inbox_counts(s, p.user_id)
                    held = ", ".join(f"{c.post} {c.count}" for c in counts.posts)
                print(f"  {count:>9,} open steps loaded in {seconds:5.1f} s; the user's inbox: {counts.total} "
                      f"({held})")
                platforms.append(p)
            for p in platforms:
                p.client = sign_in(create_app(p.settings))
                walk(p)
            print(f"inbox: {args.requests} timed requests of each kind per size, alternating "
                  f"(pages: {', '.join(name for name, _ in platforms[0].urls)}; {WARMUP} warm-ups not counted)")
            times = measure(platforms, args.requests)
            small, large = platforms
            for kind, what in (("query", "query (inbox_page + inbox_counts)"), ("page", "page (GET /work/)"),
                               ("views", "views (filters, search, 办件)")):
                for p in platforms:
                    t = times[p.label][kind]
                    print(f"  {what:<34} {p.open_steps:>9,} open: p50 {statistics.median(t) * 1000:7.2f} ms  "
                          f"p95 {p95(t) * 1000:7.2f} ms")
            q = p95(times[large.label]["query"]) / p95(times[small.label]["query"])
            print(f"inbox query ratio: {q:.2f}")
            ratio = p95(times[large.label]["page"]) / p95(times[small.label]["page"])
            print(f"inbox ratio: {ratio:.2f}")
            views = p95(times[large.label]["views"]) / p95(times[small.label]["views"])
            print(f"inbox views ratio: {views:.2f}")
            if args.explain:
                print(f"plans at {large.open_steps:,} open steps (a later page, then the counts):")
                explain(large)
        finally:
            for p in platforms:
                p.engine.dispose()
    print(f"total: {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
