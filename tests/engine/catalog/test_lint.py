"""One function lints a flowchart for a department (engine/catalog/lint.py); the modeler, uploads, the import and
``sunshine bpmn check`` all judge a flowchart by it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.catalog.lint import FormChecks, lint_external, lint_flowchart, lint_for_department
from engine.forms import FormRegistry
from engine.store import Department

ROOT = Path(__file__).resolve().parents[3]
LICENSE = (ROOT / "processes" / "license_food_business.bpmn").read_bytes()
FORMS = FormRegistry(ROOT / "forms")


@pytest.fixture
def session(demo_db):
    with demo_db.sessions() as s:
        yield s


def _dept(session, code: str) -> int:
    return session.execute(select(Department.id).where(Department.code == code)).scalar_one()


def test_a_flowchart_whose_lanes_are_the_departments_posts_passes(session):
    problems = lint_for_department(session, _dept(session, "SCJGJ"), "internal", LICENSE, forms=FORMS,
                                   fields={"promised_limit_days": 10, "legal_limit_days": 20})
    assert [p for p in problems if p.is_error] == []


def test_lanes_another_department_does_not_have_are_errors_at_the_lane(session):
    # 自然资源局 has no posts (no flowchart drawn yet); 受理 and 审核 are posts of other departments, not shared ones.
    problems = lint_for_department(session, _dept(session, "ZRZYJ"), "internal", LICENSE, forms=FORMS)
    lanes = {p.element_name for p in problems if p.is_error and p.code == "lane.unknown_post"}
    assert {"受理", "审核"} <= lanes


def test_the_limits_of_the_power_are_checked_against_the_steps(session):
    tight = lint_for_department(session, _dept(session, "SCJGJ"), "internal", LICENSE, forms=FORMS,
                                fields={"promised_limit_days": 2, "legal_limit_days": 20})
    assert any(p.is_error for p in tight)


def test_an_external_flowchart_need_only_be_drawable(session):
    # The internal flowchart drawn for 市场监管局 is a fine picture for any department's public page.
    assert lint_for_department(session, _dept(session, "MZJ"), "external", LICENSE, forms=FORMS) == []
    assert lint_external(LICENSE) == []
    assert [p.code for p in lint_external(b"<not-bpmn/>")]


def test_the_command_line_check_is_the_same_check_without_a_department(session):
    report = lint_flowchart(LICENSE, "license.bpmn", forms=FormChecks.of(FORMS), promised_limit_days=10,
                            legal_limit_days=20)
    assert report.ok
    missing = lint_flowchart(LICENSE, "license.bpmn", forms=FormChecks(lambda name: False, None))
    assert any(p.code.startswith("form") for p in missing.errors)
