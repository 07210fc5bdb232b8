"""No row every case needs: appenders to different cases never wait for each other, appenders to one case take
turns, and checkpoints seal only what is committed for good (PostgreSQL, where transactions really overlap)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import time_machine
from psycopg.errors import QueryCanceled
from sqlalchemy import func, select, text

from engine import audit
from engine.runtime.cases import start_case
from engine.store import AuditCheckpoint, AuditEvent
from tests.engine.audit_attacks import seal_everything
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ


@pytest.fixture
def cases(db, rt, power) -> tuple[int, int]:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: its appenders always take turns")
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        return tuple(start_case(rt, power.code, APPLICANT, f"申请 {i}", actor="clerk").id for i in range(2))


def _give_up_waiting_after(session, ms: int) -> None:
    """A lock wait fails the test instead of hanging it."""
    session.execute(text(f"SET LOCAL statement_timeout = {ms}"))


def test_appenders_to_different_cases_do_not_wait_for_each_other(db, cases):
    first, second = cases
    with db.sessions() as a, db.sessions() as b:
        a.begin()
        audit.record(a, "clerk", "task.complete", case_id=first)  # holds its stream until it commits
        b.begin()
        _give_up_waiting_after(b, 2000)
        audit.record(b, "reviewer", "task.complete", case_id=second)  # would time out behind a shared head row
        b.commit()
        a.commit()
    with db.sessions() as s:
        assert audit.verify(s).ok


def test_appenders_to_one_case_take_turns_and_keep_its_chain(db, cases):
    case_id = cases[0]
    with db.sessions() as a:
        a.begin()
        mine = audit.record(a, "clerk", "task.complete", case_id=case_id)
        with db.sessions() as b:
            b.begin()
            _give_up_waiting_after(b, 200)
            with pytest.raises(QueryCanceled, match="statement timeout"):
                audit.record(b, "reviewer", "task.complete", case_id=case_id)
            b.rollback()

        # A second appender waits for the first to commit, then links to its event.
        started = threading.Event()
        pids: list[int] = []
        recorded: list[audit.Recorded] = []

        def second() -> None:
            with db.sessions.begin() as b:
                pids.append(b.execute(text("SELECT pg_backend_pid()")).scalar_one())
                started.set()
                recorded.append(audit.record(b, "reviewer", "task.complete", case_id=case_id))

        thread = threading.Thread(target=second)
        thread.start()
        assert started.wait(10)
        with db.engine.connect() as watch:  # until the second appender is seen blocked on the stream's lock
            for _ in range(10_000):
                if watch.execute(text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
                                 {"pid": pids[0]}).scalar():
                    break
                watch.rollback()
            else:
                pytest.fail("the second appender never waited")
        a.commit()
    thread.join(10)
    with db.sessions() as s:
        theirs = s.get(AuditEvent, recorded[0].id)
        assert theirs.prev_hash == mine.hash
        assert audit.verify(s).ok


def test_a_checkpoint_never_seals_a_transaction_still_running(db, cases, tmp_path: Path):
    """Ids are not committed in id order: A takes the lower id and commits after B. A checkpoint taken between
    seals neither A's event nor anything after it; a later one seals both."""
    path = tmp_path / "audit-checkpoints.jsonl"
    seal_everything(db.sessions, path)  # the cases' own events
    first, second = cases
    with db.sessions() as a:
        a.begin()
        early = audit.record(a, "clerk", "task.complete", case_id=first)
        with db.sessions.begin() as b:
            late = audit.record(b, "reviewer", "task.complete", case_id=second)
        assert late.id > early.id
        between = audit.checkpoint(db.sessions, path).checkpoint
        a.commit()
    with db.sessions() as s:
        xact_a = s.scalar(select(AuditEvent.xact).where(AuditEvent.id == early.id))
        sealed_upto = s.scalar(select(AuditCheckpoint.upto).order_by(AuditCheckpoint.seq.desc()).limit(1))
    assert between is None or between.upto <= xact_a  # A was running: nothing made meanwhile sealed its event
    assert sealed_upto <= xact_a
    seal_everything(db.sessions, path)
    with db.sessions() as s:
        result = audit.verify(s, checkpoint_file=path)
        sealed = s.scalar(select(func.sum(AuditCheckpoint.count)))
    assert (result.ok, result.unsealed, sealed) == (True, 0, result.checked)
