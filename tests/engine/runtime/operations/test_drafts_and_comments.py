"""暂存 drafts come back to their author only; comments are appended for whoever may see the case."""

from __future__ import annotations

import pytest
import time_machine

from engine.runtime.operations import OperationRefused
from engine.runtime.operations.comments import add_comment, comments_of
from engine.runtime.operations.drafts import save_draft
from engine.runtime.operations.reopened import DRAFT, reopened_values
from engine.store import OpenTask
from tests.engine.runtime.operations.conftest import bj, events, new_licence, step, user


def test_a_draft_is_kept_unchecked_and_opens_again_for_its_author_only(rt):
    case = new_licence(rt, bj(11, 23, 10))
    accept = step(rt, case.id)
    clerk = user(rt, "shouli")
    with time_machine.travel(bj(11, 23, 10, 30), tick=False):
        save_draft(rt, accept.id, clerk, {"business_area": "不是数字", "opinion": "待核对"})
    with time_machine.travel(bj(11, 23, 10, 40), tick=False):
        save_draft(rt, accept.id, clerk, {"business_area": "46", "opinion": "待核对营业执照"})
    form = rt.forms.get(accept.form)
    with rt.reader() as s:
        row = s.get_one(OpenTask, accept.id)
        values, how = reopened_values(s, row, clerk, form, {"applicant_name": "示范市老街坊小吃店"}, [])
        theirs, nothing = reopened_values(s, row, user(rt, "chengban"), form, {}, [])
    assert how == DRAFT
    assert values == {"applicant_name": "示范市老街坊小吃店", "business_area": "46", "opinion": "待核对营业执照"}
    assert (theirs, nothing) == ({}, None)
    with pytest.raises(OperationRefused):
        save_draft(rt, accept.id, user(rt, "chengban"), {"opinion": "不是我的环节"})


def test_comments_are_appended_and_recorded(rt):
    case = new_licence(rt, bj(11, 23, 10))
    with pytest.raises(OperationRefused) as refused:
        add_comment(rt, case.id, user(rt, "shouli"), "   ")
    assert refused.value.fields == {"body": "comment.empty"}
    add_comment(rt, case.id, user(rt, "shouli"), "申请人电话空号，已改用邮寄通知。")
    add_comment(rt, case.id, user(rt, "chengban"), "收到。")
    with pytest.raises(OperationRefused):
        add_comment(rt, case.id, user(rt, "mz_shouli"), "别的部门")
    with rt.reader() as s:
        assert [(c.author, c.body) for c in comments_of(s, case.id)] == [
            ("shouli", "申请人电话空号，已改用邮寄通知。"), ("chengban", "收到。")]
    assert [e.actor for e in events(rt, case.id, "case.commented")] == ["shouli", "chengban"]
