"""Database engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

READONLY = "sunshine_readonly"


#: A pooled connection idle for less than this is handed out without a ping (HikariCP's "alive bypass").
PING_AFTER_IDLE = 0.5


def make_engine(url: str, *, ping_after_idle: float = PING_AFTER_IDLE, **kwargs: object) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and write-intent transactions; server databases get
    pooled connections checked after ``ping_after_idle`` seconds unused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, **kwargs)
        _ping_when_idle(engine, ping_after_idle)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # pysqlite's own transaction handling starts transactions lazily and deferred; two writers
        # would then deadlock on lock upgrade. We take over and begin IMMEDIATE (see below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Readers take no write lock, so a read nested in a write transaction (in WAL mode) cannot deadlock.
        # Straight to the driver: this runs for every transaction, and ``exec_driver_sql`` costs ten times more.
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.connection.dbapi_connection.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """Check a pooled connection with a ping before handing it out, unless it was in use moments ago.

    ``pool_pre_ping`` pings on every checkout, a round trip per transaction. A connection back in the pool for
    less than ``seconds`` was just working; one unused longer may have been dropped by a database restart or
    a firewall, and a failed ping makes the pool replace it before anyone uses it.
    """
    idle_since = "sunshine_idle_since"

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[idle_since] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(idle_since)
        if since is None or time.monotonic() - since < seconds:  # new, or just back from work
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("pooled connection is gone") from exc  # the pool reconnects and retries


def readonly_factory(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for reading only. Nothing they do is kept: on SQLite they begin without claiming the write lock
    and roll back; on PostgreSQL they use their own pool of read-only connections (see ``_reader_engine``)."""
    engine: Engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        reader = _reader_engine(engine)
    else:
        reader = engine.execution_options(**{READONLY: True})
    return sessionmaker(bind=reader, expire_on_commit=False, info=dict(sessions.kw.get("info") or {}))


def _reader_engine(engine: Engine) -> Engine:
    """PostgreSQL connections for readers: autocommit, and read-only by the server's own default.

    Under READ COMMITTED every statement takes its own snapshot anyway, so a transaction around reads only
    adds BEGIN and COMMIT round trips. Readers on the writers' pool also ended every session with a rollback,
    and psycopg forgets all of a connection's prepared statements when it rolls back. The server refuses
    writes on these connections, so a read-only session cannot change anything by mistake.
    """
    url = engine.url
    options = " ".join(filter(None, [url.query.get("options"), "-c default_transaction_read_only=on"]))
    reader = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"options": options})
    _ping_when_idle(reader, PING_AFTER_IDLE)
    event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
    return reader


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
