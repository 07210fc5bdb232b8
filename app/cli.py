"""The ``sunshine`` console script: one entry point for operators and the legal office."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.orm import Session, sessionmaker

from engine.config import Settings, SettingsError


class CliState(dict[str, Any]):
    """Click's ``obj``: settings now, the database only when a command asks for ``sessions``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings=settings)

    def __missing__(self, key: str) -> Any:
        if key == "sessions":
            from engine.db import make_engine, session_factory

            url = self["settings"].database_url
            missing = _missing_sqlite_file(url)
            if missing is not None:  # connecting would leave an empty file behind, which helps nobody
                _stop(f"数据库文件不存在：{missing}。请先运行 `sunshine db upgrade`。/ "
                      f"no database file at {missing}; run `sunshine db upgrade` first.")
            self[key] = session_factory(make_engine(url))
            return self[key]
        if key == "runtime":
            from engine.platform import build_runtime

            self[key] = build_runtime(self["sessions"], self["settings"])
            return self[key]
        raise KeyError(key)


def _missing_sqlite_file(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return None if Path(parsed.database).exists() else parsed.database


def _stop(message: str) -> NoReturn:
    click.secho(f"错误 / error: {message}", fg="red", err=True)
    raise click.exceptions.Exit(1)


class _Sunshine(click.Group):
    """The script's group: a database that is unreachable or has no schema yet gets a sentence, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import DBAPIError, NoSuchTableError

        try:
            return super().invoke(ctx)
        except (DBAPIError, NoSuchTableError) as exc:
            logging.getLogger("sunshine.cli").debug("database error", exc_info=exc)
            detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
                _stop(f"数据库尚未建表（{detail}）。请先运行 `sunshine db upgrade`。/ "
                      f"the database has no schema yet; run `sunshine db upgrade` first.")
            _stop(f"无法使用数据库：{detail}。请检查 SUNSHINE_DATABASE_URL 与数据库服务。/ "
                  f"cannot use the database; check SUNSHINE_DATABASE_URL and the database server.")


@click.group(cls=_Sunshine)
@click.pass_context
def main(ctx: click.Context) -> None:
    """阳光行权平台 Sunshine — run `sunshine COMMAND --help` for each command."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("spiff").setLevel(logging.WARNING)
    if ctx.obj is None:
        ctx.obj = CliState(_settings())


def _settings() -> Settings:
    """The settings from the environment; a value that cannot work stops every command before it starts."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        _stop("环境变量设置有误 / invalid settings:\n  " + "\n  ".join(exc.problems))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: CliState) -> None:
    """Apply all migrations to SUNSHINE_DATABASE_URL."""
    from engine.migrate import upgrade

    upgrade(obj["settings"].database_url)
    click.echo("数据库已升级到最新版本 / database is up to date")


@main.command()
@click.pass_obj
def demo(obj: CliState) -> None:
    """Load the demo region, departments, users, calendar and powers (idempotent)."""
    from engine.demo import load_demo

    summary = load_demo(obj["runtime"])
    click.echo(summary)


@main.command()
@click.option("--once", is_flag=True, help="Run a single tick and exit.")
@click.pass_obj
def supervisor(obj: CliState, once: bool) -> None:
    """Fire due timers and raise yellow/red alerts every tick (SUNSHINE_TICK_SECONDS)."""
    from engine.supervisor.scheduler import run_forever
    from engine.supervisor.tick import tick

    if once:
        r = tick(obj["runtime"])
        click.echo(f"fired {r.fired_cases} case(s), {r.yellow} yellow, {r.red} red alert(s), "
                   f"{r.limit_red} case time-limit alert(s)")
        for w in r.calendar_warnings:
            click.echo(f"警告 / WARNING: {w}", err=True)
        sys.exit(1 if r.failed else 0)
    run_forever(obj["runtime"])


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@click.pass_obj
def audit_verify(obj: CliState) -> None:
    """Recompute the hash chain; name the first broken event."""
    from engine.audit import verify

    sessions: sessionmaker[Session] = obj["sessions"]
    with sessions() as session:
        result = verify(session)
    if result.ok:
        click.echo(f"审计链完整：已核验 {result.checked} 条事件 / audit chain intact: {result.checked} events")
        return
    reasons = {"link": "链接断开 / link broken", "content": "内容被篡改 / content altered",
               "tail": "末尾事件缺失 / events missing at the end"}
    click.echo(f"审计链断裂：第一个异常事件 #{result.broken_id}（{reasons[result.reason or 'content']}）/ "
               f"audit chain broken at event #{result.broken_id}", err=True)
    sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.pass_obj
def run(obj: CliState, host: str, port: int) -> None:
    """Serve the platform (with the supervisor in-process unless SUNSHINE_SUPERVISOR_IN_WEB=0)."""
    from app import create_app

    settings: Settings = obj["settings"]
    if settings.secret_key == Settings.secret_key:
        click.secho("警告 / WARNING: SUNSHINE_SECRET_KEY 未设置，正在使用开发用默认密钥；上线前必须设置。/ "
                    "SUNSHINE_SECRET_KEY is not set; the development default signs sessions. Set it before going live.",
                    fg="yellow", err=True)
    app = create_app(settings, start_supervisor=settings.supervisor_in_web)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def _register_optional() -> None:
    # Command groups live beside their owners; each registers itself here.
    from app.commands.bpmn import bpmn
    from app.commands.calendar import calendar
    from app.commands.catalog import catalog
    from app.commands.process import process

    for group in (bpmn, calendar, catalog, process):
        main.add_command(group)


_register_optional()


if __name__ == "__main__":
    main()
