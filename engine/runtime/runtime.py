"""The runtime: loads a case's workflow under a lock, applies one change, saves it with its index rows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine import audit, clock
from engine.alerts import raise_alert
from engine.audit import chain
from engine.calendar import CalendarCache, WorkCalendar
from engine.config import Settings
from engine.data_size import readable
from engine.db import readonly_factory
from engine.forms import FormRegistry
from engine.prepared import Batch, Prepared
from engine.runtime import case_clock, index, limits
from engine.runtime.codec import ParsedVersion, WorkflowCodec
from engine.runtime.errors import RuntimeProblem
from engine.runtime.hooks import Hooks
from engine.runtime.inspect import end_name
from engine.runtime.live import IndexState, Live, LiveCases
from engine.runtime.model_errors import model_problem
from engine.sandbox import SandboxError, script_engine
from engine.store import Case, Membership, OpenTask, Power, ProcessVersion, WaitingTimer

log = logging.getLogger("sunshine.runtime")

_CASES = Case.__table__.c
_TASKS = OpenTask.__table__.c
# The case row is written on every step: a prebuilt statement per set of columns written (``_case_write``), checked
# against the version read under lock. Completing also stores the limit alert level (T3), raised there when the case
# ends past a limit; a new case stores its serial number, taken last.
_UPDATE_CASE = update(Case.__table__).where(_CASES.id == bindparam("case_id"),
                                            _CASES.version == bindparam("old_version"))
_CASE_WRITES: dict[frozenset[str], Prepared] = {}
# Locking a case reads its row (without the workflow JSON, which the live cache usually makes unnecessary)
# and the two power/process values a step needs, in one statement: the ORM query with eager loads cost
# three times as much. NO KEY UPDATE (key_share) still lets other transactions insert rows referencing the
# case; only the case row is locked.
_CASE_FIELDS = [attr.key for attr in Case.__mapper__.column_attrs if attr.key != "workflow_json"]
_POWERS = Power.__table__.c
_VERSIONS = ProcessVersion.__table__.c
_READ_CASE = (select(*(_CASES[key] for key in _CASE_FIELDS), _POWERS.warn_workdays, _VERSIONS.process_key)
              .join_from(Case.__table__, Power.__table__, _POWERS.id == _CASES.power_id)
              .join(ProcessVersion.__table__, _VERSIONS.id == _CASES.process_version_id))
# Locking by step also reads the step's row and whether the user holds its post. Under READ COMMITTED a lock
# wait re-reads only the case row, so the step row may be older than the lock; that is harmless, because a
# step row never changes (only its alert level) and the workflow, read under the lock, decides whether the
# step is still ready.
_STEP_FIELDS = ["id", "bpmn_id", "name", "lane", "form", "assignee_id", "created_at", "due_at"]
_LOCK_STEP = (
    _READ_CASE.add_columns(*(_TASKS[key].label(f"step_{key}") for key in _STEP_FIELDS),
                           exists().where(Membership.user_id == bindparam("user_id"),
                                          Membership.post_id == _TASKS.post_id).label("step_holds_post"))
    .join(OpenTask.__table__, _TASKS.case_id == _CASES.id)
    .where(_TASKS.id == bindparam("task_id"))
)
#: (by case or by step, skip if locked) -> the prebuilt locking statement.
_LOCK = {
    (by, skip): Prepared((_READ_CASE.where(_CASES.id == bindparam("case_id")) if by == "case" else _LOCK_STEP)
                         .with_for_update(skip_locked=skip, key_share=True, of=Case.__table__))
    for by in ("case", "step") for skip in (False, True)
}
# The supervisor claims a case only while a timer of it is still due: one that another supervisor has just fired
# is passed over by this statement alone, its workflow never restored.
_LOCK[("due", True)] = Prepared(
    _READ_CASE.where(_CASES.id == bindparam("case_id"),
                     exists().where(WaitingTimer.case_id == _CASES.id, WaitingTimer.fire_at <= bindparam("due_at")))
    .with_for_update(skip_locked=True, key_share=True, of=Case.__table__))
_CASE_MAPPER = Case.__mapper__
_ALERT_RED = Prepared(update(OpenTask.__table__).where(_TASKS.id == bindparam("task_id")).values(alert_level=2))
# What a lock statement of ``_LOCK`` runs as: with the workflow JSON when the live cache holds no copy of the case
# (one statement instead of two), and with the tip of the case's audit stream (its step appends an event there).
_LOCKING: dict[tuple[tuple[str, bool], bool, str], Prepared] = {}
_READ_WORKFLOW = Prepared(select(_CASES.workflow_json).where(_CASES.id == bindparam("case_id")))


def _locking(how: tuple[str, bool], with_workflow: bool, dialect: str) -> Prepared:
    found = _LOCKING.get((how, with_workflow, dialect))
    if found is None:
        statement = _LOCK[how].statement
        if with_workflow:
            statement = statement.add_columns(_CASES.workflow_json)
        if dialect == "postgresql":
            # The tip's function takes the stream's lock: only once the case row is locked (lock order), so over
            # a materialised expression that locks it first.
            locked = statement.cte("locked").prefix_with("MATERIALIZED")
            statement = select(*locked.c, chain.stream_tip(locked.c.id, dialect).label("audit_tip"))
        else:
            statement = statement.add_columns(chain.stream_tip(_CASES.id, dialect).label("audit_tip"))
        found = _LOCKING[(how, with_workflow, dialect)] = Prepared(statement)
    return found


@dataclass(frozen=True)
class OpenStep:
    """The open step a change was asked for, as its index row stood when the case was locked."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    assignee_id: int | None
    created_at: datetime
    due_at: datetime | None
    holds_post: bool


@dataclass
class Loaded:
    """A case locked for change, with its workflow restored."""

    session: Session
    case: Case
    workflow: BpmnWorkflow
    now: datetime
    #: The case's process key and its power's warning lead, read with the lock (hooks and alerts need them).
    process_key: str
    warn_workdays: float
    #: The case's index rows as last saved, when known without reading them (live cache).
    index: IndexState | None = field(default=None, repr=False)
    #: The step the change is for, when the case was locked by step.
    step: OpenStep | None = None
    #: Writes that need no answer before the end of ``save`` (one round trip on PostgreSQL).
    writes: Batch = field(default_factory=Batch, repr=False)
    saved: bool = False
    #: The length of the workflow's JSON as saved.
    saved_chars: int = 0
    #: Called by ``save`` just before the writes go out, for case columns decided last (a new case's serial).
    finish: Callable[[], dict[str, Any]] | None = field(default=None, repr=False)
    #: How a case ended other than through its flowchart (withdrawn, terminated, merged: engine/runtime/operations):
    #: the status and end name the save writes instead of "completed" and the end event's name.
    ending: tuple[str, str] | None = None


class Runtime:
    """Everything a case operation needs: sessions, parsed specs, the calendar, forms, the sandbox."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.sessions = sessions
        # Every session carries the audit key (engine/audit/key.py), so no caller of audit.record passes it.
        audit.use_key(sessions, self.settings.audit_key)
        self.reader = readonly_factory(sessions)
        self.codec = WorkflowCodec()
        self.calendars = CalendarCache(self.reader)
        self.forms = FormRegistry(self.settings.forms_dir)
        self.hooks = Hooks()
        self.live = LiveCases(self.settings.live_cases)
        self.lanes = index.Lanes()
        self.script_engine = script_engine(
            {"workdays": self._workdays, "workhours": self._workhours}, timeout=self.settings.script_timeout,
            max_data=self.settings.max_step_data,
        )

    # Timer helpers exposed to model code: both count from "now", the moment the step starts.
    def _workdays(self, n: float) -> str:
        return self.calendar.add_workdays(clock.now(), n).isoformat()

    def _workhours(self, n: float) -> str:
        return self.calendar.add_workhours(clock.now(), n).isoformat()

    @property
    def calendar(self) -> WorkCalendar:
        return self.calendars.get()

    def new_workflow(self, version: ProcessVersion | ParsedVersion) -> BpmnWorkflow:
        workflow = self.codec.new_workflow(version)
        workflow.script_engine = self.script_engine
        return workflow

    def restore(self, case: Case, workflow_json: str | None = None) -> BpmnWorkflow:
        """The case's workflow (from ``workflow_json`` when already read) with the sandbox re-attached
        (SpiffWorkflow forgets it on load). The version's parsed spec is kept per process."""
        parsed = self.codec.parsed_id(case.process_version_id, lambda: case.process_version)
        workflow = self.codec.loads(case.workflow_json if workflow_json is None else workflow_json, parsed)
        workflow.script_engine = self.script_engine
        return workflow

    def locked(self, case_id: int, *, skip_locked: bool = False) -> AbstractContextManager[Loaded | None]:
        """One transaction holding the case row lock; yields None when ``skip_locked`` and it is taken."""
        return self._holding(("case", skip_locked), {"case_id": case_id}, "case.not_found")

    def locked_if_due(self, case_id: int, due_at: datetime) -> AbstractContextManager[Loaded | None]:
        """Like ``locked(case_id, skip_locked=True)``; None too unless a timer of the case is due at ``due_at``."""
        return self._holding(("due", True), {"case_id": case_id, "due_at": due_at}, "case.not_found")

    def locked_by_step(self, task_id: str, user_id: int) -> AbstractContextManager[Loaded | None]:
        """Like ``locked`` for the case an open step belongs to, found and locked by the same statement.

        ``Loaded.step`` then holds the step's row and whether user ``user_id`` holds its post.
        """
        return self._holding(("step", False), {"task_id": task_id, "user_id": user_id}, "task.not_found")

    def lock_in(self, session: Session, case_id: int) -> Loaded:
        """Lock case ``case_id`` inside the caller's transaction (several cases at once: lock them in id order)."""
        loaded = self._lock(session, ("case", False), {"case_id": case_id}, "case.not_found")
        assert loaded is not None
        return loaded

    @contextmanager
    def _holding(self, how: tuple[str, bool], params: dict[str, Any], missing: str) -> Iterator[Loaded | None]:
        with self.sessions() as session:
            with session.begin():
                loaded = self._lock(session, how, params, missing)
                yield loaded
            self.remember(loaded)

    def remember(self, loaded: Loaded | None) -> None:
        """Keep a committed case's workflow in memory for its next change (call after the commit).

        A finished workflow has no next change; keeping it would only push out running cases (and give the
        garbage collector thousands more long-lived objects to walk).
        """
        if loaded is not None and loaded.saved and loaded.index is not None and not loaded.workflow.completed:
            case = loaded.case
            self.live.keep(case.id, Live(case.serial, case.version, loaded.workflow, loaded.index,
                                         loaded.saved_chars))

    def _lock(self, session: Session, how: tuple[str, bool], params: dict[str, Any], missing: str) -> Loaded | None:
        conn = session.connection()
        case_id = params["case_id"] if "case_id" in params else self.live.case_of(params["task_id"])
        kept = case_id is not None and self.live.holds(case_id)
        row = _locking(how, not kept, conn.dialect.name).first(conn, params)
        if row is None:
            if how[1]:  # skip_locked: taken by another process (or gone)
                return None
            raise RuntimeProblem(missing)
        case = as_persistent(session, {key: getattr(row, key) for key in _CASE_FIELDS})
        chain.known_tip(session, case.id, row.audit_tip)
        now = clock.now()
        live = self.live.take(case.id, case.serial, case.version)
        if live is not None:
            workflow, known = live.workflow, live.index
        else:
            # The kept copy was of another version (another process changed the case): read the row after all.
            stored = row.workflow_json if not kept else _READ_WORKFLOW.scalar(conn, {"case_id": case.id})
            workflow, known = self.restore(case, stored), index.read_state(session, case.id)
        step = None
        if how[0] == "step":
            step = OpenStep(*(getattr(row, f"step_{key}") for key in _STEP_FIELDS), bool(row.step_holds_post))
        return Loaded(session, case, workflow, now, row.process_key, row.warn_workdays, index=known, step=step)

    def advance(self, loaded: Loaded) -> None:
        """Run the engine until it waits for people or time; model errors become RuntimeProblems."""
        try:
            loaded.workflow.do_engine_steps()
        except (SpiffWorkflowException, SandboxError) as exc:
            log.warning("case %s: model error: %s", loaded.case.serial, exc)
            raise model_problem(exc) from exc

    def fire_due_timers(self, loaded: Loaded) -> None:
        """Let timers whose moment has passed fire, and run on. Without one due, nothing can change."""
        known = loaded.index
        if known is not None and not any(t["fire_at"] <= loaded.now for t in known.timers.values()):
            return
        loaded.workflow.refresh_timers()
        self.advance(loaded)

    def save(self, loaded: Loaded, actor: str) -> None:
        """Store the workflow, rewrite index rows, raise red alerts for timers that fired, note the end."""
        session, case, workflow, now = loaded.session, loaded.case, loaded.workflow, loaded.now
        fired, loaded.index = index.sync(session, case, workflow, self.calendar, self.lanes, loaded.writes,
                                         warn_workdays=loaded.warn_workdays, now=now, known=loaded.index)
        for t in fired:
            audit.queue(session, loaded.writes, actor, "timer.fired", case_id=case.id, step=t.attached_name or t.name,
                        payload={"timer": t.bpmn_id, "fire_at": t.fire_at, "interrupting": t.interrupting}, at=now)
            if t.attached_task_id:
                raise_alert(session, case, subject=t.attached_task_id, rule="T2", step_name=t.attached_name,
                            due_at=t.fire_at, at=now, actor=actor, writes=loaded.writes)
                loaded.writes.add(_ALERT_RED, {"task_id": t.attached_task_id})
        if (clock_change := case_clock.change(case, loaded.index.paused, now, self.calendar)) is not None:
            case_clock.queue(session, loaded.writes, case, clock_change, actor, now)
        values: dict[str, Any] = {"workflow_json": self.codec.dumps(workflow)}
        # Every step's data was bounded as it came in (a form's values, each script's result), so this JSON is
        # at most one step larger than the case was; beyond the case's own bound the step is refused.
        if len(values["workflow_json"]) > self.settings.max_case_data:
            log.warning("case %s: workflow of %s characters refused", case.serial, len(values["workflow_json"]))
            raise RuntimeProblem("case.too_large", limit=readable(self.settings.max_case_data))
        if workflow.completed and case.status == "running":
            status, ended = loaded.ending or ("completed", end_name(workflow))
            values.update(status=status, completed_at=now, end_name=ended,
                          limit_alert_level=_limit_level_at_end(session, case, now, actor))
            audit.queue(session, loaded.writes, actor, "case.complete", case_id=case.id,
                        payload={"end": values["end_name"], **({"status": status} if loaded.ending else {})}, at=now)
        if loaded.finish is not None:
            values.update(loaded.finish())
        _write_case(session, case, values, loaded.writes)
        loaded.saved, loaded.saved_chars = True, len(values["workflow_json"])


def _limit_level_at_end(session: Session, case: Case, now: datetime, actor: str) -> int:
    """The case's limit alert level as it ends: a limit that passed before any tick saw it is alerted now."""
    late = limits.passed(case, now)  # two comparisons: nothing more unless the case ends late
    if late:
        limits.raise_late(session, case, late, at=now, actor=actor)
    return limits.level_after(case, late)


def as_persistent(session: Session, values: dict[str, Any]) -> Case:
    """A case row just read or written with Core, as a persistent ``Case`` of this session.

    Cheaper than an ORM load or flush on the hot path. Columns left out (the workflow JSON when the live
    cache serves the workflow) stay unloaded and are read from the row on first access.
    """
    # What ``make_transient_to_detached`` does for a new ``Case(**values)``, without the attribute events that
    # constructor fires for every column (a third of this function's cost): the values go in as loaded.
    case = _CASE_MAPPER.class_manager.new_instance()
    state = instance_state(case)
    state.dict.update(values)
    state.key = _CASE_MAPPER.identity_key_from_primary_key((values["id"],))
    state._expire_attributes(state.dict, state.unloaded)  # read from the row on first access
    session.add(case)
    return case


def _case_write(columns: frozenset[str]) -> Prepared:
    """The prebuilt update of the case row's ``columns`` (and its version). Most steps write only the workflow;
    leaving the status out then spares SQLite rewriting its index entry."""
    found = _CASE_WRITES.get(columns)
    if found is None:
        found = _CASE_WRITES[columns] = Prepared(
            _UPDATE_CASE.values({**{name: bindparam(name) for name in columns}, "version": bindparam("new_version")}))
    return found


def _write_case(session: Session, case: Case, values: dict[str, Any], writes: Batch) -> None:
    """Store the case's workflow (and status, when given) with a version check, then run the queued writes."""
    if session.new or session.dirty or session.deleted:
        # Whatever else changed on the case goes first, under its own version check, after the queued writes
        # it may refer to.
        writes.flush(session.connection())
        session.flush()
    new_version = case.version + 1
    params = {**values, "case_id": case.id, "old_version": case.version, "new_version": new_version}
    at = writes.add(_case_write(frozenset(values)), params)
    if writes.flush(session.connection())[at] != 1:
        raise StaleDataError(f"case {case.id} was changed by another transaction")
    for key, value in {**values, "version": new_version}.items():
        set_committed_value(case, key, value)
