"""Numbers per department, series and year, gap-free: a rolled-back document gives its number back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from engine.documents.errors import DocumentProblem
from engine.documents.issuing import issue
from engine.documents.numbering import format_number, prefix_of
from engine.files.storage import local_storage
from engine.store import Department
from tests.engine.documents.helpers import issue_as, licence_at_accept, user


def test_numbers_follow_the_department_prefix_the_series_and_the_year(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    with time_machine.travel(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), tick=False):
        first = issue_as(demo_rt, "shouli", case_id, "licence_grant")
        second = issue_as(demo_rt, "shouli", case_id, "licence_grant")
        other_series = issue_as(demo_rt, "shouli", case_id, "supplement")
    assert first.number == "示范市监管许字〔2026〕第 1 号"
    assert second.number == "示范市监管许字〔2026〕第 2 号"
    assert other_series.number == "示范市监管许补字〔2026〕第 1 号"


def test_a_new_beijing_year_starts_again_at_one(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    # 23:30 on 31 December in Beijing is still 2026; 00:30 on 1 January (16:30 UTC the day before) is 2027.
    with time_machine.travel(datetime(2026, 12, 31, 15, 30, tzinfo=UTC), tick=False):
        assert issue_as(demo_rt, "shouli", case_id, "acceptance").number.endswith("〔2026〕第 1 号")
    with time_machine.travel(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), tick=False):
        assert issue_as(demo_rt, "shouli", case_id, "acceptance").number.endswith("〔2027〕第 1 号")


def test_a_rolled_back_document_gives_its_number_back(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    issue_as(demo_rt, "shouli", case_id, "acceptance")
    with demo_rt.sessions() as s:
        s.begin()
        rolled = issue(s, demo_rt, local_storage(demo_rt.settings.files_dir), user(s, "shouli"), case_id, "acceptance")
        s.rollback()
    assert rolled.number.endswith("第 2 号")
    assert issue_as(demo_rt, "shouli", case_id, "acceptance").number == rolled.number  # no gap


def test_a_refused_document_takes_no_number(demo_rt):
    case_id, _ = licence_at_accept(demo_rt)
    with pytest.raises(DocumentProblem) as refused:
        issue_as(demo_rt, "mz_shouli", case_id, "acceptance")  # another department's clerk
    assert refused.value.code == "document.not_allowed"
    assert "所属部门" in refused.value.message("zh")
    assert issue_as(demo_rt, "shouli", case_id, "acceptance").number.endswith("第 1 号")


def test_a_department_without_a_prefix_numbers_with_its_name(demo_rt):
    with demo_rt.reader() as s:
        dept = s.execute(select(Department).where(Department.code == "SCJGJ")).scalar_one()
        assert prefix_of(dept) == "示范市监管"
        dept.document_prefix = None
        assert prefix_of(dept) == "示范市市场监督管理局"
    assert format_number("示范市监管", "罚", 2026, 15) == "示范市监管罚字〔2026〕第 15 号"
