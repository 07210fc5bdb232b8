"""What a database superuser without the audit key can do to the log, and sealing for the audit tests."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.store import AuditEvent

Hasher = Callable[[bytes], str]


def plain_sha256(body: bytes) -> str:
    """What anyone can compute."""
    return hashlib.sha256(body).hexdigest()


def wrong_key(body: bytes) -> str:
    """An HMAC under a key of the attacker's own."""
    return hmac.new(b"mallory-guessed-this-key-0123456789", body, hashlib.sha256).hexdigest()


def _body(ev: Any, prev: str, payload: dict[str, Any]) -> bytes:
    # The body as the platform hashes it (the attacker can read the source), only the key is unknown.
    values = {"v": 2, "key": ev.key_id, "prev": prev, "at": ev.at.isoformat(), "actor": ev.actor,
              "action": ev.action, "case": ev.case_id, "step": ev.step, "payload": payload}
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def rewrite(engine: Any, event_id: int, payload: dict[str, Any], hasher: Hasher = plain_sha256) -> None:
    """Change one event's payload, recompute its hash with ``hasher`` and re-link every later event of its stream.

    The append-only triggers must be gone already (``tests.conftest.drop_audit_triggers``).
    """
    columns = AuditEvent.__table__.c
    with engine.begin() as conn:
        target = conn.execute(select(AuditEvent.__table__).where(columns.id == event_id)).one()
        stream = columns.case_id.is_(None) if target.case_id is None else columns.case_id == target.case_id
        later = conn.execute(select(AuditEvent.__table__).where(stream, columns.id > event_id,
                                                                columns.key_id.is_not(None))
                             .order_by(columns.id)).all()
        prev = target.prev_hash
        for ev, new_payload in [(target, payload), *((ev, ev.payload) for ev in later)]:
            digest = hasher(_body(ev, prev, new_payload))
            conn.execute(text("UPDATE audit_events SET payload = :payload, prev_hash = :prev, hash = :hash "
                              "WHERE id = :id"),
                         {"payload": json.dumps(new_payload, ensure_ascii=False), "prev": prev, "hash": digest,
                          "id": ev.id})
            prev = digest


def seal_everything(sessions: sessionmaker[Session], path: Path, tries: int = 200) -> None:
    """Checkpoint until no event is left unsealed.

    On PostgreSQL a transaction still open anywhere on the server (other test runs share it) holds back what may be
    sealed for a moment; the checkpointer is then simply run again.
    """
    for _ in range(tries):
        audit.checkpoint(sessions, path)
        with sessions() as session:
            if audit.verify(session).unsealed == 0:
                return
    raise AssertionError("events stayed unsealed")
