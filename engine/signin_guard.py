"""Throttle staff sign-in so passwords cannot be guessed without limit.

Two limits, each counted in the database (several web processes share them):

- a username: ``user_failures`` failures within ``window`` lock it for ``lockout`` counted from the last
  of them; a success ends the streak. Unknown usernames are counted and refused the same way, so the
  answer never tells whether an account exists.
- a client address: ``address_failures`` failures within ``window`` lock it the same way, so one machine
  cannot sweep many usernames. Successes do not end this streak: a guesser holding one account of their own
  could otherwise reset it at will.

While a lock holds, the password is not checked at all (a right one is refused too) and nothing is written.
The final check and the record of an attempt happen together under a lock on its username and address
(SQLite's single writer; advisory locks on PostgreSQL), so parallel requests cannot slip past the limit.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine import clock
from engine.config import Settings
from engine.db import transaction
from engine.passwords import check_password, hash_password
from engine.store import SignInAttempt, User
from engine.store.signin import ADDRESS_MAX, USERNAME_MAX

log = logging.getLogger("sunshine.auth")

#: Stored for a request whose client address the web server did not give (they all share one count).
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class Limits:
    """How many failures lock a username or an address, within which window, and for how long (0 = no limit)."""

    user_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.user_failures < 0 or self.address_failures < 0:
            raise ValueError("sign-in failure limits must be 0 (off) or more")
        if self.window <= timedelta(0) or self.lockout <= timedelta(0):
            raise ValueError("sign-in window and lockout must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits an operator set with the ``SUNSHINE_SIGNIN_*`` variables."""
        return cls(
            user_failures=settings.signin_user_failures,
            address_failures=settings.signin_address_failures,
            window=timedelta(minutes=settings.signin_window_minutes),
            lockout=timedelta(minutes=settings.signin_lockout_minutes),
        )


class Outcome(enum.Enum):
    """How one sign-in ended."""

    SIGNED_IN = "signed_in"
    #: Wrong password or unknown (or inactive) user; no lock yet.
    FAILED = "failed"
    #: Refused: the username or the address is locked, possibly by this very failure.
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    """What became of one sign-in: the user's id when signed in, the end of the lock when refused."""

    outcome: Outcome
    user_id: int | None = None
    locked_until: datetime | None = None


def username_key(typed: str) -> str:
    """The username as the throttle counts and stores it: trimmed, and cut to the column's length."""
    return typed.strip()[:USERNAME_MAX]


def address_key(address: str | None) -> str:
    """The client as the throttle counts it: an IPv4 address, or the /64 network of an IPv6 one.

    One IPv6 host is usually handed a whole /64, so counting single addresses would let it change address
    for every guess.
    """
    if not address:
        return UNKNOWN_ADDRESS
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:ADDRESS_MAX]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def try_again_at(locked_until: datetime) -> datetime:
    """The lock's end in Beijing time, rounded up to the minute, as the message shows it."""
    shown = clock.local(locked_until)
    if shown.second or shown.microsecond:
        shown = shown.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return shown


def sign_in(sessions: sessionmaker[Session], reader: sessionmaker[Session], username: str, password: str,
            address: str | None, limits: Limits | None = None) -> SignInResult:
    """Check the credentials unless the username or address is locked, and record the attempt."""
    limits = limits or Limits()
    typed = username.strip()
    name, client = username_key(typed), address_key(address)
    # Refuse a locked attempt before the costly password check, and without writing anything.
    with reader() as s:
        until = _locked_until(s, limits, name, client, clock.now())
        if until is not None:
            return SignInResult(Outcome.LOCKED, locked_until=until)
        account = s.execute(
            select(User.id, User.password_hash, User.active).where(User.username == typed)
        ).one_or_none()
    user_id, rehash = _verify(account, password)
    # An older kind or cost of hash is replaced now that the password is at hand (hashed before the write lock).
    new_hash = hash_password(password) if rehash else None

    with transaction(sessions) as s:
        _serialise(s, name, client)
        now = clock.now()
        # Parallel attempts may have locked the key while this one checked its password: its answer must stay
        # unknown, or parallel guesses would get past the limit.
        until = _locked_until(s, limits, name, client, now)
        if until is not None:
            return SignInResult(Outcome.LOCKED, locked_until=until)
        s.add(SignInAttempt(at=now, username=name, address=client, succeeded=user_id is not None))
        if user_id is not None:
            if new_hash is not None:
                s.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
            return SignInResult(Outcome.SIGNED_IN, user_id=user_id)
        s.flush()
        user_until = _user_lock(s, limits, name, now)
        address_until = _address_lock(s, limits, client, now)
    if user_until is not None:
        log.warning("sign-in locked for username %r until %s UTC: %d failures within %s",
                    name, user_until.isoformat(timespec="seconds"), limits.user_failures, limits.window)
    if address_until is not None:
        log.warning("sign-in locked for address %s until %s UTC: %d failures within %s",
                    client, address_until.isoformat(timespec="seconds"), limits.address_failures, limits.window)
    until = max((u for u in (user_until, address_until) if u is not None), default=None)
    if until is not None:
        return SignInResult(Outcome.LOCKED, locked_until=until)
    return SignInResult(Outcome.FAILED)


def _verify(account: tuple[int, str, bool] | None, password: str) -> tuple[int | None, bool]:
    """The account's id when the password is right and the account active, and whether its hash is out of date.

    An unknown username is checked against a throwaway hash, so the answer takes as long as for a real one.
    """
    stored = account[1] if account is not None else _throwaway_hash()
    verdict = check_password(stored, password)
    if account is None or not account[2] or not verdict.ok:
        return None, False
    return account[0], verdict.rehash


@functools.cache
def _throwaway_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _serialise(session: Session, name: str, client: str) -> None:
    """Make concurrent attempts on the same username or address take turns until their transaction ends.

    SQLite writers already take turns (``BEGIN IMMEDIATE``). On PostgreSQL: transaction-scoped advisory
    locks, taken in key order so two attempts sharing one key can never deadlock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({_lock_key("user", name), _lock_key("address", client)}):
        session.execute(select(func.pg_advisory_xact_lock(key)))


def _lock_key(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"sunshine.signin.{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _locked_until(session: Session, limits: Limits, name: str, client: str, now: datetime) -> datetime | None:
    """The later end of the username's and the address's lock, or None when neither is locked."""
    ends = [u for u in (_user_lock(session, limits, name, now), _address_lock(session, limits, client, now))
            if u is not None]
    return max(ends, default=None)


def _user_lock(session: Session, limits: Limits, name: str, now: datetime) -> datetime | None:
    if limits.user_failures == 0:
        return None
    # The latest attempts of any kind: a success among them ends the streak before it reaches the limit.
    latest = session.execute(
        select(SignInAttempt.at, SignInAttempt.succeeded)
        .where(SignInAttempt.username == name, SignInAttempt.at > _horizon(limits, now))
        .order_by(SignInAttempt.at.desc(), SignInAttempt.id.desc())
        .limit(limits.user_failures)
    ).all()
    if any(succeeded for _, succeeded in latest):
        return None
    return _lock_end(limits, [at for at, _ in latest], limits.user_failures, now)


def _address_lock(session: Session, limits: Limits, client: str, now: datetime) -> datetime | None:
    if limits.address_failures == 0:
        return None
    failures = session.scalars(
        select(SignInAttempt.at)
        .where(SignInAttempt.address == client, SignInAttempt.succeeded == false(),
               SignInAttempt.at > _horizon(limits, now))
        .order_by(SignInAttempt.at.desc())
        .limit(limits.address_failures)
    ).all()
    return _lock_end(limits, list(failures), limits.address_failures, now)


def _horizon(limits: Limits, now: datetime) -> datetime:
    """No failure older than this can belong to a lock still holding at ``now``."""
    return now - limits.lockout - limits.window


def _lock_end(limits: Limits, newest_first: list[datetime], threshold: int, now: datetime) -> datetime | None:
    """When the lock made by the latest failures ends, if they make one that still holds.

    Only the latest ``threshold`` failures matter: failures are only recorded while no lock holds, so any
    lock made by older ones ended before the latest failure was recorded.
    """
    if len(newest_first) < threshold or newest_first[0] - newest_first[-1] > limits.window:
        return None
    until = newest_first[0] + limits.lockout
    return until if now < until else None
