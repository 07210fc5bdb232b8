"""What a member of staff sees: the open steps assigned to them and the unclaimed steps of the posts they hold,
earliest deadline first, a page at a time, with counts that stop at ``COUNT_CAP``.

Every statement here costs the same however many steps are open (docs/cases.md, "The inbox"). The inbox is a
merge of queues, each one range of an index in inbox order: the steps assigned to the user
(``ix_open_tasks_assignee_queue``) and, per post held, the post's unclaimed steps (``ix_open_tasks_post_queue``,
partial on ``assignee_id IS NULL``). A page reads at most ``size + 1`` entries of each queue and merges them; it
starts after (or ends before) a ``PageKey``, never at an offset. Counts read at most ``COUNT_CAP`` index
entries per queue.

States and the search box narrow it. 我的 and 待认领 are queues of their own, 已超期 a range of each queue (a deadline
passed). A search, 被退回 and 已暂停 are *bounded*: the search finds its cases through the indexes of
``engine.case_search``, 已暂停 the paused cases through ``ix_cases_paused``, 被退回 the returned steps through
``ix_open_tasks_returned``; at most ``NARROW_CAP`` cases (and steps) are read, sorted however the user asks and paged
by key; beyond that the page says so (``InboxPage.too_many``) and shows nothing rather than a part.
"""

from __future__ import annotations

import base64
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from engine import clock
from engine.case_search import matching_cases
from engine.identity import post_ids_of
from engine.store import Case, Department, Membership, OpenTask, Post, Power, User

#: Steps on one page of the inbox.
PAGE_SIZE = 50
#: Counts stop here: a queue of a million steps is counted as fast as one of a thousand, and shown "999+".
COUNT_CAP = 1000
#: A search, 被退回 or 已暂停 reads at most this many cases (and steps); more is "too many", said so on the page.
NARROW_CAP = 2000
#: The state filters (我的, 待认领, 被退回, 已超期, 已暂停), by the names links carry.
STATES = ("mine", "unclaimed", "returned", "overdue", "paused")
#: The orders: deadline (the default; every view), arrival and serial (searches, 被退回, 已暂停: bounded views).
SORTS = ("deadline", "arrival", "serial")

_T = OpenTask.__table__.c
#: The inbox order within each stretch (see ``_stretches``); ``id`` makes it total, so a key names one place.
_ORDER = (_T.due_at, _T.created_at, _T.id)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_KEY = re.compile(r"(-|[0-9]{1,16})\.([0-9]{1,16})\.([0-9A-Za-z_-]{1,36})", re.ASCII)


class BadPageKey(ValueError):
    """A page key no link of the platform carries."""


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


@dataclass(frozen=True)
class PageKey:
    """A place in the inbox order: a step's deadline (none sorts last), arrival and id."""

    due_at: datetime | None
    created_at: datetime
    task_id: str

    def encode(self) -> str:
        """The key as it travels in a link: ``<due µs or ->.<created µs>.<task id>``, microseconds since 1970 UTC."""
        due = "-" if self.due_at is None else str((self.due_at - _EPOCH) // _MICROSECOND)
        return f"{due}.{(self.created_at - _EPOCH) // _MICROSECOND}.{self.task_id}"

    @classmethod
    def decode(cls, text: str) -> PageKey:
        """The key ``encode`` made; ``BadPageKey`` for anything else."""
        found = _KEY.fullmatch(text)
        if found is None:
            raise BadPageKey(text)
        due, created, task_id = found.groups()
        # Sixteen digits of microseconds reach the year 2286: never an overflow.
        return cls(None if due == "-" else _EPOCH + int(due) * _MICROSECOND, _EPOCH + int(created) * _MICROSECOND,
                   task_id)


@dataclass(frozen=True)
class InboxRow:
    task_id: str
    step: str
    post: str | None
    case_id: int
    serial: str
    subject: str
    applicant: str
    power: str
    created_at: datetime
    due_at: datetime | None
    alert_level: int
    assignee: str | None = None  # the display name of the colleague the step is assigned to
    returned_reason: str | None = None  # set when the case was returned (退回) to this step
    paused: bool = False  # the case's clock is stopped (暂停, 补正 …)

    @property
    def key(self) -> PageKey:
        """This step's place in the inbox order."""
        return PageKey(self.due_at, self.created_at, self.task_id)

    def status(self, now: datetime) -> str:
        """``red`` overdue, ``yellow`` within the warning window, ``green`` otherwise."""
        if self.due_at and now >= self.due_at:
            return "red"
        return "yellow" if self.alert_level >= 1 else "green"


@dataclass(frozen=True)
class SortKey:
    """A place in a bounded view sorted by arrival (``first`` = microseconds) or serial (``first`` = the serial).

    In a link: ``a.<µs>.<task id>`` or ``s.<serial, URL-safe base64 of its UTF-8>.<task id>``.
    """

    sort: str
    first: str
    task_id: str

    def encode(self) -> str:
        first = self.first if self.sort == "arrival" else \
            base64.urlsafe_b64encode(self.first.encode()).decode().rstrip("=")
        return f"{self.sort[0]}.{first}.{self.task_id}"

    def place(self) -> tuple[object, ...]:
        return (int(self.first), self.task_id) if self.sort == "arrival" else (self.first, self.task_id)


_SORT_KEY = re.compile(r"([as])\.([0-9A-Za-z_-]{1,240})\.([0-9A-Za-z_-]{1,36})", re.ASCII)


def decode_key(text: str, sort: str = "deadline") -> PageKey | SortKey:
    """A key a link of the inbox carries for the order ``sort``; ``BadPageKey`` for anything else."""
    if sort == "deadline":
        return PageKey.decode(text)
    found = _SORT_KEY.fullmatch(text)
    if found is None or found.group(1) != sort[0]:
        raise BadPageKey(text)
    first = found.group(2)
    if sort == "arrival":
        if not first.isdigit() or len(first) > 16:
            raise BadPageKey(text)
        return SortKey(sort, first, found.group(3))
    try:
        serial = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise BadPageKey(text) from None
    return SortKey(sort, serial, found.group(3))


@dataclass(frozen=True)
class InboxFilter:
    """Which of the inbox's steps to show and in which order.

    ``post_id``: one post's; ``due_before``: due by a moment; ``state``: one of ``STATES``; ``search``: what the
    search box holds (cleaned by ``engine.case_search.clean``); ``sort``: one of ``SORTS``.
    """

    post_id: int | None = None
    due_before: datetime | None = None
    state: str | None = None
    search: str = ""
    sort: str = "deadline"

    def __post_init__(self) -> None:
        if self.state not in (None, *STATES) or self.sort not in SORTS:
            raise ValueError(f"no such state or order: {self.state!r}, {self.sort!r}")

    @property
    def bounded(self) -> bool:
        """Whether this view reads a bounded set (a search, 被退回, 已暂停) rather than the queues' index ranges."""
        return bool(self.search) or self.state in ("returned", "paused")


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox; a key is set when there are steps beyond that end of the page.

    ``sort`` is the order the rows are in (a view that is not bounded is always by deadline); ``too_many`` is set,
    with no rows, when a bounded view found more than ``NARROW_CAP`` cases or steps.
    """

    rows: list[InboxRow]
    next_key: PageKey | SortKey | None
    prev_key: PageKey | SortKey | None
    sort: str = "deadline"
    too_many: bool = False


@dataclass(frozen=True)
class Count:
    """A number of steps counted up to ``COUNT_CAP``; shown as "999+" from there on."""

    value: int

    @property
    def capped(self) -> bool:
        return self.value >= COUNT_CAP

    def __add__(self, other: Count) -> Count:
        return Count(min(self.value + other.value, COUNT_CAP))

    def __str__(self) -> str:
        return f"{COUNT_CAP - 1}+" if self.capped else str(self.value)


@dataclass(frozen=True)
class PostCount:
    """A post the user holds and the steps the inbox shows for it (its unclaimed ones and the user's own)."""

    post_id: int
    post: str
    department: str
    count: Count


@dataclass(frozen=True)
class InboxCounts:
    total: Count  # every step in the inbox
    posts: list[PostCount]
    shown: Count | None  # the steps the filter shows; None when a bounded view found too many
    states: dict[str, Count | None]  # per state of STATES, in the whole inbox; None: too many paused cases


# ---- the queries ----------------------------------------------------------------------------------------------


def _queues(user_id: int, post_ids: list[int], f: InboxFilter) -> list[ColumnElement[bool]]:
    """One condition per queue the inbox merges; no step is in two (an assigned step is in no post's queue)."""
    mine = _T.assignee_id == user_id
    if f.post_id is not None:
        mine = and_(mine, _T.post_id == f.post_id)
    posts = [p for p in post_ids if f.post_id in (None, p)] if f.state != "mine" else []
    unclaimed = [and_(_T.post_id == p, _T.assignee_id.is_(None)) for p in posts]
    return unclaimed if f.state == "unclaimed" else [mine, *unclaimed]


def _effective(f: InboxFilter, now: datetime) -> InboxFilter:
    """已超期 is "due by now": a range of each queue like 到期不晚于."""
    if f.state != "overdue":
        return f
    return replace(f, due_before=now if f.due_before is None else min(f.due_before, now))


def _stretches(f: InboxFilter, key: PageKey | None, backward: bool) -> list[ColumnElement[bool]]:
    """Where a read runs from ``key`` on (or back), as at most two index ranges.

    The order is split where deadlines run out: steps with a deadline by (due_at, created_at, id), then those
    without by (created_at, id). SQLite and PostgreSQL sort NULL at opposite ends of an index, so neither
    stretch may rely on where the other lies; each is one range on both.
    """
    dated: list[ColumnElement[bool]] | None = [_T.due_at.is_not(None)]
    undated: list[ColumnElement[bool]] | None = [_T.due_at.is_(None)]
    if f.due_before is not None:
        dated = [*dated, _T.due_at <= f.due_before]
        undated = None
    if key is not None and key.due_at is not None:
        place = (key.due_at, key.created_at, key.task_id)
        dated = [*dated, tuple_(*_ORDER) < place if backward else tuple_(*_ORDER) > place]
        if backward:
            undated = None
    elif key is not None:
        place = (key.created_at, key.task_id)
        if undated is not None:
            undated = [*undated, tuple_(_T.created_at, _T.id) < place if backward
                       else tuple_(_T.created_at, _T.id) > place]
        if not backward:
            dated = None
    return [and_(*s) for s in (dated, undated) if s is not None]


def _merged(queues: list[ColumnElement[bool]], stretches: list[ColumnElement[bool]], backward: bool,
            limit: int) -> Select[Any]:
    """The first ``limit`` (id, due_at, created_at) in inbox order (reversed when ``backward``).

    Each queue's stretch is read in index order and stops after ``limit`` entries; on PostgreSQL an index-only
    scan. Only the merge of those few is sorted. Ordering a stretch without a deadline by ``due_at`` too (all
    NULL there) lets PostgreSQL see that the index serves it.
    """
    order = [c.desc() for c in _ORDER] if backward else list(_ORDER)
    branches = [select(_T.id, _T.due_at, _T.created_at).where(q, s).order_by(*order).limit(limit).subquery()
                for q in queues for s in stretches]
    merged = union_all(*(select(b) for b in branches)).subquery("merged")
    key = [merged.c.due_at.is_(None), merged.c.due_at, merged.c.created_at, merged.c.id]
    return select(merged).order_by(*(k.desc() for k in key) if backward else key).limit(limit)


def _read(session: Session, queues: list[ColumnElement[bool]], f: InboxFilter, key: PageKey | None,
          backward: bool, limit: int) -> list[InboxRow]:
    """Up to ``limit`` rows from ``key`` on (or back, nearest first), with their case, power and post."""
    stretches = _stretches(f, key, backward)
    if not stretches:
        return []
    page = _merged(queues, stretches, backward, limit).subquery("page")
    key_columns = [page.c.due_at.is_(None), page.c.due_at, page.c.created_at, page.c.id]
    query = (_described(select(page.c.id).select_from(page).join(OpenTask.__table__, _T.id == page.c.id))
             .order_by(*(k.desc() for k in key_columns) if backward else key_columns))
    return [InboxRow(*row[1:]) for row in session.execute(query)]


def _described(query: Select[Any]) -> Select[Any]:
    """``query`` (over ``open_tasks``) with what a row shows: its case, power, post and assignee."""
    return (
        query.add_columns(_T.id, _T.name, Post.name, Case.id, Case.serial, Case.subject, Case.applicant_name,
                          Power.name, _T.created_at, _T.due_at, _T.alert_level, User.display_name,
                          _T.returned_reason, Case.clock_paused_at.is_not(None))
        .join(Case, Case.id == _T.case_id).join(Power, Power.id == Case.power_id)
        .outerjoin(Post, Post.id == _T.post_id).outerjoin(User, User.id == _T.assignee_id)
    )


# ---- bounded views: a search, 被退回, 已暂停 -------------------------------------------------------------------


class _TooMany(Exception):
    """A bounded view found more than ``NARROW_CAP`` cases or steps."""


def _departments(post_ids: list[int]) -> Select[tuple[int]]:
    """The departments of ``post_ids``, as a subquery (``ix_cases_paused`` leads with the department)."""
    return select(Post.department_id).where(Post.id.in_(post_ids))


def _narrowed(session: Session, user_id: int, post_ids: list[int], f: InboxFilter) -> ColumnElement[bool]:
    """The steps a bounded view shows, as a WHERE clause on ``open_tasks`` naming at most ``NARROW_CAP`` cases.

    The cases are found first, through the indexes of ``cases``, and their steps by ``open_tasks.case_id``: never a
    walk through the queues looking for the few that match.
    """
    queues = _queues(user_id, post_ids, f)
    where = [or_(*queues) if queues else false()]
    if f.due_before is not None:
        where.append(_T.due_at <= f.due_before)
    if f.state == "returned":
        where.append(_T.returned_reason.is_not(None))
    on_cases = []
    if f.search:
        on_cases.append(matching_cases(session, f.search))
    if f.state == "paused":
        on_cases.append(Case.clock_paused_at.is_not(None))
    if on_cases:
        # Only the departments of the user's posts hold their steps: the cap counts their cases, not the platform's.
        ids = session.execute(select(Case.id).where(*on_cases, Case.department_id.in_(_departments(post_ids)))
                              .limit(NARROW_CAP + 1)).scalars().all()
        if len(ids) > NARROW_CAP:
            raise _TooMany
        where.append(_T.case_id.in_(ids))
    return and_(*where)


def _place(sort: str, row: InboxRow) -> tuple[object, ...]:
    if sort == "arrival":
        return (_us(row.created_at), row.task_id)
    if sort == "serial":
        return (row.serial, row.task_id)
    return (row.due_at is None, 0 if row.due_at is None else _us(row.due_at), _us(row.created_at), row.task_id)


def _row_key(sort: str, row: InboxRow) -> PageKey | SortKey:
    if sort == "deadline":
        return row.key
    return SortKey(sort, str(_us(row.created_at)) if sort == "arrival" else row.serial, row.task_id)


def _key_place(key: PageKey | SortKey) -> tuple[object, ...]:
    if isinstance(key, SortKey):
        return key.place()
    due = key.due_at
    return (due is None, 0 if due is None else _us(due), _us(key.created_at), key.task_id)


def _bounded_page(session: Session, user_id: int, f: InboxFilter, after: PageKey | SortKey | None,
                  before: PageKey | SortKey | None, size: int) -> InboxPage:
    """A page of a bounded view: every match read (at most ``NARROW_CAP``), sorted, and cut at the key."""
    for key in (after, before):
        if key is not None and isinstance(key, SortKey) != (f.sort != "deadline"):
            raise BadPageKey("a key of another order")
        if isinstance(key, SortKey) and key.sort != f.sort:
            raise BadPageKey("a key of another order")
    try:
        where = _narrowed(session, user_id, post_ids_of(session, user_id), f)
    except _TooMany:
        return InboxPage([], None, None, f.sort, too_many=True)
    rows = [InboxRow(*r[1:]) for r in
            session.execute(_described(select(literal_column("1")).select_from(OpenTask.__table__))
                            .where(where).limit(NARROW_CAP + 1))]
    if len(rows) > NARROW_CAP:
        return InboxPage([], None, None, f.sort, too_many=True)
    rows.sort(key=lambda r: _place(f.sort, r))
    places = [_place(f.sort, r) for r in rows]
    if after is not None:
        start = bisect_right(places, _key_place(after))
        if start >= len(rows):  # nothing after the key: the last page
            start = max(0, len(rows) - size)
    elif before is not None:
        start = max(0, bisect_left(places, _key_place(before)) - size)
    else:
        start = 0
    shown = rows[start:start + size]
    more_after = start + size < len(rows)
    return InboxPage(shown, _row_key(f.sort, shown[-1]) if shown and more_after else None,
                     _row_key(f.sort, shown[0]) if shown and start > 0 else None, f.sort)


def _any(session: Session, queues: list[ColumnElement[bool]], f: InboxFilter, key: PageKey,
         backward: bool) -> bool:
    """Whether any step lies beyond ``key`` in that direction."""
    stretches = _stretches(f, key, backward)
    return bool(stretches) and session.execute(_merged(queues, stretches, backward, 1)).first() is not None


def _capped(where: ColumnElement[bool]) -> ScalarSelect[int]:
    """Count the steps matching ``where``, reading at most ``COUNT_CAP`` index entries."""
    sample = select(literal_column("1").label("one")).select_from(OpenTask.__table__).where(where) \
        .limit(COUNT_CAP).subquery()
    return select(func.count()).select_from(sample).scalar_subquery()


# ---- what the pages call --------------------------------------------------------------------------------------


def inbox_page(session: Session, user_id: int, f: InboxFilter = InboxFilter(), *,
               after: PageKey | SortKey | None = None, before: PageKey | SortKey | None = None,
               size: int = PAGE_SIZE) -> InboxPage:
    """The page of the user's inbox just after ``after``, or just before ``before``, or the first page.

    A view that is not bounded (``InboxFilter.bounded``) is read from the queues in deadline order, whatever sort
    is asked for; ``InboxPage.sort`` says which order the rows are in.

    A page that would come out short because steps were worked meanwhile is filled from the other side: a key
    with nothing after it gives the last page, one with less than a page before it the first page.
    """
    if after is not None and before is not None:
        raise ValueError("a page starts after a key or ends before one, not both")
    f = _effective(f, clock.now())
    if f.bounded:
        return _bounded_page(session, user_id, f, after, before, size)
    if isinstance(after, SortKey) or isinstance(before, SortKey):
        raise BadPageKey("a key of another order")
    f = replace(f, sort="deadline")  # the queues are read in deadline order only
    queues = _queues(user_id, post_ids_of(session, user_id), f)
    if not queues:  # 待认领 of someone holding no post
        return InboxPage([], None, None)
    if before is None:
        rows = _read(session, queues, f, after, False, size + 1)
        if after is None or rows:
            more_after = len(rows) > size
            rows = rows[:size]
            more_before = after is not None and _any(session, queues, f, rows[0].key, True)
            return InboxPage(rows, rows[-1].key if more_after else None, rows[0].key if more_before else None)
        # Nothing is left after the key: read back from the end, for the last page.
    rows = _read(session, queues, f, before, True, size + 1)
    if len(rows) <= size:
        return inbox_page(session, user_id, f, size=size)
    rows = rows[:size][::-1]
    more_after = before is not None and _any(session, queues, f, rows[-1].key, False)
    return InboxPage(rows, rows[-1].key if more_after else None, rows[0].key)


def inbox(session: Session, user_id: int, *, due_before: datetime | None = None,
          post_id: int | None = None) -> list[InboxRow]:
    """Every step in the user's inbox, in order (for scripts and tests; the inbox page reads ``inbox_page``)."""
    f, rows, after = InboxFilter(post_id, due_before), [], None
    while True:
        page = inbox_page(session, user_id, f, after=after, size=500)
        rows += page.rows
        if page.next_key is None:
            return rows
        after = page.next_key


def inbox_counts(session: Session, user_id: int, f: InboxFilter = InboxFilter()) -> InboxCounts:
    """The steps in the user's inbox, per post held, and those the filter shows, each counted up to the cap."""
    posts = session.execute(
        select(Post.id, Post.name, Department.name).join(Membership, Membership.post_id == Post.id)
        .join(Department, Department.id == Post.department_id)
        .where(Membership.user_id == user_id).order_by(Post.id)
    ).all()
    post_ids = [p[0] for p in posts]
    now = clock.now()
    f = _effective(replace(f, sort="deadline"), now)
    everything = _queues(user_id, post_ids, InboxFilter())
    per_post = [_queues(user_id, post_ids, InboxFilter(post_id=p))[0] for p in post_ids]
    bounded_too_many = False
    asked: list[ColumnElement[bool]] = []
    if f.bounded:
        try:
            asked = [_narrowed(session, user_id, post_ids, f)]
        except _TooMany:
            bounded_too_many = True
    elif f != InboxFilter():
        asked = [and_(q, s) for q in _queues(user_id, post_ids, f) for s in _stretches(f, None, False)]
    # 已超期 and 被退回 per queue, each an index range; 已暂停 over the paused cases (at most NARROW_CAP of them).
    overdue = [and_(q, _T.due_at.is_not(None), _T.due_at <= now) for q in everything]
    returned = [and_(q, _T.returned_reason.is_not(None)) for q in everything]
    paused_ids = session.execute(select(Case.id).where(Case.clock_paused_at.is_not(None),
                                                       Case.department_id.in_(_departments(post_ids)))
                                 .limit(NARROW_CAP + 1)).scalars().all()
    paused = [and_(or_(*everything), _T.case_id.in_(paused_ids))] if len(paused_ids) <= NARROW_CAP else []
    # One round trip; each count is an index range read up to the cap.
    groups = [everything, per_post, asked, overdue, returned, paused]
    values = session.execute(select(*(_capped(w) for g in groups for w in g))).one()
    counts, split = [Count(v) for v in values], []
    for g in groups:
        split.append(counts[:len(g)])
        counts = counts[len(g):]
    queues, mine_in, asked_counts, overdue_counts, returned_counts, paused_counts = split
    total = sum(queues, Count(0))
    by_post = [PostCount(pid, name, dept, unclaimed + mine)
               for (pid, name, dept), unclaimed, mine in zip(posts, queues[1:], mine_in, strict=True)]
    states: dict[str, Count | None] = {
        "mine": queues[0], "unclaimed": sum(queues[1:], Count(0)),
        "returned": sum(returned_counts, Count(0)), "overdue": sum(overdue_counts, Count(0)),
        "paused": paused_counts[0] if paused_counts else None,
    }
    shown = None if bounded_too_many else total if f == InboxFilter() else sum(asked_counts, Count(0))
    return InboxCounts(total, by_post, shown, states)
