"""The platform's own database role can append to the audit log but neither change it nor switch its triggers off;
the platform works all the same as that role (PostgreSQL: SQLite has no roles)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from engine import audit
from engine.db import make_engine, session_factory
from engine.db_roles import RoleError, grant
from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from tests.engine.conftest import APPLICANT, MONDAY_10_BJ, open_steps

_counter = itertools.count()


@pytest.fixture
def app_role(db) -> Iterator[str]:
    """A role name of this test's own (roles belong to the whole server), dropped afterwards."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no database roles: the file's permissions and the external checkpoints protect it")
    role = f"sunshine_app_{os.getpid()}_{next(_counter)}"
    yield role
    with db.engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


def _as(db, role: str):
    return make_engine(make_url(db.url).set(username=role).render_as_string(hide_password=False))


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor = 'mallory'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_events_no_change ON audit_events",
    "UPDATE audit_checkpoints SET count = 0",
    "DELETE FROM audit_checkpoints",
    "ALTER TABLE audit_checkpoints DISABLE TRIGGER ALL",
])
def test_the_platform_role_cannot_change_the_log_or_its_triggers(db, app_role, statement):
    grant(db.engine, app_role, create=True)
    engine = _as(db, app_role)
    try:
        with pytest.raises(DBAPIError, match="permission denied|must be owner"), engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_the_platform_works_as_its_role(db, rt, org, power, app_role, tmp_path):
    grant(db.engine, app_role, create=True)
    engine = _as(db, app_role)
    try:
        platform = Runtime(session_factory(engine), rt.settings)
        with time_machine.travel(MONDAY_10_BJ, tick=False):
            case = start_case(platform, power.code, APPLICANT, "申请", actor="clerk")
            [step] = open_steps(platform, case.id)
            complete_task(platform, step.id, {"opinion": "材料齐全，予以受理", "materials_complete": "true"}, org.clerk)
        path = tmp_path / "audit-checkpoints.jsonl"
        audit.checkpoint(platform.sessions, path)
        with platform.sessions() as s:
            assert audit.verify(s, checkpoint_file=path).ok
    finally:
        engine.dispose()


def test_granting_again_takes_back_what_someone_else_gave(db, app_role):
    grant(db.engine, app_role, create=True)
    with db.engine.begin() as conn:
        conn.execute(text(f"GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO {app_role}"))
    grant(db.engine, app_role)
    with db.engine.connect() as conn:
        rights = {right: conn.execute(text("SELECT has_table_privilege(:r, 'audit_events', :p)"),
                                      {"r": app_role, "p": right}).scalar()
                  for right in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}
    assert rights == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}


def test_a_superuser_or_a_missing_role_is_refused(db, app_role):
    with pytest.raises(RoleError, match="superuser"):
        grant(db.engine, "postgres")
    with pytest.raises(RoleError, match="--create"):
        grant(db.engine, app_role)
    with pytest.raises(RoleError, match="invalid role name"):
        grant(db.engine, "app; DROP TABLE cases")
