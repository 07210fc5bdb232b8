"""The life of an alert, run by the platform as a case of its own BPMN process ``processes/alert_life.bpmn``.

A red alert (a yellow one when a supervisor asks) goes to the responsible department's head post (负责人): the
department explains (情况说明, within 5 working days: a timer on the step, so the supervisor sees it overdue as any
step), a supervisor (post 电子监察 of the supervision office) accepts the explanation and orders rectification,
accepts it and closes the alert, rejects it (back to the department) or refers the alert for accountability (问责);
the department rectifies (整改, within 10 working days), and the supervisor closes the alert (销号), returns it for
more rectification, or refers it. Seeds 003 电子监察管理办法 第六条—第八条, 阿坝州办法 第三十八条.

The alert's stage (``Alert.stage``) follows the steps through hooks; ``Alert.status`` keeps its meaning (open
until closed), so 电子监察's list of open alerts and the self-closing of yellow ones are unchanged. Each move is an
``AlertStep`` row timed in working days and an ``alert.stage`` audit event in both the life case's and the
alert's case's streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine import alerts, audit, clock
from engine.identity import ensure_department
from engine.runtime.cases import Applicant, start_case_in
from engine.runtime.deploy import deploy
from engine.runtime.hooks import StepEvent
from engine.runtime.operations.policy import HEAD_POST
from engine.store import Alert, Case, Department, Membership, Post, Power, Region, User, UserRole
from engine.store.alert_life import AlertStep
from engine.store.case import ALERT_OPEN, AWAITING_LIFE
from engine.supervision.errors import SupervisionProblem
from engine.supervision.policy import SUPERVISES, may_supervise

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

PROCESS_KEY = "alert_life"
LIFE_POWER = "PLATFORM-ALERT-LIFE"
#: The powers whose cases are the platform's own supervision work: their alerts (a late explanation, a late
#: report) start no life of their own, or a life would beget lives.
SUPERVISION_POWERS = (LIFE_POWER, "PLATFORM-DIRECTIVE")
#: The supervisors' post, in the supervision office of the region (created by ``install``).
SUPERVISION_POST = "电子监察"
SUPERVISION_OFFICE = ("DZJC", "电子监察室")

# The alert's stages (``Alert.stage``); None: no life yet.
EXPLAINING, REVIEWING, RECTIFYING, VERIFYING, CLOSED, REFERRED = (
    "explaining", "reviewing", "rectifying", "verifying", "closed", "referred")
#: An alert that gets no life: raised on a case of the platform's own supervision work.
NO_LIFE = "none"
STAGES: dict[str, tuple[str, str]] = {
    EXPLAINING: ("待说明", "awaiting explanation"),
    REVIEWING: ("待审核说明", "explanation under review"),
    RECTIFYING: ("整改中", "being rectified"),
    VERIFYING: ("待核查销号", "rectification under review"),
    CLOSED: ("已销号", "closed"),
    REFERRED: ("已移交问责", "referred for accountability"),
    NO_LIFE: ("无需处置", "no handling"),
}
#: The moves of a life (``AlertStep.move``).
MOVES: dict[str, tuple[str, str]] = {
    "started": ("进入处置", "handling started"),
    "explained": ("部门说明", "explained"),
    "rejected": ("说明退回", "explanation rejected"),
    "accepted": ("采纳说明，责令整改", "explanation accepted, rectification ordered"),
    "rectified": ("整改报告", "rectification reported"),
    "returned": ("退回继续整改", "returned for more rectification"),
    "closed": ("销号", "closed"),
    "referred": ("移交问责", "referred for accountability"),
}
#: How a life closes the alert (``Alert.closed_how``).
CLOSED_VERIFIED = "verified"
CLOSED_REFERRED = "referred"
#: Alerts whose life the tick starts in one go (the rest wait for the next tick).
BATCH = 200


def install(session: Session, rt: Runtime, region: Region, office: tuple[str, str] | None = None) -> Power:
    """Create the supervision office with its post and deploy the life process (idempotent)."""
    code, name = office or (SUPERVISION_OFFICE[0], f"{region.name}{SUPERVISION_OFFICE[1]}")
    ensure_department(session, region, code, name, [SUPERVISION_POST])
    xml = (rt.settings.processes_dir / "alert_life.bpmn").read_bytes()
    deploy(session, xml, "alert_life.bpmn", author="platform", forms=rt.forms)
    power = session.execute(select(Power).where(Power.code == LIFE_POWER)).scalar_one_or_none()
    if power is None:
        office_id = session.execute(select(Department.id).where(Department.code == code)).scalar_one()
        # No promised or legal limit (0): each step has its own, which raise the usual T1/T2 alerts.
        power = Power(code=LIFE_POWER, name="电子监察预警处置", category="other", department_id=office_id,
                      process_key=PROCESS_KEY, legal_limit_days=0, promised_limit_days=0, status="internal")
        session.add(power)
        session.flush()
    return power


def enlist(session: Session, office_code: str = SUPERVISION_OFFICE[0]) -> int:
    """Give every supervisor the supervision office's post (so the life's supervisor steps reach them); how many
    were added."""
    post_id = session.execute(select(Post.id).join(Department, Department.id == Post.department_id).where(
        Department.code == office_code, Post.name == SUPERVISION_POST)).scalar_one()
    holders = set(session.execute(select(Membership.user_id).where(Membership.post_id == post_id)).scalars())
    supervisors = set(session.execute(select(UserRole.user_id).where(UserRole.role.in_(SUPERVISES))).scalars())
    for user_id in sorted(supervisors - holders):
        session.add(Membership(user_id=user_id, post_id=post_id))
    session.flush()
    return len(supervisors - holders)


def deployed(session: Session) -> bool:
    return session.execute(select(Power.id).where(Power.code == LIFE_POWER)).first() is not None


def start_life(rt: Runtime, session: Session, alert: Alert, *, actor: str, at: datetime | None = None) -> Case:
    """Start the life of ``alert`` (open, without one) in the caller's transaction; returns its case."""
    at = at or clock.now()
    department = session.get_one(Department, alert.department_id)
    ensure_department(session, department.region, department.code, department.name, [HEAD_POST])
    level = "红灯报警" if alert.level == "red" else "黄灯预警"
    original = session.get_one(Case, alert.case_id)
    subject = f"{level}处置：{alert.message}"[:300]
    case = start_case_in(
        rt, session, LIFE_POWER, Applicant(department.name, "行权部门", department.code, actor), subject,
        actor=actor, department_id=department.id,
        data={"alert_id": alert.id, "alert_rule": alert.rule, "alert_text": alert.message,
              "alert_case": original.serial})
    alert.life_case_id, alert.stage = case.id, EXPLAINING
    _record(rt, session, alert, "started", actor, None, at)
    return case


def start_life_by_hand(rt: Runtime, alert_id: int, user: User) -> Case:
    """A supervisor starts the life of an open alert that has none (a yellow one, or a red one before the tick)."""
    with rt.sessions() as session, session.begin():
        if not may_supervise(user, session):
            raise SupervisionProblem("supervision.not_allowed")
        if not deployed(session):
            raise SupervisionProblem("life.not_deployed")
        alert = session.execute(select(Alert).where(Alert.id == alert_id).with_for_update()).scalar_one_or_none()
        if alert is None:
            raise SupervisionProblem("alert.not_found")
        if alert.status != ALERT_OPEN or alert.life_case_id is not None:
            raise SupervisionProblem("alert.has_life")
        return start_life(rt, session, alert, actor=user.username)


def start_lives(rt: Runtime, now: datetime) -> int:
    """Start the life of each open red alert raised up to ``now`` that has none; how many started. The supervisor's
    tick calls it last, so a red raised in the tick starts its life in it.

    One read of the partial index ``ix_alerts_awaiting_life`` when there is nothing to do. Each alert is claimed
    under its row lock (passed over while another supervisor holds it) and started in its own transaction.
    """
    query = (select(Alert.id).where(text(AWAITING_LIFE), Alert.raised_at <= now)
             .order_by(Alert.raised_at, Alert.id).limit(BATCH))
    with rt.reader() as reader:
        ids = list(reader.execute(query).scalars())
        if not ids or not deployed(reader):
            return 0
    started = 0
    for alert_id in ids:
        with rt.sessions() as session, session.begin():
            alert = session.execute(select(Alert).where(Alert.id == alert_id, Alert.stage.is_(None))
                                    .with_for_update(skip_locked=True)).scalar_one_or_none()
            if alert is None or alert.status != ALERT_OPEN:
                continue
            code = session.execute(select(Power.code).join(Case, Case.power_id == Power.id)
                                   .where(Case.id == alert.case_id)).scalar_one()
            if code in SUPERVISION_POWERS:
                alert.stage = NO_LIFE
                continue
            start_life(rt, session, alert, actor="supervisor", at=now)
            started += 1
    return started


# ---- the steps' hooks ----------------------------------------------------------------------------------------


def install_hooks(rt: Runtime) -> None:
    """Teach the runtime what the life's steps mean for its alert."""

    def after_explain(e: StepEvent) -> None:
        _move(rt, e, "explained", REVIEWING)

    def after_review(e: StepEvent) -> None:
        result = e.values.get("review_result")
        if result == "accept":
            _move(rt, e, "accepted", RECTIFYING)
        elif result == "close":
            _move(rt, e, "closed", CLOSED, closes=CLOSED_VERIFIED)
        elif result == "refer":
            _move(rt, e, "referred", REFERRED, closes=CLOSED_REFERRED)
        else:
            _move(rt, e, "rejected", EXPLAINING)

    def after_rectify(e: StepEvent) -> None:
        _move(rt, e, "rectified", VERIFYING)

    def after_verify(e: StepEvent) -> None:
        result = e.values.get("verify_result")
        if result == "close":
            _move(rt, e, "closed", CLOSED, closes=CLOSED_VERIFIED)
        elif result == "refer":
            _move(rt, e, "referred", REFERRED, closes=CLOSED_REFERRED)
        else:
            _move(rt, e, "returned", RECTIFYING)

    rt.hooks.after(PROCESS_KEY, "explain", after_explain)
    rt.hooks.after(PROCESS_KEY, "review", after_review)
    rt.hooks.after(PROCESS_KEY, "rectify", after_rectify)
    rt.hooks.after(PROCESS_KEY, "verify", after_verify)


def _move(rt: Runtime, e: StepEvent, move: str, stage: str, *, closes: str | None = None) -> None:
    alert = e.session.execute(select(Alert).where(Alert.life_case_id == e.case.id)).scalar_one()
    at = clock.now()
    alert.stage = stage
    _record(rt, e.session, alert, move, e.user.username, e.values.get("opinion"), at, life_case_id=e.case.id)
    if closes is not None and alert.status == ALERT_OPEN:
        alerts.close(e.session, alert, closes, at=at, actor=e.user.username)


def _record(rt: Runtime, session: Session, alert: Alert, move: str, actor: str, note: str | None, at: datetime,
            *, life_case_id: int | None = None) -> None:
    """The move's row, timed in working days since the move before, and its audit events."""
    previous = session.execute(select(AlertStep.at).where(AlertStep.alert_id == alert.id)
                               .order_by(AlertStep.id.desc()).limit(1)).scalar()
    workdays = rt.calendar.workdays_between(previous or alert.raised_at, at)
    session.add(AlertStep(alert_id=alert.id, move=move, at=at, actor=actor, note=note, workdays=workdays))
    payload: dict[str, Any] = {"alert": alert.id, "rule": alert.rule, "move": move, "stage": alert.stage,
                               "workdays": workdays, "life_case": alert.life_case_id}
    if note:
        payload["note"] = note
    audit.record(session, actor, "alert.stage", case_id=alert.case_id, step=alert.step_name, payload=payload, at=at)
    if alert.life_case_id is not None:
        audit.record(session, actor, "alert.stage", case_id=alert.life_case_id, payload=payload, at=at)
    session.flush()


# ---- reading a life ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LifeMove:
    move: str
    at: datetime
    actor: str
    note: str | None
    workdays: int


def moves(session: Session, alert_id: int) -> list[LifeMove]:
    """The alert's life so far, oldest first."""
    rows = session.execute(select(AlertStep).where(AlertStep.alert_id == alert_id).order_by(AlertStep.id)).scalars()
    return [LifeMove(r.move, r.at, r.actor, r.note, r.workdays) for r in rows]


def stage_text(stage: str | None, lang: str = "zh") -> str:
    if stage is None:
        return "未进入处置" if lang != "en" else "not in handling"
    zh, en = STAGES.get(stage, (stage, stage))
    return en if lang == "en" else zh


def move_text(move: str, lang: str = "zh") -> str:
    zh, en = MOVES.get(move, (move, move))
    return en if lang == "en" else zh


