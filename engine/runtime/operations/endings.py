"""Ending a case other than through its flowchart: 撤回 (the applicant withdraws), 终止 (terminated with a reason),
并案 (penalty matters merged into one case).

The workflow is cancelled (SpiffWorkflow ``cancel``): no step stays open and no timer armed, so the save drops every
index row; the case row gets its status (``withdrawn``, ``terminated``, ``merged``), ``end_name`` and
``completed_at``, and its limits close as at any end (a yellow warning before the promised limit closes in time, a
limit already passed is alerted). A paused case is resumed first (its time given back), a case whose clock a step
stopped gets that time back as it ends.

Audit events: ``case.withdrawn`` / ``case.terminated`` (reason), and for a merge ``case.merged`` in the kept case's
stream (the merged serials) and ``case.merged_into`` in each merged case's (the kept serial); then ``case.complete``
with the status. A merge is one transaction locking every case involved in id order; ``case_links`` holds the link
(read both ways by ``links_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.runtime.errors import RuntimeProblem
from engine.runtime.operations import policy
from engine.runtime.operations.errors import OperationRefused, required_reason
from engine.runtime.operations.suspension import resume_locked
from engine.runtime.runtime import Loaded, Runtime
from engine.store import Case, Power, User
from engine.store.operations import CaseLink

WITHDRAWN, TERMINATED, MERGED = "withdrawn", "terminated", "merged"
END_NAMES = {WITHDRAWN: "申请人撤回申请", TERMINATED: "终止办理"}
MERGE = "merge"


def withdraw(rt: Runtime, case_id: int, user: User, reason: str | None) -> None:
    """撤回: the applicant withdrew the application (recorded by staff, with what they said or wrote)."""
    _end_one(rt, case_id, user, WITHDRAWN, required_reason(reason), "case.withdrawn")


def terminate(rt: Runtime, case_id: int, user: User, reason: str | None) -> None:
    """终止: the case ends without a decision, for the reason given."""
    _end_one(rt, case_id, user, TERMINATED, required_reason(reason), "case.terminated")


def _end_one(rt: Runtime, case_id: int, user: User, status: str, reason: str, action: str) -> None:
    try:
        with rt.locked(case_id) as loaded:
            assert loaded is not None
            _check(loaded, user)
            audit.queue(loaded.session, loaded.writes, user.username, action, case_id=case_id,
                        payload={"reason": reason}, at=loaded.now)
            _cancel(rt, loaded, user.username, status, END_NAMES[status])
    except StaleDataError as exc:
        raise RuntimeProblem("case.busy") from exc


def _check(loaded: Loaded, user: User) -> None:
    if loaded.case.status != "running":
        raise OperationRefused("op.not_running")
    if not policy.may_act_on_case(loaded.session, user, loaded.case):
        raise OperationRefused("op.not_allowed")


def _cancel(rt: Runtime, loaded: Loaded, actor: str, status: str, end_name: str) -> None:
    if loaded.case.suspended_at is not None:
        resume_locked(rt, loaded, actor)
    loaded.workflow.cancel()
    loaded.ending = (status, end_name)
    rt.save(loaded, actor)


def merge(rt: Runtime, into_id: int, serials: list[str], user: User, reason: str | None) -> list[str]:
    """并案: close the penalty cases ``serials`` as merged into penalty case ``into_id``; their serials.

    Every case must be a running penalty of the same department as ``into_id``, and ``user`` must be allowed to act
    on each (``may_act_on_case``).
    """
    text = required_reason(reason)
    wanted = [s.strip() for s in serials if s.strip()]
    if not wanted:
        raise OperationRefused("merge.none", field="serials")
    try:
        with rt.sessions() as session:
            with session.begin():
                kept, merged = _merge(rt, session, into_id, wanted, user, text)
            for loaded in (kept, *merged):
                rt.remember(loaded)
            return [m.case.serial for m in merged]
    except StaleDataError as exc:
        raise RuntimeProblem("case.busy") from exc


def _merge(rt: Runtime, session: Session, into_id: int, wanted: list[str], user: User,
           reason: str) -> tuple[Loaded, list[Loaded]]:
    found = dict(session.execute(select(Case.serial, Case.id).where(Case.serial.in_(wanted))).all())
    for serial in wanted:
        if serial not in found:
            raise OperationRefused("merge.unknown", field="serials", serial=serial)
    ids = sorted({into_id, *found.values()})
    if len(ids) == 1:
        raise OperationRefused("merge.self", field="serials")
    locked = {case_id: rt.lock_in(session, case_id) for case_id in ids}  # id order: no deadlock with another merge
    kept = locked[into_id]
    categories = dict(session.execute(select(Case.id, Power.category).join(Power, Power.id == Case.power_id)
                                      .where(Case.id.in_(ids))).all())
    for loaded in locked.values():
        case = loaded.case
        if categories[case.id] != "penalty":
            raise OperationRefused("merge.not_penalty", field="serials", serial=case.serial)
        if case.department_id != kept.case.department_id:
            raise OperationRefused("merge.other_department", field="serials", serial=case.serial)
        if case.status != "running":
            raise OperationRefused("merge.not_running", field="serials", serial=case.serial)
        if not policy.may_act_on_case(session, user, case):
            raise OperationRefused("op.not_allowed")
    merged = [loaded for case_id, loaded in locked.items() if case_id != into_id]
    for loaded in merged:
        session.add(CaseLink(case_id=loaded.case.id, into_case_id=into_id, kind=MERGE, reason=reason,
                             created_at=loaded.now, created_by=user.username))
        audit.queue(session, loaded.writes, user.username, "case.merged_into", case_id=loaded.case.id,
                    payload={"into": kept.case.serial, "into_id": into_id, "reason": reason}, at=loaded.now)
        _cancel(rt, loaded, user.username, MERGED, f"并入 {kept.case.serial}")
    audit.queue(session, kept.writes, user.username, "case.merged", case_id=into_id,
                payload={"merged": [m.case.serial for m in merged], "reason": reason}, at=kept.now)
    # The kept case's workflow is unchanged; the save stores it (and bumps its version) with the event.
    rt.save(kept, user.username)
    return kept, merged


@dataclass(frozen=True)
class Link:
    """A merge seen from one of its cases: the other case and which way it goes."""

    other_id: int
    other_serial: str
    #: "into": this case was merged into the other; "from": the other was merged into this one.
    direction: str
    reason: str


def links_of(session: Session, case_id: int) -> list[Link]:
    """The merges case ``case_id`` takes part in, both ways."""
    rows = session.execute(select(CaseLink).where(or_(CaseLink.case_id == case_id, CaseLink.into_case_id == case_id))
                           .order_by(CaseLink.id)).scalars().all()
    others = {row.into_case_id if row.case_id == case_id else row.case_id for row in rows}
    serials = dict(session.execute(select(Case.id, Case.serial).where(Case.id.in_(others))).all()) if others else {}
    return [Link(row.into_case_id, serials[row.into_case_id], "into", row.reason) if row.case_id == case_id
            else Link(row.case_id, serials[row.case_id], "from", row.reason) for row in rows]
