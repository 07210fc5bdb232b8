"""The ``sunshine`` console script: one entry point for operators and the legal office."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from engine.config import Settings, SettingsError


class CliState(dict[str, Any]):
    """Click's ``obj``: settings now, the database only when a command asks for ``sessions``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings=settings)

    def __missing__(self, key: str) -> Any:
        if key == "sessions":
            from engine.db import make_engine, session_factory
            from engine.keys import with_keys

            try:  # whatever writes to the database writes audit events, which need the audit key
                self["settings"] = with_keys(self["settings"])
            except SettingsError as exc:
                _stop("密钥设置有误 / keys cannot be used:\n  " + "\n  ".join(exc.problems))

            url = self["settings"].database_url
            missing = _missing_sqlite_file(url)
            if missing is not None:  # connecting would leave an empty file behind, which helps nobody
                _stop(f"数据库文件不存在：{missing}。请先运行 `sunshine db upgrade`。/ "
                      f"no database file at {missing}; run `sunshine db upgrade` first.")
            from engine.audit import use_key

            self[key] = session_factory(make_engine(url))
            use_key(self[key], self["settings"].audit_key)  # the audit key travels with the sessions
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


def _owner_url(settings: Settings) -> str:
    return settings.migration_database_url or settings.database_url


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: CliState) -> None:
    """Apply all migrations, as the schema's owner (SUNSHINE_MIGRATION_DATABASE_URL, else SUNSHINE_DATABASE_URL)."""
    from engine.migrate import upgrade

    upgrade(_owner_url(obj["settings"]))
    click.echo("数据库已升级到最新版本 / database is up to date")
    # Events written before the audit key existed are anchored by the first checkpoint: make it now, not a tick later.
    from engine.keys import with_keys

    try:
        settings = with_keys(obj["settings"])
    except SettingsError:
        click.echo("设置密钥后请运行 `sunshine audit checkpoint` / "
                   "run `sunshine audit checkpoint` once the keys are set")
        return
    from app.commands.audit import report
    from engine.audit import checkpoint, use_key
    from engine.db import make_engine, session_factory

    engine = make_engine(_owner_url(settings))  # the owner's connection, as the upgrade's
    try:
        sessions = session_factory(engine)
        use_key(sessions, settings.audit_key)
        report(checkpoint(sessions, settings.audit_checkpoint_path))
    finally:
        engine.dispose()


@db.command("grant")
@click.argument("role")
@click.option("--create", is_flag=True, help="Create ROLE (LOGIN) if it does not exist.")
@click.option("--password", is_flag=True, help="Ask for ROLE's password and set it.")
@click.pass_obj
def db_grant(obj: CliState, role: str, create: bool, password: bool) -> None:
    """PostgreSQL: let ROLE run the platform, with only SELECT and INSERT on the audit tables.

    Connects as the owner (SUNSHINE_MIGRATION_DATABASE_URL, else SUNSHINE_DATABASE_URL); re-run after every upgrade.
    """
    from engine.db import make_engine
    from engine.db_roles import RoleError, grant

    secret = click.prompt(f"{role} 的密码 / password", hide_input=True, confirmation_prompt=True) if password else None
    engine = make_engine(_owner_url(obj["settings"]))
    try:
        done = grant(engine, role, create=create, password=secret)
    except RoleError as exc:
        _stop(str(exc))
    finally:
        engine.dispose()
    made = "已新建并" if done.created else "已"
    click.echo(f"角色 {role} {made}授权：{done.tables} 张表，审计表只可读取和追加 / role {role} "
               f"{'created and ' if done.created else ''}granted: {done.tables} tables, the audit tables read and "
               f"append only. Point SUNSHINE_DATABASE_URL of the web and the supervisors at it.")


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
    from engine.rules.registry import rules
    from engine.supervisor.scheduler import run_forever
    from engine.supervisor.tick import tick

    lang = obj["runtime"].settings.language
    click.echo("生效规则 / Rules in force:" if lang != "en" else "Rules in force:")
    for rule in rules():
        click.echo(f"  {rule.line(lang)}")
    if once:
        from app.commands.audit import report
        from engine.audit import checkpoint

        rt = obj["runtime"]
        r = tick(rt)
        click.echo(r.summary)
        for w in r.calendar_warnings:
            click.echo(f"警告 / WARNING: {w}", err=True)
        sealed = checkpoint(rt.sessions, rt.settings.audit_checkpoint_path)  # as every tick of run_forever does
        report(sealed)
        sys.exit(1 if r.failed or sealed.file_problem else 0)
    run_forever(obj["runtime"])


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.pass_obj
def run(obj: CliState, host: str, port: int) -> None:
    """Serve the platform (with the supervisor in-process unless SUNSHINE_SUPERVISOR_IN_WEB=0)."""
    from app import create_app

    settings: Settings = obj["settings"]
    try:
        app = create_app(settings, start_supervisor=settings.supervisor_in_web)
    except SettingsError as exc:
        _stop("密钥设置有误 / keys cannot be used:\n  " + "\n  ".join(exc.problems))
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def _register_optional() -> None:
    # Command groups live beside their owners; each registers itself here.
    from app.commands.audit import audit
    from app.commands.bpmn import bpmn
    from app.commands.calendar import calendar
    from app.commands.catalog import catalog
    from app.commands.process import process
    from app.commands.user import user

    for group in (audit, bpmn, calendar, catalog, process, user):
        main.add_command(group)


_register_optional()


if __name__ == "__main__":
    main()
