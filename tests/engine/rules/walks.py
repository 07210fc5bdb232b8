"""The demo licence (食品经营许可) worked step by step, for the rules that watch how a case moves."""

from __future__ import annotations

from typing import Any

import time_machine

from engine.runtime.cases import complete_task
from engine.runtime.runtime import Runtime
from tests.engine.files.helpers import attach_evidence
from tests.engine.runtime.operations.conftest import ACCEPT, HANDLE, bj, new_licence, step, user, work

REVIEW = {"review_result": "pass", "opinion": "同意。"}
APPROVE = {"approve_result": "approve", "licence_no": "JY15199000000001", "valid_from": "2026-11-25",
           "valid_until": "2031-11-24", "decision_no": "示市监许〔2026〕1号",
           "legal_basis": "《中华人民共和国食品安全法》第三十五条", "opinion": "准予许可。"}
SUPPLEMENT_NEEDED = {**ACCEPT, "accept_result": "supplement", "supplement_list": "营业执照复印件",
                     "reason": "缺少营业执照复印件", "opinion": "一次性告知补正。", "application_date": "2026-11-23"}
SUPPLIED = {"supplement_received_date": "2026-11-24", "supplement_received": "营业执照复印件",
            "supplement_complete": "true", "opinion": "已补正。"}


def reviewing(rt: Runtime) -> int:
    """A licence case accepted and handled, waiting at 审核 since Tuesday 24 November 10:00; its id."""
    case = new_licence(rt, bj(11, 23, 10))
    work(rt, case.id, "shouli", ACCEPT, bj(11, 23, 11))
    work(rt, case.id, "chengban", HANDLE, bj(11, 24, 10))
    return case.id


def walk_to_approve(rt: Runtime, approve: dict[str, Any] | None = None) -> int:
    """A licence case worked to its end: 审核 passes, 批准 (the decision step) approves with ``approve``."""
    case_id = reviewing(rt)
    work(rt, case_id, "shenhe", REVIEW, bj(11, 24, 14))
    with time_machine.travel(bj(11, 25, 10), tick=False):
        decide = step(rt, case_id)
        assert decide.bpmn_id == "approve"
        attach_evidence(rt, user(rt, "pizhun"), case_id, decide.id)
        complete_task(rt, decide.id, {**(approve or APPROVE)}, user(rt, "pizhun"))
    return case_id
