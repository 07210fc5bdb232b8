"""Supervision by level (分级监察): which departments a supervisor watches, and the log of what they look at.

A supervisor is placed (``assign``) at a region — province, city, county — and watches the departments of that region
and of every region below it; or in one department's own supervision office (行权部门监察机构, seed 003 阿坝州办法
第四十六条) and watches that department alone. Seed 003 第五条 / 第三十七条: 分级负责, each level for its own and the
levels below.

A supervisor **without** a scope keeps the platform-wide view, as every supervisor had before scopes existed: that is
the top level of a deployment (the 监察厅 of a province, or the only office of a single-level one), and an upgrade
takes nobody's view away. An administrator sees everything.

Two spellings of the same scope: ``scope_of`` (Python, for the dashboard, 电子监察 and patrols) walks a cached copy of
the region tree; ``supervised_cases`` (SQL, for ``engine.access.visible_cases``, which has no session) walks it with a
recursive query. Tests hold them to the same answer.

Views of personal data by a supervisor are logged: ``log_case_view`` appends ``case.viewed`` to the case's stream.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, true, union
from sqlalchemy.orm import Session, aliased

from engine import audit, clock
from engine.store import Case, Department, Region, User, UserRole
from engine.store.oversight import SupervisionScope

#: The role this module scopes; administrators (``admin``) are never scoped.
SUPERVISOR = "supervisor"


class ScopeProblem(ValueError):
    """A scope that cannot be assigned (no such region or department, not a supervisor)."""


@dataclass(frozen=True)
class Scope:
    """What a supervisor watches. ``department_ids`` None: the whole platform."""

    department_ids: frozenset[int] | None
    region_ids: frozenset[int] | None = None
    #: Where the supervisor was placed (one of the two, or neither for the whole platform).
    region_id: int | None = None
    department_id: int | None = None
    #: The region's or department's name ("" for the whole platform).
    name: str = ""

    @property
    def whole(self) -> bool:
        return self.department_ids is None

    def departments(self, column: ColumnElement[int]) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose department (``column``) is in the scope."""
        if self.department_ids is None:
            return true()
        return column.in_(sorted(self.department_ids))

    def has_department(self, department_id: int) -> bool:
        return self.department_ids is None or department_id in self.department_ids

    def has_region(self, region_id: int) -> bool:
        return self.region_ids is None or region_id in self.region_ids


WHOLE = Scope(None)


# ---- the region tree, cached ----------------------------------------------------------------------------------

_lock = threading.Lock()
_trees: dict[tuple[str, tuple[int, ...]], dict[int | None, tuple[int, ...]]] = {}


def _fingerprint(session: Session) -> tuple[int, ...]:
    # Regions are added rarely and never deleted; one cheap aggregate tells a changed tree from the cached one.
    parent = func.coalesce(Region.parent_id, 0)
    row = session.execute(select(func.count(), func.coalesce(func.max(Region.id), 0),
                                 func.coalesce(func.sum(parent), 0), func.coalesce(func.sum(parent * Region.id), 0))
                          ).one()
    return tuple(int(v) for v in row)


def _children(session: Session) -> dict[int | None, tuple[int, ...]]:
    """Each region's children (key None: the roots), read once per database and tree."""
    key = (str(session.get_bind().url), _fingerprint(session))
    with _lock:
        tree = _trees.get(key)
    if tree is None:
        found: dict[int | None, list[int]] = {}
        for region_id, parent_id in session.execute(select(Region.id, Region.parent_id)):
            found.setdefault(parent_id, []).append(region_id)
        tree = {k: tuple(v) for k, v in found.items()}
        with _lock:
            _trees[key] = tree
    return tree


def regions_below(session: Session, region_id: int) -> frozenset[int]:
    """``region_id`` and every region below it."""
    tree = _children(session)
    seen: set[int] = set()
    todo = [region_id]
    while todo:
        current = todo.pop()
        if current not in seen:  # a cycle in bad data must not loop forever
            seen.add(current)
            todo.extend(tree.get(current, ()))
    return frozenset(seen)


# ---- a supervisor's scope -----------------------------------------------------------------------------------------


def scope_of(session: Session, user: User) -> Scope:
    """What ``user`` watches: everything for an administrator or an unplaced supervisor, else their scope."""
    if user.has_role("admin"):
        return WHOLE
    row = session.get(SupervisionScope, user.id)
    if row is None:
        return WHOLE if user.has_role(SUPERVISOR) else Scope(frozenset())
    if row.department_id is not None:
        dept = session.get_one(Department, row.department_id)
        return Scope(frozenset({dept.id}), frozenset(), department_id=dept.id, name=dept.name)
    assert row.region_id is not None
    regions = regions_below(session, row.region_id)
    departments = frozenset(session.execute(select(Department.id).where(Department.region_id.in_(sorted(regions))))
                            .scalars())
    return Scope(departments, regions, region_id=row.region_id, name=session.get_one(Region, row.region_id).name)


def assign(session: Session, user_id: int, *, region_id: int | None = None, department_id: int | None = None,
           actor: str, at: datetime | None = None) -> SupervisionScope:
    """Place supervisor ``user_id`` at a region or in a department's supervision office (replacing any earlier
    place); an audit event records it."""
    if (region_id is None) == (department_id is None):
        raise ScopeProblem("a supervisor is placed at one region or in one department")
    user = session.get(User, user_id)
    if user is None or not user.has_role(SUPERVISOR):
        raise ScopeProblem(f"user {user_id} is not a supervisor")
    if region_id is not None and session.get(Region, region_id) is None:
        raise ScopeProblem(f"no region {region_id}")
    if department_id is not None and session.get(Department, department_id) is None:
        raise ScopeProblem(f"no department {department_id}")
    at = at or clock.now()
    row = session.get(SupervisionScope, user_id)
    if row is None:
        row = SupervisionScope(user_id=user_id)
        session.add(row)
    row.region_id, row.department_id, row.assigned_at, row.assigned_by = region_id, department_id, at, actor
    session.flush()
    audit.record(session, actor, "supervision.scope_assigned", at=at,
                 payload={"user": user.username, "region_id": region_id, "department_id": department_id})
    return row


def unplace(session: Session, user_id: int, *, actor: str, at: datetime | None = None) -> bool:
    """Take supervisor ``user_id`` out of their scope (back to the platform-wide view); False when not placed. An
    audit event records it."""
    row = session.get(SupervisionScope, user_id)
    if row is None:
        return False
    user = session.get_one(User, user_id)
    session.delete(row)
    session.flush()
    audit.record(session, actor, "supervision.scope_assigned", at=at or clock.now(),
                 payload={"user": user.username, "region_id": None, "department_id": None})
    return True


@dataclass(frozen=True)
class Placement:
    """A supervisor and where they watch (for the administrator's list)."""

    user_id: int
    username: str
    display_name: str
    region: str | None
    department: str | None


def placements(session: Session) -> list[Placement]:
    """Every active supervisor (administrators aside) with their scope, by username."""
    admin = aliased(UserRole)
    rows = session.execute(
        select(User.id, User.username, User.display_name, Region.name, Department.name)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(SupervisionScope, SupervisionScope.user_id == User.id)
        .outerjoin(Region, Region.id == SupervisionScope.region_id)
        .outerjoin(Department, Department.id == SupervisionScope.department_id)
        .where(UserRole.role == SUPERVISOR, User.active.is_(True),
               ~exists(select(admin.user_id).where(admin.user_id == User.id, admin.role == "admin")))
        .order_by(User.username))
    return [Placement(*row) for row in rows]


def supervised_cases(user_id: int) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` admitting the cases in supervisor ``user_id``'s scope (every case when unplaced).

    The same answer as ``scope_of``, in SQL: a recursive walk down the region tree from the supervisor's region.
    """
    placed = select(SupervisionScope.region_id).where(SupervisionScope.user_id == user_id,
                                                      SupervisionScope.region_id.is_not(None))
    tree = select(Region.id).where(Region.id.in_(placed)).cte("scope_regions", recursive=True)
    tree = tree.union(select(Region.id).where(Region.parent_id == tree.c.id))
    departments: Select[tuple[int]] = union(
        select(Department.id).where(Department.region_id.in_(select(tree.c.id))),
        select(SupervisionScope.department_id).where(SupervisionScope.user_id == user_id,
                                                     SupervisionScope.department_id.is_not(None)),
    )  # type: ignore[assignment]
    unplaced = ~exists(select(SupervisionScope.user_id).where(SupervisionScope.user_id == user_id))
    return or_(unplaced, Case.department_id.in_(departments))


# ---- views of personal data ---------------------------------------------------------------------------------------


def log_case_view(session: Session, user: User, case_id: int, *, what: str = "case",
                  at: datetime | None = None) -> bool:
    """Record that supervisor ``user`` opened case ``case_id``'s personal data (``what``: the page or export); an
    audit event ``case.viewed`` in the case's stream. False (nothing logged) for anyone who is not a supervisor."""
    if not user.has_role(SUPERVISOR):
        return False
    audit.record(session, user.username, "case.viewed", case_id=case_id, at=at,
                 payload={"what": what, "display_name": user.display_name})
    return True
