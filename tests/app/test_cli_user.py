"""``sunshine user``: an operator deactivates, reactivates or sets the password of a staff account."""

from __future__ import annotations

from click.testing import CliRunner, Result
from sqlalchemy import select

from app.cli import CliState, main
from engine.demo import DEMO_PASSWORD
from engine.store import AuditEvent, User
from tests.app.conftest import csrf, sign_in
from tests.settings import make_settings

NEW_PASSWORD = "Lantern-river-42"


def invoke(app, *args: str, typed: str | None = None) -> Result:  # type: ignore[no-untyped-def]
    """Run ``sunshine ARGS`` on the app's database, typing ``typed`` at the prompts."""
    runtime = app.extensions["sunshine"]
    state = CliState(make_settings(database_url=runtime.settings.database_url))
    state["runtime"] = runtime
    return CliRunner().invoke(main, list(args), obj=state, input=typed)


def can_sign_in(app, password: str = DEMO_PASSWORD) -> bool:  # type: ignore[no-untyped-def]
    client = app.test_client()
    resp = client.post("/login", data={"username": "shouli", "password": password, "csrf": csrf(client)})
    return resp.status_code == 302


def test_deactivating_signs_the_user_out_everywhere_and_keeps_them_out_until_activated(app):
    client = app.test_client()
    sign_in(client, "shouli")
    result = invoke(app, "user", "deactivate", "shouli", "--actor", "ops-wang")
    assert result.exit_code == 0 and "已停用账号 shouli；已结束其 1 个登录会话" in result.output
    assert client.get("/work/").headers["Location"].startswith("/login")
    assert not can_sign_in(app)
    assert "已是停用状态" in invoke(app, "user", "deactivate", "shouli").output

    assert invoke(app, "user", "activate", "shouli").exit_code == 0
    assert can_sign_in(app)
    with app.extensions["sunshine"].reader() as s:
        events = s.execute(select(AuditEvent.actor, AuditEvent.action).where(AuditEvent.action.like("user.%"))
                           .order_by(AuditEvent.id)).all()
    assert events == [("ops-wang", "user.deactivated"), ("cli", "user.activated")]


def test_an_operator_sets_a_password_typed_twice_and_the_users_sessions_end(app):
    client = app.test_client()
    sign_in(client, "shouli")
    result = invoke(app, "user", "set-password", "shouli", typed=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output  # the prompt does not echo it
    assert client.get("/work/").headers["Location"].startswith("/login")
    assert not can_sign_in(app) and can_sign_in(app, NEW_PASSWORD)
    with app.extensions["sunshine"].reader() as s:
        assert s.scalar(select(User.password_hash).where(User.username == "shouli")).startswith("$argon2id$")
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action.like("user.%"))) == "user.password_reset"


def test_a_weak_password_or_an_unknown_user_is_refused_with_a_message(app):
    weak = invoke(app, "user", "set-password", "shouli", typed="shouli123\nshouli123\n")
    assert weak.exit_code == 1
    assert "至少需要 10 个字符" in weak.output and "不能包含用户名" in weak.output and "Traceback" not in weak.output
    assert can_sign_in(app)
    unknown = invoke(app, "user", "deactivate", "nobody")
    assert unknown.exit_code == 1 and "没有用户名为 nobody 的账号" in unknown.output
    differ = invoke(app, "user", "set-password", "shouli", typed=f"{NEW_PASSWORD}\nother\n{NEW_PASSWORD}\n"
                                                              f"{NEW_PASSWORD}\n")
    assert differ.exit_code == 0  # typed differently: asked again
