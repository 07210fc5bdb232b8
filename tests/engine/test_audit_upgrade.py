"""A database from before migration 0008 keeps its events as they are: they verify the old way, and once the first
checkpoint anchors them, rewriting them (which plain SHA-256 always allowed) no longer goes unseen."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.engine import make_url

from app.cli import CliState, main
from engine import audit
from engine.db import make_engine, session_factory
from engine.migrate import upgrade
from engine.store import AuditEvent
from tests.conftest import URLS, Database, _label, drop_audit_triggers
from tests.engine.audit_attacks import seal_everything
from tests.settings import AUDIT_KEY, make_settings

_counter = itertools.count()
LEGACY = 5


@pytest.fixture(params=URLS, ids=[_label(u) for u in URLS])
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database migrated only to 0007, as a deployment from before the audit anchoring left it."""
    url: str = request.param
    if url == "sqlite":
        made = f"sqlite:///{tmp_path / 'old.sqlite'}"
        admin = None
    else:
        name = f"sunshine_old_{os.getpid()}_{next(_counter)}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE {name}"))
        made = make_url(url).set(database=name).render_as_string(hide_password=False)
    upgrade(made, "0007")
    engine = make_engine(made)
    try:
        yield Database(made, engine, session_factory(engine))
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS {make_url(made).database} WITH (FORCE)"))
            admin.dispose()


def _sha256_chain_hash(prev: str, at: datetime, actor: str, action: str, payload: dict) -> str:
    """How events were hashed before 0008 (system events: no case, no step)."""
    body = json.dumps({"prev": prev, "at": at.isoformat(), "actor": actor, "action": action, "case": None,
                       "step": None, "payload": payload}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _put_legacy_events(db: Database, payloads: list[dict], *, start: int = 0, prev: str = audit.GENESIS) -> str:
    """Events as the old code wrote them (through the 0004 trigger on ``audit_head`` when it still exists)."""
    payload_value = "CAST(:payload AS JSONB)" if db.dialect == "postgresql" else ":payload"
    first = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        for i, payload in enumerate(payloads, start):
            at = first + timedelta(minutes=i)
            digest = _sha256_chain_hash(prev, at, "legal", "catalog.edit", payload)
            conn.execute(text("INSERT INTO audit_events (at, actor, action, payload, prev_hash, hash) "
                              f"VALUES (:at, 'legal', 'catalog.edit', {payload_value}, :prev, :hash)"),
                         {"at": at.replace(tzinfo=None), "payload": json.dumps(payload, ensure_ascii=False),
                          "prev": prev, "hash": digest})
            prev = digest
    return prev


def _verify(db: Database, path: Path | None = None) -> audit.VerifyResult:
    with db.sessions() as s:
        return audit.verify(s, checkpoint_file=path)


def test_an_upgraded_log_verifies_and_a_rewritten_legacy_event_is_caught_once_anchored(old_db, tmp_path):
    _put_legacy_events(old_db, [{"change": i, "字段": "名称"} for i in range(LEGACY)])
    with old_db.engine.connect() as conn:
        before = conn.execute(text("SELECT id, prev_hash, hash FROM audit_events ORDER BY id")).all()
    upgrade(old_db.url)
    assert "audit_head" not in inspect(old_db.engine).get_table_names()
    with old_db.engine.connect() as conn:  # the upgrade rewrote nothing
        assert conn.execute(text("SELECT id, prev_hash, hash FROM audit_events ORDER BY id")).all() == before

    audit.use_key(old_db.sessions, AUDIT_KEY)
    assert _verify(old_db).ok
    with old_db.sessions.begin() as s:  # new events start their own stream
        audit.record(s, "legal", "catalog.edit", payload={"change": "after"})
        audit.record(s, "legal", "catalog.edit", payload={"change": "after", "n": 2})
    with old_db.sessions() as s:
        keyed = s.scalars(select(AuditEvent).where(AuditEvent.key_id.is_not(None)).order_by(AuditEvent.id)).all()
    assert keyed[0].prev_hash == audit.GENESIS and keyed[1].prev_hash == keyed[0].hash
    path = tmp_path / "audit-checkpoints.jsonl"
    seal_everything(old_db.sessions, path)
    result = _verify(old_db, path)
    assert (result.ok, result.checked, result.unsealed) == (True, LEGACY + 2, 0)

    # The superuser rewrites the second legacy event and re-hashes the old chain after it: plain SHA-256 lets
    # anyone do that, and the old chain alone still looks intact. The checkpoint's digest does not.
    drop_audit_triggers(old_db)
    events = AuditEvent.__table__.c
    with old_db.engine.begin() as conn:
        rows = conn.execute(select(events.id, events.at, events.payload, events.prev_hash)
                            .where(events.key_id.is_(None)).order_by(events.id)).all()
        prev = rows[1].prev_hash
        for n, row in enumerate(rows[1:]):
            payload = {"change": 1, "字段": "罚款上限"} if n == 0 else row.payload
            digest = _sha256_chain_hash(prev, row.at, "legal", "catalog.edit", payload)
            conn.execute(update(AuditEvent.__table__).where(events.id == row.id)
                         .values(payload=payload, prev_hash=prev, hash=digest))
            prev = digest
    result = _verify(old_db, path)
    assert (result.ok, result.reason, result.problem.checkpoint) == (False, "sealed_events", 1)


def test_sunshine_db_upgrade_anchors_the_legacy_events_at_once(old_db, tmp_path):
    _put_legacy_events(old_db, [{"change": i} for i in range(LEGACY)])
    path = tmp_path / "audit-checkpoints.jsonl"
    state = CliState(make_settings(database_url=old_db.url, audit_checkpoint_path=path))
    result = CliRunner().invoke(main, ["db", "upgrade"], obj=state)
    assert result.exit_code == 0, result.output
    # Sealed by the upgrade itself: no window in which a legacy event could still be rewritten unseen.
    assert f"sealed {LEGACY} " in result.output
    audit.use_key(old_db.sessions, AUDIT_KEY)
    verified = _verify(old_db, path)
    assert (verified.ok, verified.checked, verified.unsealed, verified.checkpoints) == (True, LEGACY, 0, 1)
