"""In-memory simulation of a flowchart: drive 食品经营许可 through its paths, timers and broken models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine.calendar import WorkCalendar
from engine.catalog import simulate
from engine.catalog.simulate import SimContext, SimError, SimState
from engine.forms import FormRegistry

ROOT = Path(__file__).resolve().parents[3]
LICENSE = (ROOT / "processes" / "license_food_business.bpmn").read_bytes()
# Monday 2 March 2026, 10:00 Beijing time; the year is treated as Monday–Friday here.
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def ctx() -> SimContext:
    calendar = WorkCalendar(covered_years=frozenset({2026}))
    return SimContext(forms=FormRegistry(ROOT / "forms"), calendar=calendar, secret=b"test-secret")


def only_ready(state: SimState) -> simulate.SimTask:
    assert len(state.ready) == 1, [t.bpmn_id for t in state.ready]
    return state.ready[0]


def do(state: SimState, bpmn_id: str, ctx: SimContext, **data: str) -> SimState:
    task = only_ready(state)
    assert task.bpmn_id == bpmn_id
    return simulate.step(state, task.id, data, ctx)


def test_start_waits_at_accept_with_its_form_and_limit(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    task = only_ready(state)
    assert (task.bpmn_id, task.name, task.lane, task.form) == ("accept", "受理", "受理",
                                                               "license_food_business_accept.json")
    fields = {f.name: f for f in task.fields}
    assert fields["accept_result"].title == "受理结论"
    assert {c["value"] for c in fields["accept_result"].choices} == {"accept", "supplement", "reject"}
    assert fields["opinion"].required
    assert state.completed == ["start_application", "gw_accept_merge"]
    assert {"accept", "accept_time_limit"} <= set(state.active)
    assert ["start_application", "gw_accept_merge"] in state.flows
    [timer] = state.timers
    assert (timer.element_id, timer.interrupting, timer.attached_to) == ("accept_time_limit", False, "受理")
    # workdays(1) from Monday: 24:00 Beijing time on Tuesday.
    assert datetime.fromisoformat(timer.due) == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    assert task.due == timer.due
    assert not state.finished and state.end_id is None


def test_happy_path_ends_granted(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    state = do(state, "accept", ctx, accept_result="accept", opinion="予以受理")
    assert "gw_accept" in state.completed and ["gw_accept", "gw_handle_merge"] in state.flows
    state = do(state, "handle", ctx, handle_result="grant", materials_verified="true")
    assert only_ready(state).lane == "审核"
    state = do(state, "review", ctx, review_result="pass")
    state = do(state, "approve", ctx, approve_result="approve", legal_basis="《食品安全法》第三十五条")
    state = do(state, "conclude", ctx, delivery_method="window", delivered_date="2026-03-05")
    assert state.finished
    assert (state.end_id, state.end_name) == ("end_granted", "准予许可，办结")
    assert state.ready == [] and state.timers == [] and state.active == []
    assert {"accept", "handle", "review", "approve", "conclude", "end_granted"} <= set(state.completed)
    assert ["conclude", "end_granted"] in state.flows


def test_form_text_is_coerced_and_gaps_are_only_notes(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    state = do(state, "accept", ctx, accept_result="accept", business_area="120.5", material_application="true")
    assert any("申请人名称" in n for n in state.notes)  # a real case would refuse the missing fields
    assert only_ready(state).bpmn_id == "handle"


def test_supplement_loop_and_its_deadline(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    state = do(state, "accept", ctx, accept_result="supplement")
    task = only_ready(state)
    assert (task.bpmn_id, task.lane) == ("supplement", "受理")
    [timer] = state.timers
    assert timer.element_id == "supplement_time_limit" and timer.interrupting
    # Materials arrive: back to 受理, which can accept this time.
    state = do(state, "supplement", ctx, supplement_received="true", supplement_complete="true")
    assert ["supplement", "gw_accept_merge"] in state.flows
    state = do(state, "accept", ctx, accept_result="supplement")
    # Nobody supplements: 15 working days later the application counts as withdrawn.
    state = simulate.advance_to_next_timer(state, ctx)
    assert state.fired == ["补正期限 15个工作日"]
    assert state.finished and state.end_id == "end_withdrawn"
    assert datetime.fromisoformat(state.now).astimezone(UTC).date() >= date(2026, 3, 20)


def test_non_interrupting_limit_fires_and_the_step_stays(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    state = simulate.advance_to_next_timer(state, ctx)
    assert state.fired == ["时限 1个工作日"]
    assert datetime.fromisoformat(state.now) > datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    assert "accept_time_limit" in state.completed
    assert only_ready(state).bpmn_id == "accept" and state.timers == []
    with pytest.raises(SimError) as err:
        simulate.advance_to_next_timer(state, ctx)
    assert err.value.code == "timer.none"
    # Limits of later steps count from the simulated "now".
    state = do(state, "accept", ctx, accept_result="accept")
    [timer] = state.timers
    assert datetime.fromisoformat(timer.due) - datetime.fromisoformat(state.now) < timedelta(days=6)
    assert datetime.fromisoformat(timer.due) > datetime(2026, 3, 6, tzinfo=UTC)


def test_state_is_a_signed_token(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    assert len(state.token) < 50_000
    body, _, signature = state.token.rpartition(".")
    tampered = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB") + "." + signature
    for bad in (tampered, state.token + "0", "garbage", ""):
        with pytest.raises(SimError) as err:
            simulate.step(bad, only_ready(state).id, {}, ctx)
        assert err.value.code == "state.invalid"
    other = SimContext(forms=ctx.forms, calendar=ctx.calendar, secret=b"another-key")
    with pytest.raises(SimError):
        simulate.advance_to_next_timer(state, other)
    with pytest.raises(SimError) as err:
        simulate.step("x" * (simulate.MAX_STATE_BYTES + 1), "t", {}, ctx)
    assert err.value.code == "state.too_large"


def test_unsigned_state_still_refuses_junk() -> None:
    with pytest.raises(SimError) as err:
        simulate.step("eJxLTEoGAAJNASc=", "t", {})  # zlib("abc"): not JSON
    assert err.value.code == "state.invalid"


def test_completing_a_step_that_is_not_ready(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    for task_id in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(SimError) as err:
            simulate.step(state, task_id, {}, ctx)
        assert err.value.code == "task.not_ready"


def test_bad_condition_is_a_readable_error(ctx: SimContext) -> None:
    broken = LICENSE.replace(b'accept_result == "accept"', b"accept_result == accepted_value")
    state = simulate.start(broken, ctx, now=MONDAY)
    with pytest.raises(SimError) as err:
        do(state, "accept", ctx, accept_result="accept")
    assert err.value.code == "model"
    assert "流程中的条件" in err.value.message("zh") and "accepted_value" in err.value.message("zh")
    # Without a value for the condition's variable: a message naming the condition, not a crash.
    with pytest.raises(SimError) as err:
        do(simulate.start(LICENSE, ctx, now=MONDAY), "accept", ctx)
    assert "accept_result" in err.value.message("en")


def test_unrunnable_flowcharts(ctx: SimContext) -> None:
    with pytest.raises(SimError) as err:
        simulate.start(b"", ctx)
    assert err.value.code == "empty"
    with pytest.raises(SimError) as err:
        simulate.start(b"<not xml", ctx)
    assert err.value.code == "bpmn" and err.value.message("en").startswith("The flowchart cannot run")
    descriptive = LICENSE.replace(b'isExecutable="true"', b'isExecutable="false"')
    with pytest.raises(SimError):
        simulate.start(descriptive, ctx)


def test_finished_simulation_cannot_advance(ctx: SimContext) -> None:
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    state = do(state, "accept", ctx, accept_result="reject")
    assert state.finished and state.end_name == "不予受理"
    with pytest.raises(SimError) as err:
        simulate.advance_to_next_timer(state, ctx)
    assert err.value.code == "finished"


def test_view_is_json_ready(ctx: SimContext) -> None:
    import json

    data = simulate.start(LICENSE, ctx, now=MONDAY).to_dict()
    assert json.loads(json.dumps(data))["ready"][0]["fields"][0]["name"] == "applicant_name"


def test_dates_are_checked_against_the_simulated_case_and_day(ctx: SimContext) -> None:
    """A simulated case checks dates as a real one would: against earlier steps and the simulated day."""
    state = simulate.start(LICENSE, ctx, now=MONDAY)
    state = do(state, "accept", ctx, accept_result="accept", opinion="予以受理")
    state = do(state, "handle", ctx, handle_result="grant", materials_verified="true")
    state = do(state, "review", ctx, review_result="pass")
    state = do(state, "approve", ctx, approve_result="approve", legal_basis="《食品安全法》第三十五条",
               valid_from="2026-03-02", valid_until="2031-03-01")

    def date_notes(delivered: str) -> list[str]:
        done = do(state, "conclude", ctx, delivery_method="window", delivered_date=delivered)
        return [n for n in done.notes if n.startswith("送达日期")]

    assert "有效期起" in date_notes("2026-03-01")[0]  # before the licence the approval recorded
    assert "2026-03-02" in date_notes("2026-03-03")[0]  # after the simulated today, not the real one
    assert date_notes("2026-03-02") == []
