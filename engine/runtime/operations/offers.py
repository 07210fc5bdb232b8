"""Which operations a page offers its user on a step or a case, with what the forms list (colleagues, earlier
steps, grounds, comments, merges).

Asked once per page, from what the page has loaded already (the step and case rows, the history, the user with the
posts they hold), so that offering the operations costs the page a read or two, not one per question; the
operations themselves check again, under the case's lock (``policy``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import held_posts, may_work
from engine.runtime.operations.comments import comments_of
from engine.runtime.operations.endings import Link, links_of
from engine.runtime.operations.grounds import Ground, grounds
from engine.runtime.operations.policy import HEAD_POST
from engine.runtime.operations.returns import ReturnTarget, modelled_next
from engine.runtime.operations.suspension import running_suspension
from engine.runtime.runtime import Runtime
from engine.store import Case, Membership, OpenTask, StepRecord, User
from engine.store.operations import CaseComment, CaseSuspension


def heads(user: User, department_id: int) -> bool:
    """Whether ``user`` (with their posts loaded, as a signed-in user is) holds the department's ``HEAD_POST``."""
    return any(m.post.name == HEAD_POST and m.post.department_id == department_id for m in user.memberships)


@dataclass
class StepOffers:
    step: OpenTask
    #: Who has claimed the step (display name), if anyone.
    claimed_by: str | None = None
    claim: bool = False
    release: bool = False
    hand_over: bool = False
    reassign: bool = False
    ret: bool = False
    #: Holders of the step's post other than the user (hand over, reassign).
    colleagues: list[User] = field(default_factory=list)
    targets: list[ReturnTarget] = field(default_factory=list)
    #: The case is paused (暂停): the step waits.
    suspended: bool = False


def step_offers(rt: Runtime, session: Session, user: User, step: OpenTask, case: Case,
                history: Iterable[StepRecord]) -> StepOffers:
    """What the page of open ``step`` of ``case`` (its ``history`` loaded) offers ``user``: one read of the post's
    holders when a hand-over or a claim is to be shown, none otherwise."""
    offers = StepOffers(step, suspended=case.suspended_at is not None)
    running = case.status == "running"
    offers.claim = running and step.assignee_id is None and step.post_id in held_posts(user)
    offers.release = running and step.assignee_id == user.id
    offers.hand_over = running and may_work(user, step)
    offers.reassign = running and heads(user, step.department_id)
    holders: list[User] = []
    if offers.hand_over or offers.reassign or (step.assignee_id is not None and step.assignee_id != user.id):
        holders = list(session.execute(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.post_id == step.post_id, User.active.is_(True)).order_by(User.username)).scalars())
    offers.colleagues = [u for u in holders if u.id != user.id]
    if step.assignee_id == user.id:
        offers.claimed_by = user.display_name
    elif step.assignee_id is not None:
        offers.claimed_by = next((u.display_name for u in holders if u.id == step.assignee_id), None) or \
            session.execute(select(User.display_name).where(User.id == step.assignee_id)).scalar()
    if running and not offers.suspended and (offers.hand_over or offers.reassign):
        offers.targets = return_targets(rt, case, step, history)
        offers.ret = bool(offers.targets)
    return offers


def return_targets(rt: Runtime, case: Case, step: OpenTask, history: Iterable[StepRecord]) -> list[ReturnTarget]:
    """The earlier steps of the case (from its ``history``), in the order first worked, each marked when an arrow of
    the flowchart leads there from ``step`` (the spec is parsed once per process)."""
    parsed = rt.codec.parsed_id(case.process_version_id, lambda: case.process_version)
    spec = parsed.spec.task_specs.get(step.bpmn_id)
    arrows = modelled_next(spec) if spec is not None else set()
    seen: dict[str, ReturnTarget] = {}
    for record in history:
        if record.bpmn_id != step.bpmn_id and record.bpmn_id not in seen:
            seen[record.bpmn_id] = ReturnTarget(record.bpmn_id, record.name, record.bpmn_id in arrows)
    return list(seen.values())


@dataclass
class CaseOffers:
    case: Case
    act: bool = False
    penalty: bool = False
    suspension: CaseSuspension | None = None
    #: The running pause's ground, for its label.
    ground: Ground | None = None
    grounds: list[Ground] = field(default_factory=list)
    comments: list[CaseComment] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    #: When the running pause alerts (P9), if its ground has a maximum.
    alert_at: datetime | None = None


def case_offers(session: Session, user: User, case: Case, open_steps: Iterable[OpenTask]) -> CaseOffers:
    """What the page of ``case`` (which ``user`` may see; its open steps and power loaded) offers: two reads (the
    comments and the merges), three while the case is paused."""
    offers = CaseOffers(case, grounds=list(grounds().values()), penalty=case.power.category == "penalty")
    offers.comments = comments_of(session, case.id)
    offers.links = links_of(session, case.id)
    if case.status == "running":
        offers.act = heads(user, case.department_id) or any(may_work(user, s) for s in open_steps)
        if case.suspended_at is not None:
            offers.suspension = running_suspension(session, case.id)
            if offers.suspension is not None:
                offers.ground = grounds().get(offers.suspension.ground)
                offers.alert_at = offers.suspension.alert_at
    return offers
