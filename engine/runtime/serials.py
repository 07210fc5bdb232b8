"""Case serial numbers (办件流水号): department code, Beijing date, sequence of the day.

The sequence is one counter row per department and day, so numbers come gap-free (a rolled-back case gives its
number back). Every case a department starts that day bumps the same row, and the bump holds it until COMMIT: a new
case therefore takes its number last (``SerialLater``), just before its transaction's writes go out, so two clerks
of one department starting cases at once wait for each other only for the other's commit, not for its whole step.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import clock
from engine.prepared import Prepared
from engine.store import Case, Counter

_COUNTERS = Counter.__table__
# One statement whether or not the day's row exists yet: a concurrent first insert makes the other wait and bump.
_BUMP = {
    name: Prepared(insert(_COUNTERS).values(value=1)
                   .on_conflict_do_update(index_elements=[_COUNTERS.c.scope], set_={"value": _COUNTERS.c.value + 1})
                   .returning(_COUNTERS.c.value))
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def next_value(session: Session, scope: str) -> int:
    """Increment and return the counter of ``scope`` (1 for a new scope); safe under concurrent transactions."""
    conn = session.connection()
    return int(_BUMP[conn.dialect.name].scalar(conn, {"scope": scope}))


def case_serial(session: Session, department_code: str, at: datetime) -> str:
    """E.g. ``SCJGJ-20261121-0007``."""
    day = clock.local(at).strftime("%Y%m%d")
    return f"{department_code}-{day}-{next_value(session, f'case:{department_code}:{day}'):04d}"


def provisional() -> str:
    """A unique stand-in for a new case's serial until it takes its number (never committed, never seen)."""
    return f"~{uuid.uuid4().hex}"


class SerialLater:
    """A new case's serial number, taken from its department's counter the first time it is asked for.

    Ask as late as the transaction allows (its last statement before the writes go out): the counter row stays
    locked from then until COMMIT.
    """

    def __init__(self, session: Session, case: Case, department_code: str, at: datetime) -> None:
        self._session, self._case, self._department_code, self._at = session, case, department_code, at
        self._serial: str | None = None

    def take(self) -> str:
        """The serial, bumping the counter on the first call; the case object shows it from then on."""
        if self._serial is None:
            self._serial = case_serial(self._session, self._department_code, self._at)
            set_committed_value(self._case, "serial", self._serial)
        return self._serial
