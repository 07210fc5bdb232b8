"""Append-only, hash-chained audit log: record every state change, verify the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine import clock
from engine.prepared import Batch, Prepared
from engine.store import AuditEvent, AuditHead

GENESIS = "0" * 64

# Prepared once: the log is appended on every step (the log is only ever appended, never loaded as objects
# here). A database trigger moves ``audit_head`` to each new event (migration 0004).
_APPEND = Prepared(insert(AuditEvent).returning(AuditEvent.id))
_APPEND_LATER = Prepared(insert(AuditEvent))
_READ_HEAD = Prepared(select(AuditHead.last_hash).where(AuditHead.id == 1).with_for_update())
# The batch holding this transaction's queued events: an event appended at once must not overtake them.
_QUEUED = "audit_queued"


@dataclass(frozen=True)
class Recorded:
    """An event just appended: its id and its hash (the next event's link)."""

    id: int
    hash: str


def _digest(prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None, step: str | None,
            payload: dict[str, Any]) -> str:
    body = json.dumps(
        {"prev": prev_hash, "at": at.isoformat(), "actor": actor, "action": action, "case": case_id,
         "step": step, "payload": payload},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(session: Session, actor: str, action: str, *, case_id: int | None = None, step: str | None = None,
           payload: dict[str, Any] | None = None, at: datetime | None = None) -> Recorded:
    """Append one event to the chain inside the caller's transaction."""
    _flush_queued(session)
    values = _event(session, actor, action, case_id, step, payload, at)
    event_id = _APPEND.scalar(session.connection(), values)
    return Recorded(event_id, values["hash"])


def queue(session: Session, batch: Batch, actor: str, action: str, *, case_id: int | None = None,
          step: str | None = None, payload: dict[str, Any] | None = None, at: datetime | None = None) -> None:
    """Like ``record``, but the insert waits in ``batch`` (the caller flushes it)."""
    batch.add(_APPEND_LATER, _event(session, actor, action, case_id, step, payload, at))
    session.info[_QUEUED] = batch


def _event(session: Session, actor: str, action: str, case_id: int | None, step: str | None,
           payload: dict[str, Any] | None, at: datetime | None) -> dict[str, Any]:
    """The next event's row, linked to the chain's tip, which then moves to it."""
    head = _head(session)
    at = at or clock.now()
    # What is hashed must be what ``verify`` reads back: the payload as JSON gives it.
    clean = json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str))
    prev = head["hash"]
    digest = _digest(prev, at, actor, action, case_id, step, clean)
    head["hash"] = digest
    return {"at": at, "actor": actor, "action": action, "case_id": case_id, "step": step, "payload": clean,
            "prev_hash": prev, "hash": digest}


def _head(session: Session) -> dict[str, Any]:
    # Locking the head row makes concurrent appenders queue, so each links to the true predecessor. The lock
    # lasts until the transaction ends, so one SELECT … FOR UPDATE per transaction is enough. Inside a
    # savepoint the cache is the savepoint's own: if it rolls back, the next event re-reads the real tip.
    transaction = session.get_nested_transaction() or session.get_transaction()
    cached = session.info.get("audit_head")
    if cached is not None and cached[0] is transaction:
        return cached[1]
    _flush_queued(session)  # the stored tip must include events still queued
    head = {"hash": _READ_HEAD.scalar(session.connection())}
    session.info["audit_head"] = (transaction, head)
    return head


def _flush_queued(session: Session) -> None:
    queued = session.info.get(_QUEUED)
    if queued is not None:
        queued.flush(session.connection())


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute the chain from the first event; name the first event whose link or content is wrong."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for ev in rows:
            if ev.prev_hash != prev:
                return VerifyResult(checked, ev.id, "link")
            if _digest(ev.prev_hash, ev.at, ev.actor, ev.action, ev.case_id, ev.step, ev.payload) != ev.hash:
                return VerifyResult(checked, ev.id, "content")
            prev, last_id, checked = ev.hash, ev.id, checked + 1
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and head.last_id != last_id:
        return VerifyResult(checked, last_id + 1, "tail")
    return VerifyResult(checked)
