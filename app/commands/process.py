"""``sunshine process``: deploy flowcharts and list deployed versions."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from engine.runtime.errors import RuntimeProblem
from engine.store import ProcessVersion


@click.group()
def process() -> None:
    """Deployed internal flowcharts (BPMN versions)."""


@process.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--author", default="cli")
@click.pass_obj
def deploy_cmd(obj: dict, files: tuple[str, ...], author: str) -> None:
    """Check and deploy each FILE as a new immutable version."""
    from engine.runtime.deploy import deploy

    rt = obj["runtime"]
    failed = False
    for name in files:
        try:
            data = Path(name).read_bytes()
            with rt.sessions() as session, session.begin():
                v = deploy(session, data, Path(name).name, author=author, forms=rt.forms)
                click.echo(f"{name}: {v.process_key} v{v.version}")
        except OSError as exc:
            click.echo(f"{name}: 无法读取文件 / cannot read file ({exc.strerror})", err=True)
            failed = True
        except RuntimeProblem as exc:
            click.echo(f"{name}: {exc.message('zh')}", err=True)
            failed = True
    sys.exit(1 if failed else 0)


@process.command("list")
@click.pass_obj
def list_cmd(obj: dict) -> None:
    """Every deployed version, newest first."""
    with obj["sessions"]() as session:
        rows = session.execute(select(ProcessVersion).order_by(ProcessVersion.process_key,
                                                               ProcessVersion.version.desc())).scalars()
        for v in rows:
            click.echo(f"{v.process_key}\tv{v.version}\t{v.name}\t{v.created_at:%Y-%m-%d %H:%M}\t{v.sha256[:12]}")
