"""The ``sunshine`` console script: database, demo, supervisor tick and audit verification."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import text

from app import create_app
from app.cli import CliState, main
from engine.config import Settings, SettingsError
from tests.conftest import drop_audit_triggers


def _invoke(db, *args: str):
    state = CliState(Settings(database_url=db.url))
    state["sessions"] = db.sessions
    return CliRunner().invoke(main, list(args), obj=state)


def test_demo_then_supervisor_tick_then_audit_verify(db):
    monday = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        result = _invoke(db, "demo")
        assert result.exit_code == 0, result.output
        assert "4 cases started" in result.output
        assert "0 cases started" in _invoke(db, "demo").output  # idempotent
    with time_machine.travel(monday + timedelta(days=3), tick=False):
        result = _invoke(db, "supervisor", "--once")
    assert result.exit_code == 0, result.output
    # Thursday: the demo steps' one-day limits (due Tuesday 24:00) have fired.
    assert re.search(r"fired [1-9]\d* case", result.output), result.output
    result = _invoke(db, "audit", "verify")
    assert result.exit_code == 0 and "审计链完整" in result.output


def test_audit_verify_names_the_broken_event(db):
    _invoke(db, "demo")
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
        return CliRunner().invoke(main, list(args), obj=CliState(Settings(database_url=url)))

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
