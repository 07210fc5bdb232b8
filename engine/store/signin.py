"""Staff sign-in attempts, the record the sign-in throttle counts (``engine/signin_guard.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base

#: Longest username kept; longer typed names are cut, as no account can have one (``users.username`` is 50).
USERNAME_MAX = 100
#: Longest client address kept: IPv6 with a zone id fits, and anything longer is cut.
ADDRESS_MAX = 64


class SignInAttempt(Base):
    """One sign-in whose password was checked: a success or a failure. Rows are only ever appended.

    Attempts refused while a lock holds are not stored: their password is never checked, so they tell an
    attacker nothing, and a flood of them must not grow the table.
    """

    __tablename__ = "sign_in_attempts"
    # Each throttle check is one index range read, newest first: a username's latest attempts (a success ends
    # its streak, so successes are read too; ``id`` orders attempts made in the same microsecond), an address's
    # latest failures (a success does not end those).
    __table_args__ = (
        Index("ix_sign_in_attempts_username", "username", "at", "id"),
        Index("ix_sign_in_attempts_address", "address", "succeeded", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    #: As typed (trimmed), whether or not such a user exists.
    username: Mapped[str] = mapped_column(String(USERNAME_MAX))
    #: The client as the throttle counts it: an IPv4 address, or an IPv6 address's /64 network.
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX))
    succeeded: Mapped[bool]
