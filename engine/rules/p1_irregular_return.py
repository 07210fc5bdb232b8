"""P1 — a return (退回) outside the flowchart's arrows, or a case returned too often (seed 003 第十条(二)4:
行政权力运行流程中是否出现环节违规回退).

Runs after every 退回 (``engine/runtime/operations/returns.py`` calls the after-return hooks once the return is
saved). A return the flowchart does not model (``irregular``: no arrow leads from the step back to the earlier one)
raises a red alert on the case with its evidence — from which step to which, the reason given, who returned it —
one per return (subject ``return:<n>``, the case's n-th return). A case returned more than ``max_returns`` times
(setting ``SUNSHINE_MAX_RETURNS``, default 3), regular returns included, raises one red alert (subject
``returns``). A return is never refused: the department explains it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.alerts import raise_alert
from engine.runtime.hooks import ReturnEvent, ReturnHook
from engine.store import Alert, AuditEvent

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

RULE_ID = "P1"
SOURCE = "seed 003 第十条(二)4"
#: The subject of the alert on a case returned too often (its message: ``P1@returns`` in engine/alerts.py).
TOO_OFTEN = "returns"


def returns_of(session: Session, case_id: int) -> int:
    """How many times the case has been returned (its ``case.returned`` events, by the case's stream index)."""
    return int(session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.case_id == case_id, AuditEvent.action == "case.returned")).scalar_one())


def check_return(event: ReturnEvent, max_returns: int) -> list[Alert]:
    """Raise the P1 alerts a return just saved calls for; the new alerts."""
    count = returns_of(event.session, event.case.id)
    raised = []
    if event.irregular:
        details = {"from": event.from_name, "to": event.to_name, "reason": event.reason, "by": event.user.username,
                   "from_task": event.from_task, "to_task": event.to_task, "count": count}
        alert = raise_alert(event.session, event.case, subject=f"return:{count}", rule=RULE_ID,
                            step_name=event.from_name, due_at=None, details=details, actor=event.user.username)
        if alert is not None:
            raised.append(alert)
    if count > max_returns:
        alert = raise_alert(event.session, event.case, subject=TOO_OFTEN, rule=RULE_ID, step_name=event.from_name,
                            due_at=None, details={"count": count, "limit": max_returns}, actor=event.user.username)
        if alert is not None:
            raised.append(alert)
    return raised


def hook(rt: Runtime) -> ReturnHook:
    """The after-return hook the registry installs."""

    def after_return(event: ReturnEvent) -> None:
        check_return(event, rt.settings.max_returns)

    return after_return
