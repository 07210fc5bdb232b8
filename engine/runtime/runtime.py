"""The runtime: loads a case's workflow under a lock, applies one change, saves it with its index rows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from engine import audit, clock
from engine.alerts import raise_alert
from engine.calendar import CalendarCache, WorkCalendar
from engine.config import Settings
from engine.db import readonly_factory
from engine.forms import FormRegistry
from engine.runtime import index
from engine.runtime.codec import WorkflowCodec
from engine.runtime.errors import RuntimeProblem
from engine.runtime.hooks import Hooks
from engine.runtime.inspect import end_name
from engine.sandbox import SandboxError, script_engine
from engine.store import Case, OpenTask

log = logging.getLogger("sunshine.runtime")


@dataclass
class Loaded:
    """A case locked for change, with its workflow restored."""

    session: Session
    case: Case
    workflow: BpmnWorkflow
    now: datetime


class Runtime:
    """Everything a case operation needs: sessions, parsed specs, the calendar, forms, the sandbox."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.sessions = sessions
        self.reader = readonly_factory(sessions)
        self.codec = WorkflowCodec()
        self.calendars = CalendarCache(self.reader)
        self.forms = FormRegistry(self.settings.forms_dir)
        self.hooks = Hooks()
        self.script_engine = script_engine(
            {"workdays": self._workdays, "workhours": self._workhours}, timeout=self.settings.script_timeout
        )

    # Timer helpers exposed to model code: both count from "now", the moment the step starts.
    def _workdays(self, n: float) -> str:
        return self.calendar.add_workdays(clock.now(), n).isoformat()

    def _workhours(self, n: float) -> str:
        return self.calendar.add_workhours(clock.now(), n).isoformat()

    @property
    def calendar(self) -> WorkCalendar:
        return self.calendars.get()

    def new_workflow(self, version: Any) -> BpmnWorkflow:
        workflow = self.codec.new_workflow(version)
        workflow.script_engine = self.script_engine
        return workflow

    def restore(self, case: Case) -> BpmnWorkflow:
        """The case's workflow with the sandbox re-attached (SpiffWorkflow forgets it on load)."""
        workflow = self.codec.loads(case.workflow_json, case.process_version)
        workflow.script_engine = self.script_engine
        return workflow

    @contextmanager
    def locked(self, case_id: int, *, skip_locked: bool = False) -> Iterator[Loaded | None]:
        """One transaction holding the case row lock; yields None when ``skip_locked`` and it is taken."""
        with self.sessions() as session, session.begin():
            yield self._lock(session, case_id, skip_locked=skip_locked)

    @contextmanager
    def locked_by_task(self, task_id: str) -> Iterator[Loaded]:
        """Like ``locked`` for the case an open step belongs to, in the same transaction as the lookup."""
        with self.sessions() as session, session.begin():
            case_id = session.execute(select(OpenTask.case_id).where(OpenTask.id == task_id)).scalar()
            if case_id is None:
                raise RuntimeProblem("task.not_found")
            loaded = self._lock(session, case_id, skip_locked=False)
            assert loaded is not None
            yield loaded

    def _lock(self, session: Session, case_id: int, *, skip_locked: bool) -> Loaded | None:
        # NO KEY UPDATE (key_share) still lets other transactions insert rows referencing the case; the power
        # and process version come in the same round trip (inner joins, lock taken on the case row only).
        query = (select(Case).where(Case.id == case_id)
                 .options(joinedload(Case.power, innerjoin=True), joinedload(Case.process_version, innerjoin=True))
                 .with_for_update(skip_locked=skip_locked, key_share=True, of=Case))
        case = session.execute(query).unique().scalar_one_or_none()
        if case is None:
            if skip_locked:
                return None
            raise RuntimeProblem("case.not_found")
        return Loaded(session, case, self.restore(case), clock.now())

    def advance(self, loaded: Loaded) -> None:
        """Run the engine until it waits for people or time; model errors become RuntimeProblems."""
        try:
            loaded.workflow.do_engine_steps()
        except (SpiffWorkflowException, SandboxError) as exc:
            log.warning("case %s: model error: %s", loaded.case.serial, exc)
            raise RuntimeProblem("engine.script", details=str(exc)) from exc

    def save(self, loaded: Loaded, actor: str) -> None:
        """Store the workflow, rewrite index rows, raise red alerts for timers that fired, note the end."""
        session, case, workflow, now = loaded.session, loaded.case, loaded.workflow, loaded.now
        fired = index.sync(session, case, workflow, self.calendar, warn_workdays=case.power.warn_workdays, now=now)
        for f in fired:
            t = f.row
            audit.record(session, actor, "timer.fired", case_id=case.id, step=t.attached_name or t.name,
                         payload={"timer": t.bpmn_id, "fire_at": t.fire_at, "interrupting": t.interrupting}, at=now)
            if t.attached_task_id:
                raise_alert(session, case, subject=t.attached_task_id, rule="T2", step_name=t.attached_name,
                            due_at=t.fire_at, at=now, actor=actor)
                task = session.get(OpenTask, t.attached_task_id)
                if task is not None:
                    task.alert_level = 2
        if workflow.completed and case.status == "running":
            case.status, case.completed_at, case.end_name = "completed", now, end_name(workflow)
            audit.record(session, actor, "case.complete", case_id=case.id, payload={"end": case.end_name}, at=now)
        case.workflow_json = self.codec.dumps(workflow)
        session.flush()
