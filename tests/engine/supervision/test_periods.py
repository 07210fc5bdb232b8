"""Reporting periods run from 00:00 Beijing time of their first day; a form's period is parsed or refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.supervision.periods import MONTH, QUARTER, WEEK, YEAR, parse_period, period_of, spans


def test_a_month_starts_at_midnight_beijing_time():
    november = period_of(MONTH, date(2026, 11, 17))
    assert november.start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert november.end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert (november.key, november.label, november.last) == ("2026-11", "2026年11月", date(2026, 11, 30))


def test_quarters_years_and_weeks():
    assert period_of(QUARTER, date(2026, 11, 17)).label == "2026年第四季度"
    assert period_of(QUARTER, date(2027, 1, 1)).previous().key == "2026-Q4"
    assert period_of(YEAR, date(2027, 1, 5)).previous().key == "2026"
    assert period_of(WEEK, date(2026, 11, 25)).first == date(2026, 11, 23)  # a Monday
    assert [p.key for p in spans(MONTH, date(2026, 11, 15), date(2027, 2, 1))] == ["2026-11", "2026-12", "2027-01"]


@pytest.mark.parametrize("kind, key", [(MONTH, "2026-13"), (MONTH, "0001-01"), (QUARTER, "2026-Q5"),
                                       (YEAR, "99999"), (YEAR, "二〇二六"), (MONTH, "")])
def test_a_period_a_form_cannot_name_is_refused(kind, key):
    with pytest.raises(ValueError):
        parse_period(kind, key)


def test_a_form_names_each_kind_of_period():
    assert parse_period(MONTH, "2026-11") == period_of(MONTH, date(2026, 11, 1))
    assert parse_period(QUARTER, "2026-Q4") == period_of(QUARTER, date(2026, 10, 1))
    assert parse_period(YEAR, "2026") == period_of(YEAR, date(2026, 1, 1))
