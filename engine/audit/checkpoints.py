"""Checkpoints: seal every event committed since the previous checkpoint, in the database and in a file elsewhere.

A checkpoint holds how many events it seals, a digest over them that does not depend on their order, the previous
checkpoint's MAC and a MAC over all that. Its row goes into ``audit_checkpoints``, and the same line is appended
to ``Settings.audit_checkpoint_path``, storage the database's superuser does not control, so that a database put
back to an earlier state (or rewritten from scratch) no longer matches what was sealed.

Which events are final: on PostgreSQL ids are not committed in id order (a transaction may take id 10 and commit
after another took 11), so "every event up to id N" is not final when it is read. Each event stores its
transaction id (``xact``); every transaction below the current snapshot's ``xmin`` has ended, so the events with
``xact`` below it are final and no later commit can add one. SQLite has one writer at a time, and the
checkpointer holds the write lock, so there every event it sees is final and the seal key is the id.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, literal_column, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from engine import clock
from engine.audit.chain import GENESIS, LOCK_SPACE, canonical
from engine.audit.key import AuditKey, key_of
from engine.store import AuditCheckpoint, AuditEvent

log = logging.getLogger("sunshine.audit")

MODULUS = 2**256
#: The advisory lock (namespace ``LOCK_SPACE``) that makes concurrent checkpointers (several supervisors) take turns.
CHECKPOINTER_LOCK = -1
#: Unsealed events older than this mean that a transaction held open somewhere stops sealing (PostgreSQL).
STALLED_AFTER = timedelta(minutes=10)
BATCH = 5000

_E = AuditEvent.__table__.c
_C = AuditCheckpoint.__table__.c


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint, as stored in the table and written to the file."""

    seq: int
    at: datetime
    upto: int
    count: int
    digest: str
    prev_mac: str
    key_id: str
    mac: str

    def body(self) -> bytes:
        """What the MAC covers: every field but the MAC itself."""
        return canonical({"kind": "checkpoint", "seq": self.seq, "at": self.at.isoformat(), "upto": self.upto,
                          "count": self.count, "digest": self.digest, "prev": self.prev_mac, "key": self.key_id})

    def line(self) -> str:
        """The checkpoint as one line of the external file."""
        values = asdict(self)
        values["at"] = self.at.isoformat()
        return json.dumps(values, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, text: str) -> Checkpoint:
        """A checkpoint read back from the file; ValueError (or KeyError, TypeError) if the line is not one."""
        values: dict[str, Any] = json.loads(text)
        values["at"] = datetime.fromisoformat(values["at"])
        made = cls(**values)
        if not all(isinstance(getattr(made, f), int) for f in ("seq", "upto", "count")):
            raise ValueError("not a checkpoint")
        return made

    @classmethod
    def from_row(cls, row: Any) -> Checkpoint:
        return cls(row.seq, row.at, row.upto, row.count, row.digest, row.prev_mac, row.key_id, row.mac)


@dataclass(frozen=True)
class Sealed:
    """What one run of the checkpointer did."""

    #: The checkpoint it added, or None (nothing new was committed, or another checkpointer was at work).
    checkpoint: Checkpoint | None
    #: Why the external file could not be brought up to date (an operator error), or None.
    file_problem: str | None = None
    #: Set when committed events have stayed unsealed for long (a transaction held open somewhere).
    stalled: str | None = None


def element(key: AuditKey, event_id: int, event_hash: str) -> int:
    """One event's share of a checkpoint digest: a keyed hash of its id and hash, as a 256-bit number.

    The digest is the sum of the shares modulo 2**256, so it does not depend on the order events are read in.
    The shares are keyed: without the key nobody can look for a set of events whose shares cancel out (with XOR,
    any 257 known values contain such a set; with plain hashes, a large enough log makes the search feasible).
    """
    return int.from_bytes(key.mac(b"event:%d:%s" % (event_id, event_hash.encode())), "big")


def digest_hex(total: int) -> str:
    return f"{total % MODULUS:064x}"


def make(key: AuditKey, seq: int, at: datetime, upto: int, count: int, total: int, prev_mac: str) -> Checkpoint:
    """A new checkpoint with its MAC."""
    draft = Checkpoint(seq, at, upto, count, digest_hex(total), prev_mac, key.id, "")
    return Checkpoint(seq, at, upto, count, draft.digest, prev_mac, key.id, key.hexmac(draft.body()))


def seal_bound(conn: Connection) -> int:
    """Every event whose seal key is below this is committed and final."""
    if conn.dialect.name == "postgresql":
        return int(conn.execute(select(literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")))
                   .scalar_one())
    return int(conn.execute(select(func.coalesce(func.max(_E.id), 0) + 1)).scalar_one())


def sealed_events(conn: Connection, low: int, high: int | None, *, legacy: bool) -> Iterator[tuple[int, int, str]]:
    """(seal key, id, hash) of the events with ``low`` <= seal key < ``high`` (no upper bound when None), in seal
    order, read in batches. ``legacy``: on PostgreSQL, first the events without a transaction id (written before
    migration 0008), whose seal key counts as 0; the first checkpoint seals them."""
    if conn.dialect.name != "postgresql":
        yield from _by(conn, _E.id, low, high)
        return
    if legacy:
        last = 0
        while rows := conn.execute(select(_E.id, _E.hash).where(_E.xact.is_(None), _E.id > last)
                                   .order_by(_E.id).limit(BATCH)).all():
            for event_id, event_hash in rows:
                yield 0, event_id, event_hash
            last = rows[-1][0]
    yield from _by(conn, _E.xact, low, high)


def _by(conn: Connection, seal: Any, low: int, high: int | None) -> Iterator[tuple[int, int, str]]:
    query = select(seal, _E.id, _E.hash).where(seal >= low)
    if high is not None:
        query = query.where(seal < high)
    after: tuple[int, int] | None = None
    while True:
        page = query if after is None else query.where(tuple_(seal, _E.id) > tuple_(*after))
        rows = conn.execute(page.order_by(seal, _E.id).limit(BATCH)).all()
        yield from ((key, event_id, event_hash) for key, event_id, event_hash in rows)
        if len(rows) < BATCH:
            return
        after = (rows[-1][0], rows[-1][1])


def checkpoint(sessions: sessionmaker[Session], path: Path | None) -> Sealed:
    """Seal what was committed since the last checkpoint and append it to the file at ``path``.

    A file that cannot be written is logged as an error and reported, never raised: the seal is in the database
    already, and the next run appends whatever the file lacks.
    """
    in_file, file_problem = _last_in_file(path)
    with sessions() as session, session.begin():
        key = key_of(session)
        conn = session.connection()
        if conn.dialect.name == "postgresql" and not conn.execute(
                select(func.pg_try_advisory_xact_lock(LOCK_SPACE, CHECKPOINTER_LOCK))).scalar_one():
            return Sealed(None)  # another supervisor is sealing this very moment
        last_row = session.execute(select(AuditCheckpoint).order_by(_C.seq.desc()).limit(1)).scalar_one_or_none()
        last = Checkpoint.from_row(last_row) if last_row is not None else None
        low = last.upto if last is not None else 0
        high = max(seal_bound(conn), low)
        count = total = 0
        for _seal, event_id, event_hash in sealed_events(conn, low, high, legacy=last is None):
            count += 1
            total += element(key, event_id, event_hash)
        made = None
        if count:
            made = make(key, (last.seq if last else 0) + 1, clock.now(), high, count, total,
                        last.mac if last else GENESIS)
            session.add(AuditCheckpoint(seq=made.seq, at=made.at, upto=made.upto, count=made.count,
                                        digest=made.digest, prev_mac=made.prev_mac, key_id=made.key_id, mac=made.mac))
            session.flush()
        # What the file lacks: normally just the new checkpoint; after a failed write, the ones it missed too.
        missing = [] if in_file is None else [Checkpoint.from_row(r) for r in session.execute(
            select(AuditCheckpoint).where(_C.seq > in_file).order_by(_C.seq)).scalars()]
        stalled = _stalled(conn, high)
    if in_file is not None and last is not None and in_file > last.seq:
        log.error("外部检查点文件 %s 记到第 %s 个检查点，数据库只有 %s 个：数据库可能被回退或改写，请运行 "
                  "`sunshine audit verify` / the external checkpoint file %s goes up to checkpoint %s but the "
                  "database holds %s: it may have been rolled back or rewritten; run `sunshine audit verify`",
                  path, in_file, last.seq, path, in_file, last.seq)
    if path is not None and file_problem is None:
        file_problem = _append(path, missing)
    if file_problem is not None:
        log.error("%s", file_problem)
    if stalled is not None:
        log.warning("%s", stalled)
    return Sealed(made, file_problem, stalled)


def _stalled(conn: Connection, high: int) -> str | None:
    """Whether committed events have waited long for their seal: only an open transaction can hold it back."""
    if conn.dialect.name != "postgresql":
        return None
    oldest = conn.execute(select(func.min(_E.at)).where(_E.xact >= high)).scalar_one()
    if oldest is None or clock.now() - oldest < STALLED_AFTER:
        return None
    return (f"审计事件自 {oldest.isoformat()} 起未能封存：有事务长时间未结束（见 pg_stat_activity）/ audit events "
            f"unsealed since {oldest.isoformat()}: a transaction has stayed open for long (see pg_stat_activity)")


def _last_in_file(path: Path | None) -> tuple[int | None, str | None]:
    """The seq of the file's last checkpoint (0 when the file does not exist yet), or a problem."""
    if path is None:
        return None, None
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 4096))
            tail = f.read()
    except FileNotFoundError:
        return (0, None) if path.parent.is_dir() else (None, _unwritable(path, "目录不存在", "no such directory"))
    except OSError as exc:
        return None, _unwritable(path, exc.strerror or str(exc), exc.strerror or str(exc))
    lines = [line for line in tail.split(b"\n") if line.strip()]
    if not tail.endswith(b"\n") and lines:
        lines.pop()  # a line cut short by a crash: the next append starts on a new line
    for line in reversed(lines):
        try:
            return Checkpoint.from_line(line.decode()).seq, None
        except (ValueError, KeyError, TypeError):
            continue
    return 0, None


def _append(path: Path, checkpoints: list[Checkpoint]) -> str | None:
    if not checkpoints:
        return None
    try:
        with open(path, "a+b") as f:
            f.seek(0, os.SEEK_END)
            start = b""
            if f.tell():
                f.seek(f.tell() - 1)
                start = b"" if f.read(1) == b"\n" else b"\n"
            f.write(start + "".join(c.line() + "\n" for c in checkpoints).encode())
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        return _unwritable(path, exc.strerror or str(exc), exc.strerror or str(exc))
    return None


def _unwritable(path: Path, zh: str, en: str) -> str:
    return (f"无法写入审计检查点文件 {path}（{zh}）：检查点只存在数据库中，数据库被回退将无法发现。请检查 "
            f"SUNSHINE_AUDIT_CHECKPOINT_PATH / cannot write the audit checkpoint file {path} ({en}): checkpoints are "
            f"only in the database, where a rollback would go unnoticed; check SUNSHINE_AUDIT_CHECKPOINT_PATH")


def read_file(path: Path) -> Iterator[tuple[int, Checkpoint | None]]:
    """(line number, checkpoint) for each non-empty line of the file; None for a line that is not a checkpoint."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield number, Checkpoint.from_line(line)
            except (ValueError, KeyError, TypeError):
                yield number, None
