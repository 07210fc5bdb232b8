"""P5 — execution that does not match the decision (seed 003 第十条(二)8: 执行情况与决定是否一致).

Where the flowchart records what was executed, the record must agree with what was decided. The demo penalty
flowchart decides the fine at 作出决定 (``fine_amount``) and records at 送达 what the party paid (the optional
``paid_amount``, 实际缴纳罚款金额); any flowchart may do the same with those two field names. After a step whose
values hold a number ``paid_amount``, the case's latest decided ``fine_amount`` (the newest step record holding
one) is compared with it: a difference raises a red alert on the step (subject: its task id) with both amounts.
A step without ``paid_amount`` costs a dictionary lookup; a case that decided no fine is not checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.alerts import raise_alert
from engine.rules.p4_discretion import _number
from engine.runtime.hooks import StepEvent, StepHook
from engine.store import Alert, StepRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.runtime.runtime import Runtime

RULE_ID = "P5"
SOURCE = "seed 003 第十条(二)8"
PAID, DECIDED = "paid_amount", "fine_amount"


def decided_fine(session: Session, case_id: int, task_id: str) -> tuple[Any, str] | None:
    """The fine the case last decided, with the deciding step's name; None when no step decided one."""
    rows = session.execute(select(StepRecord.name, StepRecord.data).where(
        StepRecord.case_id == case_id, StepRecord.task_id != task_id).order_by(StepRecord.id.desc())).all()
    for name, data in rows:
        amount = _number((data or {}).get(DECIDED))
        if amount is not None:
            return amount, name
    return None


def check_step(event: StepEvent) -> Alert | None:
    """Raise the red P5 alert when the amount a step records as paid differs from the fine decided."""
    paid = _number(event.values.get(PAID))
    if paid is None:
        return None
    decided = decided_fine(event.session, event.case.id, event.task_id)
    if decided is None or decided[0] == paid:
        return None
    details = {"paid": paid, "decided": decided[0], "decision_step": decided[1], "by": event.user.username}
    return raise_alert(event.session, event.case, subject=event.task_id, rule=RULE_ID, step_name=event.step_name,
                       due_at=None, details=details, actor=event.user.username)


def hook(rt: Runtime) -> StepHook:
    """The after-step hook the registry installs."""

    def after_step(event: StepEvent) -> None:
        check_step(event)

    return after_step
