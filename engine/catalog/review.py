"""The catalog's review runs as a case of the platform's own BPMN process ``processes/catalog_review.bpmn``:
目录管理 prepares and submits (20 working days from the triggering law) or withdraws, 法制办 reviews (10), the
government decides (10), 目录管理 publishes (15). Steps of that process move the request and, at the end, publish
it."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.catalog.drafts import Trigger, open_change, readiness
from engine.catalog.publish import publish
from engine.identity import ensure_department
from engine.runtime.cases import Applicant, start_case_in
from engine.runtime.deploy import deploy
from engine.runtime.errors import RuntimeProblem
from engine.runtime.hooks import StepEvent
from engine.runtime.runtime import Loaded, Runtime
from engine.store import CatalogChange, Department, Power, Region

PROCESS_KEY = "catalog_review"
REVIEW_POWER = "PLATFORM-CATALOG-REVIEW"
CATALOG_POST = "目录管理"
LEGAL_POST = "合法性审查"
GOVERNMENT_POST = "审定"
#: What the drafting department chose at ``prepare``: ``submit`` for review, or ``withdraw`` the request.
PREPARE_RESULT = "prepare_result"
#: The end event of a withdrawn request; process versions deployed before withdrawal existed lack it.
WITHDRAW_END = 'id="end_withdrawn"'
KIND_NAMES = {"add": "增加", "modify": "变更", "cancel": "取消", "suspend": "暂停", "resume": "恢复"}


def install(session: Session, rt: Runtime, region: Region, *, legal: tuple[str, str],
            government: tuple[str, str]) -> Power:
    """Create the legal office's and government's review posts and deploy the review process (idempotent)."""
    legal_dept = ensure_department(session, region, legal[0], legal[1], [LEGAL_POST])
    ensure_department(session, region, government[0], government[1], [GOVERNMENT_POST])
    xml = (rt.settings.processes_dir / "catalog_review.bpmn").read_bytes()
    deploy(session, xml, "catalog_review.bpmn", author="platform", forms=rt.forms)
    power = session.execute(select(Power).where(Power.code == REVIEW_POWER)).scalar_one_or_none()
    if power is None:
        power = Power(code=REVIEW_POWER, name="行政职权目录动态调整审核", category="other",
                      department_id=legal_dept.id, process_key=PROCESS_KEY, legal_limit_days=55,
                      promised_limit_days=55, status="internal")
        session.add(power)
        session.flush()
    return power


def request_change(rt: Runtime, kind: str, *, department_id: int, actor: str, reason: str, trigger: Trigger,
                   power_id: int | None = None, category: str | None = None, name: str | None = None,
                   secret: bool = False) -> CatalogChange:
    """Open an adjustment request and its review case in one transaction."""
    with rt.sessions() as session, session.begin():
        department = session.get(Department, department_id)
        if department is None:
            raise RuntimeProblem("catalog.invalid", fields={"department": "unknown"})
        ensure_department(session, department.region, department.code, department.name, [CATALOG_POST])
        power = session.get(Power, power_id) if power_id else None
        change = open_change(session, kind, department=department, actor=actor, reason=reason, trigger=trigger,
                             power=power, category=category, name=name, secret=secret)
        start_review(rt, session, change, actor=actor, trigger=trigger)
        return change


def start_review(rt: Runtime, session: Session, change: CatalogChange, *, actor: str, trigger: Trigger) -> None:
    """Start the review case of ``change`` in the caller's transaction (a request opened by hand or imported)."""
    department = session.get(Department, change.department_id)
    target = session.get(Power, change.power_id)
    assert department is not None and target is not None
    ensure_department(session, department.region, department.code, department.name, [CATALOG_POST])
    case = start_case_in(
        rt, session, REVIEW_POWER, Applicant(department.name, "行权部门", department.code, actor),
        f"{KIND_NAMES[change.kind]}：{target.name}（{target.code}）", actor=actor, department_id=department.id,
        data={"change_id": change.id, "change_kind": change.kind},
        adjust=lambda loaded: _count_from_trigger(rt, loaded, trigger))
    change.review_case_id = case.id


def _count_from_trigger(rt: Runtime, loaded: Loaded, trigger: Trigger) -> None:
    # The 20 days run from the law's publication, not from when the request was opened (seed 003 第十八条):
    # rewrite the armed timer's due moment before the index rows are written (DESIGN §7b).
    if trigger.published_on is None:
        return
    start = datetime.combine(trigger.published_on, time(12), clock.LOCAL_TZ)
    due = rt.calendar.add_workdays(start, 20)
    for task in loaded.workflow.get_tasks(state=TaskState.WAITING):
        if task.task_spec.bpmn_id == "prepare_time_limit":
            task.internal_data["event_value"] = due.isoformat()


def change_of(session: Session, case_id: int) -> CatalogChange:
    change = session.execute(select(CatalogChange).where(CatalogChange.review_case_id == case_id)).scalar_one_or_none()
    if change is None:
        raise RuntimeProblem("catalog.not_found")
    return change


def install_hooks(rt: Runtime) -> None:
    """Teach the runtime what the review process's steps mean for the request."""
    hooks = rt.hooks

    def before_submit(e: StepEvent) -> None:
        if _withdraws(e):
            # Forms are not versioned: a case still on a process version without the withdrawal branch would
            # show the choice, yet go on to 法制审核 while the request says withdrawn.
            if WITHDRAW_END not in e.case.process_version.bpmn_xml:
                raise RuntimeProblem("catalog.not_ready", details="本审核办件按旧版流程办理，不能撤回，"
                                     "请提交后由法制审核退回或不予调整")
            return  # otherwise an unfinished request may always be abandoned, ready or not
        change = change_of(e.session, e.case.id)
        missing = readiness(e.session, change, rt.forms)
        if missing:
            raise RuntimeProblem("catalog.not_ready", details="；".join(missing))

    def after_submit(e: StepEvent) -> None:
        if _withdraws(e):
            _move(e, "withdrawn")
        else:
            _move(e, "submitted", submitted=True)

    def after_legal(e: StepEvent) -> None:
        _move(e, {"pass": "under_approval", "return": "returned", "reject": "rejected"}[e.values["legal_result"]])

    def after_approve(e: StepEvent) -> None:
        _move(e, {"approve": "approved", "return": "returned", "reject": "rejected"}[e.values["approve_result"]],
              decided=True)

    def after_publish(e: StepEvent) -> None:
        publish(e.session, change_of(e.session, e.case.id), actor=e.user.username, forms=rt.forms)

    hooks.before(PROCESS_KEY, "prepare", before_submit)
    hooks.after(PROCESS_KEY, "prepare", after_submit)
    hooks.after(PROCESS_KEY, "legal_review", after_legal)
    hooks.after(PROCESS_KEY, "approve", after_approve)
    hooks.after(PROCESS_KEY, "publish", after_publish)


def _withdraws(e: StepEvent) -> bool:
    # A client that leaves the choice out submits, as before the choice existed (the process's pre-script
    # says the same to the gateway).
    return e.values.get(PREPARE_RESULT, "submit") == "withdraw"


def _move(e: StepEvent, status: str, *, submitted: bool = False, decided: bool = False) -> None:
    change = change_of(e.session, e.case.id)
    now = clock.now()
    change.status = status
    if submitted:
        change.submitted_at = now
    ended = status in ("rejected", "withdrawn")
    if decided or ended:
        change.decided_at = now
    if ended:
        # A new power that will never be published must not stay a live draft: it keeps its code (codes are
        # never reused) under the status that says why it ended.
        power = e.session.get(Power, change.power_id)
        if power is not None and power.status == "draft":
            power.status = status
    extra: dict[str, Any] = {"change": change.id, "status": status, "opinion": e.values.get("opinion")}
    if e.values.get("reason"):
        extra["reason"] = e.values["reason"]
    audit.record(e.session, e.user.username, "catalog.status", case_id=e.case.id, payload=extra, at=now)
