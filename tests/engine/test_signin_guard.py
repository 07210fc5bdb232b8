"""The sign-in throttle: what locks a username or an address, for how long, and what ends a streak."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from engine import signin_guard
from engine.config import Settings
from engine.db import readonly_factory
from engine.identity import create_user
from engine.signin_guard import Limits, Outcome, SignInResult, address_key, try_again_at
from engine.store import SignInAttempt

START = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
HERE = "10.0.0.1"


class Desk:
    """A sign-in desk over the test database, with a clock that only moves when told."""

    def __init__(self, db, traveller: time_machine.Coordinates, limits: Limits | None = None) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.reader = readonly_factory(db.sessions)
        self.traveller = traveller
        self.limits = limits or Limits()

    def try_(self, username: str, password: str, address: str | None = HERE) -> SignInResult:
        return signin_guard.sign_in(self.db.sessions, self.reader, username, password, address, self.limits)

    def fail(self, username: str, times: int, address: str | None = HERE,
             every: timedelta = timedelta(minutes=1)) -> list[Outcome]:
        """``times`` wrong passwords, the clock moving ``every`` after each."""
        outcomes = []
        for _ in range(times):
            outcomes.append(self.try_(username, "wrong", address).outcome)
            self.traveller.shift(every)
        return outcomes

    def rows(self) -> int:
        with self.db.sessions() as s:
            return s.scalar(select(func.count()).select_from(SignInAttempt))


@pytest.fixture
def desk(db) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    with db.sessions.begin() as s:
        create_user(s, "shouli", "窗口受理员", "right", roles=["staff"])
        create_user(s, "chengban", "承办人", "right", roles=["staff"])
    with time_machine.travel(START, tick=False) as traveller:
        yield Desk(db, traveller)


def test_five_failures_lock_the_username_even_against_the_right_password(desk):
    assert desk.fail("shouli", 4) == [Outcome.FAILED] * 4
    fifth = desk.try_("shouli", "wrong")  # at 02:04
    assert fifth.outcome is Outcome.LOCKED
    assert fifth.locked_until == START + timedelta(minutes=4 + 15)

    desk.traveller.shift(timedelta(minutes=1))
    refused = desk.try_("shouli", "right")
    assert refused == SignInResult(Outcome.LOCKED, locked_until=START + timedelta(minutes=19))
    # Another user at the same desk is not affected: 5 failures are far from the address limit.
    assert desk.try_("chengban", "right").outcome is Outcome.SIGNED_IN


def test_the_lock_ends_fifteen_minutes_after_the_last_failure(desk):
    desk.fail("shouli", 5, every=timedelta(seconds=30))
    last_failure = START + timedelta(minutes=2)
    desk.traveller.move_to(last_failure + timedelta(minutes=15) - timedelta(seconds=1))
    assert desk.try_("shouli", "right").outcome is Outcome.LOCKED
    desk.traveller.move_to(last_failure + timedelta(minutes=15))
    assert desk.try_("shouli", "right").outcome is Outcome.SIGNED_IN


def test_refused_attempts_neither_extend_the_lock_nor_are_stored(desk):
    desk.fail("shouli", 5)
    assert desk.rows() == 5
    for _ in range(10):
        assert desk.try_("shouli", "wrong").locked_until == START + timedelta(minutes=19)
        desk.traveller.shift(timedelta(seconds=50))
    assert desk.rows() == 5


def test_failures_spread_over_more_than_the_window_do_not_lock(desk):
    # Five failures 4 minutes apart span 16 minutes: never five within 15.
    assert desk.fail("shouli", 8, every=timedelta(minutes=4)) == [Outcome.FAILED] * 8
    assert desk.try_("shouli", "right").outcome is Outcome.SIGNED_IN


def test_a_success_ends_the_streak(desk):
    desk.fail("shouli", 4)
    assert desk.try_("shouli", "right").outcome is Outcome.SIGNED_IN
    assert desk.fail("shouli", 4) == [Outcome.FAILED] * 4  # the failures before the success no longer count
    assert desk.try_("shouli", "wrong").outcome is Outcome.LOCKED


def test_a_success_in_the_same_instant_as_failures_is_ordered_by_arrival(db):
    with db.sessions.begin() as s:
        create_user(s, "shouli", "窗口受理员", "right", roles=["staff"])
    with time_machine.travel(START, tick=False) as traveller:  # the clock does not move at all
        desk = Desk(db, traveller)
        desk.fail("shouli", 4, every=timedelta(0))
        assert desk.try_("shouli", "right").outcome is Outcome.SIGNED_IN
        assert desk.fail("shouli", 4, every=timedelta(0)) == [Outcome.FAILED] * 4


def test_an_unknown_username_is_counted_and_refused_just_the_same(desk):
    known = desk.fail("shouli", 5, address="10.0.0.2")
    desk.traveller.move_to(START)
    unknown = desk.fail("nobody", 5, address="10.0.0.3")
    assert known == unknown == [Outcome.FAILED] * 4 + [Outcome.LOCKED]
    desk.traveller.move_to(START + timedelta(minutes=6))
    assert desk.try_("shouli", "right", "10.0.0.2") == desk.try_("nobody", "right", "10.0.0.3")


def test_an_inactive_account_with_its_right_password_is_an_ordinary_failure(desk):
    from engine.store import User

    with desk.db.sessions.begin() as s:
        s.execute(select(User).where(User.username == "shouli")).scalar_one().active = False
    assert desk.try_("shouli", "right").outcome is Outcome.FAILED


def test_the_username_is_counted_as_typed_but_trimmed(desk):
    desk.fail(" shouli", 2)
    desk.fail("shouli\t", 2)
    assert desk.try_("shouli", "wrong").outcome is Outcome.LOCKED
    assert desk.try_("Shouli", "wrong").outcome is Outcome.FAILED  # another (unknown) username
    long = "x" * 500
    assert desk.try_(long, "wrong").outcome is Outcome.FAILED
    with desk.db.sessions() as s:
        assert s.scalar(select(func.max(func.length(SignInAttempt.username)))) == 100


def test_twenty_failures_from_one_address_lock_it_for_every_username(desk):
    names = [f"user{i}" for i in range(5)]
    outcomes = [desk.fail(name, 4, every=timedelta(seconds=10)) for name in names]
    assert outcomes[:4] == [[Outcome.FAILED] * 4] * 4
    assert outcomes[4] == [Outcome.FAILED] * 3 + [Outcome.LOCKED]  # the 20th failure from this address
    last_failure = START + timedelta(seconds=10 * 19)

    refused = desk.try_("shouli", "right")
    assert refused == SignInResult(Outcome.LOCKED, locked_until=last_failure + timedelta(minutes=15))
    assert desk.try_("shouli", "right", address="10.0.0.99").outcome is Outcome.SIGNED_IN
    desk.traveller.move_to(last_failure + timedelta(minutes=15))
    assert desk.try_("shouli", "right").outcome is Outcome.SIGNED_IN


def test_successes_do_not_reset_the_address_count(desk):
    for i in range(20):
        if i % 4 == 0:
            assert desk.try_("chengban", "right").outcome is Outcome.SIGNED_IN  # the guesser's own account
        desk.fail(f"user{i}", 1, every=timedelta(seconds=10))
    assert desk.try_("chengban", "right").outcome is Outcome.LOCKED


def test_an_ipv6_client_is_counted_by_its_64_network():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:10.0.0.1") == "10.0.0.1"
    assert address_key("fe80::1%eth0") == "fe80::/64"
    assert address_key("192.0.2.7") == "192.0.2.7"
    assert address_key(None) == address_key("") == "unknown"


def test_ipv6_addresses_of_one_network_share_a_count(desk):
    for i in range(20):
        desk.fail(f"user{i}", 1, address=f"2001:db8:1:2::{i + 1:x}", every=timedelta(seconds=5))
    assert desk.try_("shouli", "right", address="2001:db8:1:2::ffff").outcome is Outcome.LOCKED
    assert desk.try_("shouli", "right", address="2001:db8:1:3::1").outcome is Outcome.SIGNED_IN


def test_the_limits_come_from_the_settings_and_zero_turns_one_off(db):
    settings = Settings.from_env({"SUNSHINE_SIGNIN_USER_FAILURES": "3", "SUNSHINE_SIGNIN_ADDRESS_FAILURES": "0",
                                  "SUNSHINE_SIGNIN_WINDOW_MINUTES": "5", "SUNSHINE_SIGNIN_LOCKOUT_MINUTES": "60"})
    limits = Limits.from_settings(settings)
    assert limits == Limits(3, 0, timedelta(minutes=5), timedelta(minutes=60))
    assert Limits.from_settings(Settings()) == Limits(5, 20, timedelta(minutes=15), timedelta(minutes=15))
    with pytest.raises(ValueError):
        Limits(user_failures=-1)
    with db.sessions.begin() as s:
        create_user(s, "shouli", "窗口受理员", "right", roles=["staff"])
    with time_machine.travel(START, tick=False) as traveller:
        desk = Desk(db, traveller, limits)
        assert desk.fail("shouli", 3)[-1] is Outcome.LOCKED
        assert desk.try_("shouli", "right").locked_until == START + timedelta(minutes=2 + 60)
        # No address limit: 30 failures on other usernames from here lock only those usernames.
        for i in range(15):
            desk.fail(f"user{i}", 2)
        assert desk.try_("anyone", "wrong").outcome is Outcome.FAILED


def test_a_lock_is_logged_as_a_warning(desk, caplog):
    with caplog.at_level(logging.WARNING, logger="sunshine.auth"):
        desk.fail("shouli", 4)
        assert caplog.records == []
        desk.fail("shouli", 1)
    [record] = caplog.records
    assert record.name == "sunshine.auth" and record.levelno == logging.WARNING
    assert "'shouli'" in record.getMessage() and "2026-06-01T02:19:00" in record.getMessage()


def test_parallel_guesses_cannot_get_past_the_limit(desk, monkeypatch):
    """Ten wrong guesses whose passwords are all checked at once: only five are recorded and answered."""
    gate = threading.Barrier(10, timeout=30)
    verify = signin_guard._verify

    def verify_together(account, password):  # type: ignore[no-untyped-def]
        result = verify(account, password)
        gate.wait()  # every guess has passed the first check and learned its answer before any is recorded
        return result

    monkeypatch.setattr(signin_guard, "_verify", verify_together)
    results: list[SignInResult] = []
    threads = [threading.Thread(target=lambda: results.append(desk.try_("shouli", "wrong"))) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.outcome.value for r in results) == ["failed"] * 4 + ["locked"] * 6
    assert desk.rows() == 5
    monkeypatch.undo()
    assert desk.try_("shouli", "right").outcome is Outcome.LOCKED


def test_the_try_again_time_is_beijing_time_rounded_up_to_the_minute():
    assert try_again_at(datetime(2026, 6, 1, 2, 19, tzinfo=UTC)).strftime("%H:%M") == "10:19"
    assert try_again_at(datetime(2026, 6, 1, 2, 19, 1, tzinfo=UTC)).strftime("%H:%M") == "10:20"
    assert try_again_at(datetime(2026, 6, 1, 15, 59, 30, tzinfo=UTC)).strftime("%Y-%m-%d %H:%M") == "2026-06-02 00:00"
