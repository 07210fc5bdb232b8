"""Who may see an adjustment request (目录动态调整申请), its flowcharts and diffs, and a power's version history.

A request for an ordinary power is not confidential: the published catalog shows the same fields to everyone,
and departments read each other's drafts (the read-only flowchart view exists for them). A secret (涉密)
power's request is, so it follows the rule of ``engine.access`` for cases and goes no further than:

- supervisors and administrators, who see everything;
- staff of the drafting department (any post there, as for the department's cases);
- whoever may see its review case: the legal office's 合法性审查 and the government's 审定 while the step
  waits in their post's inbox, and the people who worked a step of it (they keep seeing what they decided);
- the person who opened the request (the legal office may draft for a department it does not belong to).

Everyone else gets a 404, as for a case, so a request's existence is not revealed. Editing is narrower still
(the drafting department's drafters, the legal office, administrators); that check comes after this one.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.access import SEES_ALL, visible_cases
from engine.identity import departments_of
from engine.store import Case, CatalogChange, Power, User


def visible_changes(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``CatalogChange`` admitting exactly the requests ``user`` may see."""
    if user.has_role(*SEES_ALL):
        return true()
    # An alias, so that nested in a query on Power (``visible_powers``) this does not correlate to the outer row.
    target = aliased(Power)
    return or_(
        ~exists().where(target.id == CatalogChange.power_id, target.secret.is_(True)),
        CatalogChange.department_id.in_(departments_of(user.id)),
        CatalogChange.created_by == user.username,
        exists().where(Case.id == CatalogChange.review_case_id, visible_cases(user)),
    )


def may_see_change(session: Session, user: User, change_id: int) -> bool:
    """Whether ``user`` may open request ``change_id`` and its flowcharts (False when it does not exist)."""
    query = select(CatalogChange.id).where(CatalogChange.id == change_id, visible_changes(user))
    return session.execute(query).first() is not None


def visible_change_ids(session: Session, user: User, change_ids: list[int]) -> set[int]:
    """Those of ``change_ids`` that ``user`` may open (to link only what will not answer 404)."""
    if not change_ids:
        return set()
    query = select(CatalogChange.id).where(CatalogChange.id.in_(change_ids), visible_changes(user))
    return set(session.execute(query).scalars())


def visible_powers(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``Power``: every ordinary power; a secret one for its own department's staff and for
    whoever may see one of its requests (its version history is made of them)."""
    if user.has_role(*SEES_ALL):
        return true()
    return or_(
        Power.secret.is_(False),
        Power.department_id.in_(departments_of(user.id)),
        exists().where(CatalogChange.power_id == Power.id, visible_changes(user)),
    )


def may_see_power(session: Session, user: User, power_id: int) -> bool:
    """Whether ``user`` may open power ``power_id`` in the catalog workspace (False when it does not exist)."""
    query = select(Power.id).where(Power.id == power_id, visible_powers(user))
    return session.execute(query).first() is not None
