"""``sunshine calendar``: seed, inspect and key in the working-day calendar (DESIGN §7).

The group expects ``ctx.obj["sessions"]`` (a sessionmaker) from the ``sunshine`` script. Every command
writes in one transaction; a running web process picks changes up within its cache TTL (60 s).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import NoReturn

import click
from sqlalchemy.orm import Session, sessionmaker

from engine.calendar import (
    SOURCE_ADMIN,
    CalendarError,
    clear_day,
    load_calendar,
    mark_year_covered,
    set_day,
    uncovered_message,
    year_days,
)
from engine.calendar_seed import package_years, seed_from_chinesecalendar
from engine.clock import LOCAL_TZ, local, now
from engine.db import transaction
from engine.store.calendar import CalendarYear

WEEKDAYS_ZH = "一二三四五六日"
KINDS = {"workday": True, "上班": True, "工作日": True, "holiday": False, "休息": False, "休息日": False}
DEFAULT_HORIZON_DAYS = 60


def _fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear message and stop with ``code`` (2 = bad input), never a traceback."""
    click.secho(f"错误：{message}", fg="red", err=True)
    raise click.exceptions.Exit(code)


def _sessions() -> sessionmaker[Session]:
    obj = click.get_current_context().obj
    try:
        # Indexing, not ``in``: the ``sunshine`` script's state connects on first use (``CliState.__missing__``).
        return obj["sessions"]
    except (KeyError, TypeError):
        _fail("未连接数据库（缺少 sessions），请通过 sunshine 命令运行。", 1)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        _fail(f"日期“{text}”无法识别，请写成 YYYY-MM-DD，例如 2027-01-01。")


def _parse_year(text: str) -> int:
    try:
        year = int(text.strip())
    except ValueError:
        _fail(f"年份“{text}”无法识别，请写四位数字，例如 2027。")
    if not 1900 <= year <= 9999:
        _fail(f"年份 {year} 超出范围（1900–9999）。")
    return year


def _loud(message: str) -> None:
    click.secho(f"!!! 警告：{message}", fg="red", bold=True)


def _describe(day: date) -> str:
    return f"{day.isoformat()} 周{WEEKDAYS_ZH[day.weekday()]}"


@click.group("calendar")
def calendar() -> None:
    """工作日历：法定节假日与调休安排。"""


@calendar.command("seed")
@click.option("--year", "years", multiple=True, help="只导入这些年份（可重复），默认全部年份。")
def seed(years: tuple[str, ...]) -> None:
    """从 chinesecalendar 导入 2004–2026 年的节假日安排（可重复运行，不覆盖管理员录入）。"""
    wanted = [_parse_year(y) for y in years] or None
    try:
        with transaction(_sessions()) as session:
            written = seed_from_chinesecalendar(session, wanted)
    except CalendarError:
        span = package_years()
        _fail(f"chinesecalendar 只含 {span.start}–{span.stop - 1} 年的安排，其他年份请用 set 与 cover 录入。")
    shown = f"{min(wanted)}–{max(wanted)}" if wanted else "全部"
    click.echo(f"已从 chinesecalendar 导入（{shown} 年），写入 {written} 天。")


@calendar.command("show")
@click.argument("year")
def show(year: str) -> None:
    """列出某年录入的每个节假日与调休上班日，并说明该年是否已录入。"""
    y = _parse_year(year)
    with _sessions()() as session:
        covered = session.get(CalendarYear, y)
        days = year_days(session, y)
    if covered is None:
        _loud(uncovered_message(y))
    else:
        loaded = local(covered.loaded_at).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{y} 年：已录入（依据：{covered.source}；录入时间 {loaded}）")
    if not days:
        click.echo(f"{y} 年没有录入任何节假日或调休日。")
    for row in days:
        kind = "上班" if row.is_workday else "休息"
        click.echo(f"{_describe(row.day)}  {kind}  {row.name or '—'}  [{row.source}]")


@calendar.command("set")
@click.argument("day")
@click.argument("kind")
@click.argument("name", required=False)
def set_(day: str, kind: str, name: str | None) -> None:
    """录入一天：DATE workday|holiday [名称]，例如 set 2027-01-01 holiday 元旦。"""
    when = _parse_date(day)
    is_workday = KINDS.get(kind.strip().lower())
    if is_workday is None:
        _fail(f"类型“{kind}”无法识别，请写 workday（上班）或 holiday（休息）。")
    if name is not None and len(name) > 50:
        _fail("名称不能超过 50 个字。")
    with transaction(_sessions()) as session:
        set_day(session, when, is_workday, name, SOURCE_ADMIN)
        covered = session.get(CalendarYear, when.year) is not None
    click.echo(f"已录入：{_describe(when)} {'上班' if is_workday else '休息'} {name or ''}".rstrip())
    if (when.weekday() < 5) == is_workday:
        click.echo("（这一天本来就是周一至周五的默认安排，已按通知记录。）")
    if not covered:
        click.echo(f"提示：{when.year} 年尚未标记为已录入；录完整份通知后请运行 "
                   f"calendar cover {when.year} --source <通知文号>")
    click.echo("运行中的服务将在 60 秒内使用新日历。")


@calendar.command("unset")
@click.argument("day")
def unset(day: str) -> None:
    """删除一天的录入（恢复为周一至周五的默认安排）。"""
    when = _parse_date(day)
    with transaction(_sessions()) as session:
        removed = clear_day(session, when)
    click.echo(f"已删除 {_describe(when)} 的录入。" if removed else f"{_describe(when)} 没有录入，无需删除。")


@calendar.command("cover")
@click.argument("year")
@click.option("--source", required=True, help="国务院办公厅通知文号，例如 国办发明电〔2026〕X号。")
def cover(year: str, source: str) -> None:
    """标记某年的节假日安排已完整录入，并记录通知文号。"""
    y = _parse_year(year)
    if not source.strip():
        _fail("请用 --source 填写通知文号。")
    if len(source) > 100:
        _fail("通知文号不能超过 100 个字。")
    with transaction(_sessions()) as session:
        mark_year_covered(session, y, source.strip())
        count = len(year_days(session, y))
    click.echo(f"已标记 {y} 年已录入（依据：{source.strip()}），该年共录入 {count} 个节假日或调休日。")
    if count == 0:
        _loud(f"{y} 年没有录入任何节假日或调休日，请确认已按通知逐日录入。")


@calendar.command("check")
@click.option("--from", "from_", metavar="DATE", help="从哪天起检查，默认今天（北京时间）。")
@click.option(
    "--horizon", "horizon_text", default=str(DEFAULT_HORIZON_DAYS), show_default=True, help="向后检查的天数。"
)
def check(from_: str | None, horizon_text: str) -> None:
    """检查从某天起若干天内的年份是否都已录入；有缺失时报警并以状态 1 退出。"""
    try:
        horizon = int(horizon_text)
    except ValueError:
        _fail(f"--horizon “{horizon_text}”不是整数。")
    if not 0 <= horizon <= 3660:
        _fail("--horizon 须在 0 到 3660 天之间。")
    start = now() if from_ is None else datetime.combine(_parse_date(from_), time(12), tzinfo=LOCAL_TZ)
    with _sessions()() as session:
        cal = load_calendar(session)
    warnings = cal.warnings_for(start, horizon)
    for message in warnings:
        _loud(message)
    if warnings:
        raise click.exceptions.Exit(1)
    first = local(start).date()
    click.echo(f"日历已覆盖 {first.isoformat()} 起 {horizon} 天内的所有年份。")
