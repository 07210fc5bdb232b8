"""The password policy: long enough, three kinds of character, not the username, not a published password."""

from __future__ import annotations

import pytest

from engine.password_policy import MAX_LENGTH, Weakness, kinds, weaknesses


@pytest.mark.parametrize(("password", "found"), [
    ("Lantern-river-42", []),
    ("长江大桥-bridge-2026", []),  # Chinese characters count as "other"
    ("Short-1a", [Weakness.TOO_SHORT]),
    ("lanternriver", [Weakness.TOO_FEW_KINDS]),
    ("lantern-river", [Weakness.TOO_FEW_KINDS]),
    ("X" * (MAX_LENGTH + 1) + "a1", [Weakness.TOO_LONG]),
    ("Shouli-2026-new", [Weakness.HAS_USERNAME]),
    ("Admin@12345", [Weakness.KNOWN]),
    ("Lantern\u200b-river-42", [Weakness.INVISIBLE]),
    ("", [Weakness.TOO_SHORT, Weakness.TOO_FEW_KINDS]),
])
def test_each_rule_a_password_breaks_is_named(password, found):
    assert weaknesses(password, "shouli") == found


def test_kinds_of_character():
    assert [kinds(p) for p in ("abc", "aB", "aB1", "aB1-", "密码")] == [1, 2, 3, 4, 1]


def test_a_short_username_is_not_held_against_the_password():
    assert weaknesses("Lantern-river-42", "li") == []
