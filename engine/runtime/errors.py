"""Errors the runtime reports to users, each with a stable code and zh/en text."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "case.not_found": {"zh": "办件不存在。", "en": "No such case."},
    "task.not_found": {"zh": "该环节不存在或已办理。", "en": "This step does not exist or is already done."},
    "task.not_ready": {"zh": "该环节当前不可办理（可能已被他人办理或已超时转出）。",
                       "en": "This step cannot be worked now (someone else finished it or it timed out)."},
    "task.not_allowed": {"zh": "您不在该环节的岗位上，无权办理。",
                         "en": "You do not hold the post this step belongs to."},
    "case.busy": {"zh": "办件正被他人同时修改，请刷新后重试。",
                  "en": "Someone else changed this case at the same moment; reload and try again."},
    "form.invalid": {"zh": "表单有误，请按提示修改。", "en": "The form has errors; see the messages by each field."},
    "form.missing": {"zh": "环节引用的表单 {form} 不存在。", "en": "The step's form {form} does not exist."},
    "power.not_found": {"zh": "权力事项 {power} 不存在或未发布。",
                        "en": "Power {power} does not exist or is not published."},
    "process.not_deployed": {"zh": "权力事项 {power} 的内部流程图尚未部署。",
                             "en": "Power {power} has no deployed internal flowchart."},
    "bpmn.invalid": {"zh": "流程图未通过检查：{details}", "en": "The flowchart failed its checks: {details}"},
    "engine.script": {"zh": "流程中的脚本或条件执行出错：{details}",
                      "en": "A script or condition in the flowchart failed: {details}"},
    "catalog.invalid": {"zh": "调整申请信息不完整或有误。", "en": "The adjustment request is incomplete or invalid."},
    "catalog.not_editable": {"zh": "该调整申请已提交，不能再修改。",
                             "en": "This request was submitted and cannot be edited."},
    "catalog.not_ready": {"zh": "尚不能提交：{details}", "en": "Not ready to submit: {details}"},
    "catalog.not_found": {"zh": "调整申请不存在。", "en": "No such adjustment request."},
    "case.invalid": {"zh": "登记信息有误，请按标注修改。",
                     "en": "Some registration details are wrong; see the marked fields."},
}


class RuntimeProblem(Exception):
    """A refusal the user can act on; ``fields`` maps form fields to messages."""

    def __init__(self, code: str, *, fields: dict[str, str] | None = None, **params: Any) -> None:
        self.code = code
        self.params = params
        self.fields = fields or {}
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (zh or en)."""
        text = MESSAGES.get(self.code, {}).get(lang) or MESSAGES.get(self.code, {}).get("zh") or self.code
        return text.format(**self.params)
