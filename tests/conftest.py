"""Shared fixtures: every database test runs once per URL in SUNSHINE_TEST_DATABASE_URLS.

Each URL gets one migrated template per test session; each test gets a fresh copy of it (a file copy
on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so tests may commit freely and the audit
log's append-only triggers are real.
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

from engine.db import make_engine, session_factory
from engine.migrate import upgrade

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
        self.pg_admin: dict[str, Engine] = {}

    def template(self, url: str) -> str:
        if url not in self.made:
            if url == "sqlite":
                path = self.tmp / "template.sqlite"
                upgrade(f"sqlite:///{path}")
                self.made[url] = str(path)
            else:
                name = f"sunshine_tpl_{os.getpid()}"
                admin = self.admin(url)
                with admin.connect() as c:
                    c.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                    c.execute(text(f"CREATE DATABASE {name}"))
                upgrade(make_url(url).set(database=name).render_as_string(hide_password=False))
                self.made[url] = name
        return self.made[url]

    def admin(self, url: str) -> Engine:
        if url not in self.pg_admin:
            self.pg_admin[url] = create_engine(url, isolation_level="AUTOCOMMIT")
        return self.pg_admin[url]

    def cleanup(self) -> None:
        for url, admin in self.pg_admin.items():
            if url in self.made:
                with admin.connect() as c:
                    c.execute(text(f"DROP DATABASE IF EXISTS {self.made[url]}"))
            admin.dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Templates]:
    t = _Templates(tmp_path_factory.mktemp("db"))
    yield t
    t.cleanup()


@pytest.fixture(params=URLS, ids=[_label(u) for u in URLS])
def db(request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database on each configured backend."""
    url: str = request.param
    template = _templates.template(url)
    if url == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(template, path)
        test_url = f"sqlite:///{path}"
        engine = make_engine(test_url)
        yield Database(test_url, engine, session_factory(engine))
        engine.dispose()
        return
    name = f"sunshine_t_{os.getpid()}_{next(_counter)}"
    admin = _templates.admin(url)
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    test_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(test_url)
    try:
        yield Database(test_url, engine, session_factory(engine))
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def drop_audit_triggers(db: Database) -> None:
    """What an attacker with DBA rights would do before tampering with the audit log."""
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("DROP TRIGGER audit_events_no_change ON audit_events"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
