"""Who may see a case, and who may open one.

**Seeing.** A case file holds the applicant's ID number and telephone, so not every member of staff sees it.
Administrators see every case; supervisors the cases of their scope (engine/supervision/scope.py: their region and
those below, or their department's supervision office; every case when not placed); staff see the cases of the
departments in which they hold a post, and any case whose step is waiting for them or was worked by them (a
cross-department review, say).

**Opening.** An application is registered at the window (受理登记) by a holder of the 受理 post of the power's
own department; a penalty (行政处罚) is no application and is never offered there: it begins by 立案, opened
(立案登记) by a holder of the department's 立案 post. A catalog clerk, a reviewer or a supervisor opens neither.

**Working.** A step assigned to someone is theirs alone; an unassigned step is for every holder of its post.

The questions a page asks about the signed-in user (which posts, may they work this step, may they register) are
answered from the user as ``engine.web_sessions.resume`` loads them, with their roles and the posts they hold: no
read of their own. Only what depends on a case (may they see it) reads the database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, bindparam, exists, inspect, or_, select, true
from sqlalchemy.orm import Session

from engine.identity import departments_of
from engine.runtime.errors import RuntimeProblem
from engine.store import Case, Membership, OpenTask, Post, Power, StepRecord, User
from engine.supervision.scope import supervised_cases

SEES_ALL = ("supervisor", "admin")


def visible_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` admitting exactly the cases ``user`` may see."""
    if user.has_role("admin"):
        return true()
    if user.has_role("supervisor"):
        # Supervision by level: the cases of the supervisor's region and those below, or of their department's
        # supervision office (engine/supervision/scope.py); an unplaced supervisor sees every case.
        if not _may_hold_posts(user):
            return supervised_cases(user.id)
        return or_(supervised_cases(user.id), _staff_cases(user))
    return _staff_cases(user)


def _may_hold_posts(user: User) -> bool:
    """Whether ``user`` holds a post, from their loaded memberships; True when those were not loaded (a user read
    without them): the database then answers."""
    state = inspect(user)
    if "memberships" in state.unloaded and state.session is None:
        return True
    return bool(user.memberships)


def _staff_cases(user: User) -> ColumnElement[bool]:
    tasks = OpenTask.__table__.c
    posts = select(Membership.post_id).where(Membership.user_id == user.id)
    # OFFSET 0 keeps each EXISTS a per-case index probe: PostgreSQL would otherwise hash every open step of the
    # user's posts before reading the first case of a list (issue 14, the case list; bench/inbox.py "views").
    return or_(
        Case.department_id.in_(departments_of(user.id)),
        exists(select(tasks.id).where(tasks.case_id == Case.id, or_(tasks.post_id.in_(posts),
                                                                  tasks.assignee_id == user.id)).offset(0)),
        exists(select(StepRecord.id).where(StepRecord.case_id == Case.id, StepRecord.actor == user.username)
               .offset(0)),
    )


def may_see_case(session: Session, user: User, case_id: int) -> bool:
    """Whether ``user`` may open case ``case_id`` (False for a case that does not exist)."""
    query = select(Case.id).where(Case.id == case_id, visible_cases(user))
    return session.execute(query).first() is not None


def held_posts(user: User) -> set[int]:
    """The ids of the posts ``user`` holds, from their loaded memberships."""
    return {m.post_id for m in user.memberships}


def may_work(user: User, task: OpenTask) -> bool:
    """Whether ``user`` may work the open step ``task``: a step assigned to them, or an unassigned one of a post they
    hold. Whoever may work a step sees its case (``visible_cases``)."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return task.post_id in held_posts(user)


# ---- who may register a case ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """How cases of a kind of power begin: at the window on an application, or by 立案 ex officio.

    ``post`` is the post of the power's own department that opens them; ``kind`` names the entry.
    """

    kind: str
    post: str


#: An application (申请) is registered at the window by the department's 受理 post.
APPLICATION = Intake("application", "受理")
#: A penalty is no application: the department's enforcement officers holding 立案 open the case.
PENALTY = Intake("penalty", "立案")
INTAKES = {i.kind: i for i in (APPLICATION, PENALTY)}
#: Categories whose cases begin ex officio by 立案 (行政处罚法 第五十四条); every other category on application.
EX_OFFICIO = {"penalty": PENALTY}


def intake_of(category: str) -> Intake:
    """How a case of a power of ``category`` begins."""
    return EX_OFFICIO.get(category, APPLICATION)


def _categories(intake: Intake) -> ColumnElement[bool]:
    ex_officio = [c for c, i in EX_OFFICIO.items() if i == intake]
    return Power.category.in_(ex_officio) if intake != APPLICATION else Power.category.not_in(list(EX_OFFICIO))


def registrable_powers(user_id: int, intake: Intake) -> Select[tuple[Power]]:
    """The published powers ``user_id`` may open cases of through ``intake``, by code: those of the departments
    where they hold ``intake.post``, of the categories that begin that way."""
    return _registrable(intake).params(user_id=user_id)


@functools.cache
def _registrable(intake: Intake) -> Select[tuple[Power]]:
    # Built once per entry (the registration page asks on every visit); the user is a parameter.
    departments = (select(Post.department_id).join(Membership, Membership.post_id == Post.id)
                   .where(Membership.user_id == bindparam("user_id"), Post.name == intake.post))
    # A power without an internal flowchart (none drawn for its kind yet) has nothing to run: not offered.
    return (select(Power).where(Power.status == "published", Power.process_key.is_not(None),
                                Power.department_id.in_(departments), _categories(intake)).order_by(Power.code))


def holds_intake_post(user: User, intake: Intake) -> bool:
    """Whether ``user`` holds ``intake.post`` in any department (the entry is worth offering them), from their loaded
    memberships and posts."""
    return any(m.post.name == intake.post for m in user.memberships)


REFUSALS: dict[str, dict[str, str]] = {
    "register.not_allowed": {
        "zh": "您不在「{power}」所属部门的「{post}」岗位上，不能为其{entry}。",
        "en": "You do not hold the {post} post of the department of “{power}”, so you cannot {entry_en} it."},
    "register.wrong_entry": {
        "zh": "「{power}」是行政处罚，不在窗口受理：由本部门「立案」岗位的执法人员立案登记。",
        "en": "“{power}” is a penalty, which is not registered at the window: the department's enforcement officers "
              "holding the 立案 post open it (立案登记)."},
    "register.not_application": {
        "zh": "「{power}」是依申请办理的事项，不能立案登记：请在窗口受理登记。",
        "en": "“{power}” is handled on application and cannot be opened by 立案: register it at the window."},
}
_ENTRY_WORDS = {"application": ("受理登记", "register"), "penalty": ("立案登记", "open a case of")}


class RegistrationRefused(RuntimeProblem):
    """A case the user may not open through this entry; ``message(lang)`` says who may."""

    def message(self, lang: str = "zh") -> str:
        texts = REFUSALS[self.code]
        return (texts.get(lang) or texts["zh"]).format(**self.params)


def registration_refusal(session: Session, user_id: int, power: Power, intake: Intake) -> RegistrationRefused | None:
    """Why ``user_id`` may not open a case of ``power`` through ``intake``; None when they may."""
    wanted = intake_of(power.category)
    if wanted != intake:
        code = "register.wrong_entry" if wanted == PENALTY else "register.not_application"
        return RegistrationRefused(code, power=power.name)
    holds = session.execute(
        select(Membership.user_id).join(Post, Post.id == Membership.post_id)
        .where(Membership.user_id == user_id, Post.name == intake.post, Post.department_id == power.department_id)
        .limit(1)).first()
    if holds is None:
        zh, en = _ENTRY_WORDS[intake.kind]
        return RegistrationRefused("register.not_allowed", power=power.name, post=intake.post, entry=zh,
                                   entry_en=en)
    return None
