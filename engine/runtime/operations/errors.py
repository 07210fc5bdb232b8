"""Why an operation was refused, in the user's language."""

from __future__ import annotations

from engine.runtime.errors import RuntimeProblem

MESSAGES: dict[str, dict[str, str]] = {
    "op.not_allowed": {"zh": "您无权对该办件执行此操作。", "en": "You may not do this on this case."},
    "op.not_running": {"zh": "办件已办结，不能再执行此操作。", "en": "The case has ended; this can no longer be done."},
    "op.suspended": {"zh": "办件已暂停，请先恢复。", "en": "The case is paused; resume it first."},
    "op.reason_required": {"zh": "请填写理由。", "en": "Give a reason."},
    "op.reason_too_long": {"zh": "理由不能超过 {limit} 个字。", "en": "The reason may be at most {limit} characters."},
    "claim.taken": {"zh": "该环节已由{who}签收，您未能签收。",
                    "en": "{who} has claimed this step already; you could not."},
    "claim.not_post": {"zh": "您不在该环节的岗位上，不能签收。",
                       "en": "You do not hold this step's post, so you cannot claim it."},
    "claim.not_yours": {"zh": "该环节不由您签收，不能退签或转办。",
                        "en": "This step is not claimed by you; you cannot release or hand it over."},
    "handover.not_colleague": {"zh": "「{who}」不在该环节的岗位上，不能转办给他/她。",
                               "en": "“{who}” does not hold this step's post; it cannot be handed to them."},
    "handover.choose": {"zh": "请选择同事。", "en": "Choose a colleague."},
    "handover.self": {"zh": "不能转办给自己。", "en": "You cannot hand a step over to yourself."},
    "reassign.not_head": {"zh": "只有本部门「{post}」岗位的人员可以改派环节。",
                          "en": "Only holders of the department's {post} post may reassign steps."},
    "return.no_target": {"zh": "只能退回到本办件已办理过的前序环节。",
                         "en": "A case can only be returned to an earlier step it went through."},
    "suspend.already": {"zh": "办件已处于暂停状态。", "en": "The case is already paused."},
    "suspend.ground": {"zh": "请选择暂停的法定事由。", "en": "Choose the legal ground of the pause."},
    "resume.not_suspended": {"zh": "办件未暂停。", "en": "The case is not paused."},
    "merge.none": {"zh": "请选择要并入本案的案件。", "en": "Choose the cases to merge into this one."},
    "merge.not_penalty": {"zh": "只有行政处罚案件可以并案（「{serial}」不是）。",
                          "en": "Only penalty cases can be merged (“{serial}” is not one)."},
    "merge.other_department": {"zh": "「{serial}」不属于本部门，不能并案。",
                               "en": "“{serial}” belongs to another department and cannot be merged."},
    "merge.not_running": {"zh": "「{serial}」已办结，不能并案。", "en": "“{serial}” has ended and cannot be merged."},
    "merge.self": {"zh": "不能把案件并入其自身。", "en": "A case cannot be merged into itself."},
    "merge.unknown": {"zh": "找不到案件「{serial}」。", "en": "No case “{serial}”."},
    "comment.empty": {"zh": "请填写意见内容。", "en": "Write the comment."},
    "draft.too_large": {"zh": "暂存的内容过多（最多 {limit}）。",
                        "en": "Too much to save as a draft (at most {limit})."},
}


class OperationRefused(RuntimeProblem):
    """An operation the user cannot do. ``field`` names the form field at fault (``reason``, ``ground`` …): the
    message is then shown at that field (``fields`` maps it to the message's code; ``message`` gives the text)."""

    def __init__(self, code: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(code, fields={field: code} if field else None, **params)

    def message(self, lang: str = "zh") -> str:
        texts = MESSAGES.get(self.code)
        if texts is None:
            return super().message(lang)
        return (texts.get(lang) or texts["zh"]).format(**self.params)


#: The longest reason an operation keeps (a reason is a few sentences, not a document).
REASON_LIMIT = 2000


def required_reason(reason: str | None) -> str:
    """``reason`` stripped; refused at the field ``reason`` when empty or too long."""
    text = (reason or "").strip()
    if not text:
        raise OperationRefused("op.reason_required", field="reason")
    return optional_reason(text)


def optional_reason(reason: str | None) -> str:
    """``reason`` stripped (maybe empty); refused at the field ``reason`` when too long."""
    text = (reason or "").strip()
    if len(text) > REASON_LIMIT:
        raise OperationRefused("op.reason_too_long", field="reason", limit=REASON_LIMIT)
    return text
