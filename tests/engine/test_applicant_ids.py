"""ID numbers and telephone numbers as a window clerk types them."""

from __future__ import annotations

import pytest

from engine.applicant_ids import id_number_problem, normalise_id, phone_problem


@pytest.mark.parametrize(("id_type", "number", "problem"), [
    ("居民身份证", "11010519491231002X", None),
    ("居民身份证", "11010519491231002x", None),  # a lower-case check letter is the same number
    ("居民身份证", "110105194912310021", "check"),  # one wrong digit
    ("居民身份证", "1101051949123100", "format"),
    ("统一社会信用代码", "91350100M000100Y43", None),
    ("统一社会信用代码", "91350100M000100Y44", "check"),
    ("统一社会信用代码", "91350100M0001O0Y43", "format"),  # the letter O is not in the code's alphabet
    ("港澳居民来往内地通行证", "H12345678", None),
    ("港澳居民来往内地通行证", "X12345678", "format"),
    ("护照", "E12345678", None),
    ("其他", "任意编号-1", None),
])
def test_id_numbers_are_checked_by_their_type(id_type, number, problem):
    assert id_number_problem(id_type, number) == problem


def test_spaces_and_case_do_not_make_a_different_number():
    assert normalise_id(" 9135 0100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(("contact", "problem"), [
    ("0837-2881234", None), ("13908371234", None), ("+86 28 8888 6666", None), ("028-12345678转801", None),
    ("x", "format"), ("12345", "format"), ("", "format"),
])
def test_a_contact_must_read_as_a_telephone_number(contact, problem):
    assert phone_problem(contact) == problem
