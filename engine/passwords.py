"""Staff passwords: argon2id at RFC 9106's recommended cost; older scrypt hashes still verify and are replaced at
the next successful sign-in."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from argon2 import PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: RFC 9106 §4, second recommended option (64 MiB, 3 passes, 4 lanes): ≈ 0.13 s on one core of the 2026 server.
PRODUCTION = profiles.RFC_9106_LOW_MEMORY
_LEGACY_PREFIX = "scrypt$"

_hasher = PasswordHasher.from_parameters(PRODUCTION)


@dataclass(frozen=True)
class Verdict:
    """Whether a password matched, and whether its stored hash should be replaced by a current one."""

    ok: bool
    rehash: bool = False


def hash_password(password: str) -> str:
    """A salted argon2id hash in PHC form (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``)."""
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> Verdict:
    """Check ``password`` against ``stored``; ``rehash`` is True when the hash is of an older kind or cost."""
    if stored.startswith(_LEGACY_PREFIX):
        return Verdict(_check_scrypt(stored, password), rehash=True)
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Verdict(False)
    return Verdict(True, rehash=_hasher.check_needs_rehash(stored))


def _check_scrypt(stored: str, password: str) -> bool:
    """The hashes written before 2026-12 (``scrypt$N$r$p$salt$hash``, N = 2^14)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode(), salt=salt.encode(), n=int(n), r=int(r), p=int(p),
                                   maxmem=256 * 1024 * 1024).hex()
    except ValueError:
        return False
    return hmac.compare_digest(candidate, digest)


def use_cheap_hashes_for_tests() -> None:
    """Make hashing nearly free. Only the test suite calls this: a cheap hash protects nothing."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=8, type=Type.ID)
