"""``sunshine audit``: verify the tamper-evident audit log, and seal it with a checkpoint (``docs/audit.md``).

The group expects ``ctx.obj["sessions"]`` and ``ctx.obj["settings"]`` from the ``sunshine`` script.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from engine.audit import AuditKey, AuditKeyMissing, Sealed, checkpoint, use_key, verify
from engine.config import Settings


@click.group()
def audit() -> None:
    """The tamper-evident audit log (审计日志)."""


def _keyed(obj: Any) -> tuple[sessionmaker[Session], Settings, AuditKey]:
    sessions: sessionmaker[Session] = obj["sessions"]  # first: connecting also completes the settings' keys
    settings: Settings = obj["settings"]
    try:
        key = AuditKey.of(settings.audit_key)
    except AuditKeyMissing as exc:
        click.secho(f"错误 / error: {exc}", fg="red", err=True)
        raise click.exceptions.Exit(1) from None
    use_key(sessions, settings.audit_key)
    return sessions, settings, key


@audit.command("verify")
@click.option("--checkpoints", "checkpoint_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The external checkpoint file (default: SUNSHINE_AUDIT_CHECKPOINT_PATH).")
@click.pass_obj
def audit_verify(obj: Any, checkpoint_file: Path | None) -> None:
    """Check every event's MAC and link, every checkpoint, and the external file; name the first problem."""
    sessions, settings, key = _keyed(obj)
    path = checkpoint_file or settings.audit_checkpoint_path
    with sessions() as session:
        result = verify(session, key=key, checkpoint_file=path)
    if not result.ok:
        assert result.problem is not None
        click.secho(f"审计日志被篡改 / audit log tampered with: {result.problem.message()}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"审计链完整：已核验 {result.checked} 条事件、{result.checkpoints} 个检查点 / audit chain intact: "
               f"{result.checked} events, {result.checkpoints} checkpoints")
    if result.in_file is not None:
        click.echo(f"外部检查点文件 {path}：{result.in_file} 个检查点与数据库一致 / external checkpoint file {path}: "
                   f"{result.in_file} checkpoints match the database")
    if result.not_in_file:
        click.secho(f"注意 / note: {result.not_in_file} 个检查点尚未写入外部文件（写入曾失败？）/ {result.not_in_file} "
                    f"checkpoints are not in the external file yet (did writing it fail?)", fg="yellow", err=True)
    if result.unsealed:
        click.echo(f"其中 {result.unsealed} 条事件晚于最后一个检查点，仅核验了签名与链接 / "
                   f"{result.unsealed} events are newer than the last checkpoint: checked by MAC and link only")


@audit.command("checkpoint")
@click.pass_obj
def audit_checkpoint(obj: Any) -> None:
    """Seal every event committed since the last checkpoint (the supervisor does it after every tick)."""
    sessions, settings, _key = _keyed(obj)
    sealed = checkpoint(sessions, settings.audit_checkpoint_path)
    report(sealed)
    if sealed.file_problem:
        sys.exit(1)


def report(sealed: Sealed) -> None:
    """Say what a checkpoint run did (``audit checkpoint``, ``supervisor --once``)."""
    made = sealed.checkpoint
    if made is None:
        click.echo("没有新提交的审计事件需要封存 / no newly committed audit events to seal")
    else:
        click.echo(f"检查点 #{made.seq} 封存了 {made.count} 条审计事件 / checkpoint #{made.seq} sealed {made.count} "
                   f"audit events")
    for problem in (sealed.file_problem, sealed.stalled):
        if problem:
            click.secho(f"警告 / WARNING: {problem}", fg="yellow", err=True)
