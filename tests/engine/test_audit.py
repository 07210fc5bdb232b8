"""The audit log: append-only in the database, keyed with a secret the database never holds, sealed by checkpoints
that a copy outside the database vouches for; ``verify`` finds what its own superuser changed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from engine import audit
from engine.db import session_factory
from engine.prepared import Batch
from engine.runtime.cases import start_case
from engine.store import AuditCheckpoint, AuditEvent
from tests.conftest import drop_audit_triggers
from tests.engine.audit_attacks import plain_sha256, rewrite, seal_everything, wrong_key
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ
from tests.settings import AUDIT_KEY


@pytest.fixture(autouse=True)
def _keyed(db):
    audit.use_key(db.sessions, AUDIT_KEY)


@pytest.fixture
def checkpoints(tmp_path: Path) -> Path:
    return tmp_path / "audit-checkpoints.jsonl"


def _write(db, n: int = 3, case_id: int | None = None) -> list[int]:
    with db.sessions.begin() as s:
        return [audit.record(s, "clerk", "task.complete", case_id=case_id, step=f"第{i}步",
                             payload={"i": i, "意见": "同意"}).id for i in range(n)]


def _verify(db, checkpoints: Path | None = None) -> audit.VerifyResult:
    with db.sessions() as s:
        return audit.verify(s, checkpoint_file=checkpoints)


@pytest.fixture
def two_cases(rt, power) -> tuple[int, int]:
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return tuple(start_case(rt, power.code, APPLICANT, f"申请 {i}", actor="clerk").id for i in range(2))


def test_a_fresh_log_verifies(db):
    _write(db, 5)
    result = _verify(db)
    assert (result.ok, result.checked) == (True, 5)


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events",
                                       "UPDATE audit_checkpoints SET count = 0", "DELETE FROM audit_checkpoints"])
def test_the_database_refuses_to_change_or_delete_events_and_checkpoints(db, checkpoints, statement):
    _write(db)
    seal_everything(db.sessions, checkpoints)
    with pytest.raises(DBAPIError) as err, db.engine.begin() as conn:
        conn.execute(text(statement))
    assert "append-only" in str(err.value)
    assert _verify(db, checkpoints).ok


def test_the_key_stays_out_of_the_database(db, checkpoints):
    _write(db)
    seal_everything(db.sessions, checkpoints)
    with db.engine.connect() as conn:
        dump = " ".join(str(row) for table in ("audit_events", "audit_checkpoints")
                        for row in conn.execute(text(f"SELECT * FROM {table}")))
    assert AUDIT_KEY not in dump and AUDIT_KEY not in checkpoints.read_text()


def test_each_event_links_to_the_previous_event_of_its_own_stream(db, two_cases):
    first, second = two_cases
    with db.sessions.begin() as s:
        for case_id in (first, second, None, first, second, None):
            audit.record(s, "clerk", "note", case_id=case_id)
    with db.sessions() as s:
        events = s.query(AuditEvent).order_by(AuditEvent.id).all()
    for stream in (first, second, None):
        chain = [e for e in events if e.case_id == stream]
        assert chain[0].prev_hash == audit.GENESIS
        assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    assert _verify(db).ok


@pytest.mark.parametrize("forge", [plain_sha256, wrong_key], ids=["plain-sha256", "wrong-key"])
def test_a_superuser_rewrite_is_named(db, two_cases, forge):
    """Triggers dropped, one event changed and its stream re-hashed to the end: what the old chain could not see."""
    case_id = two_cases[0]
    ids = _write(db, 4, case_id=case_id)
    _write(db, 2)  # other streams go on untouched
    drop_audit_triggers(db)
    rewrite(db.engine, ids[1], {"i": 1, "意见": "不同意"}, forge)
    result = _verify(db)
    assert (result.ok, result.broken_id, result.reason) == (False, ids[1], "content")
    assert f"事件 #{ids[1]}（案件 {case_id} 的流）" in result.problem.zh
    assert f"event #{ids[1]} (case {case_id}'s stream)" in result.problem.en


def test_an_event_disguised_as_a_legacy_one_is_named(db):
    ids = _write(db, 4)
    drop_audit_triggers(db)
    with db.engine.begin() as conn:
        # Legacy events (before migration 0008) carry plain SHA-256 hashes; keyed events came after them all.
        conn.execute(text("UPDATE audit_events SET key_id = NULL WHERE id = :i"), {"i": ids[2]})
    result = _verify(db)
    assert (result.broken_id, result.reason) == (ids[2], "legacy_order")


def test_verify_notices_a_deleted_event(db):
    ids = _write(db, 4)
    drop_audit_triggers(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[2]})
    assert (_verify(db).broken_id, _verify(db).reason) == (ids[3], "link")


def test_cutting_off_a_case_streams_tail_after_a_checkpoint_is_detected(db, two_cases, checkpoints):
    case_id = two_cases[0]
    ids = _write(db, 3, case_id=case_id)
    seal_everything(db.sessions, checkpoints)
    drop_audit_triggers(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[-1]})
    result = _verify(db, checkpoints)
    assert (result.ok, result.reason) == (False, "sealed_events")
    assert "events were deleted or inserted" in result.problem.en


def test_rolling_the_database_back_past_its_last_checkpoints_is_detected_by_the_file(db, checkpoints):
    _write(db, 2)
    seal_everything(db.sessions, checkpoints)
    with db.sessions() as s:
        kept = s.scalar(select(func.max(AuditCheckpoint.seq)))
    _write(db, 3)
    seal_everything(db.sessions, checkpoints)
    # The superuser removes the newer events and every checkpoint that sealed them: the table is consistent again.
    drop_audit_triggers(db)
    with db.sessions.begin() as s:
        upto = s.scalar(select(AuditCheckpoint.upto).where(AuditCheckpoint.seq == kept))
        seal = AuditEvent.xact if db.dialect == "postgresql" else AuditEvent.id
        s.execute(delete(AuditEvent).where(seal >= upto))
        s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq > kept))
    assert _verify(db).ok  # the database alone cannot tell
    result = _verify(db, checkpoints)
    assert (result.ok, result.reason, result.problem.checkpoint) == (False, "file_not_in_database", kept + 1)
    assert "rolled back or rewritten" in result.problem.en


def test_a_rewritten_checkpoint_is_named(db, checkpoints):
    _write(db, 3)
    seal_everything(db.sessions, checkpoints)
    drop_audit_triggers(db)
    with db.sessions.begin() as s:
        s.execute(update(AuditCheckpoint).values(count=AuditCheckpoint.count - 1))
    result = _verify(db)
    assert (result.reason, result.problem.checkpoint) == ("checkpoint", 1)


def test_verify_says_how_many_events_no_checkpoint_seals_yet(db, checkpoints):
    _write(db, 2)
    seal_everything(db.sessions, checkpoints)
    _write(db, 3)
    result = _verify(db, checkpoints)
    assert (result.ok, result.checked, result.unsealed, result.checkpoints, result.in_file) == (True, 5, 3, 1, 1)


def test_a_checkpoint_file_that_cannot_be_written_is_an_error_in_the_log_and_caught_up_later(db, tmp_path, caplog):
    path = tmp_path / "missing-dir" / "audit-checkpoints.jsonl"
    _write(db, 2)
    with caplog.at_level(logging.ERROR, logger="sunshine.audit"):
        seal_everything(db.sessions, path)  # sealed in the database all the same
        assert "missing-dir" in audit.checkpoint(db.sessions, path).file_problem
    assert "missing-dir" in caplog.text and "SUNSHINE_AUDIT_CHECKPOINT_PATH" in caplog.text
    path.parent.mkdir()
    audit.checkpoint(db.sessions, path)  # nothing new to seal, but the file gets what it missed
    result = _verify(db, path)
    assert (result.ok, result.in_file) == (True, result.checkpoints)


def test_a_checkpoint_file_missing_while_the_database_has_checkpoints_is_reported(db, checkpoints):
    _write(db, 2)
    seal_everything(db.sessions, checkpoints)
    checkpoints.unlink()
    assert _verify(db, checkpoints).reason == "file_missing"


def test_a_second_checkpoint_seals_only_what_came_since(db, checkpoints):
    _write(db, 2)
    seal_everything(db.sessions, checkpoints)
    _write(db, 3)
    seal_everything(db.sessions, checkpoints)
    with db.sessions() as s:
        counts = s.scalars(select(AuditCheckpoint.count).order_by(AuditCheckpoint.seq)).all()
    assert sum(counts) == 5 and counts[0] == 2
    assert audit.checkpoint(db.sessions, checkpoints).checkpoint is None  # nothing new: no empty checkpoint
    assert _verify(db, checkpoints).ok


def test_without_the_key_nothing_is_written(db):
    with session_factory(db.engine).begin() as s, pytest.raises(audit.AuditKeyMissing, match="SUNSHINE_AUDIT_KEY"):
        audit.record(s, "clerk", "task.complete")


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
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.id)]
    assert _verify(db).ok and actions == ["kept.before", "kept.after"]


def test_queued_events_keep_their_place_in_the_chain(db, two_cases):
    """Events queued for a step's batch and events appended at once interleave in the order they were made."""
    case_id = two_cases[0]
    with db.sessions.begin() as s:
        batch = Batch()
        audit.queue(s, batch, "clerk", "task.complete", case_id=case_id)
        audit.queue(s, batch, "clerk", "case.complete", case_id=case_id)
        audit.record(s, "supervisor", "alert.red", case_id=case_id)  # runs the queued two first
        audit.queue(s, batch, "clerk", "after.alert", case_id=case_id)
        batch.flush(s.connection())
    with db.sessions() as s:
        actions = [e.action for e in s.query(AuditEvent).where(AuditEvent.case_id == case_id)
                   .order_by(AuditEvent.id)][-4:]  # after the case's own case.start
    assert _verify(db).ok and actions == ["task.complete", "case.complete", "alert.red", "after.alert"]


def test_a_savepoint_after_queued_events_links_to_them(db):
    with db.sessions.begin() as s:
        batch = Batch()
        audit.queue(s, batch, "clerk", "task.complete")
        with s.begin_nested():
            audit.queue(s, batch, "clerk", "inside.savepoint")  # re-reads the tip: the queued event is stored first
        batch.flush(s.connection())
    assert _verify(db).ok
