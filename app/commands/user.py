"""``sunshine user``: an operator deactivates or reactivates a staff account, or sets its password.

Each ends the user's web sessions everywhere at once (``engine/accounts.py``) and is recorded in the audit log.
"""

from __future__ import annotations

from typing import Any, NoReturn

import click

from engine.accounts import Changed, UnknownUser, WeakPassword, set_active, set_password
from engine.password_policy import MAX_LENGTH, MIN_KINDS, MIN_LENGTH, Weakness

#: Each broken rule of the password policy, in both languages.
WEAKNESS_TEXT = {
    Weakness.TOO_SHORT: f"至少需要 {MIN_LENGTH} 个字符 / at least {MIN_LENGTH} characters",
    Weakness.TOO_LONG: f"不能超过 {MAX_LENGTH} 个字符 / at most {MAX_LENGTH} characters",
    Weakness.TOO_FEW_KINDS: f"须包含大写字母、小写字母、数字、其他符号中的至少 {MIN_KINDS} 种 / "
                            f"at least {MIN_KINDS} of upper-case, lower-case, digits and other characters",
    Weakness.HAS_USERNAME: "不能包含用户名 / must not contain the username",
    Weakness.KNOWN: "过于常见，容易被猜中 / too common, easily guessed",
    Weakness.INVISIBLE: "不能包含看不见的字符 / must not contain invisible characters",
}
ACTOR = click.option("--actor", default="cli", show_default=True,
                     help="记入审计日志的操作人 / who acts, for the audit log.")


def _fail(message: str) -> NoReturn:
    click.secho(f"错误 / error: {message}", fg="red", err=True)
    raise click.exceptions.Exit(1)


def _sessions(obj: Any) -> Any:
    # The runtime's sessions carry the audit key, which the audit events of these commands need.
    return obj["runtime"].sessions


def _ended(changed: Changed) -> str:
    return f"已结束其 {changed.sessions_ended} 个登录会话 / {changed.sessions_ended} session(s) ended"


@click.group("user")
def user() -> None:
    """工作人员账号：停用、启用、设置密码 / staff accounts: deactivate, activate, set a password."""


@user.command("deactivate")
@click.argument("username")
@ACTOR
@click.pass_obj
def deactivate(obj: Any, username: str, actor: str) -> None:
    """停用账号并立即结束其全部登录 / deactivate USERNAME and end all their sessions now."""
    _switch(obj, username, False, actor)


@user.command("activate")
@click.argument("username")
@ACTOR
@click.pass_obj
def activate(obj: Any, username: str, actor: str) -> None:
    """重新启用账号（需重新登录）/ reactivate USERNAME (they sign in afresh)."""
    _switch(obj, username, True, actor)


def _switch(obj: Any, username: str, active: bool, actor: str) -> None:
    try:
        changed = set_active(_sessions(obj), username, active, actor=actor)
    except UnknownUser:
        _fail(f"没有用户名为 {username} 的账号 / no account named {username}")
    state_zh, state_en = ("启用", "active") if active else ("停用", "inactive")
    if not changed.changed:
        click.echo(f"账号 {username} 已是{state_zh}状态 / {username} was already {state_en}")
    elif active:
        click.echo(f"已启用账号 {username} / {username} activated")
    else:
        click.echo(f"已停用账号 {username}；{_ended(changed)} / {username} deactivated")


@user.command("set-password")
@click.argument("username")
@ACTOR
@click.pass_obj
def set_password_cmd(obj: Any, username: str, actor: str) -> None:
    """为账号设置新密码（输入两次，不回显），并结束其全部登录 / set USERNAME's password (typed twice, not shown)
    and end all their sessions."""
    password = click.prompt("新密码 / new password", hide_input=True,
                            confirmation_prompt="再次输入新密码 / repeat the new password")
    try:
        changed = set_password(_sessions(obj), username, password, actor=actor, reset=True)
    except UnknownUser:
        _fail(f"没有用户名为 {username} 的账号 / no account named {username}")
    except WeakPassword as weak:
        _fail("密码不符合要求 / the password is refused:\n  " + "\n  ".join(WEAKNESS_TEXT[w] for w in weak.weaknesses))
    click.echo(f"已为 {username} 设置新密码；{_ended(changed)} / password set")
