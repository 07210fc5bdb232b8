"""Server-side web sessions: one read per request, "last seen" written at most once a minute, ended sessions kept
with when and why they ended; a new password or deactivation ends a user's sessions everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, inspect, select

from engine.accounts import UnknownUser, WeakPassword, set_active, set_password
from engine.audit import use_key
from engine.config import Settings, SettingsError
from engine.db import readonly_factory
from engine.identity import create_user, ensure_department, ensure_region
from engine.password_policy import Weakness
from engine.passwords import check_password
from engine.store import AuditEvent, Membership, User, UserRole, WebSession
from engine.web_sessions import Ended, Lifetimes, Resumed, digest, end, resume, start
from tests.settings import AUDIT_KEY, make_settings

START = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
LIMITS = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
GOOD = "Lantern-river-42"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def user_id(db) -> int:
    use_key(db.sessions, AUDIT_KEY)  # accounts write audit events
    with db.sessions.begin() as s:
        return create_user(s, "clerk", "窗口受理员", "first-Password-1", roles=["staff", "drafter"]).id


def rows(db) -> list[WebSession]:
    with db.sessions() as s:
        return list(s.scalars(select(WebSession).order_by(WebSession.id)))


def back(db, token: str) -> Resumed:
    return resume(db.sessions, readonly_factory(db.sessions), token, LIMITS)


def test_the_database_keeps_only_the_tokens_hash_and_the_session_signs_its_user_in(db, user_id, clock):
    token = start(db.sessions, user_id)
    [row] = rows(db)
    assert row.token_hash == digest(token) != token and len(token) >= 43  # 256 random bits
    assert (row.created_at, row.last_seen_at, row.ended_at) == (START, START, None)
    resumed = back(db, token)
    assert resumed.user is not None and resumed.user.id == user_id and resumed.ended is None
    assert resumed.user.has_role("drafter")  # roles come with the user, readable after the read ended
    assert back(db, "forged-" + token).ended is Ended.UNKNOWN


def test_a_request_costs_one_read_and_last_seen_is_written_at_most_once_a_minute(db, user_id, clock):
    token = start(db.sessions, user_id)
    statements: list[str] = []
    reader = readonly_factory(db.sessions)
    # SQLite's reader is the same engine with an option (its events are the engine's); PostgreSQL's has its own.
    binds = {db.engine, reader.kw["bind"]} if reader.kw["bind"].pool is not db.engine.pool else {db.engine}
    for bind in binds:
        event.listen(bind, "before_cursor_execute", lambda *args: statements.append(args[2]))
    clock.shift(timedelta(seconds=59))
    assert resume(db.sessions, reader, token, LIMITS).user is not None
    assert [s.split()[0] for s in statements if s.split()[0] in {"SELECT", "UPDATE", "INSERT"}] == ["SELECT"]
    assert rows(db)[0].last_seen_at == START

    statements.clear()
    clock.shift(timedelta(seconds=1))
    assert resume(db.sessions, reader, token, LIMITS).user is not None
    assert [s.split()[0] for s in statements if s.split()[0] in {"SELECT", "UPDATE", "INSERT"}] == ["SELECT",
                                                                                                      "UPDATE"]
    assert rows(db)[0].last_seen_at == START + timedelta(minutes=1)


def test_a_session_idle_too_long_ends_as_of_the_moment_it_lapsed(db, user_id, clock):
    token = start(db.sessions, user_id)
    clock.shift(timedelta(minutes=20))
    assert back(db, token).user is not None
    clock.shift(timedelta(minutes=30) - timedelta(seconds=1))
    assert back(db, token).user is not None  # 29:59 after the last request
    clock.shift(timedelta(minutes=30))
    assert back(db, token) == Resumed(None, Ended.IDLE)
    [row] = rows(db)
    assert (row.ended_at, row.end_reason) == (START + timedelta(minutes=20 + 29, seconds=59) + timedelta(minutes=30),
                                              "idle")
    assert back(db, token) == Resumed(None, Ended.IDLE)  # and stays ended


def test_a_session_in_use_all_day_ends_at_its_absolute_lifetime(db, user_id, clock):
    token = start(db.sessions, user_id)
    for _ in range(12 * 3 - 1):
        clock.shift(timedelta(minutes=20))
        assert back(db, token).user is not None
    clock.shift(timedelta(minutes=20))  # 12 hours after sign-in
    assert back(db, token) == Resumed(None, Ended.EXPIRED)
    assert rows(db)[0].ended_at == START + timedelta(hours=12)


def test_signing_out_or_in_again_ends_the_session_and_the_row_stays(db, user_id, clock):
    first = start(db.sessions, user_id)
    second = start(db.sessions, user_id, replacing=first)
    assert back(db, first) == Resumed(None, Ended.SIGNED_IN_AGAIN)
    assert end(db.sessions, second, Ended.SIGNED_OUT) is True
    assert end(db.sessions, second, Ended.SIGNED_OUT) is False  # already ended: its first end stays
    assert back(db, second) == Resumed(None, Ended.SIGNED_OUT)
    assert [(r.end_reason, r.ended_at) for r in rows(db)] == [("signed_in_again", START), ("signed_out", START)]


def test_a_new_password_ends_every_session_of_its_user_only(db, user_id, clock):
    with db.sessions.begin() as s:
        other = create_user(s, "reviewer", "审核员", "other-Password-1", roles=["staff"]).id
    mine = [start(db.sessions, user_id) for _ in range(3)]
    theirs = start(db.sessions, other)
    end(db.sessions, mine[0], Ended.SIGNED_OUT)
    clock.shift(timedelta(minutes=5))

    changed = set_password(db.sessions, "clerk", GOOD, actor="clerk")
    assert changed.sessions_ended == 2  # the one already signed out keeps its own end
    assert [back(db, t).ended for t in mine] == [Ended.SIGNED_OUT, Ended.PASSWORD_CHANGED, Ended.PASSWORD_CHANGED]
    assert back(db, theirs).user is not None
    with db.sessions() as s:
        stored = s.scalar(select(User.password_hash).where(User.id == user_id))
        audit = s.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.payload)
                          .where(AuditEvent.action.like("user.%"))).all()
    assert check_password(stored, GOOD).ok and stored.startswith("$argon2id$")
    assert audit == [("clerk", "user.password_changed", {"user": "clerk", "sessions_ended": 2})]


def test_a_weak_password_or_an_unknown_user_changes_nothing(db, user_id, clock):
    token = start(db.sessions, user_id)
    with pytest.raises(WeakPassword) as weak:
        set_password(db.sessions, "clerk", "clerk12345", actor="admin", reset=True)
    assert weak.value.weaknesses == [Weakness.TOO_FEW_KINDS, Weakness.HAS_USERNAME]
    with pytest.raises(UnknownUser):
        set_password(db.sessions, "nobody", GOOD, actor="admin", reset=True)
    assert back(db, token).user is not None


def test_deactivation_ends_every_session_and_reactivation_lets_the_user_sign_in_afresh(db, user_id, clock):
    tokens = [start(db.sessions, user_id) for _ in range(2)]
    assert set_active(db.sessions, "clerk", False, actor="cli").sessions_ended == 2
    assert set_active(db.sessions, "clerk", False, actor="cli").changed is False  # already inactive
    assert [back(db, t).ended for t in tokens] == [Ended.DEACTIVATED] * 2
    assert set_active(db.sessions, "clerk", True, actor="cli").changed is True
    assert [back(db, t).ended for t in tokens] == [Ended.DEACTIVATED] * 2  # reactivation revives none
    with db.sessions() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("user.%"))
                            .order_by(AuditEvent.id)).all()
    assert actions == ["user.deactivated", "user.activated"]


def test_a_user_deactivated_behind_the_platforms_back_is_signed_out_too(db, user_id, clock):
    token = start(db.sessions, user_id)
    with db.sessions.begin() as s:
        s.get(User, user_id).active = False
    assert back(db, token) == Resumed(None, Ended.DEACTIVATED)
    assert rows(db)[0].end_reason == "deactivated"


def test_lifetimes_come_from_the_settings_and_one_that_cannot_work_stops_start_up():
    limits = Lifetimes.from_settings(make_settings(session_idle_minutes=15, session_max_hours=8))
    assert (limits.idle, limits.absolute) == (timedelta(minutes=15), timedelta(hours=8))
    assert Lifetimes.from_settings(Settings()) == Lifetimes(timedelta(minutes=30), timedelta(hours=12))
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"SUNSHINE_SESSION_IDLE_MINUTES": "0", "SUNSHINE_SESSION_MAX_HOURS": "a day"})
    assert err.value.problems == [
        "SUNSHINE_SESSION_MAX_HOURS=a day：须为大于 0、不超过 8760（一年）的小时数 / "
        "must be a number of hours above 0 and at most 8760 (one year)",
        "SUNSHINE_SESSION_IDLE_MINUTES=0：须为大于 0、不超过 525600（一年）的分钟数 / "
        "must be a number of minutes above 0 and at most 525600 (one year)"]


def test_roles_of_a_user_with_several_posts_are_read_once_each(db, user_id, clock):
    """The joined read multiplies rows (roles × posts); the user still has each role and post once."""
    with db.sessions.begin() as s:
        dept = ensure_department(s, ensure_region(s, "510000", "测试市"), "CSJ", "测试局", ["受理", "审核", "批准"])
        s.add_all([Membership(user_id=user_id, post_id=post.id) for post in dept.posts])
        s.add(UserRole(user_id=user_id, role="legal"))
    resumed = back(db, start(db.sessions, user_id))
    assert resumed.user is not None
    assert sorted(r.role for r in resumed.user.roles) == ["drafter", "legal", "staff"]
    assert len(resumed.user.memberships) == 3


def test_the_session_brings_the_posts_a_page_asks_about_and_not_the_password_hash(db, user_id, clock):
    """Which posts, in which departments: pages ask the user, not the database (engine.access); the password hash
    stays in the database."""
    with db.sessions.begin() as s:
        region = ensure_region(s, "510000", "测试市")
        first = ensure_department(s, region, "CSJ", "测试局", ["受理", "审核"])
        second = ensure_department(s, region, "MZJ", "民政局", ["受理"])
        s.add_all([Membership(user_id=user_id, post_id=post.id) for post in [*first.posts, *second.posts]])
    user = back(db, start(db.sessions, user_id)).user
    assert user is not None
    assert sorted((m.post.department.name, m.post.name) for m in user.memberships) == [
        ("民政局", "受理"), ("测试局", "受理"), ("测试局", "审核")]
    assert "password_hash" in inspect(user).unloaded
