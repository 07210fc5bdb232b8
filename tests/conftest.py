"""Shared fixtures: every database test runs once per URL in SUNSHINE_TEST_DATABASE_URLS.

Each URL gets one migrated template per test session, and one more with the demo loaded; each test gets a fresh
copy of one (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so tests may commit freely
and the audit log's append-only triggers are real. Password hashes are made cheap for the whole suite.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from engine import passwords
from engine.db import make_engine, session_factory
from engine.migrate import upgrade

# Every demo user and every sign-in would otherwise cost a production argon2id hash (64 MiB, ≈ 0.13 s).
passwords.use_cheap_hashes_for_tests()

URLS = [u.strip() for u in os.environ.get("SUNSHINE_TEST_DATABASE_URLS", "sqlite").split(",") if u.strip()]
_counter = itertools.count()


@dataclass
class Database:
    """A migrated, empty database for one test."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def _label(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else make_url(url).get_backend_name()


class _Templates:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.made: dict[str, str] = {}
        self.demos: dict[str, str] = {}
        self.pg_admin: dict[str, Engine] = {}

    def template(self, url: str) -> str:
        """The migrated, empty template of ``url``: a file path on SQLite, a database name on PostgreSQL."""
        if url not in self.made:
            if url == "sqlite":
                path = self.tmp / "template.sqlite"
                upgrade(f"sqlite:///{path}")
                self.made[url] = str(path)
            else:
                name = f"sunshine_tpl_{os.getpid()}"
                self._create(url, name)
                upgrade(self._url_of(url, name))
                self.made[url] = name
        return self.made[url]

    def demo(self, url: str) -> str:
        """A template of ``url`` with the demo loaded (built once: loading it takes seconds)."""
        if url not in self.demos:
            from engine.demo import load_demo
            from engine.platform import build_runtime
            from tests.settings import make_settings

            if url == "sqlite":
                path = self.tmp / "demo.sqlite"
                shutil.copy(self.template(url), path)
                demo_url = f"sqlite:///{path}"
                made = str(path)
            else:
                made = f"sunshine_demo_{os.getpid()}"
                self._create(url, made, template=self.template(url))
                demo_url = self._url_of(url, made)
            engine = make_engine(demo_url)
            try:
                load_demo(build_runtime(session_factory(engine), make_settings(database_url=demo_url)))
            finally:
                engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
            self.demos[url] = made
        return self.demos[url]

    def _create(self, url: str, name: str, template: str | None = None) -> None:
        with self.admin(url).connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            c.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))

    @staticmethod
    def _url_of(url: str, name: str) -> str:
        return make_url(url).set(database=name).render_as_string(hide_password=False)

    def admin(self, url: str) -> Engine:
        if url not in self.pg_admin:
            self.pg_admin[url] = create_engine(url, isolation_level="AUTOCOMMIT")
        return self.pg_admin[url]

    def cleanup(self) -> None:
        for url, admin in self.pg_admin.items():
            with admin.connect() as c:
                for made in (self.demos, self.made):
                    if url in made:
                        c.execute(text(f"DROP DATABASE IF EXISTS {made[url]}"))
            admin.dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Templates]:
    t = _Templates(tmp_path_factory.mktemp("db"))
    yield t
    t.cleanup()


def _copy(url: str, templates: _Templates, template: str, tmp_path: Path) -> Iterator[Database]:
    """A fresh copy of ``template`` (of ``url``) for one test, dropped after it."""
    if url == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(template, path)
        test_url = f"sqlite:///{path}"
        engine = make_engine(test_url)
        yield Database(test_url, engine, session_factory(engine))
        engine.dispose()
        return
    name = f"sunshine_t_{os.getpid()}_{next(_counter)}"
    admin = templates.admin(url)
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    test_url = templates._url_of(url, name)
    engine = make_engine(test_url)
    try:
        yield Database(test_url, engine, session_factory(engine))
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=URLS, ids=[_label(u) for u in URLS])
def db(request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database on each configured backend."""
    yield from _copy(request.param, _templates, _templates.template(request.param), tmp_path)


@pytest.fixture(params=URLS, ids=[_label(u) for u in URLS])
def demo_db(request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """A fresh database holding the demo (``engine/demo.py``), as ``make run`` leaves it, on each backend."""
    yield from _copy(request.param, _templates, _templates.demo(request.param), tmp_path)


def drop_audit_triggers(db: Database) -> None:
    """What an attacker with DBA rights would do before tampering with the audit log and its checkpoints."""
    with db.engine.begin() as conn:
        for table in ("audit_events", "audit_checkpoints"):
            if db.dialect == "postgresql":
                conn.execute(text(f"DROP TRIGGER {table}_no_change ON {table}"))
                conn.execute(text(f"DROP TRIGGER {table}_no_truncate ON {table}"))
            else:
                conn.execute(text(f"DROP TRIGGER {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
