"""Sunshine benchmark: the http ratio — cases through the web as staff work them, against the engine alone.

    python bench/http.py [--database-url URL | --sqlite] [--clients 4] [--workers N] [--cases 120]
                         [--engine-cases N] [--rounds 4]

Web: gunicorn with the shipped config (deploy/gunicorn.conf.py; here on a TCP port, production settings with keys
made for the run, ``--workers`` sync workers), and ``--clients`` client processes. Each client is signed in as one
user per post of the benchmark department; a case begins at 受理登记 (GET the form, POST it) and each of its five
steps is worked as its post's user meets it: GET the inbox, GET the task page, POST the form.
Engine: the same client processes run the same cases without HTTP, as bench/engine.py does (``start_case``, then
for each step the open step's row and ``complete_task``), on the same database. The two sides alternate in rounds.

    http ratio = web cases/s  ÷  engine cases/s, with as many clients

Also printed, as references measured in the same rounds: the "HTTP floor" (the same requests against a WSGI app that
answers each with a page of the same size and does nothing else: gunicorn, the clients and the round trips), the
"signed-in floor" (as many requests to the platform's ``/account/alive``: gunicorn, Flask and the session read, no
page), the http ratio each floor alone would leave, and the CPU time per case of the gunicorn workers and of the
clients. Prints figures only; asserts nothing about wall-clock time.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# ``python bench/http.py`` puts bench/ first on sys.path, where this file would shadow the standard library's
# ``http`` (and bench/engine.py the ``engine`` package): drop it before anything imports either.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import logging  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench.shared import engine_bench  # noqa: E402

GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
DEFAULT_PG = os.environ.get("SUNSHINE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-pw"  # bench/engine.py's set_up gives every user this one
WARMUP = 1  # cases of each kind per client before the rounds, not counted
PATIENCE = 120.0  # how long gunicorn may take to answer at all: a bound on failure, never an expectation
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ROW = re.compile(r"<tr\b.*?</tr>", re.S)
TASK_LINK = re.compile(r'href="/work/tasks/([^"?#]+)"')
CASE_LOCATION = re.compile(r"/work/cases/(\d+)$")
#: What the step forms (bench/forms) ask for.
OPINION = "经审查，材料齐全，符合法定形式，同意。"




# ---- the web server ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url: str, state: Path) -> dict[str, str]:
    """The web service's environment as docs/deploy.md sets it, with keys made for this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSHINE_")}
    env.update({
        "SUNSHINE_ENV": "production",
        "SUNSHINE_DATABASE_URL": database_url,
        "SUNSHINE_SECRET_KEY": secrets.token_urlsafe(48),
        "SUNSHINE_AUDIT_KEY": secrets.token_urlsafe(48),
        "SUNSHINE_TRUSTED_PROXIES": "1",
        "SUNSHINE_SUPERVISOR_IN_WEB": "0",
        "SUNSHINE_FORMS_DIR": str(engine_bench().FORMS),
        "SUNSHINE_INSTANCE_DIR": str(state),
        "SUNSHINE_AUDIT_CHECKPOINT_PATH": str(state / "audit-checkpoints.jsonl"),
    })
    return env


@dataclass
class Server:
    """A gunicorn arbiter on 127.0.0.1:port and its log."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def worker_pids(self) -> list[int]:
        """The arbiter's children (its workers) as they are now."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """User and system CPU time of the workers now alive (a worker replaced meanwhile is not counted)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / ticks


@contextmanager
def gunicorn(argv: list[str], env: dict[str, str], workers: int, log: Path) -> Iterator[Server]:
    """Gunicorn with the shipped config on a free local port, ``workers`` sync workers, serving ``argv``'s app."""
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), *argv],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, process, log)
    try:
        deadline = time.monotonic() + PATIENCE
        while not _answers(port):
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within {PATIENCE:.0f} s")
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


# ---- a signed-in member of staff --------------------------------------------------------------------------------


class WebProblem(RuntimeError):
    """The web did not answer as a member of staff expects."""


@dataclass
class Answer:
    status: int
    location: str
    body: str


@dataclass
class Browser:
    """One member of staff's browser: the session cookie, the anti-forgery token, and the time each kind of
    request took (for the figures). A new connection per request, as nginx opens one per request upstream."""

    port: int
    cookie: str | None = None
    token: str = ""
    spent: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: The size of the last page of each kind.
    sizes: dict[str, int] = field(default_factory=dict)

    def request(self, kind: str, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        # As nginx passes a request on (deploy/nginx/sunshine.conf): the client's address and https.
        headers = {"Host": "bench.sunshine.test", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"}
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PATIENCE)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            for value in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                if name.strip() == "session":
                    self.cookie = rest.split(";", 1)[0] or None
            answer = Answer(resp.status, resp.headers.get("Location", ""), text)
        finally:
            conn.close()
        self.spent[kind].append(time.perf_counter() - started)
        self.sizes[kind] = len(text.encode())
        return answer

    def sign_in(self, username: str) -> None:
        page = self.request("sign-in", "GET", "/login")
        self.token = _csrf(page)
        answer = self.request("sign-in", "POST", "/login",
                              {"username": username, "password": PASSWORD, "csrf": self.token})
        if answer.status != 302:
            raise WebProblem(f"{username} could not sign in ({answer.status})")


def _csrf(answer: Answer) -> str:
    found = CSRF.search(answer.body)
    if answer.status != 200 or found is None:
        raise WebProblem(f"expected a page with a form, got {answer.status}")
    return found.group(1)


def register(clerk: Browser, power_code: str, subject: str, applicant: Any) -> int:
    """受理登记 as the window clerk: the form, then its POST; the new case's id."""
    clerk.token = _csrf(clerk.request("registration page", "GET", "/work/cases/new"))
    answer = clerk.request("registration POST", "POST", "/work/cases/new", {
        "csrf": clerk.token, "power": power_code, "subject": subject, "applicant_name": applicant.name,
        "applicant_id_type": applicant.id_type, "applicant_id_number": applicant.id_number,
        "applicant_contact": applicant.contact})
    found = CASE_LOCATION.search(answer.location)
    if answer.status != 302 or found is None:
        raise WebProblem(f"registration answered {answer.status} {answer.location!r}")
    return int(found.group(1))


def work_step(user: Browser, case_id: int) -> None:
    """One step as its post's user meets it: the inbox, the case's row there, the task page, the form posted."""
    inbox = user.request("inbox", "GET", "/work/")
    if inbox.status != 200:
        raise WebProblem(f"inbox answered {inbox.status}")
    link = f'href="/work/cases/{case_id}"'
    rows = [row for row in ROW.findall(inbox.body) if link in row]
    task = TASK_LINK.search(rows[0]) if rows else None
    if task is None:
        raise WebProblem(f"case {case_id} is not in the inbox")
    path = f"/work/tasks/{task.group(1)}"
    user.token = _csrf(user.request("task page", "GET", path))
    done = user.request("task POST", "POST", path, {"csrf": user.token, "opinion": OPINION})
    if done.status != 302:
        raise WebProblem(f"submitting the step answered {done.status}")


def web_case(users: dict[str, Browser], posts: list[str], power_code: str, subject: str, applicant: Any) -> None:
    """A case through the web, from 受理登记 to its last step."""
    case_id = register(users[posts[0]], power_code, subject, applicant)
    for post in posts:
        work_step(users[post], case_id)


# ---- the HTTP floor: the same requests, answered without the application ---------------------------------------


def floor_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """A WSGI app that reads the request body and answers as the platform would in shape and size only: each page
    as long as the platform's page of its kind (``SUNSHINE_FLOOR_PAGES``), holding a form token and, on the inbox,
    the row of case 1; a redirect with a session cookie after each POST. No database, no templates, no session."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
    if method == "POST":
        target = "/work/cases/1" if path == "/work/cases/new" else "/work/"
        start_response("302 FOUND", [("Location", target), ("Content-Length", "0"),
                                     ("Set-Cookie", f"session={_FLOOR_COOKIE}; HttpOnly; Path=/; SameSite=Lax")])
        return [b""]
    kind = "inbox" if path == "/work/" else "task page" if path.startswith("/work/tasks/") else "registration page"
    body = _floor_pages()[kind]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


_FLOOR_COOKIE = "x" * 180
_FLOOR_MARKUP = ('<input type="hidden" name="csrf" value="' + "t" * 32 + '">'
                 '<tr><td><a href="/work/cases/1">1</a></td><td><a href="/work/tasks/floor">step</a></td></tr>')
_FLOOR_CACHE: dict[str, bytes] = {}


def _floor_pages() -> dict[str, bytes]:
    if not _FLOOR_CACHE:
        for item in os.environ.get("SUNSHINE_FLOOR_PAGES", "").split(","):
            kind, _, size = item.partition("=")
            _FLOOR_CACHE[kind] = _FLOOR_MARKUP.encode().ljust(int(size or 0), b" ")
        for kind in ("inbox", "task page", "registration page"):
            _FLOOR_CACHE.setdefault(kind, _FLOOR_MARKUP.encode())
    return _FLOOR_CACHE


def floor_case(users: dict[str, Browser], posts: list[str], *_: Any) -> None:
    """The requests of one web case against ``floor_app``."""
    register(users[posts[0]], "x", "x", _FLOOR_APPLICANT)
    for post in posts:
        work_step(users[post], 1)


def alive_case(users: dict[str, Browser], posts: list[str], *_: Any) -> None:
    """As many requests as a web case makes, each the platform's cheapest for a signed-in user: the keep-alive
    call (``/account/alive``: the session read, nothing else, no page)."""
    for post in [posts[0], posts[0]] + [p for p in posts for _ in range(3)]:
        if users[post].request("alive", "GET", "/account/alive").status != 204:
            raise WebProblem("/account/alive did not answer 204")


@dataclass(frozen=True)
class _Applicant:
    name: str = "x"
    id_type: str = "x"
    id_number: str = "x"
    contact: str = "x"


_FLOOR_APPLICANT = _Applicant()


# ---- the client processes ---------------------------------------------------------------------------------------


@dataclass
class Done:
    """What a client reports after a batch: cases run, its own CPU seconds, request times by kind, or a problem."""

    cases: int
    cpu: float
    spent: dict[str, list[float]]
    problem: str | None = None


def client(conn: Any, url: str, env: dict[str, str], web_port: int, floor_port: int | None) -> None:
    """A client process: signs in one browser per post, builds its own runtime, then runs batches on command."""
    logging.getLogger("sunshine").setLevel(logging.ERROR)
    try:
        eb = engine_bench()
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from engine.config import Settings
        from engine.db import make_engine, session_factory
        from engine.platform import build_runtime
        from engine.store import Membership, User

        posts = [post for _, post, _ in eb.STEPS]
        browsers = {post: Browser(web_port) for post in posts}
        floors = {post: Browser(floor_port) for post in posts} if floor_port else {}
        # The engine side runs as a web worker would: the same settings, the same runtime with every rule installed.
        engine = make_engine(url)
        rt = build_runtime(session_factory(engine), Settings.from_env(env))
        with rt.reader() as s:
            found = s.execute(select(User).options(selectinload(User.memberships).selectinload(Membership.post))
                              .where(User.username.like("bench_%"))).scalars().all()
        users = {u.memberships[0].post.name: u for u in found}
        platform = eb.Platform(engine, rt, users)
        for post, b in browsers.items():
            b.sign_in(users[post].username)
        runs: dict[str, Callable[[], None]] = {
            "web": lambda: web_case(browsers, posts, eb.POWER_CODE, eb.SUBJECT, eb.APPLICANT),
            "engine": lambda: eb.run_persisted_case(platform),
            "floor": lambda: floor_case(floors, posts),
            "alive": lambda: alive_case(browsers, posts),
        }
        conn.send(Done(0, 0.0, {}))
    except Exception as exc:  # reported to the main process, which stops the run
        conn.send(Done(0, 0.0, {}, f"{type(exc).__name__}: {exc}"))
        return
    while True:
        command = conn.recv()
        if command is None:
            break
        kind, n = command
        for b in (*browsers.values(), *floors.values()):
            b.spent.clear()
        cpu = time.process_time()
        try:
            for _ in range(n):
                runs[kind]()
        except Exception as exc:
            conn.send(Done(0, 0.0, {}, f"{kind}: {type(exc).__name__}: {exc}"))
            continue
        spent: dict[str, list[float]] = defaultdict(list)
        for b in (*browsers.values(), *floors.values()):
            for name, times in b.spent.items():
                spent[name] += times
        conn.send(Done(n, time.process_time() - cpu, dict(spent)))
    engine.dispose()


class Clients:
    """``count`` client processes, each given the same batches at once."""

    def __init__(self, count: int, url: str, env: dict[str, str], web_port: int, floor_port: int | None) -> None:
        ctx = multiprocessing.get_context("fork")
        self.pipes: list[Any] = []
        self.processes: list[Any] = []
        for _ in range(count):
            mine, theirs = ctx.Pipe()
            process = ctx.Process(target=client, args=(theirs, url, env, web_port, floor_port), daemon=True)
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)
        self._collect()

    def run(self, kind: str, per_client: int) -> tuple[float, list[Done]]:
        """Wall seconds for every client to run ``per_client`` cases of ``kind``, and their reports."""
        started = time.perf_counter()
        for pipe in self.pipes:
            pipe.send((kind, per_client))
        done = self._collect()
        return time.perf_counter() - started, done

    def _collect(self) -> list[Done]:
        done = [pipe.recv() for pipe in self.pipes]
        problems = [d.problem for d in done if d.problem]
        if problems:
            raise SystemExit("a client failed: " + "; ".join(problems))
        return done

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


# ---- measuring --------------------------------------------------------------------------------------------------


@dataclass
class Side:
    """One side's totals over all rounds."""

    cases: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    spent: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def rate(self) -> float:
        return self.cases / self.seconds

    def add(self, seconds: float, done: list[Done], server_cpu: float) -> None:
        self.seconds += seconds
        self.cases += sum(d.cases for d in done)
        self.client_cpu += sum(d.cpu for d in done)
        self.server_cpu += server_cpu
        for d in done:
            for name, times in d.spent.items():
                self.spent[name] += times


def measure(clients: Clients, servers: dict[str, Server | None], per_client: dict[str, int],
            rounds: int) -> dict[str, Side]:
    """Every side in ``per_client``, in alternating rounds (the order turned each round), after a warm-up."""
    sides = {kind: Side() for kind in per_client}
    for kind in per_client:
        clients.run(kind, WARMUP)
    order = list(per_client)
    for r in range(rounds):
        for kind in (order if r % 2 == 0 else order[::-1]):
            server = servers.get(kind)
            before = server.cpu_seconds() if server else 0.0
            seconds, done = clients.run(kind, per_client[kind])
            sides[kind].add(seconds, done, (server.cpu_seconds() - before) if server else 0.0)
    return sides


def _ms(times: list[float]) -> str:
    return f"{1000 * sum(times) / len(times):6.1f} ms" if times else "     —"


def report(sides: dict[str, Side], clients: int, workers: int) -> None:
    web, eng = sides["web"], sides["engine"]
    requests = sum(len(t) for t in web.spent.values())
    print(f"  web:    {web.rate:7.1f} cases/s  ({web.cases} cases, {requests / web.cases:.0f} requests each; "
          f"{requests / web.seconds:.0f} requests/s)")
    print(f"  engine: {eng.rate:7.1f} cases/s  ({eng.cases} cases: start_case + complete_task per step, "
          f"{clients} processes)")
    print(f"  CPU per case: gunicorn workers {1000 * web.server_cpu / web.cases:.1f} ms, web clients "
          f"{1000 * web.client_cpu / web.cases:.1f} ms; engine clients {1000 * eng.client_cpu / eng.cases:.1f} ms "
          f"(database server not counted)")
    for kind in ("registration page", "registration POST", "inbox", "task page", "task POST"):
        print(f"    {kind:<18} {_ms(web.spent.get(kind, []))} per request, as the client waits "
              f"({workers} workers, {clients} clients)")
    print(f"http ratio: {web.rate / eng.rate:.2f}")
    floors = [("HTTP floor", "floor", "the same requests and page sizes against a WSGI app that does nothing"),
              ("signed-in floor", "alive", "as many requests to the platform's /account/alive: the session read, "
                                           "no page")]
    for label, kind, what in floors:
        floor = sides.get(kind)
        if floor is None:
            continue
        # Per case the web pays the engine's work and at least the floor's: at best 1 / (1/engine + 1/floor).
        ceiling = 1 / (1 + eng.rate / floor.rate)
        print(f"  {label}: {floor.rate:7.1f} cases/s  ({what}; gunicorn workers "
              f"{1000 * floor.server_cpu / floor.cases:.1f} ms CPU a case, clients "
              f"{1000 * floor.client_cpu / floor.cases:.1f} ms)")
        print(f"    (the engine's work plus this floor alone: an http ratio of at most {ceiling:.2f}; "
              f"web ÷ that: {web.rate * (1 / eng.rate + 1 / floor.rate):.2f})")


def main(argv: list[str] | None = None) -> int:
    """Set up, measure in rounds, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=DEFAULT_PG,
                       help="PostgreSQL (default: SUNSHINE_BENCH_PG or the local test server; a scratch database "
                            "sunshine_bench_<pid>_http is made beside it and dropped) or sqlite:///new-file")
    where.add_argument("--sqlite", action="store_true", help="a fresh SQLite file in a temp dir instead")
    ap.add_argument("--clients", type=int, default=4, help="client processes on each side (default 4)")
    ap.add_argument("--workers", type=int, default=0, help="gunicorn sync workers (default: as many as clients)")
    ap.add_argument("--cases", type=int, default=120, help="web cases over all rounds (default 120)")
    ap.add_argument("--engine-cases", type=int, default=0, help="engine cases over all rounds (default: 2 x --cases)")
    ap.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    ap.add_argument("--no-floor", action="store_true", help="skip the two floors (references)")
    args = ap.parse_args(argv)
    workers = args.workers or args.clients
    engine_cases = args.engine_cases or 2 * args.cases
    if min(args.clients, workers, args.cases, engine_cases, args.rounds) < 1:
        ap.error("--clients, --workers, --cases, --engine-cases and --rounds must be positive")
    per_round = args.clients * args.rounds
    per_client = {"web": max(1, round(args.cases / per_round)), "engine": max(1, round(engine_cases / per_round))}
    if not args.no_floor:
        per_client["floor"] = per_client["alive"] = per_client["web"]
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sunshine").setLevel(logging.ERROR)

    eb = engine_bench()
    began = time.perf_counter()
    with eb.ScratchDatabases(None if args.sqlite else args.database_url) as dbs, \
            tempfile.TemporaryDirectory(prefix="sunshine-bench-http-") as tmp:
        print(f"database: {dbs.describe()}")
        url = dbs.new("http")
        eb.set_up(url).engine.dispose()
        env = production_env(url, Path(tmp))
        with gunicorn([], env, workers, Path(tmp) / "gunicorn.log") as web:
            floor_env = {**env, "SUNSHINE_FLOOR_PAGES": _page_sizes(web.port)}
            with _maybe_floor(not args.no_floor, floor_env, workers, Path(tmp)) as floor:
                print(f"http: {args.clients} clients, {workers} gunicorn workers (deploy/gunicorn.conf.py), "
                      f"{args.rounds} alternating rounds of {per_client['web'] * args.clients} web and "
                      f"{per_client['engine'] * args.clients} engine cases ({WARMUP} warm-up case each not counted)")
                clients = Clients(args.clients, url, env, web.port, floor.port if floor else None)
                try:
                    sides = measure(clients, {"web": web, "engine": None, "floor": floor, "alive": web}, per_client,
                                    args.rounds)
                finally:
                    clients.close()
        report(sides, args.clients, workers)
    print(f"total: {time.perf_counter() - began:.1f} s")
    return 0


def _page_sizes(port: int) -> str:
    """One case through the web from the main process (a first check that the path works); the size of each kind
    of page it met, as ``SUNSHINE_FLOOR_PAGES`` gives them to the floor."""
    eb = engine_bench()
    posts = [post for _, post, _ in eb.STEPS]
    browsers = {post: Browser(port) for post in posts}
    for (sid, post, _) in eb.STEPS:
        browsers[post].sign_in(f"bench_{sid}")
    web_case(browsers, posts, eb.POWER_CODE, eb.SUBJECT, eb.APPLICANT)
    sizes: dict[str, int] = {}
    for b in browsers.values():
        sizes.update(b.sizes)
    return ",".join(f"{kind}={sizes[kind]}" for kind in ("inbox", "task page", "registration page"))


@contextmanager
def _maybe_floor(wanted: bool, env: dict[str, str], workers: int, tmp: Path) -> Iterator[Server | None]:
    if not wanted:
        yield None
        return
    # gunicorn imports the floor app by module name: this file under a name that shadows nothing.
    shim = tmp / "floor"
    shim.mkdir(exist_ok=True)
    (shim / "sunshine_http_floor.py").write_text(
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('sunshine_bench_http', {str(Path(__file__))!r})\n"
        "module = importlib.util.module_from_spec(spec)\nsys.modules[spec.name] = module\n"
        "spec.loader.exec_module(module)\napp = module.floor_app\n")
    with gunicorn(["--pythonpath", str(shim), "sunshine_http_floor:app"], env, workers, tmp / "floor.log") as server:
        yield server


if __name__ == "__main__":
    sys.exit(main())
