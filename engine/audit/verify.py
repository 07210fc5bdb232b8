"""``sunshine audit verify``: every event's MAC and link, every checkpoint, and the external file against the table.

Streamed in batches, in three passes that each keep only a batch in memory: the events stream by stream (their
MACs and links), the events in seal order against the checkpoints (their counts and digests), then the lines of
the external file against the table. The first problem found is named; events newer than the last checkpoint
are checked by MAC and link only (nothing yet seals them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, literal_column, select, tuple_
from sqlalchemy.orm import Session

from engine.audit.chain import GENESIS, event_mac, legacy_digest
from engine.audit.checkpoints import Checkpoint, digest_hex, element, read_file, sealed_events
from engine.audit.key import AuditKey, key_of
from engine.store import AuditCheckpoint, AuditEvent

_E = AuditEvent.__table__.c
_C = AuditCheckpoint.__table__.c
_FIELDS = (_E.id, _E.at, _E.actor, _E.action, _E.case_id, _E.step, _E.payload, _E.prev_hash, _E.hash, _E.key_id)


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong, in Chinese and English."""

    #: link, content, key, legacy_order, xact, checkpoint, sealed_events, file_unreadable, file_missing,
    #: file_not_in_database, file_differs
    reason: str
    zh: str
    en: str
    event_id: int | None = None
    checkpoint: int | None = None

    def message(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class VerifyResult:
    """What ``verify`` checked, and the first problem (None when the log is intact)."""

    checked: int
    checkpoints: int = 0
    #: Events newer than the last checkpoint: checked by MAC and link only.
    unsealed: int = 0
    #: Checkpoints of the external file found identical in the table; None when no file was read.
    in_file: int | None = None
    #: Checkpoints of the table that the file does not hold (yet): its writes failed, or it lags.
    not_in_file: int = 0
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def broken_id(self) -> int | None:
        return None if self.problem is None else self.problem.event_id

    @property
    def reason(self) -> str | None:
        return None if self.problem is None else self.problem.reason


class _Found(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def verify(session: Session, *, key: AuditKey | None = None, checkpoint_file: Path | None = None,
           batch: int = 5000) -> VerifyResult:
    """Check the whole log; name the first event, checkpoint or file line that is wrong."""
    key = key or key_of(session)
    conn = session.connection()
    checked = checkpoints = unsealed = not_in_file = 0
    in_file: int | None = None
    try:
        checked = _legacy_chain(conn, batch) + _streams(conn, key, batch)
        _transaction_ids(conn)
        checkpoints, unsealed = _seals(conn, key)
        if checkpoint_file is not None:
            in_file, not_in_file = _file(conn, key, checkpoint_file, checkpoints)
    except _Found as found:
        return VerifyResult(checked, checkpoints, unsealed, in_file, not_in_file, found.problem)
    return VerifyResult(checked, checkpoints, unsealed, in_file, not_in_file)


def _stream_name(case_id: int | None) -> tuple[str, str]:
    return ("系统流", "the system stream") if case_id is None else (f"案件 {case_id} 的流", f"case {case_id}'s stream")


_LEGACY = ("旧链", "the legacy chain")


def _event_problem(reason: str, event_id: int, where: tuple[str, str], zh: str, en: str) -> _Found:
    where_zh, where_en = where
    return _Found(Problem(reason, f"事件 #{event_id}（{where_zh}）{zh}", f"event #{event_id} ({where_en}) {en}",
                          event_id=event_id))


def _legacy_chain(conn: Connection, batch: int) -> int:
    """Events written before migration 0008: one global chain of plain SHA-256 hashes, checked the old way."""
    first_keyed = conn.execute(select(func.min(_E.id)).where(_E.key_id.is_not(None))).scalar()
    prev, checked, last = GENESIS, 0, 0
    while rows := conn.execute(select(*_FIELDS).where(_E.key_id.is_(None), _E.id > last)
                               .order_by(_E.id).limit(batch)).all():
        for ev in rows:
            if first_keyed is not None and ev.id > first_keyed:
                raise _event_problem("legacy_order", ev.id, _LEGACY, "是旧格式（无密钥）事件，却写在新格式事件之后",
                                     "is an unkeyed legacy event written after keyed ones")
            if ev.prev_hash != prev:
                raise _event_problem("link", ev.id, _LEGACY, "与前一事件的链接断开",
                                     "does not link to the previous event")
            if legacy_digest(ev.prev_hash, ev.at, ev.actor, ev.action, ev.case_id, ev.step, ev.payload) != ev.hash:
                raise _event_problem("content", ev.id, _LEGACY, "的内容与哈希不符：事件被改写",
                                     "does not match its hash: the event was rewritten")
            prev, last, checked = ev.hash, ev.id, checked + 1
    return checked


def _keyed(conn: Connection, batch: int) -> Iterator[Any]:
    """Keyed events stream by stream: the system's first, then each case's, each in id order."""
    last = 0
    while rows := conn.execute(select(*_FIELDS).where(_E.case_id.is_(None), _E.key_id.is_not(None), _E.id > last)
                               .order_by(_E.id).limit(batch)).all():
        yield from rows
        last = rows[-1].id
    after: tuple[int, int] | None = None
    query = select(*_FIELDS).where(_E.case_id.is_not(None), _E.key_id.is_not(None))
    while True:
        page = query if after is None else query.where(tuple_(_E.case_id, _E.id) > tuple_(*after))
        rows = conn.execute(page.order_by(_E.case_id, _E.id).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = (rows[-1].case_id, rows[-1].id)


def _streams(conn: Connection, key: AuditKey, batch: int) -> int:
    """Each keyed event's MAC, and its link to the previous event of its stream (the first links to GENESIS)."""
    checked = 0
    stream: object = object()
    prev = GENESIS
    for ev in _keyed(conn, batch):
        if ev.case_id != stream:
            stream, prev = ev.case_id, GENESIS
        if ev.key_id != key.id:
            raise _event_problem("key", ev.id, _stream_name(ev.case_id),
                                 f"由另一个密钥（{ev.key_id}）签名，不是当前的审计密钥",
                                 f"is keyed with another key ({ev.key_id}), not the audit key in use")
        if ev.prev_hash != prev:
            raise _event_problem("link", ev.id, _stream_name(ev.case_id),
                                 "与本流前一事件的链接断开：前面的事件被删除、插入或改写",
                                 "does not link to the previous event of its stream: an event before it was "
                                 "deleted, inserted or rewritten")
        if event_mac(key, ev.prev_hash, ev.at, ev.actor, ev.action, ev.case_id, ev.step, ev.payload) != ev.hash:
            raise _event_problem("content", ev.id, _stream_name(ev.case_id), "的内容与签名不符：事件被改写",
                                 "does not match its MAC: the event was rewritten")
        prev, checked = ev.hash, checked + 1
    return checked


def _transaction_ids(conn: Connection) -> None:
    """PostgreSQL: every keyed event has the id of a transaction that has begun (the column default sets it)."""
    if conn.dialect.name != "postgresql":
        return
    xmax = literal_column("pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
    odd = conn.execute(select(func.min(_E.id)).where(_E.key_id.is_not(None))
                       .where((_E.xact.is_(None)) | (_E.xact >= xmax))).scalar()
    if odd is not None:
        raise _Found(Problem("xact", f"事件 #{odd} 的事务号被改动",
                             f"event #{odd} has a transaction id that was altered", event_id=odd))


def _checkpoint_rows(conn: Connection, batch: int = 1000) -> Iterator[Checkpoint]:
    last = 0
    while rows := conn.execute(select(AuditCheckpoint.__table__).where(_C.seq > last)
                               .order_by(_C.seq).limit(batch)).all():
        for row in rows:
            yield Checkpoint.from_row(row)
        last = rows[-1].seq


def _checkpoint_problem(reason: str, seq: int, zh: str, en: str) -> _Found:
    return _Found(Problem(reason, f"检查点 #{seq}{zh}", f"checkpoint #{seq} {en}", checkpoint=seq))


def _seals(conn: Connection, key: AuditKey) -> tuple[int, int]:
    """Each checkpoint's MAC and link, and that the events it sealed are still exactly there.

    Returns the number of checkpoints and of events newer than the last one.
    """
    rows = _checkpoint_rows(conn)
    expected = _Expected()
    current = expected.next(next(rows, None), key)
    count = total = unsealed = 0
    for seal, event_id, event_hash in sealed_events(conn, 0, None, legacy=True):
        while current is not None and seal >= current.upto:
            _compare(current, count, total)
            count = total = 0
            current = expected.next(next(rows, None), key)
        if current is None:
            unsealed += 1
            continue
        count += 1
        total += element(key, event_id, event_hash)
    while current is not None:
        _compare(current, count, total)
        count = total = 0
        current = expected.next(next(rows, None), key)
    return expected.seq - 1, unsealed


class _Expected:
    """What the next checkpoint must be: its number, the MAC it links to, the seal key it starts at."""

    def __init__(self) -> None:
        self.seq, self.prev_mac, self.low = 1, GENESIS, 0

    def next(self, cp: Checkpoint | None, key: AuditKey) -> Checkpoint | None:
        if cp is None:
            return None
        if cp.seq != self.seq:
            raise _checkpoint_problem("checkpoint", self.seq, f"缺失（下一个是 #{cp.seq}）",
                                      f"is missing (the next one is #{cp.seq})")
        if cp.key_id != key.id:
            raise _checkpoint_problem("checkpoint", cp.seq, f"由另一个密钥（{cp.key_id}）签名",
                                      f"is keyed with another key ({cp.key_id})")
        if key.hexmac(cp.body()) != cp.mac:
            raise _checkpoint_problem("checkpoint", cp.seq, "的签名不符：检查点被改写",
                                      "does not match its MAC: it was rewritten")
        if cp.prev_mac != self.prev_mac or cp.upto <= self.low:
            raise _checkpoint_problem("checkpoint", cp.seq, "与前一检查点不相接",
                                      "does not follow the checkpoint before it")
        self.seq, self.prev_mac, self.low = cp.seq + 1, cp.mac, cp.upto
        return cp


def _compare(cp: Checkpoint, count: int, total: int) -> None:
    if count != cp.count:
        raise _checkpoint_problem(
            "sealed_events", cp.seq, f"封存了 {cp.count} 条事件，现在只找到 {count} 条：事件被删除或插入",
            f"sealed {cp.count} events, {count} are there now: events were deleted or inserted")
    if digest_hex(total) != cp.digest:
        raise _checkpoint_problem("sealed_events", cp.seq, "封存的事件被改写、调换或替换",
                                  "sealed events that were since rewritten, moved or replaced")


def _file(conn: Connection, key: AuditKey, path: Path, checkpoints: int) -> tuple[int, int]:
    """Every checkpoint of the external file is in the table, identical. Returns (matched, table-only)."""
    if not path.exists():
        if checkpoints:
            raise _Found(Problem(
                "file_missing", f"外部检查点文件 {path} 不存在，无法确认数据库未被回退",
                f"the external checkpoint file {path} does not exist: nothing shows the database was not rolled back"))
        return 0, 0
    matched: set[int] = set()
    pending: list[tuple[int, Checkpoint]] = []
    for number, cp in read_file(path):
        if cp is None or key.hexmac(cp.body()) != cp.mac:
            raise _Found(Problem("file_unreadable", f"外部检查点文件 {path} 第 {number} 行不是本密钥签发的检查点",
                                 f"line {number} of the external checkpoint file {path} is not a checkpoint made "
                                 f"with this key"))
        pending.append((number, cp))
        if len(pending) >= 500:
            _match(conn, path, pending, matched)
    _match(conn, path, pending, matched)
    return len(matched), max(0, checkpoints - len(matched))


def _match(conn: Connection, path: Path, pending: list[tuple[int, Checkpoint]], matched: set[int]) -> None:
    stored = {row.seq: Checkpoint.from_row(row) for row in conn.execute(
        select(AuditCheckpoint.__table__).where(_C.seq.in_([cp.seq for _, cp in pending])))}
    for number, cp in pending:
        found = stored.get(cp.seq)
        if found is None:
            raise _checkpoint_problem(
                "file_not_in_database", cp.seq, f"在外部文件 {path} 第 {number} 行，数据库中却没有：数据库被回退或改写",
                f"is in the external file {path} (line {number}) but not in the database: the database was rolled "
                f"back or rewritten")
        if found != cp:
            raise _checkpoint_problem(
                "file_differs", cp.seq, f"与外部文件 {path} 第 {number} 行不同：数据库被改写",
                f"differs from line {number} of the external file {path}: the database was rewritten")
        matched.add(cp.seq)
    pending.clear()
