"""Case operations: start a case, complete a step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine import audit, clock
from engine.access import Intake, registration_refusal
from engine.applicant_ids import normalise_id
from engine.audit import chain
from engine.data_size import fits, readable
from engine.documents.requirement import check_task as documents_required
from engine.files.lock import missing_evidence
from engine.forms import Form, Translate
from engine.identity import post_ids_of
from engine.prepared import Prepared
from engine.runtime.applicant import (
    APPLICANT_FIELDS,
    FIELD_LIMITS,
    Applicant,
    Correction,
    applicant_of,
    applicant_problems,
    carries_applicant,
    correction,
    problem_message,
    text_problem,
)
from engine.runtime.deploy import newest_number
from engine.runtime.errors import RuntimeProblem
from engine.runtime.hooks import StepEvent
from engine.runtime.limits import case_warn_at
from engine.runtime.live import IndexState
from engine.runtime.runtime import Loaded, Runtime, as_persistent
from engine.runtime.serials import SerialLater, provisional
from engine.runtime.stepforms import step_data
from engine.store import Case, Department, OpenTask, Power, ProcessVersion, StepRecord, User

_RECORD_STEP = Prepared(insert(StepRecord))
_CASES = Case.__table__.c
# On PostgreSQL the new case's audit stream is locked as the row goes in (the row first, as every appender locks
# them), and its tip read: empty, so the start event needs no statement of its own.
_INSERT_CASE = {
    "postgresql": Prepared(insert(Case).returning(Case.id, chain.stream_tip(_CASES.id, "postgresql").label("tip"))),
    "sqlite": Prepared(insert(Case).returning(Case.id)),
}
_POWERS, _VERSIONS = Power.__table__.c, ProcessVersion.__table__.c
# What starting a case needs, in one statement: the power, its department's code and its newest flowchart.
_POWER_TO_START = Prepared(
    select(_POWERS.id, _POWERS.code, _POWERS.name, _POWERS.status, _POWERS.department_id, _POWERS.process_key,
           _POWERS.promised_limit_days, _POWERS.legal_limit_days, _POWERS.warn_workdays,
           Department.__table__.c.code.label("department_code"), _VERSIONS.id.label("version_id"),
           _VERSIONS.version.label("version_number"))
    .join(Department.__table__, Department.__table__.c.id == _POWERS.department_id)
    .outerjoin(ProcessVersion.__table__, (_VERSIONS.process_key == _POWERS.process_key)
               & (_VERSIONS.version == newest_number(_POWERS.process_key)))
    .where(_POWERS.code == bindparam("code"))
)
# A step that corrects the applicant (rare) writes those columns with a statement of its own, so the case write
# every step runs stays as it is. The case lock is held; the version is the one the step's case write then checks
# and bumps, so the correction never moves the version by itself.
_CORRECT_APPLICANT = Prepared(update(Case.__table__)
                              .where(_CASES.id == bindparam("case_id"), _CASES.version == bindparam("old_version"))
                              .values({name: bindparam(name) for name in APPLICANT_FIELDS}))

def _unstorable(applicant: Applicant, subject: str) -> dict[str, str]:
    # What no case may be started with, by form field: missing or longer than its column.
    out = {f"applicant_{k}": p for k, p in applicant.problems().items()}
    if problem := text_problem(subject, FIELD_LIMITS["subject"]):
        out["subject"] = problem
    return out


def registration_problems(applicant: Applicant, subject: str) -> dict[str, str]:
    """What is wrong with a case a clerk registers, by form field (``subject``, ``applicant_…``): "required",
    "too_long", or for the ID number and telephone "format" / "check" (a wrong check character)."""
    out = applicant_problems(applicant)
    if problem := text_problem(subject, FIELD_LIMITS["subject"]):
        out["subject"] = problem
    return out


def start_data(applicant: Applicant, subject: str, power_code: str, power_name: str) -> dict[str, str]:
    """What every new case's workflow holds from the start (the linter's ``CASE_START_DATA`` names these keys)."""
    return {**applicant.columns(), "subject": subject, "power_code": power_code, "power_name": power_name}


def start_case(rt: Runtime, power_code: str, applicant: Applicant, subject: str, *, actor: str,
               department_id: int | None = None, data: dict[str, Any] | None = None,
               adjust: Callable[[Loaded], None] | None = None) -> Case:
    """Open a case on the power's newest flowchart and run it to its first step, in its own transaction.

    Who opens it is not checked here (the platform's own processes, the demo): staff go through ``register_case``.
    """
    with rt.sessions() as session:
        with session.begin():
            loaded = _start(rt, session, power_code, applicant, subject, actor=actor, department_id=department_id,
                            data=data, adjust=adjust)
        rt.remember(loaded)
        return loaded.case


def register_case(rt: Runtime, user: User, power_code: str, applicant: Applicant, subject: str, *,
                  intake: Intake) -> Case:
    """Open a case as ``user`` through ``intake`` (受理登记 at the window, 立案登记 for a penalty), in its own
    transaction; ``RegistrationRefused`` unless ``engine.access`` lets them open cases of the power that way."""
    with rt.sessions() as session:
        with session.begin():
            power = session.execute(select(Power).where(Power.code == power_code)).scalar_one_or_none()
            if power is None or power.status != "published":
                raise RuntimeProblem("power.not_found", power=power_code)
            if (refusal := registration_refusal(session, user.id, power, intake)) is not None:
                raise refusal
            loaded = _start(rt, session, power_code, applicant, subject, actor=user.username, department_id=None,
                            data=None, adjust=None)
        rt.remember(loaded)
        return loaded.case


def start_case_in(rt: Runtime, session: Session, power_code: str, applicant: Applicant, subject: str, *,
                  actor: str, department_id: int | None = None, data: dict[str, Any] | None = None,
                  adjust: Callable[[Loaded], None] | None = None) -> Case:
    """Like ``start_case`` inside the caller's transaction.

    The platform's own processes (power status ``internal``) pass the handling ``department_id``, extra case
    ``data`` and an ``adjust`` callback that may reshape the first step (e.g. a deadline counted from an earlier
    date) before the index rows are written.
    """
    return _start(rt, session, power_code, applicant, subject, actor=actor, department_id=department_id, data=data,
                  adjust=adjust).case


def _start(rt: Runtime, session: Session, power_code: str, applicant: Applicant, subject: str, *, actor: str,
           department_id: int | None, data: dict[str, Any] | None,
           adjust: Callable[[Loaded], None] | None) -> Loaded:
    if problems := _unstorable(applicant, subject):
        raise RuntimeProblem("case.invalid", fields=problems)
    conn = session.connection()
    power = _POWER_TO_START.first(conn, {"code": power_code})
    if power is None or power.status not in ("published", "internal"):
        raise RuntimeProblem("power.not_found", power=power_code)
    if power.version_id is None:
        raise RuntimeProblem("process.not_deployed", power=power_code)
    parsed = rt.codec.parsed_id(power.version_id, lambda: session.get_one(ProcessVersion, power.version_id))
    now = clock.now()
    cal = rt.calendar
    workflow = rt.new_workflow(parsed)
    workflow.task_tree.data.update(start_data(applicant, subject, power.code, power.name), **(data or {}))
    values = dict(
        serial=provisional(), power_id=power.id,
        process_version_id=power.version_id, department_id=department_id or power.department_id, subject=subject,
        **applicant.columns(), status="running",
        end_name=None, created_at=now, created_by=actor, completed_at=None, workflow_json="{}", version=1,
        limit_alert_level=0, clock_paused_at=None, suspended_at=None,
        # A limit the catalog leaves open (0: penalties have no promised limit) is no deadline, not "today".
        promised_due_at=cal.add_workdays(now, power.promised_limit_days) if power.promised_limit_days else None,
        legal_due_at=cal.add_workdays(now, power.legal_limit_days) if power.legal_limit_days else None,
    )
    values["promised_warn_at"] = case_warn_at(cal, now, values["promised_due_at"])
    values["id"] = _INSERT_CASE[conn.dialect.name].scalar(conn, values)
    case = as_persistent(session, values)
    chain.known_tip(session, case.id, None)  # a new case's stream is empty (and locked, on PostgreSQL)
    # The department's counter row is locked from the bump to COMMIT: the number is taken as the step's writes go
    # out (``Loaded.finish``), and the start event, queued first in the case's stream, records it as it is flushed.
    serial = SerialLater(session, case, power.department_code, now)
    loaded = Loaded(session, case, workflow, now, power.process_key, power.warn_workdays,
                    index=IndexState(),  # a new case has no index rows yet
                    finish=lambda: {"serial": serial.take()})
    audit.queue(session, loaded.writes, actor, "case.start", case_id=case.id,
                payload=lambda: {"serial": serial.take(), "power": power.code, "version": power.version_number,
                                 "applicant": applicant.name, "subject": subject}, at=now)
    rt.advance(loaded)
    if adjust is not None:
        adjust(loaded)
    rt.save(loaded, actor)
    return loaded


def can_work(session: Any, task: OpenTask, user: User) -> bool:
    """A user may work a step assigned to them, or one in a post they hold when it is unassigned."""
    holds_post = task.assignee_id is None and task.post_id in post_ids_of(session, user.id)
    return _may_work(task.assignee_id, holds_post, user)


def _may_work(assignee_id: int | None, holds_post: bool, user: User) -> bool:
    if assignee_id is not None:
        return assignee_id == user.id
    return holds_post


def complete_task(rt: Runtime, task_id: str, raw: dict[str, Any], user: User, *, lang: str = "zh",
                  translate: Translate | None = None) -> Case:
    """Validate the step's form, complete it and move the case on, all in one transaction.

    Field messages are in ``lang``; ``translate`` (the web's gettext) puts the form texts they name in it too.
    """
    try:
        with rt.locked_by_step(task_id, user.id) as loaded:
            assert loaded is not None and loaded.step is not None
            session, step = loaded.session, loaded.step
            if not _may_work(step.assignee_id, step.holds_post, user):
                raise RuntimeProblem("task.not_allowed")
            if loaded.case.suspended_at is not None:  # 暂停: nothing moves until it resumes
                raise RuntimeProblem("case.suspended")
            values, corrected = _validated(rt, loaded, task_id, raw, lang, translate)
            if not fits(values, rt.settings.max_step_data):  # a step without a form takes whatever is posted
                raise RuntimeProblem("case.data_too_large", element=step.name,
                                     limit=readable(rt.settings.max_step_data))
            # Time may have run out since the last tick: fire due timers first, so a late completion still
            # raises its red alert and an interrupting limit wins as the model says.
            rt.fire_due_timers(loaded)
            task = loaded.workflow.get_task_from_id(UUID(task_id))
            if task is None or task.state != TaskState.READY:
                raise RuntimeProblem("task.not_ready")
            # A decision step rests on evidence (DESIGN §4.7): the case must hold a file first.
            if (no_evidence := missing_evidence(session, loaded.case, task.task_spec.extensions, step.name,
                                                lang)) is not None:
                raise no_evidence
            documents_required(session, loaded.case.id, step.name, task)  # the step property requiresDocument
            event = StepEvent(session, loaded.case, loaded.process_key, step.bpmn_id, values, user, task_id=task_id,
                              step_name=step.name, form=step.form)
            rt.hooks.run_before(event)
            task.set_data(**values)
            task.run()
            rt.advance(loaded)
            data = _jsonable(values)
            loaded.writes.add(_RECORD_STEP, dict(
                case_id=loaded.case.id, task_id=task_id, bpmn_id=step.bpmn_id, name=step.name, lane=step.lane,
                actor=user.username, started_at=step.created_at, completed_at=loaded.now, due_at=step.due_at,
                data=data))
            audit.queue(session, loaded.writes, user.username, "task.complete", case_id=loaded.case.id,
                        step=step.name, payload={"task": task_id, "bpmn_id": step.bpmn_id, "data": data,
                                                 "overdue": bool(step.due_at and loaded.now > step.due_at)},
                        at=loaded.now)
            if corrected is not None:
                _correct_applicant(loaded, corrected, user.username, task_id)
            rt.save(loaded, user.username)
            rt.hooks.run_after(event)
            return loaded.case
    except StaleDataError as exc:
        raise RuntimeProblem("case.busy") from exc


def _validated(rt: Runtime, loaded: Loaded, task_id: str, raw: dict[str, Any], lang: str,
               translate: Translate | None) -> tuple[dict[str, Any], Correction | None]:
    """The step's values as its form types them, and the correction they make to the case's applicant (if any).

    Every problem, the form's and the corrected applicant's (checked as registration checks it), is a field
    message of one ``form.invalid``.
    """
    assert loaded.step is not None
    form: Form | None = None
    values: dict[str, Any] = dict(raw)
    errors: dict[str, str] = {}
    if loaded.step.form:
        form = rt.forms.get(loaded.step.form)
        if form is None:
            raise RuntimeProblem("form.missing", form=loaded.step.form)
        values = form.coerce(raw)
        # Dates may be checked against what earlier steps recorded (x-not-before-case) and today.
        errors = form.localised(translate).validate(values, lang, case_data=step_data(loaded.workflow, task_id),
                                                    today=clock.local(loaded.now).date())
    corrected = None
    if carries_applicant(values):
        corrected = correction(applicant_of(loaded.case), values, form)
        if corrected is not None:
            # The form's own message on a field comes first: it says what the field's widget expects.
            errors = {**_applicant_messages(corrected, values, lang), **errors}
        if isinstance(values.get("applicant_id_number"), str):  # the workflow holds the number as the row does
            values["applicant_id_number"] = normalise_id(values["applicant_id_number"])
    if errors:
        raise RuntimeProblem("form.invalid", fields=errors)
    return values, corrected


def _applicant_messages(corrected: Correction, values: dict[str, Any], lang: str) -> dict[str, str]:
    # Only a changed 证件类型 makes a number the step did not submit wrong: its message goes to the type.
    after = corrected.after.columns()
    return {(name if name in values else "applicant_id_type"): problem_message(name, code, lang, after[name])
            for name, code in corrected.problems().items()}


def _correct_applicant(loaded: Loaded, corrected: Correction, actor: str, task_id: str) -> None:
    """Queue the case row's corrected applicant and the audit event that records the correction."""
    case = loaded.case
    columns = corrected.after.columns()
    loaded.writes.add(_CORRECT_APPLICANT, {**columns, "case_id": case.id, "old_version": case.version})
    audit.queue(loaded.session, loaded.writes, actor, "case.applicant_corrected", case_id=case.id,
                step=loaded.step.name if loaded.step else None, payload=corrected.payload(task_id), at=loaded.now)
    # The session's case shows what its row will hold without becoming dirty: an ORM flush would write it again
    # under its own version bump.
    for key, value in columns.items():
        set_committed_value(case, key, value)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v))
            for k, v in values.items()}
