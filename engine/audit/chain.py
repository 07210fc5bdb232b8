"""Appending events: each is keyed with an HMAC and links to the previous event of its own stream.

A stream is one case's events, or the system's (events without a case: catalog edits, deploys). Appenders to one
stream take turns, appenders to different streams never wait for each other: on PostgreSQL a transaction-scoped
advisory lock per stream, taken once per transaction and stream together with reading the stream's tip (the
function ``audit_stream_tip`` of migration 0008); on SQLite writers already take turns (``BEGIN IMMEDIATE``).
Lock order: the case row, then its stream, then the system stream.

The hot path saves statements: a step's case lock reads its stream's tip in the same statement (``stream_tip``,
``known_tip``), and a queued event's MAC is made as its batch is flushed, in queue order, so what it records may
be decided last (a new case's serial number, whose counter row is then held only until COMMIT).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, String, bindparam, cast, func, insert, select
from sqlalchemy.orm import Session

from engine import clock
from engine.audit.key import AuditKey, key_of
from engine.prepared import Batch, Prepared
from engine.store import AuditEvent

GENESIS = "0" * 64
#: The advisory lock namespace of audit streams (the two-integer form, apart from other one-key locks); the
#: system stream is 0 in it, a case's stream its id.
LOCK_SPACE = 0x41554454  # "AUDT"
SYSTEM_STREAM = 0

_E = AuditEvent.__table__.c
# Prepared once: the log is appended on every step.
_APPEND = Prepared(insert(AuditEvent).returning(AuditEvent.id))
_APPEND_LATER = Prepared(insert(AuditEvent))
# A stream's tip on SQLite: its newest keyed event, by the (case_id, id) index. Legacy events (key_id NULL,
# before migration 0008) belong to the old global chain, not to any stream.
_TIP_OF_CASE = Prepared(select(_E.hash).where(_E.case_id == bindparam("case_id"), _E.key_id.is_not(None))
                        .order_by(_E.id.desc()).limit(1))
_TIP_OF_SYSTEM = Prepared(select(_E.hash).where(_E.case_id.is_(None), _E.key_id.is_not(None))
                          .order_by(_E.id.desc()).limit(1))
# PostgreSQL: the stream's advisory lock, then its tip, in one statement (a function of migration 0008).
_LOCK_AND_READ_TIP = Prepared(select(func.audit_stream_tip(cast(bindparam("stream"), Integer)).label("tip")))
# The batch holding this transaction's queued events: an event appended at once must not overtake them.
_QUEUED = "audit_queued"
_TIPS = "audit_tips"


@dataclass(frozen=True)
class Recorded:
    """An event just appended: its id and its hash (the next event of its stream links to it)."""

    id: int
    hash: str


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def event_mac(key: AuditKey, prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None,
              step: str | None, payload: dict[str, Any]) -> str:
    """An event's HMAC: everything stored about it except its id and transaction (which the database assigns)."""
    return key.hexmac(canonical({"v": 2, "key": key.id, "prev": prev_hash, "at": at.isoformat(), "actor": actor,
                                 "action": action, "case": case_id, "step": step, "payload": payload}))


def legacy_digest(prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None, step: str | None,
                  payload: dict[str, Any]) -> str:
    """A legacy event's hash (before migration 0008): plain SHA-256, anyone can recompute it."""
    return hashlib.sha256(canonical({"prev": prev_hash, "at": at.isoformat(), "actor": actor, "action": action,
                                     "case": case_id, "step": step, "payload": payload})).hexdigest()


def record(session: Session, actor: str, action: str, *, case_id: int | None = None, step: str | None = None,
           payload: dict[str, Any] | None = None, at: datetime | None = None) -> Recorded:
    """Append one event to its stream inside the caller's transaction."""
    _flush_queued(session)
    values = _event(session, actor, action, case_id, step, payload, at)
    event_id = _APPEND.scalar(session.connection(), values)
    return Recorded(event_id, values["hash"])


def queue(session: Session, batch: Batch, actor: str, action: str, *, case_id: int | None = None,
          step: str | None = None, payload: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
          at: datetime | None = None) -> None:
    """Like ``record``, but the insert waits in ``batch`` (the caller flushes it).

    The event's place in its stream is taken now; its link and MAC are made as the batch is flushed, in the order
    events were queued. ``payload`` may be a function, called then, for values decided after queueing.
    """
    key = key_of(session)
    tip = _tip(session, case_id)
    at = at or clock.now()
    given = payload if callable(payload) else _clean(payload)

    def row() -> dict[str, Any]:
        clean = _clean(given()) if callable(given) else given
        return _linked(key, tip, at, actor, action, case_id, step, clean)

    batch.add(_APPEND_LATER, row)
    session.info[_QUEUED] = batch


def _event(session: Session, actor: str, action: str, case_id: int | None, step: str | None,
           payload: dict[str, Any] | None, at: datetime | None) -> dict[str, Any]:
    """The next event's row, linked to its stream's tip, which then moves to it."""
    return _linked(key_of(session), _tip(session, case_id), at or clock.now(), actor, action, case_id, step,
                   _clean(payload))


def _clean(payload: dict[str, Any] | None) -> dict[str, Any]:
    # What is hashed must be what ``verify`` reads back: the payload as JSON gives it.
    return json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str))


def _linked(key: AuditKey, tip: list[str], at: datetime, actor: str, action: str, case_id: int | None,
            step: str | None, clean: dict[str, Any]) -> dict[str, Any]:
    prev = tip[0]
    digest = event_mac(key, prev, at, actor, action, case_id, step, clean)
    tip[0] = digest
    return {"at": at, "actor": actor, "action": action, "case_id": case_id, "step": step, "payload": clean,
            "prev_hash": prev, "hash": digest, "key_id": key.id}


def stream_tip(case_id: ColumnElement[int], dialect: str) -> ColumnElement[str | None]:
    """A column giving the tip of case ``case_id``'s stream, for the statement that locks the case's row.

    On PostgreSQL it takes the stream's lock (``audit_stream_tip``), so the statement must evaluate it only once
    the row is locked (over a MATERIALIZED common table expression that locks it), keeping the lock order. Give
    what it read to ``known_tip``.
    """
    if dialect == "postgresql":
        return func.audit_stream_tip(cast(case_id, Integer), type_=String)
    return (select(_E.hash).where(_E.case_id == case_id, _E.key_id.is_not(None))
            .order_by(_E.id.desc()).limit(1).scalar_subquery())


def known_tip(session: Session, case_id: int, tip: str | None) -> None:
    """Tell the chain the tip of case ``case_id``'s stream as this transaction read it through ``stream_tip`` (None:
    the stream is empty), so its next event needs no statement of its own. A tip already known is kept."""
    _tips(session).setdefault(case_id, [tip or GENESIS])


def _tip(session: Session, case_id: int | None) -> list[str]:
    """The stream's tip as this transaction sees it (a one-item list the caller moves on).

    The stream's lock lasts until the transaction ends, so one lock and read per transaction and stream is enough.
    Inside a savepoint the cache is the savepoint's own: if it rolls back (releasing what it locked), the next
    event locks and reads the real tip again.
    """
    tips = _tips(session)
    tip = tips.get(case_id)
    if tip is None:
        _flush_queued(session)  # the stored tip must include events still queued
        tip = tips[case_id] = [_read_tip(session.connection(), case_id)]
    return tip


def _tips(session: Session) -> dict[int | None, list[str]]:
    """The stream tips known in the session's current transaction (or savepoint)."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    cached = session.info.get(_TIPS)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[_TIPS] = cached
    return cached[1]


def _read_tip(conn: Connection, case_id: int | None) -> str:
    if conn.dialect.name != "postgresql":
        read, params = (_TIP_OF_SYSTEM, {}) if case_id is None else (_TIP_OF_CASE, {"case_id": case_id})
        return read.scalar(conn, params) or GENESIS
    # The function's read has a snapshot of its own, taken once the lock is granted (READ COMMITTED), so it sees
    # the tip the lock's previous holder committed.
    return _LOCK_AND_READ_TIP.scalar(conn, {"stream": SYSTEM_STREAM if case_id is None else case_id}) or GENESIS


def _flush_queued(session: Session) -> None:
    queued = session.info.get(_QUEUED)
    if queued is not None:
        queued.flush(session.connection())
