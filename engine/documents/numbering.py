"""Document numbers: the department's prefix, the kind's series, the year, a gap-free sequence.

「示范市监管许字〔2026〕第 15 号」: prefix 示范市监管 (``departments.document_prefix``, the department's name when
unset), series 许, Beijing year 2026, the 15th 许 document of that department that year. The sequence is a row of
the counters table (``engine.runtime.serials.next_value``), bumped inside the issuing transaction: a document that
is rolled back gives its number back, and two clerks issuing at once wait for each other's commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.documents.kinds import DocumentKind
from engine.runtime.serials import next_value
from engine.store import Department

#: Prefixes of the demo departments (a real installation sets its own: ``sunshine`` has no command yet, so SQL or
#: the demo).
DEMO_PREFIXES = {"SCJGJ": "示范市监管", "MZJ": "示范市民政", "SFJ": "示范市司法", "ZFB": "示范市政办"}


@dataclass(frozen=True)
class Number:
    text: str
    year: int
    sequence: int


def prefix_of(department: Department) -> str:
    return (department.document_prefix or "").strip() or department.name


def format_number(prefix: str, series: str, year: int, sequence: int) -> str:
    return f"{prefix}{series}字〔{year}〕第 {sequence} 号"


def next_number(session: Session, department: Department, kind: DocumentKind, at: datetime) -> Number:
    """Take the next number of ``kind``'s series in ``department`` for the Beijing year of ``at``."""
    year = clock.local(at).year
    sequence = next_value(session, f"doc:{department.id}:{year}:{kind.series}")
    return Number(format_number(prefix_of(department), kind.series, year, sequence), year, sequence)


def preview_number(department: Department | None, kind: DocumentKind, at: datetime) -> str:
    """What a preview prints where the number goes: the format, with the sequence left open."""
    prefix = prefix_of(department) if department is not None else "示范市××"
    return f"{prefix}{kind.series}字〔{clock.local(at).year}〕第 × 号（样稿）"


def apply_demo_prefixes(session: Session) -> None:
    """Give the demo departments their prefixes (those that have none yet)."""
    for department in session.execute(select(Department).where(Department.code.in_(list(DEMO_PREFIXES)))).scalars():
        if department.document_prefix is None:
            department.document_prefix = DEMO_PREFIXES[department.code]
