"""督办 (directives): a supervisor's requirement on an alert, a case or a department, which the department reports
on within 20 working days; once, and before the deadline, it may ask for an extension of at most 10 working days,
which a supervisor grants or refuses (seed 003 电子监察管理办法 第九条).

A directive is a row (``Directive``) and a case of the platform's own process ``processes/directive.bpmn`` (power
``PLATFORM-DIRECTIVE``): the case puts the report step (上报调查处理情况) in the inbox of the department's head post
(负责人), with the task page's attachments, and holds the directive's audit stream and alerts. The deadline is the
directive's, not a timer of the flowchart: an extension only moves a column. The supervisor's tick raises its
yellow alert one working day before the deadline (rule DB1) and its red one when it passes (DB2); a report that comes
late raises the red at once if the tick has not. Each alert once: after a granted extension the alerts of the new
deadline are new ones (subject ``directive:<id>:extended``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.alerts import close, open_alerts, raise_alert
from engine.identity import ensure_department
from engine.runtime.cases import Applicant, start_case_in
from engine.runtime.deploy import deploy
from engine.runtime.hooks import StepEvent
from engine.runtime.inspect import armed_timers
from engine.runtime.operations.policy import HEAD_POST
from engine.runtime.operations.suspension import moved_timer
from engine.store import Alert, Case, Department, OpenTask, Power, User
from engine.store.alert_life import DIRECTIVE_ALERT_DUE, Directive
from engine.store.case import CLOSED_IN_TIME
from engine.supervision.errors import SupervisionProblem
from engine.supervision.policy import may_ask_extension, may_supervise

if TYPE_CHECKING:
    from engine.runtime.runtime import Loaded, Runtime

PROCESS_KEY = "directive"
DIRECTIVE_POWER = "PLATFORM-DIRECTIVE"
#: Seed 003 第九条: report within 20 working days; one extension of at most 10.
DUE_WORKDAYS = 20
MAX_EXTENSION_WORKDAYS = 10
OPEN, REPORTED = "open", "reported"
ASKED, GRANTED, REFUSED = "asked", "granted", "refused"
TARGETS = ("alert", "case", "department")
YELLOW_RULE, RED_RULE = "DB1", "DB2"
#: How a directive's yellow warning closes when its deadline moves on (``Alert.closed_how``).
CLOSED_EXTENDED = "extended"
SOURCE = "seed 003 电子监察管理办法 第九条"
BATCH = 200
STATES: dict[str, tuple[str, str]] = {OPEN: ("办理中", "open"), REPORTED: ("已上报", "reported")}
EXTENSION_STATES: dict[str, tuple[str, str]] = {ASKED: ("延期待审批", "extension asked"),
                                                GRANTED: ("已同意延期", "extension granted"),
                                                REFUSED: ("不同意延期", "extension refused")}


def install(session: Session, rt: Runtime, office_department_id: int) -> Power:
    """Deploy the directive process and its internal power, run by the supervision office (idempotent)."""
    xml = (rt.settings.processes_dir / "directive.bpmn").read_bytes()
    deploy(session, xml, "directive.bpmn", author="platform", forms=rt.forms)
    power = session.execute(select(Power).where(Power.code == DIRECTIVE_POWER)).scalar_one_or_none()
    if power is None:
        # No promised or legal limit: the directive's own deadline (which an extension moves) alerts instead.
        power = Power(code=DIRECTIVE_POWER, name="电子监察督办", category="other", department_id=office_department_id,
                      process_key=PROCESS_KEY, legal_limit_days=0, promised_limit_days=0, status="internal")
        session.add(power)
        session.flush()
    return power


def _field(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def issue(rt: Runtime, user: User, *, subject: str, requirement: str, alert_id: int | None = None,
          case_id: int | None = None, department_id: int | None = None) -> Directive:
    """Issue a directive on an alert, else a case, else a department; the report is due in 20 working days."""
    subject, requirement = (subject or "").strip(), (requirement or "").strip()
    fields: dict[str, dict[str, str]] = {}
    if not subject:
        fields["subject"] = _field("请填写督办事项。", "Enter what the directive is about.")
    elif len(subject) > 200:
        fields["subject"] = _field("督办事项不超过200字。", "At most 200 characters.")
    if not requirement:
        fields["requirement"] = _field("请填写督办要求。", "Enter what the department must do.")
    elif len(requirement) > 4000:
        fields["requirement"] = _field("督办要求不超过4000字。", "At most 4000 characters.")
    with rt.sessions() as session, session.begin():
        if not may_supervise(user, session):
            raise SupervisionProblem("supervision.not_allowed")
        target, department, case = _target(session, alert_id, case_id, department_id, fields)
        if fields:
            raise SupervisionProblem("directive.invalid", fields=fields)
        assert department is not None
        now = clock.now()
        due = rt.calendar.add_workdays(now, DUE_WORKDAYS)
        directive = Directive(target=target, alert_id=alert_id if target == "alert" else None,
                              case_id=case.id if case is not None else None, department_id=department.id,
                              subject=subject, requirement=requirement, issued_at=now, issued_by=user.username,
                              due_at=due, state=OPEN, alert_level=0, next_alert_at=rt.calendar.minus_workdays(due, 1),
                              late=False)
        session.add(directive)
        session.flush()
        ensure_department(session, department.region, department.code, department.name, [HEAD_POST])
        own = start_case_in(rt, session, DIRECTIVE_POWER,
                            Applicant(department.name, "行权部门", department.code, user.username),
                            f"督办：{subject}"[:300], actor=user.username, department_id=department.id,
                            data={"directive_id": directive.id, "requirement": requirement})
        directive.own_case_id = own.id
        payload = {"directive": directive.id, "target": target, "subject": subject, "due_at": due,
                   "alert": directive.alert_id}
        audit.record(session, user.username, "directive.issued", case_id=own.id, payload=payload, at=now)
        if case is not None:
            audit.record(session, user.username, "directive.issued", case_id=case.id, payload=payload, at=now)
        session.flush()
        session.expunge(directive)
        return directive


def _target(session: Session, alert_id: int | None, case_id: int | None, department_id: int | None,
            fields: dict[str, dict[str, str]]) -> tuple[str, Department | None, Case | None]:
    if alert_id is not None:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise SupervisionProblem("alert.not_found")
        return "alert", session.get(Department, alert.department_id), session.get(Case, alert.case_id)
    if case_id is not None:
        case = session.get(Case, case_id)
        if case is None:
            fields["case"] = _field("办件不存在。", "No such case.")
            return "case", None, None
        return "case", session.get(Department, case.department_id), case
    department = session.get(Department, department_id) if department_id is not None else None
    if department is None:
        fields["department"] = _field("请选择督办的部门。", "Choose the department.")
    return "department", department, None


def _locked(session: Session, directive_id: int) -> Directive:
    directive = session.execute(select(Directive).where(Directive.id == directive_id)
                                .with_for_update()).scalar_one_or_none()
    if directive is None:
        raise SupervisionProblem("directive.not_found")
    return directive


def ask_extension(rt: Runtime, directive_id: int, user: User, *, days: Any, reason: str) -> Directive:
    """The department asks, once and before the deadline, for at most 10 more working days."""
    with rt.sessions() as session, session.begin():
        directive = _locked(session, directive_id)
        if not may_ask_extension(session, user, directive.department_id):
            raise SupervisionProblem("supervision.not_allowed")
        if directive.state != OPEN:
            raise SupervisionProblem("directive.reported")
        if directive.extension_state is not None:
            raise SupervisionProblem("directive.extension_used")
        now = clock.now()
        fields: dict[str, dict[str, str]] = {}
        try:
            number = int(str(days).strip())
        except ValueError:
            number = 0
        if not 1 <= number <= MAX_EXTENSION_WORKDAYS:
            fields["days"] = _field("延期天数为1至10个工作日。", "An extension is 1 to 10 working days.")
        reason = (reason or "").strip()
        if not reason:
            fields["reason"] = _field("请说明情况复杂需要延期的理由。", "Say why the matter needs more time.")
        elif len(reason) > 2000:
            fields["reason"] = _field("理由不超过2000字。", "At most 2000 characters.")
        if now >= directive.due_at:
            fields["days"] = _field("督办期限已过，不能再申请延期。", "The deadline has passed; it can no longer be "
                                                                     "extended.")
        if fields:
            raise SupervisionProblem("directive.invalid", fields=fields)
        directive.extension_days, directive.extension_reason = number, reason
        directive.extension_asked_at, directive.extension_asked_by = now, user.username
        directive.extension_state = ASKED
        audit.record(session, user.username, "directive.extension_asked", case_id=directive.own_case_id,
                     payload={"directive": directive.id, "days": number, "reason": reason}, at=now)
        session.flush()
        session.expunge(directive)
        return directive


def decide_extension(rt: Runtime, directive_id: int, user: User, *, grant: bool, opinion: str = "") -> Directive:
    """A supervisor grants (the deadline moves on by the days asked, in working days) or refuses the extension."""
    with rt.sessions() as session, session.begin():
        if not may_supervise(user, session):
            raise SupervisionProblem("supervision.not_allowed")
        # The report step's case first, then the directive: the order the report's own completion takes them in.
        own_case_id = session.execute(select(Directive.own_case_id).where(Directive.id == directive_id)).scalar()
        loaded = rt.lock_in(session, own_case_id) if grant and own_case_id is not None else None
        directive = _locked(session, directive_id)
        if directive.state != OPEN:
            raise SupervisionProblem("directive.reported")
        if directive.extension_state != ASKED:
            raise SupervisionProblem("directive.extension_not_asked")
        now = clock.now()
        if grant:  # the old deadline's warning: it warned of a deadline that is no more
            _close_yellows(session, directive, CLOSED_EXTENDED, now, user.username)
        directive.extension_state = GRANTED if grant else REFUSED
        directive.extension_decided_at, directive.extension_decided_by = now, user.username
        payload: dict[str, Any] = {"directive": directive.id, "granted": grant, "opinion": opinion.strip() or None}
        if grant:
            assert directive.extension_days is not None
            previous = directive.due_at
            directive.due_at = rt.calendar.add_workdays(previous, directive.extension_days)
            # The new deadline gets its own yellow and red alerts (subject ``…:extended``).
            directive.alert_level = 0
            directive.next_alert_at = rt.calendar.minus_workdays(directive.due_at, 1)
            payload.update(previous_due_at=previous, due_at=directive.due_at, days=directive.extension_days)
            if loaded is not None:
                _move_report_deadline(rt, loaded, directive.due_at, user.username)
        audit.record(session, user.username, "directive.extension_decided", case_id=directive.own_case_id,
                     payload=payload, at=now)
        session.flush()
        session.expunge(directive)
        return directive


def _move_report_deadline(rt: Runtime, loaded: Loaded, due: datetime, actor: str) -> None:
    """Move the report step's time limit to the extended deadline: its boundary timer (in the workflow and its index
    row) and the step's deadline and warning in the inbox, so the department's inbox shows the deadline in force."""
    for timer in armed_timers(loaded.workflow):
        loaded.workflow.get_task_from_id(UUID(timer.task_id))._set_internal_data(event_value=due.isoformat())
        moved_timer(loaded, timer.task_id, due)
    loaded.session.execute(update(OpenTask).where(OpenTask.case_id == loaded.case.id)
                           .values(due_at=due, warn_at=rt.calendar.minus_workdays(due, 1)))
    rt.save(loaded, actor)


def alert_subject(directive: Directive) -> str:
    return f"directive:{directive.id}" + (":extended" if directive.extension_state == GRANTED else "")


def _raise(session: Session, directive: Directive, rule: str, at: datetime) -> bool:
    assert directive.own_case_id is not None
    return raise_alert(session, _Ref(directive.own_case_id, directive.department_id), subject=alert_subject(directive),
                       rule=rule, step_name=None, due_at=directive.due_at, at=at,
                       details={"subject": directive.subject, "directive": directive.id}) is not None


def _close_yellows(session: Session, directive: Directive, how: str, at: datetime, actor: str) -> None:
    """Close the open yellow warning of the directive's current deadline (reported in time, or extended)."""
    assert directive.own_case_id is not None
    for alert in open_alerts(session, directive.own_case_id, [alert_subject(directive)], YELLOW_RULE):
        close(session, alert, how, at=at, actor=actor)


class _Ref:
    """What raising an alert needs of a case."""

    def __init__(self, case_id: int, department_id: int) -> None:
        self.id, self.department_id = case_id, department_id


def alert_due(rt: Runtime, now: datetime) -> int:
    """Tick rule DB1/DB2: raise each open directive's yellow (one working day before) and red (past the deadline)
    alert once; how many were raised. One read of a partial index when nothing is due."""
    query = (select(Directive.id).where(text(DIRECTIVE_ALERT_DUE), Directive.next_alert_at <= now)
             .order_by(Directive.next_alert_at, Directive.id).limit(BATCH))
    with rt.reader() as reader:
        ids = list(reader.execute(query).scalars())
    raised = 0
    for directive_id in ids:
        with rt.sessions() as session, session.begin():
            directive = session.execute(select(Directive).where(
                Directive.id == directive_id, Directive.state == OPEN, Directive.next_alert_at <= now)
                .with_for_update(skip_locked=True)).scalar_one_or_none()
            if directive is None:
                continue
            if directive.alert_level == 0 and now < directive.due_at:
                raised += _raise(session, directive, YELLOW_RULE, now)
                directive.alert_level, directive.next_alert_at = 1, directive.due_at
            else:  # past the deadline (a directive first seen late gets only its red: it says more)
                raised += _raise(session, directive, RED_RULE, now)
                directive.alert_level, directive.next_alert_at = 2, None
    return raised


def install_hooks(rt: Runtime) -> None:
    """The report step (上报调查处理情况) reports the directive; a late one is red at once if not yet."""

    def after_report(e: StepEvent) -> None:
        directive = e.session.execute(select(Directive).where(Directive.own_case_id == e.case.id)
                                      .with_for_update()).scalar_one()
        now = clock.now()
        directive.state, directive.reported_at, directive.reported_by = REPORTED, now, e.user.username
        directive.report = e.values.get("opinion")
        directive.late = now > directive.due_at
        if directive.late and directive.alert_level < 2:
            _raise(e.session, directive, RED_RULE, now)
            directive.alert_level = 2
        directive.next_alert_at = None
        if not directive.late:
            _close_yellows(e.session, directive, CLOSED_IN_TIME, now, "system")
        if directive.extension_state == ASKED:  # nobody decided in time: the report makes the question moot
            directive.extension_state = REFUSED
            directive.extension_decided_at, directive.extension_decided_by = now, "system"
        payload = {"directive": directive.id, "late": directive.late, "due_at": directive.due_at}
        audit.record(e.session, e.user.username, "directive.reported", case_id=e.case.id, payload=payload, at=now)
        if directive.case_id is not None:
            audit.record(e.session, e.user.username, "directive.reported", case_id=directive.case_id, payload=payload,
                         at=now)

    rt.hooks.after(PROCESS_KEY, "report", after_report)


def state_text(directive: Directive, lang: str = "zh") -> str:
    zh, en = STATES.get(directive.state, (directive.state, directive.state))
    return en if lang == "en" else zh


def extension_text(directive: Directive, lang: str = "zh") -> str:
    if directive.extension_state is None:
        return ""
    zh, en = EXTENSION_STATES[directive.extension_state]
    return en if lang == "en" else zh
