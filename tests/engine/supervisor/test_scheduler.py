"""The first tick comes as the supervisor starts, on its own (``sunshine supervisor``) or in the web process."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

from engine.runtime.cases import start_case
from engine.runtime.runtime import Runtime
from engine.store import AuditEvent
from engine.supervisor.scheduler import run_forever, start_background
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ

ACCEPT_DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 受理申请's limit: 24:00 Tuesday, Beijing
#: Far longer than any test may wait: a first tick one interval after start-up could never be seen.
HOUR = 3600.0
#: How long a test waits for the first tick before it fails (it comes at once when all is well).
PATIENCE = 60.0


def _supervisor(rt: Runtime, tmp_path: Path) -> Runtime:
    """A supervisor ticking every hour, sealing its audit checkpoints into ``tmp_path``."""
    settings = dataclasses.replace(rt.settings, tick_seconds=HOUR, audit_checkpoint_path=tmp_path / "seals.jsonl")
    return Runtime(rt.sessions, settings)


def _watch(scheduler: BaseScheduler) -> tuple[threading.Event, list[JobExecutionEvent]]:
    ran = threading.Event()
    events: list[JobExecutionEvent] = []

    def seen(event: JobExecutionEvent) -> None:
        events.append(event)
        ran.set()

    scheduler.add_listener(seen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    return ran, events


def _fired(rt: Runtime, case_id: int) -> list[str | None]:
    with rt.reader() as s:
        return list(s.execute(select(AuditEvent.step).where(AuditEvent.case_id == case_id,
                                                             AuditEvent.action == "timer.fired")).scalars())


def test_sunshine_supervisor_ticks_as_it_starts_not_one_interval_later(rt, org, power, tmp_path):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    scheduler = BlockingScheduler(timezone="UTC")
    ran, events = _watch(scheduler)
    # The supervisor process starts with a limit already past (it was down, say).
    with time_machine.travel(ACCEPT_DUE + timedelta(minutes=5), tick=True):
        process = threading.Thread(target=run_forever, args=(_supervisor(rt, tmp_path), scheduler))
        process.start()
        try:
            assert ran.wait(PATIENCE), "no tick at start-up"
        finally:
            scheduler.shutdown(wait=False)
            process.join(PATIENCE)
    assert [e.exception for e in events] == [None]
    assert _fired(rt, case.id) == ["受理申请"]


def test_the_web_process_supervisor_ticks_as_it_starts(rt, org, power, tmp_path):
    with time_machine.travel(MONDAY_10_BJ, tick=False):
        case = start_case(rt, power.code, APPLICANT, "申请", actor="clerk")
    scheduler = BackgroundScheduler(timezone="UTC")
    ran, events = _watch(scheduler)
    with time_machine.travel(ACCEPT_DUE + timedelta(minutes=5), tick=True):
        start_background(_supervisor(rt, tmp_path), scheduler)
        try:
            assert ran.wait(PATIENCE), "no tick at start-up"
        finally:
            scheduler.shutdown()
    assert [e.exception for e in events] == [None]
    assert _fired(rt, case.id) == ["受理申请"]
