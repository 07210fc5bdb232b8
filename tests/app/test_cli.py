"""The ``sunshine`` console script: database, demo, supervisor tick and audit verification."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import text

from app import create_app
from app.cli import CliState, main
from engine.config import SettingsError
from tests.conftest import drop_audit_triggers
from tests.engine.audit_attacks import rewrite
from tests.settings import make_settings

#: Tests that seal the audit log pass a file of their own; the others must never touch the repository's instance/.
_NOWHERE = Path("/nonexistent-sunshine-test-dir/audit-checkpoints.jsonl")


def _invoke(db, *args: str, checkpoints: Path = _NOWHERE, **settings: Any):
    state = CliState(make_settings(**{"database_url": db.url, "audit_checkpoint_path": checkpoints, **settings}))
    state["sessions"] = db.sessions
    return CliRunner().invoke(main, list(args), obj=state)


def test_demo_then_supervisor_tick_then_audit_verify(db, tmp_path):
    checkpoints = tmp_path / "audit-checkpoints.jsonl"
    monday = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        result = _invoke(db, "demo")
        assert result.exit_code == 0, result.output
        assert "4 cases started" in result.output
        assert "0 cases started" in _invoke(db, "demo").output  # idempotent
    with time_machine.travel(monday + timedelta(days=3), tick=False):
        result = _invoke(db, "supervisor", "--once", checkpoints=checkpoints)
    assert result.exit_code == 0, result.output
    # Thursday: the demo steps' one-day limits (due Tuesday 24:00) have fired.
    assert re.search(r"fired [1-9]\d* case", result.output), result.output
    # The tick sealed what was committed, in the database and in the file.
    assert "checkpoint #1 sealed" in result.output or "no newly committed audit events" in result.output
    _seal(db, checkpoints)
    result = _invoke(db, "audit", "verify", checkpoints=checkpoints)
    assert result.exit_code == 0 and "审计链完整" in result.output, result.output
    assert "checkpoints match the database" in result.output


def test_audit_checkpoint_seals_and_reports_a_file_it_cannot_write(demo_db, tmp_path):
    db = demo_db
    result = _invoke(db, "audit", "checkpoint", checkpoints=tmp_path / "gone" / "audit-checkpoints.jsonl")
    assert result.exit_code == 1, result.output
    assert "无法写入审计检查点文件" in result.output and "Traceback" not in result.output
    checkpoints = tmp_path / "audit-checkpoints.jsonl"
    _seal(db, checkpoints)
    result = _invoke(db, "audit", "verify", checkpoints=checkpoints)
    assert result.exit_code == 0 and "checkpoints match the database" in result.output, result.output


def _seal(db, checkpoints: Path) -> None:
    """Run ``audit checkpoint`` until the file holds a checkpoint: on PostgreSQL a transaction open elsewhere on the
    server (other test runs share it) may hold the seal back for a moment."""
    for _ in range(200):
        result = _invoke(db, "audit", "checkpoint", checkpoints=checkpoints)
        assert result.exit_code == 0, result.output
        if checkpoints.exists():
            return
    raise AssertionError("nothing was sealed")


def test_audit_verify_names_a_superuser_rewrite(demo_db):
    db = demo_db
    drop_audit_triggers(db)
    rewrite(db.engine, 3, {"意见": "不同意"})  # its stream re-hashed after it with plain SHA-256
    result = _invoke(db, "audit", "verify")
    assert result.exit_code == 1
    assert "事件 #3" in result.output and "event #3" in result.output and "was rewritten" in result.output


def test_db_upgrade_runs_as_the_schema_owner(db, tmp_path):
    owner = f"sqlite:///{tmp_path / 'owned.sqlite'}"
    result = _invoke(db, "db", "upgrade", database_url="sqlite:////nonexistent/app.sqlite",
                     migration_database_url=owner)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "owned.sqlite").exists()


def test_db_grant_lets_a_role_append_to_the_audit_log_only(db):
    role = f"sunshine_cli_{os.getpid()}"
    result = _invoke(db, "db", "grant", role, "--create")
    if db.dialect == "sqlite":
        assert result.exit_code == 1 and "SQLite 没有数据库角色" in result.output
        return
    try:
        assert result.exit_code == 0 and "audit tables read and append only" in result.output, result.output
        with db.engine.connect() as conn:
            may = [conn.execute(text("SELECT has_table_privilege(:r, 'audit_events', :p)"),
                                {"r": role, "p": p}).scalar() for p in ("INSERT", "UPDATE", "DELETE")]
            assert may == [True, False, False]
            assert conn.execute(text("SELECT has_table_privilege(:r, 'cases', 'UPDATE')"), {"r": role}).scalar()
    finally:
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


def test_audit_verify_names_the_broken_event(demo_db):
    db = demo_db
    drop_audit_triggers(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 3"))
    result = _invoke(db, "audit", "verify")
    assert result.exit_code == 1
    assert "#3" in result.output


def test_process_deploy_refuses_a_bad_file_with_a_message(db, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<not-bpmn/>", encoding="utf-8")
    result = _invoke(db, "process", "deploy", str(bad), str(tmp_path / "missing.bpmn"))
    assert result.exit_code == 1
    assert "流程图未通过检查" in result.output and "无法读取文件" in result.output
    assert "Traceback" not in result.output


def test_a_database_that_is_missing_or_not_migrated_gets_a_sentence_not_a_traceback(tmp_path):
    def invoke(url: str, *args: str):
        return CliRunner().invoke(main, list(args), obj=CliState(make_settings(database_url=url)))

    missing = tmp_path / "none.sqlite"
    result = invoke(f"sqlite:///{missing}", "audit", "verify")
    assert result.exit_code == 1 and "sunshine db upgrade" in result.output
    assert not missing.exists()  # asking did not leave an empty database file behind

    empty = tmp_path / "empty.sqlite"
    empty.touch()
    for args in (("audit", "verify"), ("supervisor", "--once")):
        result = invoke(f"sqlite:///{empty}", *args)
        assert result.exit_code == 1 and "数据库尚未建表" in result.output, result.output
        assert "Traceback" not in result.output


def test_a_setting_that_cannot_work_stops_start_up_with_a_sentence(monkeypatch):
    def serve(*args, **kwargs):
        raise AssertionError("the platform must not start")

    monkeypatch.setattr("app.create_app", serve)
    result = CliRunner().invoke(main, ["run"], env={"SUNSHINE_SIGNIN_LOCKOUT_MINUTES": "-15"})
    assert result.exit_code == 1, result.output
    assert "SUNSHINE_SIGNIN_LOCKOUT_MINUTES=-15：须为大于 0" in result.output and "must be" in result.output
    assert "Traceback" not in result.output
    # Under gunicorn the application factory refuses the same way, before it connects anywhere.
    monkeypatch.setenv("SUNSHINE_SIGNIN_USER_FAILURES", "-1")
    with pytest.raises(SettingsError, match="SUNSHINE_SIGNIN_USER_FAILURES=-1"):
        create_app()
