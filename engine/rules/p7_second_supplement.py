"""P7 — a second 补正 request on the same case: 一次性告知 broken (seed 004 第十一条(二)).

An applicant asked to supplement their materials must be told everything missing at once. A 补正 step (see
``step_kinds.is_supplement``: the demo's 接收补正材料, ``clock = paused``) opening a second time in one case — the
case came back from 补正 and was sent to it again — raises one red alert on the case (subject ``supplement``) with
the count and the step. It is checked after a step from which an arrow leads into a 补正 step (受理), as that step
may just have opened it again, and after a 补正 step completes; any other step costs a dictionary lookup. The
request counted is each distinct 补正 task of the case, done (its step record) or open (its index row): a 补正 step
reopened by a return keeps its task and is not a new request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from engine.alerts import raise_alert
from engine.rules.step_kinds import StepKinds, StepKindsCache
from engine.runtime.hooks import StepEvent, StepHook
from engine.store import Alert, OpenTask, StepRecord

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

RULE_ID = "P7"
SOURCE = "seed 004 第十一条(二)"
SUBJECT = "supplement"


def requests(session: Session, case_id: int, supplements: frozenset[str]) -> list[tuple[str, str]]:
    """The case's 补正 requests: (task id, step name) of each 补正 task done or open, one statement."""
    done = select(StepRecord.task_id, StepRecord.name).where(StepRecord.case_id == case_id,
                                                             StepRecord.bpmn_id.in_(supplements))
    open_ = select(OpenTask.id, OpenTask.name).where(OpenTask.case_id == case_id, OpenTask.bpmn_id.in_(supplements))
    return [(row[0], row[1]) for row in session.execute(union(done, open_)).all()]


def check_step(event: StepEvent, kinds: StepKinds) -> Alert | None:
    """Raise the red P7 alert when the case now counts a second 补正 request; the alert, or None."""
    if event.bpmn_id not in kinds.into_supplement and event.bpmn_id not in kinds.supplements:
        return None
    made = requests(event.session, event.case.id, kinds.supplements)
    tasks = {task for task, _ in made}
    if len(tasks) < 2:
        return None
    details = {"count": len(tasks), "supplement": sorted({name for _, name in made})[0], "by": event.user.username}
    return raise_alert(event.session, event.case, subject=SUBJECT, rule=RULE_ID, step_name=event.step_name,
                       due_at=None, details=details, actor=event.user.username)


def hook(rt: Runtime) -> StepHook:
    """The after-step hook the registry installs."""
    kinds = StepKindsCache(rt)

    def after_step(event: StepEvent) -> None:
        check_step(event, kinds(event.session, event.case.process_version_id))

    return after_step
