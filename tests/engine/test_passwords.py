"""Staff passwords: argon2id at the recommended cost in production, older hashes replaced at the next sign-in."""

from __future__ import annotations

import hashlib
import secrets
import subprocess
import sys

from sqlalchemy import select, update

from engine import signin_guard
from engine.config import ROOT
from engine.db import readonly_factory
from engine.identity import create_user
from engine.passwords import check_password, hash_password
from engine.signin_guard import Outcome
from engine.store import User


def _scrypt_hash(password: str) -> str:
    """A hash as the platform wrote them before argon2id (scrypt, N = 2^14)."""
    salt = secrets.token_hex(16)
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), n=2**14, r=8, p=1).hex()
    return f"scrypt${2**14}$8$1${salt}${digest}"


def test_production_hashes_are_argon2id_with_64_mib_three_passes_and_four_lanes():
    # Outside the test suite (which makes hashing cheap), as a production process hashes.
    code = "from engine.passwords import hash_password; print(hash_password('sunshine'))"
    written = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert written.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert check_password(written.stdout.strip(), "sunshine").ok
    assert not check_password(written.stdout.strip(), "Sunshine").ok


def test_a_hash_of_an_older_cost_is_flagged_for_replacement_and_a_current_one_is_not():
    assert not check_password(hash_password("pw"), "pw").rehash
    old = _scrypt_hash("pw")
    assert check_password(old, "pw").ok and check_password(old, "pw").rehash
    assert not check_password(old, "nope").ok
    assert not check_password("garbage", "pw").ok and not check_password("scrypt$1$2", "pw").ok


def test_an_old_scrypt_hash_signs_in_and_is_replaced_by_argon2id_but_not_on_a_wrong_password(db):
    with db.sessions.begin() as s:
        user = create_user(s, "shouli", "窗口受理员", "unused", roles=["staff"])
        s.execute(update(User).where(User.id == user.id).values(password_hash=_scrypt_hash("right")))
    reader = readonly_factory(db.sessions)

    def stored() -> str:
        with db.sessions() as s:
            return s.scalar(select(User.password_hash).where(User.username == "shouli"))

    assert signin_guard.sign_in(db.sessions, reader, "shouli", "wrong", "10.0.0.1").outcome is Outcome.FAILED
    assert stored().startswith("scrypt$")
    assert signin_guard.sign_in(db.sessions, reader, "shouli", "right", "10.0.0.1").outcome is Outcome.SIGNED_IN
    assert stored().startswith("$argon2id$")
    assert signin_guard.sign_in(db.sessions, reader, "shouli", "right", "10.0.0.1").outcome is Outcome.SIGNED_IN
