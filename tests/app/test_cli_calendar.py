"""``sunshine calendar`` driven through click's CliRunner on each database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from click.testing import CliRunner, Result

from app.cli import CliState, main
from app.commands.calendar import calendar
from engine.calendar_seed import package_schedule
from tests.settings import make_settings


@pytest.fixture
def run(db):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(calendar, list(args), obj={"sessions": db.sessions})

    return invoke


def test_seed_then_reseed(run) -> None:  # type: ignore[no-untyped-def]
    first = run("seed")
    assert first.exit_code == 0, first.output
    assert f"写入 {len(package_schedule())} 天" in first.output
    again = run("seed")
    assert again.exit_code == 0 and "写入 0 天" in again.output


def test_seed_outside_the_package_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    result = run("seed", "--year", "2030")
    assert result.exit_code == 2 and "2004–2026" in result.output
    assert run("seed", "--year", "abc").exit_code == 2


def test_show_a_covered_year(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    result = run("show", "2026")
    assert result.exit_code == 0, result.output
    assert "2026 年：已录入" in result.output and "chinesecalendar" in result.output
    assert "2026-10-01 周四  休息  国庆节" in result.output
    assert "2026-10-10 周六  上班  调休上班" in result.output
    assert "尚未录入" not in result.output


def test_key_in_2027_and_check(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    shown = run("show", "2027")
    assert shown.exit_code == 0 and "2027 年的法定节假日安排尚未录入" in shown.output

    checked = run("check", "--from", "2026-12-15")
    assert checked.exit_code == 1
    assert "2027 年的法定节假日安排尚未录入，期限按周一至周五计算" in checked.output

    added = run("set", "2027-01-01", "holiday", "元旦")
    assert added.exit_code == 0, added.output
    assert "已录入：2027-01-01 周五 休息 元旦" in added.output and "calendar cover 2027" in added.output
    assert run("set", "2027-02-06", "上班", "调休上班").exit_code == 0

    covered = run("cover", "2027", "--source", "国办发明电〔2026〕X号")
    assert covered.exit_code == 0 and "共录入 2 个" in covered.output
    shown = run("show", "2027")
    assert "2027 年：已录入（依据：国办发明电〔2026〕X号" in shown.output
    assert "2027-01-01 周五  休息  元旦  [admin]" in shown.output
    assert "2027-02-06 周六  上班  调休上班  [admin]" in shown.output
    ok = run("check", "--from", "2026-12-15")
    assert ok.exit_code == 0 and "已覆盖" in ok.output


def test_check_uses_now_and_the_horizon(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    with time_machine.travel(datetime(2026, 6, 1, 2, 0, tzinfo=UTC), tick=False):
        assert run("check").exit_code == 0
        assert run("check", "--horizon", "250").exit_code == 1
    with time_machine.travel(datetime(2026, 12, 20, 2, 0, tzinfo=UTC), tick=False):
        result = run("check")
    assert result.exit_code == 1 and "2027" in result.output


def test_unset_restores_the_default(run) -> None:  # type: ignore[no-untyped-def]
    run("set", "2027-01-01", "holiday", "元旦")
    assert "已删除" in run("unset", "2027-01-01").output
    assert "没有录入" in run("unset", "2027-01-01").output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("set", "2027-13-01", "holiday"), "日期"),
        (("set", "tomorrow", "holiday"), "日期"),
        (("set", "2027-01-01", "vacation"), "类型"),
        (("show", "二〇二七"), "年份"),
        (("show", "99999"), "年份"),
        (("cover", "2027", "--source", "  "), "文号"),
        (("check", "--from", "2027/01/01x"), "日期"),
        (("check", "--horizon", "many"), "horizon"),
        (("unset", "x"), "日期"),
    ],
)
def test_bad_input_exits_2_without_traceback(run, args: tuple[str, ...], needle: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert needle in result.output and "错误" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_sessions_is_a_clear_error() -> None:
    result = CliRunner().invoke(calendar, ["show", "2026"], obj={})
    assert result.exit_code == 1 and "未连接数据库" in result.output


def test_the_sunshine_script_connects_the_calendar_commands_on_first_use(db) -> None:  # type: ignore[no-untyped-def]
    # As the console script runs: the state holds only settings until a command asks for the database.
    result = CliRunner().invoke(main, ["calendar", "seed", "--year", "2026"],
                                obj=CliState(make_settings(database_url=db.url)))
    assert result.exit_code == 0, result.output
    assert "写入" in result.output
