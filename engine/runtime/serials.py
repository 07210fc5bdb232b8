"""Case serial numbers (办件流水号): department code, Beijing date, sequence of the day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.prepared import Prepared
from engine.store import Counter

_BUMP = Prepared(update(Counter).where(Counter.scope == bindparam("of_scope")).values(value=Counter.value + 1)
                 .returning(Counter.value))


def next_value(session: Session, scope: str) -> int:
    """Increment and return the counter of ``scope``; safe under concurrent transactions."""
    for _ in range(3):
        bumped = _BUMP.scalar(session.connection(), {"of_scope": scope})
        if bumped is not None:
            return int(bumped)
        try:
            with session.begin_nested():
                session.add(Counter(scope=scope, value=1))
            return 1
        except IntegrityError:
            continue  # a concurrent transaction created it: bump that row instead
    raise RuntimeError(f"could not allocate a number in {scope}")


def case_serial(session: Session, department_code: str, at: datetime) -> str:
    """E.g. ``SCJGJ-20261121-0007``."""
    day = clock.local(at).strftime("%Y%m%d")
    return f"{department_code}-{day}-{next_value(session, f'case:{department_code}:{day}'):04d}"
