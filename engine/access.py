"""Who may see a case, and who may open one.

**Seeing.** A case file holds the applicant's ID number and telephone, so not every member of staff sees it.
Supervisors (and administrators) see every case; staff see the cases of the departments in which they hold a
post, and any case whose step is waiting for them or was worked by them (a cross-department review, say).

**Opening.** An application is registered at the window (受理登记) by a holder of the 受理 post of the power's
own department; a penalty (行政处罚) is no application and is never offered there: it begins by 立案, opened
(立案登记) by a holder of the department's 立案 post. A catalog clerk, a reviewer or a supervisor opens neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, or_, select, true
from sqlalchemy.orm import Session

from engine.identity import departments_of
from engine.runtime.errors import RuntimeProblem
from engine.store import Case, Membership, OpenTask, Post, Power, StepRecord, User

SEES_ALL = ("supervisor", "admin")


def visible_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` admitting exactly the cases ``user`` may see."""
    if user.has_role(*SEES_ALL):
        return true()
    tasks = OpenTask.__table__.c
    posts = select(Membership.post_id).where(Membership.user_id == user.id)
    return or_(
        Case.department_id.in_(departments_of(user.id)),
        exists().where(tasks.case_id == Case.id, or_(tasks.post_id.in_(posts), tasks.assignee_id == user.id)),
        exists().where(StepRecord.case_id == Case.id, StepRecord.actor == user.username),
    )


def may_see_case(session: Session, user: User, case_id: int) -> bool:
    """Whether ``user`` may open case ``case_id`` (False for a case that does not exist)."""
    query = select(Case.id).where(Case.id == case_id, visible_cases(user))
    return session.execute(query).first() is not None


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
    departments = (select(Post.department_id).join(Membership, Membership.post_id == Post.id)
                   .where(Membership.user_id == user_id, Post.name == intake.post))
    return (select(Power).where(Power.status == "published", Power.department_id.in_(departments),
                                _categories(intake)).order_by(Power.code))


def holds_intake_post(session: Session, user_id: int, intake: Intake) -> bool:
    """Whether ``user_id`` holds ``intake.post`` in any department (the entry is worth offering them)."""
    query = (select(Membership.user_id).join(Post, Post.id == Membership.post_id)
             .where(Membership.user_id == user_id, Post.name == intake.post).limit(1))
    return session.execute(query).first() is not None


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
