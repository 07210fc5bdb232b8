"""办件: the cases a member of staff may see, newest first, a page at a time, searched and filtered.

Only the page's rows are read, each with its power's name, under ``engine.access.visible_cases``. Pages are cut at a
case id (``?after=`` / ``?before=``), never at an offset: every visible case is reachable and none repeats.
Filters: a state (办理中, 已办结, 已超期, 已暂停), a power, a date range of 受理时间, the search box of
``engine.case_search``.
A search reads its matching cases first (at most ``engine.inbox.NARROW_CAP``; more is said, not cut).

Counts are given for a search only (``case_counts`` returns None otherwise): there they range over at most
``NARROW_CAP`` cases and stop at ``COUNT_CAP``. Over the whole table a capped count is cheap only when many cases
match; counting a state few cases are in (已暂停, or 已办结 in a young database) would read every case the user sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, select, true
from sqlalchemy.orm import Session

from engine import clock
from engine.access import visible_cases
from engine.case_search import matching_cases
from engine.inbox import COUNT_CAP, NARROW_CAP, Count
from engine.store import Case, Power, User

#: Cases on one page of the list.
PAGE_SIZE = 50
#: The state filters, by the names links carry.
CASE_STATES = ("running", "completed", "overdue", "paused")


class TooManyMatches(Exception):
    """A search found more than ``NARROW_CAP`` cases: the user is asked to search more precisely."""


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list: ``search`` (cleaned by ``engine.case_search.clean``), a state of ``CASE_STATES``, a power,
    受理时间 from and to (Beijing dates, both included)."""

    search: str = ""
    state: str | None = None
    power_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None

    def __post_init__(self) -> None:
        if self.state not in (None, *CASE_STATES):
            raise ValueError(f"no such state: {self.state!r}")


@dataclass(frozen=True)
class CaseRow:
    id: int
    serial: str
    power: str
    subject: str
    applicant_name: str
    applicant_id_type: str
    applicant_id_number: str
    created_at: datetime
    status: str
    end_name: str | None
    promised_due_at: datetime | None
    legal_due_at: datetime | None
    completed_at: datetime | None
    paused_at: datetime | None

    def state(self, now: datetime) -> str:
        """``completed``, ``paused``, ``overdue`` (a limit passed while running) or ``running``."""
        if self.status != "running":
            return "completed"
        if self.paused_at is not None:
            return "paused"
        if any(d is not None and d <= now for d in (self.promised_due_at, self.legal_due_at)):
            return "overdue"
        return "running"


@dataclass(frozen=True)
class CasePage:
    """One page, newest first; a key (a case id) is set when there are cases beyond that end of the page."""

    rows: list[CaseRow]
    next_key: int | None
    prev_key: int | None


@dataclass(frozen=True)
class CaseCounts:
    shown: Count  # the cases the filter shows
    states: dict[str, Count]  # per state of CASE_STATES, with the other filters applied


_COLUMNS = (Case.id, Case.serial, Power.name, Case.subject, Case.applicant_name, Case.applicant_id_type,
            Case.applicant_id_number, Case.created_at, Case.status, Case.end_name, Case.promised_due_at,
            Case.legal_due_at, Case.completed_at, Case.clock_paused_at)


def _state(state: str, now: datetime) -> ColumnElement[bool]:
    running = Case.status == "running"
    if state == "running":
        return running
    if state == "completed":
        return Case.status != "running"
    if state == "paused":
        return and_(running, Case.clock_paused_at.is_not(None))
    return and_(running, Case.clock_paused_at.is_(None),
                or_(Case.promised_due_at <= now, Case.legal_due_at <= now))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), clock.LOCAL_TZ)


def _where(session: Session, user: User, f: CaseFilter, now: datetime, *, with_state: bool = True
           ) -> ColumnElement[bool]:
    """The filter as a WHERE clause on ``Case``; ``TooManyMatches`` for a search that finds too many."""
    where = [visible_cases(user)]
    if f.search:
        ids = session.execute(select(Case.id).where(matching_cases(session, f.search))
                              .limit(NARROW_CAP + 1)).scalars().all()
        if len(ids) > NARROW_CAP:
            raise TooManyMatches
        where.append(Case.id.in_(ids))
    if f.power_id is not None:
        where.append(Case.power_id == f.power_id)
    if f.created_from is not None:
        where.append(Case.created_at >= _day_start(f.created_from))
    if f.created_to is not None:
        where.append(Case.created_at < _day_start(f.created_to + timedelta(days=1)))
    if with_state and f.state is not None:
        where.append(_state(f.state, now))
    return and_(true(), *where)


def _rows(query: Select[tuple[object, ...]]) -> Select[tuple[object, ...]]:
    return query.join(Power, Power.id == Case.power_id)


def case_page(session: Session, user: User, f: CaseFilter = CaseFilter(), *, after: int | None = None,
              before: int | None = None, size: int = PAGE_SIZE) -> CasePage:
    """The page just after case ``after`` (older), just before ``before`` (newer), or the first (newest)."""
    if after is not None and before is not None:
        raise ValueError("a page starts after a key or ends before one, not both")
    where = _where(session, user, f, clock.now())
    if before is None:
        query = _rows(select(*_COLUMNS)).where(where)
        if after is not None:
            query = query.where(Case.id < after)
        rows = [CaseRow(*r) for r in session.execute(query.order_by(Case.id.desc()).limit(size + 1))]
        if rows or after is None:
            more_before = after is not None and _exists(session, where, Case.id > rows[0].id)
            shown = rows[:size]
            return CasePage(shown, shown[-1].id if len(rows) > size else None,
                            shown[0].id if more_before else None)
        # Nothing left after the key: the last page.
    query = _rows(select(*_COLUMNS)).where(where)
    if before is not None:
        query = query.where(Case.id > before)
    rows = [CaseRow(*r) for r in session.execute(query.order_by(Case.id.asc()).limit(size + 1))]
    if before is not None and len(rows) <= size:
        return case_page(session, user, f, size=size)
    shown = rows[:size][::-1]
    more_after = _exists(session, where, Case.id < shown[-1].id) if shown else False
    return CasePage(shown, shown[-1].id if more_after else None,
                    shown[0].id if len(rows) > size else None)


def _exists(session: Session, where: ColumnElement[bool], beyond: ColumnElement[bool]) -> bool:
    return session.execute(select(Case.id).where(where, beyond).limit(1)).first() is not None


def _capped(where: ColumnElement[bool]) -> object:
    sample = select(literal_column("1").label("one")).select_from(Case).where(where).limit(COUNT_CAP).subquery()
    return select(func.count()).select_from(sample).scalar_subquery()


def case_counts(session: Session, user: User, f: CaseFilter = CaseFilter()) -> CaseCounts | None:
    """For a search: the cases the filter shows and, with its other conditions, those in each state, each up to the
    cap. None without a search (see the module's docstring)."""
    if not f.search:
        return None
    now = clock.now()
    base = _where(session, user, f, now, with_state=False)
    shown = _where(session, user, f, now)
    values = session.execute(select(_capped(shown), *(_capped(and_(base, _state(s, now))) for s in CASE_STATES))
                             ).one()
    return CaseCounts(Count(values[0]), {s: Count(v) for s, v in zip(CASE_STATES, values[1:], strict=True)})


def all_cases(session: Session, user: User, f: CaseFilter, limit: int) -> Iterator[CaseRow]:
    """Every case the filter selects, newest first, at most ``limit`` (the export's bound), streamed."""
    query = _rows(select(*_COLUMNS)).where(_where(session, user, f, clock.now())).order_by(Case.id.desc())
    for r in session.execute(query.limit(limit).execution_options(yield_per=500)):
        yield CaseRow(*r)


def listed_powers(session: Session) -> list[tuple[int, str]]:
    """The powers a filter can name (the catalog is small): id and name, by code."""
    return [(p, n) for p, n in session.execute(select(Power.id, Power.name).where(Power.status != "draft")
                                                .order_by(Power.code))]
