"""Serial numbers (办件流水号) stay gap-free per department and day, and are taken last: clerks of one department
starting cases at the same moment wait for each other only at COMMIT."""

from __future__ import annotations

import pytest
import time_machine
from psycopg.errors import LockNotAvailable
from sqlalchemy import select

from engine import audit
from engine.db import make_engine, session_factory
from engine.runtime.cases import start_case
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Loaded, Runtime
from engine.runtime.serials import case_serial
from engine.store import AuditEvent, Case
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_the_start_event_records_the_number_the_case_took(rt, org, power):
    cases = [start_case(rt, power.code, APPLICANT, f"申请 {i}", actor="clerk") for i in range(2)]
    with rt.reader() as s:
        stored = dict(s.execute(select(Case.id, Case.serial)).all())
        starts = s.execute(select(AuditEvent.case_id, AuditEvent.payload, AuditEvent.prev_hash)
                           .where(AuditEvent.action == "case.start").order_by(AuditEvent.id)).all()
    assert [c.serial for c in cases] == ["CSJ-20261123-0001", "CSJ-20261123-0002"]
    assert stored == {c.id: c.serial for c in cases}
    # Each start event is its case's first, and names the number the case row holds.
    assert [(e.case_id, e.payload["serial"], e.prev_hash) for e in starts] == [
        (c.id, c.serial, audit.GENESIS) for c in cases]
    with rt.sessions() as s:
        assert audit.verify(s).ok


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_a_case_that_fails_to_start_leaves_no_gap(rt, org, power):
    def fail(_loaded: Loaded) -> None:
        raise RuntimeProblem("case.invalid", fields={"subject": "required"})

    with pytest.raises(RuntimeProblem):
        start_case(rt, power.code, APPLICANT, "申请", actor="clerk", adjust=fail)
    assert start_case(rt, power.code, APPLICANT, "申请", actor="clerk").serial == "CSJ-20261123-0001"


@time_machine.travel(MONDAY_10_BJ, tick=False)
def test_two_clerks_of_one_department_wait_for_each_other_only_at_commit(db, rt, org, power):
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    # The second clerk's process gives up on any lock wait after a second: a wait fails the test instead of hanging.
    impatient = make_engine(db.url, connect_args={"options": "-c lock_timeout=1000"})
    other = Runtime(session_factory(impatient), rt.settings)
    started: list[str] = []

    def meanwhile(_loaded: Loaded) -> None:
        # The first clerk's case has run to its first step and holds its row; the second starts one and commits.
        try:
            started.append(start_case(other, power.code, APPLICANT, "申请 2", actor="clerk").serial)
        except Exception as exc:  # noqa: BLE001 - the test names what it waited on
            started.append(repr(exc))

    try:
        first = start_case(rt, power.code, APPLICANT, "申请 1", actor="clerk", adjust=meanwhile)
    finally:
        impatient.dispose()
    assert started == ["CSJ-20261123-0001"], f"the second clerk waited: {started}"
    assert first.serial == "CSJ-20261123-0002"


def test_a_clerk_who_would_wait_on_the_counter_gives_up_instead_of_hanging(db, rt, org, power):
    """What the test above relies on: with the department's counter row held, a second start fails fast."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    impatient = make_engine(db.url, connect_args={"options": "-c lock_timeout=200"})
    other = Runtime(session_factory(impatient), rt.settings)
    try:
        with time_machine.travel(MONDAY_10_BJ, tick=False), rt.sessions.begin() as s:
            case_serial(s, org.department.code, MONDAY_10_BJ)  # holds the department's row until COMMIT
            with pytest.raises(LockNotAvailable):
                start_case(other, power.code, APPLICANT, "申请", actor="clerk")
    finally:
        impatient.dispose()
