"""Power codes (权力编码): region code, department code, category letters, four-digit number."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.catalog.fields import CATEGORIES
from engine.runtime.serials import next_value
from engine.store import Department


def next_code(session: Session, department: Department, category: str) -> tuple[str, int]:
    """E.g. ``519900-SCJGJ-XK-0003`` and its number; numbers never repeat, even for cancelled powers."""
    letters = CATEGORIES[category][2]
    number = next_value(session, f"power:{department.code}:{letters}")
    return f"{department.region.code}-{department.code}-{letters}-{number:04d}", number
