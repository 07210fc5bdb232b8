"""The shipped deployment files agree with each other and with the settings: a limit, a socket or a timeout changed
in one place and not the other would break production quietly (deploy/, docs/deploy.md)."""

from __future__ import annotations

import configparser
import multiprocessing
import re
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

from app import uploads
from engine.catalog import importer
from engine.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = (DEPLOY / "nginx" / "sunshine.conf").read_text()
SOCKET = "/run/sunshine/web.sock"


def _nginx(directive: str) -> str:
    found = re.findall(rf"^\s*{directive}\s+([^;]+);", NGINX, re.M)
    assert len(found) == 1, (directive, found)
    return found[0].strip()


def _seconds(value: str) -> int:
    assert value.endswith("s"), value
    return int(value[:-1])


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "systemd" / name)
    return unit


def _gunicorn(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    return {k: v for k, v in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items() if not k.startswith("_")}


def _env_example() -> dict[str, str]:
    lines = (DEPLOY / "sunshine.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_request_limit_is_the_same_in_nginx_the_settings_and_the_example():
    assert _nginx("client_max_body_size") == "21m"
    limit = 21 * 1024 * 1024
    assert Settings().max_request_bytes == limit == int(_env_example()["SUNSHINE_MAX_REQUEST_BYTES"])
    # ... and it admits the largest legitimate upload with its form.
    assert limit >= importer.MAX_BYTES + uploads.FORM_OVERHEAD


def test_nginx_gunicorn_and_systemd_meet_on_one_socket(monkeypatch):
    assert re.search(rf"server unix:{re.escape(SOCKET)}\b", NGINX)
    assert _gunicorn(monkeypatch)["bind"] == [f"unix:{SOCKET}"]
    socket_unit = _unit("sunshine-web.socket")
    assert socket_unit["Socket"]["ListenStream"] == SOCKET
    assert (socket_unit["Socket"]["SocketGroup"], socket_unit["Socket"]["SocketMode"]) == ("www-data", "0660")


def test_gunicorn_settings_are_valid_and_fit_behind_nginx(monkeypatch):
    conf = _gunicorn(monkeypatch)
    cfg = Config()
    for name, value in conf.items():
        if name in cfg.settings:
            cfg.set(name, value)  # gunicorn's own validation
        else:
            assert name in {"multiprocessing", "os"}, f"not a gunicorn setting: {name}"
    assert cfg.wsgi_app == "app.wsgi:application" and cfg.worker_class_str == "sync"
    assert cfg.workers == multiprocessing.cpu_count() * 2 + 1
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == 3
    # nginx waits for an answer a little longer than gunicorn lets a request run.
    assert cfg.timeout < _seconds(_nginx("proxy_read_timeout"))
    # What nginx lets through, gunicorn accepts: 4 buffers of 8k for the request line and each header field.
    assert _nginx("large_client_header_buffers") == "4 8k"
    assert cfg.limit_request_line <= 8192 and cfg.limit_request_field_size <= 8192
    assert set(cfg.forwarded_allow_ips) == {"127.0.0.1", "::1"}


def test_nginx_buffers_requests_and_passes_the_client_address_and_scheme():
    assert _nginx("proxy_request_buffering") == "on" and _nginx("proxy_buffering") == "on"
    assert _nginx("proxy_set_header X-Forwarded-For") == "$proxy_add_x_forwarded_for"
    assert _nginx("proxy_set_header X-Forwarded-Proto") == "$scheme"
    for timeout in ("client_header_timeout", "client_body_timeout", "send_timeout", "keepalive_timeout"):
        assert 0 < _seconds(_nginx(timeout)) <= 60, timeout
    assert _nginx("limit_conn").startswith("sunshine_per_address ")
    assert re.search(r"location /static/ \{\s*alias /srv/sunshine/app/static/;", NGINX)


def test_the_units_run_the_shipped_config_with_the_supervisor_on_its_own():
    web = _unit("sunshine-web.service")["Service"]
    supervisor = _unit("sunshine-supervisor.service")["Service"]
    assert web["ExecStart"] == "/srv/sunshine/.venv/bin/gunicorn --config /srv/sunshine/deploy/gunicorn.conf.py"
    assert web["Environment"] == "SUNSHINE_SUPERVISOR_IN_WEB=0"
    assert web["RestartPreventExitStatus"] == "4"  # app/wsgi.py's exit status when settings cannot work
    assert supervisor["ExecStart"] == "/srv/sunshine/.venv/bin/sunshine supervisor"
    assert web["EnvironmentFile"] == supervisor["EnvironmentFile"] == "/etc/sunshine/sunshine.env"
    assert _unit("sunshine-web.service")["Unit"]["Requires"] == "sunshine-web.socket"


def test_the_example_settings_are_settings_the_platform_accepts():
    example = _env_example()
    fields = {f"SUNSHINE_{name.upper()}" for name in Settings.__dataclass_fields__}
    assert set(example) <= fields
    settings = Settings.from_env({**example, "SUNSHINE_SECRET_KEY": "k" * 48, "SUNSHINE_AUDIT_KEY": "a" * 48})
    assert (settings.env, settings.trusted_proxies) == ("production", 1)
