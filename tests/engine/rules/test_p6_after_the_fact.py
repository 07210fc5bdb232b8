"""Rule P6: registration long after the application date, a whole case done in minutes by one person, and bulk
entry at night raise red alerts with what was seen; ordinary handling raises none."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.alerts import describe
from engine.config import SettingsError
from engine.identity import create_user
from engine.platform import build_runtime
from engine.rules.p6_after_the_fact import night_of
from engine.runtime.cases import complete_task, start_case
from engine.runtime.runtime import Runtime
from engine.store import Department, User
from tests.engine.conftest import APPLICANT, HERE, MONDAY_10_BJ, Org, open_steps
from tests.engine.files.helpers import attach_evidence
from tests.engine.rules.flows import alerts_of, deploy_flow, with_properties
from tests.engine.runtime.operations.conftest import bj
from tests.settings import make_settings

CODE = "510000-CSJ-XK-031"


def _start(rt: Runtime, at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return start_case(rt, CODE, APPLICANT, "申请", actor="clerk").id


def _step(rt: Runtime, case_id: int, who: User, at: datetime, **values: str) -> str:
    with time_machine.travel(at, tick=False):
        [row] = open_steps(rt, case_id)
        if row.bpmn_id == "decide":
            attach_evidence(rt, who, case_id, row.id)
        complete_task(rt, row.id, {"opinion": "同意", "legal_basis": "《行政许可法》第三十八条", **values}, who)
        return row.id


def test_registration_more_than_five_working_days_after_the_application_raises_late(rt, org):
    deploy_flow(rt, org, with_properties(), CODE)
    late, in_time = _start(rt, MONDAY_10_BJ), _start(rt, MONDAY_10_BJ)
    _step(rt, late, org.clerk, MONDAY_10_BJ + timedelta(hours=1), application_date="2026-11-13")
    _step(rt, in_time, org.clerk, MONDAY_10_BJ + timedelta(hours=1), application_date="2026-11-16")
    [alert] = alerts_of(rt, late)
    assert (alert.rule, alert.subject, alert.level, alert.step_name) == ("P6", "late", "red", "受理申请")
    assert alert.details == {"applied": "2026-11-13", "registered": "2026-11-23T10:00:00+08:00", "days": 6,
                             "limit": 5, "by": "clerk"}
    assert alert.message == "办件在申请日 2026-11-13 之后 6 个工作日才登记（超过 5 个），疑为事后补录（红灯报警）"
    assert describe(alert, "en", "-").startswith("The case was registered 6 working days after its application date")
    assert alerts_of(rt, in_time) == []  # 5 working days is within the limit


def _both_posts(rt: Runtime, org: Org) -> User:
    with rt.sessions.begin() as s:
        dept = s.get_one(Department, org.department.id)
        create_user(s, "allinone", "一人包办", "pw-allinone-1", roles=["staff"], posts=list(dept.posts))
    with rt.reader() as s:
        return s.execute(select(User).where(User.username == "allinone")).scalar_one()


def test_a_whole_case_across_posts_done_by_one_person_in_minutes_raises_quick(rt, org):
    deploy_flow(rt, org, with_properties(), CODE)
    alone = _both_posts(rt, org)
    quick, slow, shared = (_start(rt, MONDAY_10_BJ) for _ in range(3))
    _step(rt, quick, alone, MONDAY_10_BJ + timedelta(minutes=5))
    _step(rt, quick, alone, MONDAY_10_BJ + timedelta(minutes=12))
    [alert] = alerts_of(rt, quick)
    assert (alert.rule, alert.subject, alert.step_name) == ("P6", "quick", "作出许可决定")
    assert alert.details == {"by": "allinone", "steps": 2, "minutes": 30, "took": 12.0, "posts": ["受理", "审核"]}
    assert alert.message == "整个办件 2 个环节均由 allinone 一人在 30 分钟内办结，疑为体外办理后补录（红灯报警）"
    # An hour's work by the same person, or minutes' work by two, is ordinary.
    _step(rt, slow, alone, MONDAY_10_BJ + timedelta(minutes=5))
    _step(rt, slow, alone, MONDAY_10_BJ + timedelta(minutes=45))
    _step(rt, shared, org.clerk, MONDAY_10_BJ + timedelta(minutes=5))
    _step(rt, shared, org.reviewer, MONDAY_10_BJ + timedelta(minutes=12))
    assert alerts_of(rt, slow) == [] and alerts_of(rt, shared) == []


def test_the_nights_threshold_th_step_by_one_person_raises_night_once(db, rt, org):
    deploy_flow(rt, org, with_properties(), CODE)
    strict = build_runtime(db.sessions, make_settings(database_url=db.url, forms_dir=HERE / "forms", night_steps=3))
    cases = [_start(strict, MONDAY_10_BJ) for _ in range(5)]
    _step(strict, cases[0], org.clerk, bj(11, 23, 15))  # the daytime does not count
    _step(strict, cases[1], org.clerk, bj(11, 23, 22, 30))
    _step(strict, cases[2], org.clerk, bj(11, 23, 23, 50))
    assert [a for c in cases for a in alerts_of(strict, c)] == []
    _step(strict, cases[3], org.clerk, bj(11, 24, 1, 10))  # the third of the night of the 23rd
    _step(strict, cases[4], org.clerk, bj(11, 24, 2, 0))  # the fourth: alerted already
    [alert] = [a for c in cases for a in alerts_of(strict, c)]
    assert (alert.case_id, alert.subject) == (cases[3], "night:clerk:2026-11-23")
    assert alert.details == {"by": "clerk", "night": "2026-11-23", "count": 3, "limit": 3}
    assert alert.message == "clerk 于 2026-11-23 夜间（22:00—06:00）集中办结 3 个环节，疑为集中补录（红灯报警）"


def test_the_night_runs_from_22_00_to_06_00_beijing_time():
    assert night_of(bj(11, 23, 21, 59)) is None and night_of(bj(11, 24, 6, 0)) is None
    assert night_of(bj(11, 23, 22, 0)) == night_of(bj(11, 24, 5, 59)) == bj(11, 23, 22, 0)


def test_a_power_may_have_thresholds_of_its_own(db, rt, org):
    # A power handled at the counter in minutes by design: its own "quick" threshold is 5 minutes, so a case done
    # in 12 by one person is ordinary there (the platform-wide 30 would alert).
    deploy_flow(rt, org, with_properties(), CODE)
    alone = _both_posts(rt, org)
    own = build_runtime(db.sessions, make_settings(database_url=db.url, forms_dir=HERE / "forms",
                                                   p6_power_thresholds=f"{CODE}:quick=5;OTHER-1:night=3"))
    case = _start(own, MONDAY_10_BJ)
    _step(own, case, alone, MONDAY_10_BJ + timedelta(minutes=5))
    _step(own, case, alone, MONDAY_10_BJ + timedelta(minutes=12))
    assert alerts_of(own, case) == []
    assert own.settings.p6_threshold(CODE, "quick_case_minutes") == 5
    assert own.settings.p6_threshold("OTHER-1", "quick_case_minutes") == 30  # a key not named keeps the default


@pytest.mark.parametrize("text", ["SCJG-1:fast=5", "SCJG-1:quick=0", "SCJG-1", ":quick=5", "SCJG-1:quick=abc"])
def test_thresholds_that_cannot_be_read_stop_start_up_naming_the_part(text):
    with pytest.raises(SettingsError) as err:
        make_settings(p6_power_thresholds=text)
    assert "SUNSHINE_P6_POWER_THRESHOLDS" in str(err.value)
