"""Prepared statements and write batches behave like SQLAlchemy's own execution, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, update

from engine.prepared import Batch, Prepared
from engine.store import AuditEvent, Counter, User

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_values_go_in_and_come_back_as_sqlalchemy_would_give_them(db):
    append = Prepared(insert(AuditEvent).returning(AuditEvent.id, AuditEvent.at, AuditEvent.payload))
    with db.sessions.begin() as s:
        row = append.first(s.connection(), {"at": AT, "actor": "clerk", "action": "x", "case_id": None,
                                             "step": "受理", "payload": {"意见": ["同意", 1]}, "prev_hash": "0" * 64,
                                             "hash": "1" * 64})
        orm = s.execute(select(AuditEvent.at, AuditEvent.payload).where(AuditEvent.id == row.id)).one()
    # Aware UTC datetimes and JSON, exactly as the ORM reads them back.
    assert (row.at, row.payload) == (AT, {"意见": ["同意", 1]}) == tuple(orm)


def test_scalar_column_defaults_are_filled_in(db):
    add_user = Prepared(insert(User))
    with db.sessions.begin() as s:
        add_user.run(s.connection(),
                     {"username": "clerk", "display_name": "窗口受理员", "password_hash": "x", "created_at": AT})
        assert s.scalar(select(User.active).where(User.username == "clerk")) is True


def test_update_reports_the_rows_it_changed(db):
    with db.sessions.begin() as s:
        s.add(Counter(scope="a", value=1))
    bump = Prepared(update(Counter).where(Counter.scope == bindparam("of")).values(value=Counter.value + 1)
                    .returning(Counter.value))
    with db.sessions.begin() as s:
        assert bump.scalar(s.connection(), {"of": "a"}) == 2
        assert bump.scalar(s.connection(), {"of": "missing"}) is None
        touch = Prepared(update(Counter).where(Counter.scope == bindparam("of")).values(value=7))
        conn = s.connection()
        assert (touch.run(conn, {"of": "a"}).rowcount, touch.run(conn, {"of": "b"}).rowcount) == (1, 0)


def test_statements_it_cannot_run_without_sqlalchemy_are_refused_when_first_used(db):
    expanding = Prepared(select(Counter.value).where(Counter.scope.in_(bindparam("scopes", expanding=True))))
    with db.sessions() as s, pytest.raises(TypeError, match="expanding"):
        expanding.all(s.connection(), {"scopes": ["a"]})


def test_a_batch_runs_in_order_and_reports_each_row_count(db):
    with db.sessions.begin() as s:
        s.add_all([Counter(scope="a", value=1), Counter(scope="b", value=1)])
    add = Prepared(insert(Counter))
    set_value = Prepared(update(Counter).where(Counter.scope == bindparam("of")).values(value=bindparam("v")))
    with db.sessions.begin() as s:
        batch = Batch()
        batch.add_many(add, [{"scope": "c", "value": 5}, {"scope": "d", "value": 6}])
        first = batch.add(set_value, {"of": "c", "v": 50})  # sees the insert queued before it
        missing = batch.add(set_value, {"of": "nope", "v": 0})
        counts = batch.flush(s.connection())
        assert (counts[first], counts[missing], len(batch)) == (1, 0, 0)
    with db.sessions() as s:
        assert dict(s.execute(select(Counter.scope, Counter.value)).all()) == {"a": 1, "b": 1, "c": 50, "d": 6}


def test_a_failing_batch_fails_its_transaction(db):
    with db.sessions.begin() as s:
        s.add(Counter(scope="a", value=1))
    batch = Batch()
    batch.add(Prepared(insert(Counter)), {"scope": "b", "value": 1})
    batch.add(Prepared(insert(Counter)), {"scope": "a", "value": 2})  # duplicate key
    with pytest.raises(Exception), db.sessions.begin() as s:  # noqa: B017 - each driver has its own class
        batch.flush(s.connection())
    with db.sessions() as s:
        assert s.scalars(select(Counter.scope)).all() == ["a"]
