"""What a new staff password must be: long enough, of several kinds of character, not a known or guessable one.

The rule follows 等保 2.0 (GB/T 22239-2019 8.1.4.1: "身份鉴别信息具有复杂度要求") as Chinese government systems
are audited against it, at a length above its usual eight characters. Guessing is also slowed by the sign-in
throttle (``engine/signin_guard.py``) and the argon2id hash (``engine/passwords.py``).
"""

from __future__ import annotations

import enum
import unicodedata

MIN_LENGTH = 10
#: Far beyond any password a person types; a longer one is a paste gone wrong.
MAX_LENGTH = 128
#: Of upper-case letters, lower-case letters, digits and anything else (punctuation, Chinese characters …).
MIN_KINDS = 3
#: Published defaults and the top of leaked-password lists that pass the other rules, compared without letter case
#: (the demo's ``sunshine`` fails on length already).
KNOWN = frozenset({
    "sunshine@123", "sunshine@2026", "password@123", "p@ssw0rd123", "passw0rd@123", "passw0rd!!", "admin@12345",
    "admin@123456", "root@123456", "huawei@123", "huawei12#$", "welcome@123", "changeme_123", "abc@123456",
    "abcd@12345", "aa123456789", "qq123456789", "qwer1234!@#$", "1qaz@wsx3edc", "1qaz!qaz2wsx", "qwe123!@#qwe",
    "zhang@123456", "wang@123456", "li@12345678",
})


class Weakness(enum.StrEnum):
    """Why a new password is refused; the web page and the CLI word each in the user's language."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_FEW_KINDS = "too_few_kinds"
    HAS_USERNAME = "has_username"
    KNOWN = "known"
    INVISIBLE = "invisible"


def weaknesses(password: str, username: str = "") -> list[Weakness]:
    """Every rule ``password`` breaks (empty when it may be used) for the account ``username``."""
    found: list[Weakness] = []
    if len(password) < MIN_LENGTH:
        found.append(Weakness.TOO_SHORT)
    elif len(password) > MAX_LENGTH:
        found.append(Weakness.TOO_LONG)
    if kinds(password) < MIN_KINDS:
        found.append(Weakness.TOO_FEW_KINDS)
    if len(username) >= 3 and username.casefold() in password.casefold():
        found.append(Weakness.HAS_USERNAME)
    if password.casefold() in KNOWN:
        found.append(Weakness.KNOWN)
    # A control or format character (a tab, a zero-width space) is typed differently or not at all elsewhere.
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in password):
        found.append(Weakness.INVISIBLE)
    return found


def kinds(password: str) -> int:
    """How many of the four kinds of character ``password`` holds: upper-case, lower-case, digits, others."""
    upper = any(ch.isascii() and ch.isupper() for ch in password)
    lower = any(ch.isascii() and ch.islower() for ch in password)
    digit = any(ch.isascii() and ch.isdigit() for ch in password)
    other = any(not (ch.isascii() and ch.isalnum()) for ch in password)
    return upper + lower + digit + other
