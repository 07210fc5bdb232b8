"""Who may do what in the catalog (行政职权目录): whose requests a user works on, edits and draws flowcharts for.

The web pages, the CLI and the coming API ask these, so there is one policy. Every function takes the session
the caller already holds (a write transaction included), so nothing opens a second one. Who may *see* a request
or a power (secret ones included) is ``engine/catalog/visibility.py``.

- The legal office (``legal``), administrators and supervisors act for every department (``catalog_scope`` None);
  anyone else for the departments in which they hold a post.
- Editing a request's fields and uploading its flowcharts: ``drafter``, ``legal`` or ``admin``, within that scope.
- The flowchart editor (modeler): the legal office and administrators for every department, a ``drafter`` for the
  departments in which they hold a post. Everyone else who sees the request gets the read-only view.
- Exporting and importing the whole catalog: the legal office and administrators (``IMPORTERS``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.identity import department_ids_of
from engine.store import User

#: Roles that act on the catalog of every department.
ALL_DEPARTMENTS = ("legal", "admin", "supervisor")
#: Roles that may edit a request's fields and flowcharts (within their scope).
EDITORS = ("drafter", "legal", "admin")
#: Roles that may open the flowchart editor for every department.
MODEL_ANY = ("legal", "admin")
#: Roles that may export and import the whole catalog (``/catalog/io/``, ``sunshine catalog import``).
IMPORTERS = ("legal", "admin")


def catalog_scope(session: Session, user: User) -> list[int] | None:
    """Ids of the departments whose catalog ``user`` works on; None for all of them."""
    if user.has_role(*ALL_DEPARTMENTS):
        return None
    return department_ids_of(session, user.id)


def may_edit(session: Session, user: User, department_id: int) -> bool:
    """Whether ``user`` may edit the fields and flowcharts of a request of ``department_id``."""
    if not user.has_role(*EDITORS):
        return False
    scope = catalog_scope(session, user)
    return scope is None or department_id in scope


def may_model(session: Session, user: User, department_id: int) -> bool:
    """Whether ``user`` may open the flowchart editor for a request of ``department_id``."""
    if user.has_role(*MODEL_ANY):
        return True
    return user.has_role("drafter") and department_id in department_ids_of(session, user.id)


def may_draft(user: User) -> bool:
    """Whether ``user`` may open adjustment requests at all (for the departments of their scope)."""
    return user.has_role(*EDITORS)
