"""The audit log is append-only in the database and tamper-evident by its hash chain."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine import audit
from engine.prepared import Batch
from engine.store import AuditEvent, AuditHead
from tests.conftest import drop_audit_triggers


def _write(db, n: int = 3) -> list[int]:
    with db.sessions.begin() as s:
        return [audit.record(s, "clerk", "task.complete", step=f"第{i}步", payload={"i": i, "意见": "同意"}).id
                for i in range(n)]


def test_a_fresh_chain_verifies(db):
    _write(db, 5)
    with db.sessions() as s:
        result = audit.verify(s)
    assert (result.ok, result.checked) == (True, 5)


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_or_delete_events(db, statement):
    _write(db)
    with pytest.raises(DBAPIError) as err, db.engine.begin() as conn:
        conn.execute(text(statement))
    assert "append-only" in str(err.value)
    with db.sessions() as s:
        assert audit.verify(s).ok


def test_verify_names_the_first_altered_event(db):
    ids = _write(db, 4)
    drop_audit_triggers(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :i"), {"i": ids[1]})
    with db.sessions() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_id, result.reason) == (False, ids[1], "content")


def test_verify_notices_a_deleted_event(db):
    ids = _write(db, 4)
    drop_audit_triggers(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[2]})
    with db.sessions() as s:
        result = audit.verify(s)
    assert (result.broken_id, result.reason) == (ids[3], "link")


def test_verify_notices_events_cut_off_the_end(db):
    ids = _write(db, 3)
    drop_audit_triggers(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[2]})
    with db.sessions() as s:
        result = audit.verify(s)
    assert (result.broken_id, result.reason) == (ids[2], "tail")


def test_each_event_links_to_its_predecessor(db):
    _write(db, 3)
    with db.sessions() as s:
        events = s.query(AuditEvent).order_by(AuditEvent.id).all()
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_a_rolled_back_savepoint_does_not_break_the_chain(db):
    with db.sessions.begin() as s:
        audit.record(s, "clerk", "kept.before")
        try:
            with s.begin_nested():
                audit.record(s, "importer", "row.attempt")
                raise ValueError("row rejected")
        except ValueError:
            pass
        audit.record(s, "clerk", "kept.after")
    with db.sessions() as s:
        result = audit.verify(s)
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.id)]
    assert result.ok and actions == ["kept.before", "kept.after"]


def test_the_database_moves_the_head_to_each_new_event(db):
    recorded = _write(db, 2)
    with db.sessions() as s:
        head = s.get(AuditHead, 1)
        last = s.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert (head.last_id, head.last_hash) == (recorded[-1], last.hash)
    # An event appended without the application (say, by a migration script) still becomes the head, so
    # ``verify`` reports a broken link rather than silently ignoring a chain that went on without it.
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_events (at, actor, action, payload, prev_hash, hash) "
                          "VALUES (:at, 'script', 'x', '{}', :prev, :hash)"),
                     {"at": last.at, "prev": "f" * 64, "hash": "e" * 64})
    with db.sessions() as s:
        assert s.get(AuditHead, 1).last_hash == "e" * 64
        result = audit.verify(s)
    assert (result.ok, result.broken_id, result.reason) == (False, recorded[-1] + 1, "link")


def test_queued_events_keep_their_place_in_the_chain(db):
    """Events queued for a step's batch and events appended at once interleave in the order they were made."""
    with db.sessions.begin() as s:
        batch = Batch()
        audit.queue(s, batch, "clerk", "task.complete")
        audit.queue(s, batch, "clerk", "case.complete")
        audit.record(s, "supervisor", "alert.red")  # runs the queued two first
        audit.queue(s, batch, "clerk", "after.alert")
        batch.flush(s.connection())
    with db.sessions() as s:
        result = audit.verify(s)
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.id)]
    assert result.ok and actions == ["task.complete", "case.complete", "alert.red", "after.alert"]


def test_a_savepoint_after_queued_events_links_to_them(db):
    with db.sessions.begin() as s:
        batch = Batch()
        audit.queue(s, batch, "clerk", "task.complete")
        with s.begin_nested():
            audit.queue(s, batch, "clerk", "inside.savepoint")  # re-reads the tip: the queued event is stored first
        batch.flush(s.connection())
    with db.sessions() as s:
        assert audit.verify(s).ok
