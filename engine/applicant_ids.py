"""Checks on what a window clerk types for an applicant: ID numbers by type (with their check characters) and
contact telephone numbers. Catching a mistyped digit at registration spares the applicant a wrong licence."""

from __future__ import annotations

import re

#: The ID types of an applicant, as (value, title): the registration page offers the titles in this order, and
#: every step form with an ``applicant_id_type`` choice uses the same values and titles (a natural-person-only
#: form, such as 高龄津贴's, may leave out 统一社会信用代码). The case row holds the title.
ID_TYPES: tuple[tuple[str, str], ...] = (
    ("uscc", "统一社会信用代码"), ("id_card", "居民身份证"), ("passport", "护照"),
    ("hk_macao_permit", "港澳居民来往内地通行证"), ("taiwan_permit", "台湾居民来往大陆通行证"),
    ("officer_card", "军官证"), ("other", "其他证件"),
)
ID_TYPE_TITLES: tuple[str, ...] = tuple(title for _, title in ID_TYPES)

# GB 11643-1999: 17 digits weighted, the 18th character is the check.
_ID_CARD = re.compile(r"\d{17}[\dX]")
_ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CARD_CHECKS = "10X98765432"
# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31, the 18th character is the check.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC = re.compile(rf"[{_USCC_CHARS}]{{2}}\d{{6}}[{_USCC_CHARS}]{{10}}")
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_HK_MACAO_PERMIT = re.compile(r"[HM]\d{8}(\d{2})?")
# 台湾居民来往大陆通行证 (台胞证): the card since 2015 has 8 digits; the older booklet 10 digits, sometimes with a
# letter (in brackets) for the times it was reissued.
_TAIWAN_PERMIT = re.compile(r"\d{8}|\d{10}(\([A-Z]\)|[A-Z])?")
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_PHONE = re.compile(r"[\d+\-() 转]+")


def normalise_id(number: str) -> str:
    """The number as stored: no surrounding or inner spaces, letters upper-case."""
    return re.sub(r"\s+", "", number).upper()


def id_number_problem(id_type: str, number: str) -> str | None:
    """Why ``number`` cannot be an ID of ``id_type`` ("format" or "check"), or None when it can."""
    number = normalise_id(number)
    if id_type == "居民身份证":
        if not _ID_CARD.fullmatch(number):
            return "format"
        total = sum(int(d) * w for d, w in zip(number, _ID_CARD_WEIGHTS, strict=False))
        return None if _ID_CARD_CHECKS[total % 11] == number[17] else "check"
    if id_type == "统一社会信用代码":
        if not _USCC.fullmatch(number):
            return "format"
        total = sum(_USCC_CHARS.index(c) * w for c, w in zip(number, _USCC_WEIGHTS, strict=False))
        return None if _USCC_CHARS[(31 - total % 31) % 31] == number[17] else "check"
    if id_type == "港澳居民来往内地通行证":
        return None if _HK_MACAO_PERMIT.fullmatch(number) else "format"
    if id_type == "台湾居民来往大陆通行证":
        return None if _TAIWAN_PERMIT.fullmatch(number) else "format"
    if id_type == "护照":
        return None if _PASSPORT.fullmatch(number) else "format"
    return None


def phone_problem(contact: str) -> str | None:
    """"format" unless ``contact`` reads as a telephone number (at least seven digits), else None."""
    text = contact.strip()
    if not _PHONE.fullmatch(text) or sum(c.isdigit() for c in text) < 7:
        return "format"
    return None
