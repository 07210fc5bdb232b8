"""Two supervisors on one database — each its own runtime, engine and connections, ticking at the same moment —
raise each alert exactly once: through a burst of every kind of due work (steps' yellows and limits, timers firing,
cases' yellows and limits) and through the nightly sweep, every (case, subject, rule) has one alert and one audit
event, and neither supervisor fails."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import func, select

from engine.db import make_engine, session_factory
from engine.rules import nightly
from engine.runtime.cases import start_case
from engine.runtime.runtime import Runtime
from engine.store import Alert, AuditEvent, ProcessVersion
from engine.store.files import Attachment
from engine.supervisor.tick import TickResult, tick
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps
from tests.engine.files.helpers import attach_evidence

ACCEPT_WARN = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 05:00 Tuesday, Beijing: 受理申请's yellow (T1)
ACCEPT_DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)   # 24:00 Tuesday: its limit (the timer fires, T2)
PROMISED_DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 24:00 Monday 30 November: the case's limit (T3)
SECOND = timedelta(seconds=1)
CASES = 24


def race(rt: Runtime, url: str, at: datetime, work: Callable[[Runtime], Any]) -> list[Any]:
    """Run ``work`` in ``rt`` and in a second runtime with its own engine on ``url``, released together at ``at``."""
    engine = make_engine(url)
    second = Runtime(session_factory(engine), rt.settings)
    for runtime in (rt, second):  # connected and with the flowcharts parsed, so neither starts far behind
        with runtime.reader() as s:
            for version in s.execute(select(ProcessVersion)).scalars():
                runtime.codec.parsed(version)
    barrier = threading.Barrier(2)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(n: int, runtime: Runtime) -> None:
        try:
            barrier.wait()
            results[n] = work(runtime)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    try:
        with time_machine.travel(at, tick=False):
            threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate((rt, second))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        engine.dispose()
    if errors:
        raise errors[0]
    return [results[0], results[1]]


def _once_each(rt: Runtime) -> Counter[str]:
    """The alerts by rule, having checked that no (case, subject, rule) has two and that each alert has exactly one
    raising audit event."""
    with rt.reader() as s:
        keys = Counter(s.execute(select(Alert.case_id, Alert.subject, Alert.rule)).all())
        raised = Counter(
            (e.case_id, e.payload["subject"], e.payload["rule"]) for e in s.execute(
                select(AuditEvent).where(AuditEvent.action.in_(("alert.yellow", "alert.red")))).scalars())
    assert set(keys.values()) <= {1}
    assert raised == keys  # one alert.yellow / alert.red event per alert, none for a raise that lost the race
    return Counter(rule for _, _, rule in keys)


def test_two_supervisors_ticking_through_a_burst_raise_every_alert_exactly_once(db, rt, org, power):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        cases = [start_case(rt, power.code, APPLICANT, "申请", actor="clerk") for _ in range(CASES)]
    [warn_at] = {c.promised_warn_at for c in cases}
    results: list[TickResult] = []
    for moment in (ACCEPT_WARN, ACCEPT_DUE, warn_at, PROMISED_DUE):
        results += race(rt, db.url, moment + SECOND, lambda runtime: tick(runtime, batch=5))
    assert all(not r.failed for r in results)
    assert _once_each(rt) == {"T1": 2 * CASES, "T2": CASES, "T3": CASES}
    assert sum(r.fired_cases for r in results) == CASES
    # Each yellow taken over by its red was closed once too.
    with rt.reader() as s:
        closed = Counter(payload["alert"] for payload in s.execute(
            select(AuditEvent.payload).where(AuditEvent.action == "alert.closed")).scalars())
        escalated = s.execute(select(func.count()).select_from(Alert).where(Alert.closed_how == "escalated")).scalar()
    assert set(closed.values()) <= {1} and len(closed) >= escalated
    # And a later tick of both finds nothing left to raise.
    again = race(rt, db.url, PROMISED_DUE + timedelta(hours=1), tick)
    assert not any(r.did_anything for r in again)
    assert _once_each(rt) == {"T1": 2 * CASES, "T2": CASES, "T3": CASES}


def test_two_supervisors_sweeping_the_same_night_raise_each_changed_file_once(db, rt, org, power, tmp_path):
    # Files of a storage of the test's own: the suite's is shared and content-addressed, and these get altered.
    rt = Runtime(db.sessions, dataclasses.replace(rt.settings, files_dir=tmp_path))
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        cases = [start_case(rt, power.code, APPLICANT, "申请", actor="clerk") for _ in range(6)]
        for case in cases:
            [step] = open_steps(rt, case.id)
            attach_evidence(rt, org.clerk, case.id, step.id, name=f"证据{case.id}.pdf")
    with rt.reader() as s:
        keys = list(s.execute(select(Attachment.storage_key)).scalars())
    for key in keys:  # every stored file altered behind the platform's back
        (Path(rt.settings.files_dir) / key[:2] / key[2:4] / key).write_bytes(b"altered")
    swept = race(rt, db.url, MONDAY_10_BJ + timedelta(hours=16), nightly.sweep)
    assert sum(r["P2"] for r in swept) == len(cases)
    assert _once_each(rt) == {"P2": len(cases)}
