"""The case's one timeline: steps, operations, files, documents and alerts from what the case records, newest last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine import audit, clock
from engine.alerts import close, raise_alert
from engine.casefile import case_file
from engine.demo import _ACCEPT_SAMPLE
from engine.runtime.cases import complete_task
from engine.runtime.runtime import Runtime
from engine.store import Case, OpenTask, User
from engine.timeline import kind_of, timeline
from tests.settings import make_settings


@pytest.fixture
def rt(demo_db) -> Runtime:
    return Runtime(demo_db.sessions, make_settings(database_url=demo_db.url))


def _first_licence_case(rt: Runtime) -> tuple[int, str, User]:
    with rt.sessions() as s:
        case = s.execute(select(Case).where(Case.subject.like("%热食类%"))).scalar_one()
        [step] = s.execute(select(OpenTask).where(OpenTask.case_id == case.id)).scalars().all()
        clerk = s.execute(select(User).where(User.username == "shouli")).scalar_one()
        return case.id, step.id, clerk


def test_the_timeline_holds_steps_operations_documents_and_alerts_oldest_first(rt):
    case_id, step_id, clerk = _first_licence_case(rt)
    start = datetime.now(UTC) + timedelta(hours=2)  # after the demo registered the case
    with time_machine.travel(start, tick=False) as traveller:
        # 受理 asks for supplements: a finished step, and the case's clock stops (an operation of the runtime).
        complete_task(rt, step_id, {**_ACCEPT_SAMPLE, "applicant_name": "示范市味之源餐饮管理有限公司",
                                    "applicant_id_number": "91519900MA62A1B2CY", "applicant_contact": "0837-2881234",
                                    "application_date": clock.local(start).date().isoformat(),
                                    "material_layout": "false",
                                    "accept_result": "supplement", "supplement_list": "平面布局图",
                                    "reason": "缺平面布局图", "opinion": "一次性告知补正。"}, clerk)
        traveller.shift(timedelta(hours=1))
        with rt.sessions.begin() as s:
            # Events other modules write into the case's stream: one with a label, one the platform does not know.
            audit.record(s, "shouli", "document.issued", case_id=case_id, step="受理",
                         payload={"number": "示范市监管许字〔2026〕第 15 号", "title": "补正材料通知书"})
            traveller.shift(timedelta(minutes=5))
            audit.record(s, "shouli", "case.something_new", case_id=case_id, payload={"reason": "试验"})
        traveller.shift(timedelta(hours=1))
        with rt.sessions.begin() as s:
            case = s.get_one(Case, case_id)
            alert = raise_alert(s, case, subject="case", rule="T2", step_name="接收补正材料", due_at=start)
            assert alert is not None
            traveller.shift(timedelta(minutes=30))
            close(s, alert, "rectified", at=datetime.now(UTC), actor="jiancha")

    with rt.reader() as s:
        entries = timeline(s, case_id)
    actions = [e.action for e in entries]
    # The registration is first; each later moment follows in time; every source is there exactly once.
    assert actions[0] == "case.start"
    moments = [e.at.replace(tzinfo=e.at.tzinfo or UTC) for e in entries]
    assert moments == sorted(moments)
    assert actions[1:] == ["step.done", "case.clock_paused", "document.issued", "case.something_new",
                           "alert.raised", "alert.closed"]
    step, paused, document, unknown, raised, closed = entries[1:]
    assert (step.kind, step.step, step.actor) == ("step", "受理", "shouli")
    assert step.detail["opinion"] == "一次性告知补正。"
    assert paused.kind == "operation"
    assert document.kind == "document" and document.detail["number"] == "示范市监管许字〔2026〕第 15 号"
    assert unknown.kind == "operation" and unknown.detail == {"reason": "试验"}
    assert raised.kind == "alert" and raised.detail["level"] == "red" and raised.step == "接收补正材料"
    assert closed.kind == "alert_closed" and closed.actor == "jiancha"
    # What another source already shows is not repeated: the step's own event, the alert's events.
    assert not {"task.complete", "alert.red", "alert.closed"} & {e.action for e in entries if e.kind != "alert_closed"}


def test_the_case_file_offers_the_same_timeline_and_marks_its_paused_steps(rt):
    case_id, step_id, clerk = _first_licence_case(rt)
    with rt.reader() as s:
        file = case_file(s, case_id)
        assert [e.action for e in file.timeline] == ["case.start"] and file.paused_steps == []
    complete_task(rt, step_id, {**_ACCEPT_SAMPLE, "applicant_name": "示范市味之源餐饮管理有限公司",
                                "applicant_id_number": "91519900MA62A1B2CY", "applicant_contact": "0837-2881234",
                                "application_date": clock.local(clock.now()).date().isoformat(),
                                "material_layout": "false",
                                "accept_result": "supplement", "supplement_list": "平面布局图",
                                "reason": "缺平面布局图", "opinion": "一次性告知补正。"}, clerk)
    with rt.reader() as s:
        file = case_file(s, case_id)
        assert [e.action for e in file.timeline] == [e.action for e in timeline(s, case_id)]
        # While 补正 waits for the applicant the case's clock stands still: its open step is drawn as paused.
        assert file.paused_steps == ["supplement"]


@pytest.mark.parametrize(("action", "kind"), [
    ("document.issued", "document"), ("file.uploaded", "file"), ("case.returned", "operation"),
    ("task.claimed", "operation"), ("timer.fired", "timer"), ("case.start", "start"), ("case.complete", "end"),
])
def test_each_action_has_a_kind_and_unknown_ones_are_operations(action, kind):
    assert kind_of(action) == kind
