"""One search box over cases: a serial's beginning, an ID number, an applicant's name (or its beginning), a power.

Every term is a range of an index on ``cases`` (migration 0018), so a search costs what it finds, not what the
database holds:

- 办件流水号 by prefix (``SCJGJ-2026`` finds the department's cases of 2026): the serial's indexes;
- 证件号码 exactly, as stored (spaces dropped, letters upper-case): ``ix_cases_applicant_id_number``;
- 申请人 by name or its beginning: ``ix_cases_applicant_name``;
- 事项 by its code or a part of its name: the few matching powers are looked up first (the catalog is small), then
  their cases through ``cases.power_id``.

A prefix is a LIKE on PostgreSQL, whose ``varchar_pattern_ops`` indexes serve it in any collation, and a range on
SQLite, whose binary order makes the range exactly the prefix. The terms are OR-ed: each database reads one index
range per term and unites them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from engine.applicant_ids import normalise_id
from engine.plain_text import invisible, lone_surrogate
from engine.store import Case, Power

#: A search shorter than this is refused (one character would match half the database).
MIN_LENGTH = 2
#: Longer than any column searched.
MAX_LENGTH = 200
#: Above every character: ``prefix <= x < prefix + _TOP`` holds exactly for strings beginning with ``prefix``.
_TOP = "\U0010ffff"


class BadSearch(ValueError):
    """A search that cannot run; ``code`` says why: ``search.too_short``, ``search.too_long``, ``search.invisible``
    (a control or format character, which no serial, name or number holds and PostgreSQL may refuse)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean(text: str | None) -> str:
    """The search as typed, trimmed; ``BadSearch`` when it cannot be run (empty is no search)."""
    text = (text or "").strip()
    if text and len(text) < MIN_LENGTH:
        raise BadSearch("search.too_short")
    if len(text) > MAX_LENGTH:
        raise BadSearch("search.too_long")
    if invisible(text) is not None or lone_surrogate(text):
        raise BadSearch("search.invisible")
    return text


def _prefix(session: Session, column: InstrumentedAttribute[str], text: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(escaped + "%", escape="\\")
    return (column >= text) & (column < text + _TOP)


def matching_cases(session: Session, text: str) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` for the cases the search ``text`` (cleaned by ``clean``) finds."""
    if not text:
        raise ValueError("no search")
    upper = normalise_id(text)
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    powers = session.execute(select(Power.id).where(
        or_(Power.code == text, Power.name.like(like, escape="\\")))).scalars().all()
    terms = [
        _prefix(session, Case.serial, upper),
        Case.applicant_id_number == upper,
        _prefix(session, Case.applicant_name, text),
    ]
    if powers:
        terms.append(Case.power_id.in_(sorted(set(powers))))
    return or_(*terms)
