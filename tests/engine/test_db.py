"""Sessions and connections: what read-only sessions promise, and what they leave behind on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

from engine.db import make_engine, readonly_factory
from engine.prepared import Prepared
from engine.store import Counter


def test_nothing_done_in_a_read_only_session_is_kept(db):
    with db.sessions.begin() as s:
        s.add(Counter(scope="serial", value=1))
    reader = readonly_factory(db.sessions)
    with reader() as s:
        try:
            s.execute(update(Counter).values(value=99))
        except DBAPIError:
            assert db.dialect == "postgresql"  # the server refuses the write outright
    with db.sessions() as s:
        assert s.scalar(select(Counter.value)) == 1


def test_a_read_leaves_the_connections_prepared_statements_in_place(db):
    """psycopg forgets a connection's prepared statements when it rolls back, which a read-only session does."""
    if db.dialect != "postgresql":
        pytest.skip("prepared statements on the server are PostgreSQL's")
    with db.sessions.begin() as s:
        s.add(Counter(scope="serial", value=0))
    bump = Prepared(update(Counter).where(Counter.scope == bindparam("of")).values(value=Counter.value + 1))
    with db.sessions.begin() as s:
        for _ in range(8):  # psycopg prepares a statement on the server from its sixth run
            bump.run(s.connection(), {"of": "serial"})
    with readonly_factory(db.sessions)() as s:
        assert s.scalar(select(Counter.value)) == 8
    with db.sessions() as s:
        prepared = s.scalar(text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'UPDATE counters%'"))
    assert prepared == 1


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def _terminate(db, pid: int) -> None:
    with db.engine.connect() as conn:
        conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})


def test_a_connection_dropped_while_idle_is_replaced_before_anyone_uses_it(db):
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    engine = make_engine(db.url, ping_after_idle=0)  # every pooled connection counts as idle long enough
    try:
        dropped = _backend_pid(engine)
        _terminate(db, dropped)  # a database restart or a firewall, while the connection sat in the pool
        assert _backend_pid(engine) != dropped
    finally:
        engine.dispose()


def test_a_connection_just_back_from_work_is_not_pinged_and_a_drop_then_costs_one_failure(db):
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    engine = make_engine(db.url, ping_after_idle=3600)
    try:
        dropped = _backend_pid(engine)
        _terminate(db, dropped)
        with pytest.raises(OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != dropped  # the pool has let go of the dead connection
    finally:
        engine.dispose()
