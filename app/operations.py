"""Case operations: claim, hand over, return, pause, withdraw, terminate, merge, drafts, comments.

Each route parses its form, calls the engine (``engine/runtime/operations``, which decides who may) and goes back to
the page it came from. A refusal is flashed; a refusal at a field (a missing reason …) also comes back in the query
(``op``, ``err.<field>`` = the message's code, ``keep.<field>`` = what was typed, when short) so the page marks the
field and keeps the input (``op_error`` / ``op_kept`` in the templates).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from app import runtime, select_locale
from app.auth import login_required
from app.i18n import gettext as _
from app.inputs import bounded_ids, int_arg
from engine.access import may_see_case
from engine.runtime.errors import RuntimeProblem
from engine.runtime.operations import OperationRefused, claims, comments, drafts, endings, returns, suspension
from engine.runtime.operations.errors import MESSAGES
from engine.runtime.operations.offers import case_offers, step_offers
from engine.store import OpenTask

bp = Blueprint("operations", __name__, url_prefix="/work")
bounded_ids(bp)

#: What a field may bring back in the query after a refusal (a longer reason would make the address too long).
_KEEP_LIMIT = 300


def _back(page: str, op: str, exc: RuntimeProblem | None = None, kept: dict[str, str] | None = None) -> Any:
    """Back to ``page`` (the step's or the case's), with the refusal, if any, flashed and marked at its field."""
    if exc is None:
        return redirect(page)
    flash(exc.message(select_locale()))
    args: dict[str, str] = {}
    if exc.fields:
        args["op"] = op
        args.update({f"err.{name}": code for name, code in exc.fields.items()})
        args.update({f"keep.{name}": value for name, value in (kept or {}).items()
                     if value and len(value) <= _KEEP_LIMIT})
    return redirect(f"{page}?{urlencode(args)}#op-{op}" if args else page)


def _step_page(task_id: str) -> str:
    return url_for("work.task", task_id=task_id)


def _case_page(case_id: int) -> str:
    return url_for("work.case", case_id=case_id)


def _visible_step(task_id: str) -> OpenTask | None:
    """The open step, or None when it is gone; 404 when the user may not see its case."""
    with runtime().reader() as s:
        row = s.get(OpenTask, task_id)
        if row is not None and not may_see_case(s, g.user, row.case_id):
            abort(404)
    return row


def _visible_case(case_id: int) -> None:
    with runtime().reader() as s:
        if not may_see_case(s, g.user, case_id):
            abort(404)


def _step_op(task_id: str, op: str, act: Any, kept: dict[str, str] | None = None, done: str | None = None,
             after: str | None = None) -> Any:
    """Run ``act()`` on a visible open step; back to its page (or ``after``) with ``done`` flashed."""
    if _visible_step(task_id) is None:
        flash(_("该环节已办理或已不存在。"))
        return redirect(url_for("work.inbox"))
    try:
        act()
    except OperationRefused as exc:
        return _back(_step_page(task_id), op, exc, kept)
    except RuntimeProblem as exc:
        if exc.code == "task.not_found":
            flash(exc.message(select_locale()))
            return redirect(url_for("work.inbox"))
        return _back(_step_page(task_id), op, exc, kept)
    if done:
        flash(done)
    return redirect(after or _step_page(task_id))


def _case_op(case_id: int, op: str, act: Any, kept: dict[str, str] | None = None, done: str | None = None) -> Any:
    _visible_case(case_id)
    try:
        act()
    except RuntimeProblem as exc:
        return _back(_case_page(case_id), op, exc, kept)
    if done:
        flash(done)
    return redirect(_case_page(case_id))


def _field(name: str) -> str:
    return request.form.get(name, "")


# ---- a step: who works it -------------------------------------------------------------------------------------


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> Any:
    return _step_op(task_id, "claim", lambda: claims.claim(runtime(), task_id, g.user), done=_("已签收该环节。"))


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str) -> Any:
    return _step_op(task_id, "release", lambda: claims.release(runtime(), task_id, g.user),
                    done=_("已退签，该环节回到岗位待办。"))


@bp.post("/tasks/<task_id>/hand-over")
@login_required
def hand_over(task_id: str) -> Any:
    to_user = int_arg("to_user", source=request.form)
    kept = {"reason": _field("reason")}
    if to_user is None:
        return _back(_step_page(task_id), "hand_over", _missing("to_user"), kept)
    reason = _field("reason")
    return _step_op(task_id, "hand_over", lambda: claims.hand_over(runtime(), task_id, g.user, to_user, reason),
                    kept, done=_("已转办。"), after=url_for("work.inbox"))


@bp.post("/tasks/<task_id>/reassign")
@login_required
def reassign(task_id: str) -> Any:
    to_user = int_arg("to_user", source=request.form)
    kept = {"reason": _field("reason")}
    if to_user is None:
        return _back(_step_page(task_id), "reassign", _missing("to_user"), kept)
    reason = _field("reason")
    return _step_op(task_id, "reassign", lambda: claims.reassign(runtime(), task_id, g.user, to_user, reason),
                    kept, done=_("已改派。"))


def _missing(name: str) -> OperationRefused:
    return OperationRefused("handover.choose", field=name)


# ---- a step: return, draft ------------------------------------------------------------------------------------


@bp.post("/tasks/<task_id>/return")
@login_required
def return_step(task_id: str) -> Any:
    target, reason = _field("target"), _field("reason")
    return _step_op(task_id, "return", lambda: returns.return_to(runtime(), task_id, g.user, target, reason),
                    {"target": target, "reason": reason}, done=_("已退回。"), after=url_for("work.inbox"))


@bp.post("/tasks/<task_id>/draft")
@login_required
def draft(task_id: str) -> Any:
    values = {k: v for k, v in request.form.items() if k != "csrf"}
    return _step_op(task_id, "draft", lambda: drafts.save_draft(runtime(), task_id, g.user, values),
                    done=_("已暂存，下次打开本环节时自动填入。"))


# ---- a case ---------------------------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/suspend")
@login_required
def suspend(case_id: int) -> Any:
    ground, reason = _field("ground"), _field("reason")
    return _case_op(case_id, "suspend", lambda: suspension.suspend(runtime(), case_id, g.user, ground, reason),
                    {"ground": ground, "reason": reason}, done=_("办件已暂停，各环节时限和办件期限停止计算。"))


@bp.post("/cases/<int:case_id>/resume")
@login_required
def resume(case_id: int) -> Any:
    def act() -> None:
        row = suspension.resume(runtime(), case_id, g.user)
        flash(_("办件已恢复，各时限顺延 %(n)s 个工作日。", n=row.workdays or 0))

    return _case_op(case_id, "resume", act)


@bp.post("/cases/<int:case_id>/withdraw")
@login_required
def withdraw(case_id: int) -> Any:
    reason = _field("reason")
    return _case_op(case_id, "withdraw", lambda: endings.withdraw(runtime(), case_id, g.user, reason),
                    {"reason": reason}, done=_("已登记申请人撤回，办件办结。"))


@bp.post("/cases/<int:case_id>/terminate")
@login_required
def terminate(case_id: int) -> Any:
    reason = _field("reason")
    return _case_op(case_id, "terminate", lambda: endings.terminate(runtime(), case_id, g.user, reason),
                    {"reason": reason}, done=_("办件已终止。"))


@bp.post("/cases/<int:case_id>/merge")
@login_required
def merge(case_id: int) -> Any:
    serials, reason = _field("serials"), _field("reason")
    wanted = serials.replace("，", ",").replace("\n", ",").split(",")

    def act() -> None:
        merged = endings.merge(runtime(), case_id, wanted, g.user, reason)
        flash(_("已将 %(serials)s 并入本案。", serials="、".join(merged)))

    return _case_op(case_id, "merge", act, {"serials": serials, "reason": reason})


@bp.post("/cases/<int:case_id>/comments")
@login_required
def comment(case_id: int) -> Any:
    body = _field("body")
    return _case_op(case_id, "comment", lambda: comments.add_comment(runtime(), case_id, g.user, body),
                    {"body": body}, done=_("已添加意见。"))


# ---- what the pages' partials see -----------------------------------------------------------------------------


@bp.app_context_processor
def _operations() -> dict[str, Any]:
    def task_ops(file: Any) -> Any:
        """The operations the step page (``file``: engine.casefile.StepFile) offers the signed-in user."""
        with runtime().reader() as s:
            return step_offers(runtime(), s, g.user, file.step, file.case, file.history)

    def case_ops(file: Any) -> Any:
        """The operations the case page (``file``: engine.casefile.CaseFile) offers the signed-in user."""
        with runtime().reader() as s:
            return case_offers(s, g.user, file.case, file.open_steps)

    def op_error(op: str, name: str) -> str | None:
        """The message of a refusal at field ``name`` of operation ``op``, from the query (codes only)."""
        code = request.args.get(f"err.{name}") if request.args.get("op") == op else None
        if code is None or code not in MESSAGES:
            return None
        texts = MESSAGES[code]
        return (texts.get(select_locale()) or texts["zh"]).format_map(defaultdict(str))

    def op_kept(op: str, name: str) -> str:
        return request.args.get(f"keep.{name}", "") if request.args.get("op") == op else ""

    return {"task_ops": task_ops, "case_ops": case_ops, "op_error": op_error, "op_kept": op_kept}
