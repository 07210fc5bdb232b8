"""The production serving setup (deploy/): real gunicorn started with the shipped config, behind real nginx running
the shipped site (rendered with test ports and paths, and without TLS), over a copy of the demo database.

Slow clients: each sends a POST's headers with a large Content-Length, then its body a byte now and then. Straight
at gunicorn's sync workers a few of them stop the site; behind nginx the site stays available while they trickle.
No test measures a duration: answers that must come get a generous bound, and the one that must not come (the
defect) is shown not to within a short one, then to come once the slow clients are gone.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from select import select as readable_now
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, select

from engine.demo import DEMO_PASSWORD
from engine.store import SignInAttempt
from tests.settings import AUDIT_KEY, SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
SITE = ROOT / "deploy" / "nginx" / "sunshine.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
WORKERS = 2
#: More slow clients than gunicorn has workers.
TRICKLERS = WORKERS + 2
#: How long an answer that must come may take: generous, a bound on failure, never an expectation.
PATIENCE = 60.0
#: How long a request is given to show that it does not get through while the workers are held.
HELD = 2.0
#: How often a slow client sends one more byte: far inside nginx's client_body_timeout and gunicorn's timeout.
DRIP_SECONDS = 0.2
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
#: The request limit nginx is shipped with (client_max_body_size 21m), which SUNSHINE_MAX_REQUEST_BYTES matches.
REQUEST_LIMIT = 21 * 1024 * 1024


@pytest.fixture
def nginx_binary() -> Path:
    if not NGINX.exists():
        message = "nginx not installed: apt-get install -y nginx-light"
        if os.environ.get("SUNSHINE_REQUIRE_NGINX") == "1":
            pytest.fail(message)
        print(f"skipped: {message}", file=sys.stderr)
        pytest.skip(message)
    return NGINX


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A directory for Unix sockets: their paths must stay under 108 bytes, which pytest's tmp_path can pass."""
    with tempfile.TemporaryDirectory(prefix="sunshine-") as path:
        yield Path(path)


# ---- gunicorn ---------------------------------------------------------------------------------------------------


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over a Unix socket (gunicorn's bind)."""

    def __init__(self, path: Path, timeout: float = PATIENCE) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.path))


@dataclass
class Web:
    """Gunicorn with the shipped config on a Unix socket."""

    socket: Path
    log: Path
    process: subprocess.Popen[bytes]

    def connect(self) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(PATIENCE)
        sock.connect(str(self.socket))
        return sock

    def http(self, timeout: float = PATIENCE) -> http.client.HTTPConnection:
        return UnixHTTPConnection(self.socket, timeout)

    def logged(self) -> str:
        return self.log.read_text(errors="replace")


def _production_env(database_url: str, state: Path) -> dict[str, str]:
    """The environment of the web service as docs/deploy.md sets it (production: keys given, nothing generated)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUNSHINE_")}
    env.update({
        "SUNSHINE_ENV": "production",
        "SUNSHINE_DATABASE_URL": database_url,
        "SUNSHINE_SECRET_KEY": SECRET_KEY,
        "SUNSHINE_AUDIT_KEY": AUDIT_KEY,
        "SUNSHINE_TRUSTED_PROXIES": "1",
        "SUNSHINE_SUPERVISOR_IN_WEB": "0",
        "SUNSHINE_MAX_REQUEST_BYTES": str(REQUEST_LIMIT),
        "SUNSHINE_INSTANCE_DIR": str(state),
        "SUNSHINE_AUDIT_CHECKPOINT_PATH": str(state / "audit-checkpoints.jsonl"),
        "WEB_CONCURRENCY": str(WORKERS),
    })
    return env


def _until(ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes],
           alive: Callable[[], str | None]) -> None:
    """Poll ``ready`` until it holds; fail with ``alive()``'s complaint (a process that died) or after PATIENCE.

    Between polls it waits on the server process itself (not a sleep): a server that dies ends the wait at once.
    """
    deadline = time.monotonic() + PATIENCE
    while not ready():
        complaint = alive()
        if complaint is not None:
            pytest.fail(f"{what}: {complaint}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not ready within {PATIENCE} s")
        with contextlib.suppress(subprocess.TimeoutExpired):  # still starting: ask again
            process.wait(timeout=0.05)


@pytest.fixture
def web(demo_db, tmp_path: Path, short_dir: Path) -> Iterator[Web]:
    """``gunicorn --config deploy/gunicorn.conf.py`` on a socket in a temporary directory, answering the hall."""
    log = tmp_path / "gunicorn.log"
    sock = short_dir / "web.sock"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "--bind", f"unix:{sock}"],
            cwd=ROOT, env=_production_env(demo_db.url, tmp_path / "state"), stdout=out, stderr=subprocess.STDOUT)
    server = Web(sock, log, process)

    def answers() -> bool:
        if not sock.exists():
            return False
        conn = server.http(timeout=5)
        try:
            conn.request("GET", "/")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def died() -> str | None:
        return None if process.poll() is None else f"gunicorn exited ({process.returncode}):\n{server.logged()}"

    try:
        _until(answers, "gunicorn", process, died)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: a held worker is not waited for
        try:
            process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---- nginx ------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_site(shipped: str, *, port: int, redirect_port: int, upstream: Path, logs: Path) -> str:
    """The shipped site with this test's ports, socket, checkout and logs, and without TLS (no certificate here).

    Everything else (limits, timeouts, buffering, headers, static files, error pages) is as shipped; a replaced
    line that is no longer in the shipped file fails the test rather than being silently left out.
    """
    replacements = [
        ("listen 80;", f"listen 127.0.0.1:{redirect_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port};"),
        ("listen [::]:443 ssl http2;", ""),
        ("unix:/run/sunshine/web.sock", f"unix:{upstream}"),
        ("/srv/sunshine/", f"{ROOT}/"),
        ("/var/log/nginx/sunshine.access.log", str(logs / "access.log")),
        ("/var/log/nginx/sunshine.error.log", str(logs / "error.log")),
    ]
    text = shipped
    for old, new in replacements:
        assert old in text, f"deploy/nginx/sunshine.conf no longer says {old!r}: update render_site"
        text = text.replace(old, new)
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("ssl_"))


@dataclass
class Proxy:
    """nginx running the shipped site on a test port."""

    port: int
    error_log: Path
    process: subprocess.Popen[bytes]
    cookies: dict[str, str] = field(default_factory=dict)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=PATIENCE)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        """One request as a browser makes it, keeping the session cookie: (status, headers, text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PATIENCE)
        try:
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            for cookie in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode(errors="replace")
        finally:
            conn.close()

    def post_form(self, path: str, values: dict[str, str]) -> tuple[int, dict[str, str], str]:
        return self.request("POST", path, urlencode(values).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})


@pytest.fixture
def proxy(nginx_binary: Path, web: Web, tmp_path: Path) -> Iterator[Proxy]:
    """nginx in the foreground with a config rendered from deploy/nginx/sunshine.conf, in front of ``web``."""
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = _free_port()
    (prefix / "sunshine.conf").write_text(render_site(SITE.read_text(), port=port, redirect_port=_free_port(),
                                                      upstream=web.socket, logs=prefix))
    temp_paths = "\n".join(f"    {kind}_temp_path {prefix / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "access.log"};
{temp_paths}
    include {prefix / "sunshine.conf"};
}}
""")
    process = subprocess.Popen([str(nginx_binary), "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                "-e", str(prefix / "error.log"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = Proxy(port, prefix / "error.log", process)

    def listening() -> bool:
        try:
            server.connect().close()
            return True
        except OSError:
            return False

    def died() -> str | None:
        if process.poll() is None:
            return None
        return f"nginx exited ({process.returncode}):\n{server.error_log.read_text(errors='replace')}"

    try:
        _until(listening, "nginx", process, died)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---- slow clients -----------------------------------------------------------------------------------------------


class Trickler:
    """A client that sends a POST's headers announcing a large body, then that body a byte at a time."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.sendall(b"POST /login HTTP/1.1\r\nHost: localhost\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nc")

    def drip(self) -> None:
        # Never waits: a connection still queued for a busy gunicorn takes only so many bytes before it accepts.
        self.sock.send(b"s", socket.MSG_DONTWAIT)

    def still_sending(self) -> bool:
        """Still connected and not answered: the server is waiting for the rest of the body (nothing to read yet;
        an answer or a closed connection would be readable)."""
        readable, _, _ = readable_now([self.sock], [], [], 0)
        return not readable


@contextmanager
def trickling(connect: Callable[[], socket.socket], count: int = TRICKLERS) -> Iterator[list[Trickler]]:
    """``count`` slow clients, each sending one more byte every DRIP_SECONDS until the block ends; then gone."""
    tricklers = [Trickler(connect()) for _ in range(count)]
    stop = threading.Event()

    def drip() -> None:
        while not stop.wait(DRIP_SECONDS):
            for t in tricklers:
                with suppress(OSError):  # the test asserts whether they are still connected
                    t.drip()

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        yield tricklers
    finally:
        stop.set()
        dripper.join()
        for t in tricklers:
            t.sock.close()


# ---- tests ------------------------------------------------------------------------------------------------------


def test_without_the_proxy_a_few_trickling_clients_hold_every_sync_worker(web: Web) -> None:
    """The defect nginx is there for: gunicorn's sync workers wait on the slow bodies, and a plain GET waits too."""
    with trickling(web.connect) as tricklers:
        held = web.http(timeout=HELD)
        held.request("GET", "/")
        with pytest.raises(TimeoutError):
            held.getresponse()
        held.close()
        assert all(t.still_sending() for t in tricklers)
    # Once the slow clients are gone the same workers answer again.
    conn = web.http()
    conn.request("GET", "/")
    assert conn.getresponse().status == 200
    conn.close()


def test_behind_nginx_trickling_clients_leave_the_site_available(web: Web, proxy: Proxy, demo_db) -> None:
    with trickling(proxy.connect) as tricklers:
        status, _, page = proxy.request("GET", "/")
        assert status == 200 and "电子政务大厅" in page
        status, _, page = proxy.request("GET", "/login")
        assert status == 200 and "工作人员登录" in page
        status, headers, _ = proxy.post_form("/login", {"csrf": CSRF.search(page)[1], "username": "shouli",
                                                        "password": DEMO_PASSWORD})
        assert status == 302, headers
        status, _, page = proxy.request("GET", "/work/cases/new")
        assert status == 200
        status, headers, page = proxy.post_form("/work/cases/new", {
            "csrf": CSRF.search(page)[1], "power": "519900-SCJGJ-XK-0001", "subject": "申请食品经营许可（新办）",
            "applicant_name": "示范市味之源餐饮管理有限公司", "applicant_id_type": "统一社会信用代码",
            "applicant_id_number": "91350100M000100Y43", "applicant_contact": "0837-2881234"})
        assert status == 302 and headers["location"].startswith("/work/cases/"), page
        # All that while every slow client was still connected, still sending, still unanswered.
        assert all(t.still_sending() for t in tricklers)
    # nginx passed the real client's address (a claimed X-Forwarded-For counts for nothing).
    proxy.cookies.clear()
    status, _, page = proxy.request("GET", "/login")
    proxy.request("POST", "/login", urlencode({"csrf": CSRF.search(page)[1], "username": "shouli",
                                                "password": "wrong"}).encode(),
                  {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "198.51.100.7"})
    engine = create_engine(demo_db.url)
    try:
        with engine.connect() as c:
            addresses = set(c.execute(select(SignInAttempt.address)).scalars())
    finally:
        engine.dispose()
    assert addresses == {"127.0.0.1"}


def test_behind_nginx_the_request_limits_hold_and_static_files_come_from_nginx(web: Web, proxy: Proxy) -> None:
    # Over the global limit: nginx refuses it as soon as it reads the headers, in both languages.
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=PATIENCE)
    conn.putrequest("POST", "/login")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(REQUEST_LIMIT + 1))
    conn.endheaders()
    resp = conn.getresponse()
    page = resp.read().decode()
    conn.close()
    assert resp.status == 413 and "提交的内容过大" in page and "too large" in page
    # Under it but over what a sign-in form may be: nginx passes it on whole, the application refuses it.
    status, _, page = proxy.request("POST", "/login", b"username=" + b"x" * (16 * 1024 * 1024),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and "提交的内容过大（上限 4.0 MiB）" in page
    # The application's own files are nginx's to serve: they never reach a gunicorn worker.
    status, headers, css = proxy.request("GET", "/static/sunshine.css")
    assert status == 200 and css == (ROOT / "app" / "static" / "sunshine.css").read_text()
    assert headers["cache-control"] == "no-cache" and headers["content-type"].startswith("text/css")
    assert "/static/sunshine.css" not in web.logged()
    assert "GET / HTTP" in web.logged()  # (the access log is on: the readiness check is in it)


def test_the_web_stops_with_the_operators_message_when_the_keys_are_missing(tmp_path, short_dir) -> None:
    # (The keys are checked before the database is opened.)
    env = {k: v for k, v in _production_env(f"sqlite:///{tmp_path / 'none.sqlite'}", tmp_path / "state").items()
           if k not in ("SUNSHINE_SECRET_KEY", "SUNSHINE_AUDIT_KEY")}
    env["WEB_CONCURRENCY"] = "1"
    done = subprocess.run([sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
                           "--bind", f"unix:{short_dir / 'web.sock'}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=PATIENCE)
    # Exit status 4 (the application cannot load): gunicorn stops instead of restarting workers, and
    # sunshine-web.service does not restart it (RestartPreventExitStatus=4).
    assert done.returncode == 4, done.stderr
    assert "阳光行权平台无法启动 / Sunshine cannot start" in done.stderr
    assert "SUNSHINE_SECRET_KEY" in done.stderr and "SUNSHINE_AUDIT_KEY" in done.stderr
    assert "Traceback" not in done.stderr
