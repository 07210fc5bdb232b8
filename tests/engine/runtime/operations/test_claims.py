"""签收, 退签, 转办 and 改派: who works an open step, each change an audit event; a claim race has one winner."""

from __future__ import annotations

import threading

import pytest
import time_machine

from engine.inbox import inbox
from engine.runtime.operations import OperationRefused
from engine.runtime.operations.claims import claim, hand_over, reassign, release
from engine.runtime.operations.suspension import resume, suspend
from tests.engine.runtime.operations.conftest import (
    ACCEPT,
    bj,
    colleague,
    events,
    new_licence,
    step,
    user,
    work,
)


@pytest.fixture
def handling(rt):
    """A licence case waiting at 承办 (unassigned), with a second 承办 colleague."""
    case = new_licence(rt, bj(11, 23, 10))
    work(rt, case.id, "shouli", ACCEPT, bj(11, 23, 11))
    return case, colleague(rt, "chengban2", "承办")


def inbox_ids(rt, username: str) -> set[str]:
    with rt.reader() as s:
        return {row.task_id for row in inbox(s, user(rt, username).id)}


def test_a_claimed_step_is_the_claimers_alone_until_released(rt, handling):
    case, other = handling
    task = step(rt, case.id)
    assert task.id in inbox_ids(rt, "chengban") and task.id in inbox_ids(rt, "chengban2")
    claim(rt, task.id, user(rt, "chengban"))
    assert step(rt, case.id).assignee_id == user(rt, "chengban").id
    assert task.id not in inbox_ids(rt, "chengban2")
    with pytest.raises(OperationRefused) as refused:
        claim(rt, task.id, other)
    assert refused.value.code == "claim.taken"
    assert "李承办" in refused.value.message("zh")
    with pytest.raises(OperationRefused) as refused:
        release(rt, task.id, other)
    assert refused.value.code == "claim.not_yours"

    release(rt, task.id, user(rt, "chengban"))
    assert step(rt, case.id).assignee_id is None
    assert task.id in inbox_ids(rt, "chengban2")
    assert [e.action for e in events(rt, case.id, "task.")][-2:] == ["task.claimed", "task.unclaimed"]


def test_only_holders_of_the_post_may_claim(rt, handling):
    case, _ = handling
    with pytest.raises(OperationRefused) as refused:
        claim(rt, step(rt, case.id).id, user(rt, "shenhe"))
    assert refused.value.code == "claim.not_post"


def test_a_claim_survives_the_case_being_saved_again(rt, handling):
    case, _ = handling
    claim(rt, step(rt, case.id).id, user(rt, "chengban"))
    with time_machine.travel(bj(11, 23, 15), tick=False):
        suspend(rt, case.id, user(rt, "chengban"), "testing", "送检")
    with time_machine.travel(bj(11, 24, 15), tick=False):
        resume(rt, case.id, user(rt, "chengban"))
    assert step(rt, case.id).assignee_id == user(rt, "chengban").id


def test_hand_over_to_a_colleague_of_the_same_post_only(rt, handling):
    case, other = handling
    task = step(rt, case.id)
    with pytest.raises(OperationRefused) as refused:
        hand_over(rt, task.id, user(rt, "chengban"), user(rt, "shenhe").id, "休假")
    assert refused.value.fields == {"to_user": "handover.not_colleague"}
    hand_over(rt, task.id, user(rt, "chengban"), other.id, "本人休假，转同岗位同事办理")
    assert step(rt, case.id).assignee_id == other.id
    [event] = events(rt, case.id, "task.handed_over")
    assert (event.actor, event.payload["to_user_id"], event.payload["to"], event.payload["reason"]) == (
        "chengban", other.id, "承办同事", "本人休假，转同岗位同事办理")
    # Now it is the colleague's: the one who handed it over can no longer hand it on.
    with pytest.raises(OperationRefused):
        hand_over(rt, task.id, user(rt, "chengban"), user(rt, "chengban").id, "")


def test_the_department_head_reassigns_with_a_reason(rt, handling):
    case, other = handling
    task = step(rt, case.id)
    claim(rt, task.id, user(rt, "chengban"))
    with pytest.raises(OperationRefused) as refused:
        reassign(rt, task.id, user(rt, "shenhe"), other.id, "调整分工")
    assert refused.value.code == "reassign.not_head"
    with pytest.raises(OperationRefused) as refused:
        reassign(rt, task.id, user(rt, "pizhun"), other.id, " ")
    assert refused.value.fields == {"reason": "op.reason_required"}
    reassign(rt, task.id, user(rt, "pizhun"), other.id, "李承办出差，改派")
    assert step(rt, case.id).assignee_id == other.id
    [event] = events(rt, case.id, "task.reassigned")
    assert event.payload["from_user_id"] == user(rt, "chengban").id and event.payload["reason"] == "李承办出差，改派"


def test_two_colleagues_claiming_at_once_one_wins_the_other_is_told(rt, handling):
    case, other = handling
    task = step(rt, case.id)
    me = user(rt, "chengban")
    start = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def attempt(who) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            claim(rt, task.id, who)
            outcome[who.username] = "won"
        except OperationRefused as exc:
            outcome[who.username] = exc

    threads = [threading.Thread(target=attempt, args=(u,)) for u in (me, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [name for name, result in outcome.items() if result == "won"]
    assert len(winners) == 1
    [loser] = [result for result in outcome.values() if result != "won"]
    assert isinstance(loser, OperationRefused) and loser.code == "claim.taken"
    winner = me if winners == ["chengban"] else other
    assert step(rt, case.id).assignee_id == winner.id
    assert winner.display_name in loser.message("zh")
    assert len(events(rt, case.id, "task.claimed")) == 1
