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
    "case.suspended": {"zh": "办件已暂停，恢复后才能办理。",
                       "en": "The case is paused; it can be worked once resumed."},
    "form.invalid": {"zh": "表单有误，请按提示修改。", "en": "The form has errors; see the messages by each field."},
    "form.missing": {"zh": "环节引用的表单 {form} 不存在。", "en": "The step's form {form} does not exist."},
    "power.not_found": {"zh": "权力事项 {power} 不存在或未发布。",
                        "en": "Power {power} does not exist or is not published."},
    "process.not_deployed": {"zh": "权力事项 {power} 的内部流程图尚未部署。",
                             "en": "Power {power} has no deployed internal flowchart."},
    "bpmn.invalid": {"zh": "流程图未通过检查：{details}", "en": "The flowchart failed its checks: {details}"},
    # A model error leaves the case as it was (the transaction rolls back); only the legal office can fix it.
    "engine.script": {"zh": "流程图中「{element}」的脚本或条件执行出错（{error}），办件未作改动。"
                            "请联系法制机构检查流程图。",
                      "en": "The script or condition of “{element}” in the flowchart failed ({error}); the case was "
                            "not changed. Ask the legal office to check the flowchart."},
    "engine.script.name": {"zh": "流程图中「{element}」用到的数据「{name}」在本办件中没有值，办件未作改动。"
                                 "请检查前面环节是否填写了该项，或联系法制机构检查流程图。",
                           "en": "“{element}” in the flowchart uses “{name}”, which this case has no value for; the "
                                 "case was not changed. Check that an earlier step filled it in, or ask the legal "
                                 "office to check the flowchart."},
    "engine.script.no_path": {"zh": "流程图中「{element}」的条件都不成立，办件无路可走，未作改动。"
                                    "请联系法制机构为其设置默认路径或修改条件。",
                              "en": "None of the conditions at “{element}” in the flowchart holds, so the case has "
                                    "nowhere to go; it was not changed. Ask the legal office to give it a default "
                                    "path or correct its conditions."},
    "engine.script.timeout": {"zh": "流程图中「{element}」的脚本运行超时被终止，办件未作改动。"
                                    "请联系法制机构检查流程图。",
                              "en": "The script of “{element}” in the flowchart ran too long and was stopped; the case "
                                    "was not changed. Ask the legal office to check the flowchart."},
    "engine.script.refused": {"zh": "流程图中「{element}」的脚本含有平台不允许执行的写法，办件未作改动。"
                                    "请联系法制机构检查流程图。",
                              "en": "The script of “{element}” in the flowchart uses something the platform does not "
                                    "run; the case was not changed. Ask the legal office to check the flowchart."},
    "engine.script.too_large": {"zh": "流程图中「{element}」的脚本或表达式产生的数据过大（一个环节最多 {limit}），"
                                      "办件未作改动。请联系法制机构检查流程图。",
                                "en": "The script or expression of “{element}” in the flowchart produced too much data "
                                      "(at most {limit} per step); the case was not changed. Ask the legal office to "
                                      "check the flowchart."},
    "case.data_too_large": {"zh": "「{element}」提交的内容过多（一个环节最多 {limit}），办件未作改动。请精简后再提交。",
                            "en": "“{element}” submitted too much data (at most {limit} per step); the case was not "
                                  "changed. Shorten it and submit again."},
    "case.too_large": {"zh": "办件的数据总量将超过上限 {limit}，本次办理未作改动。请联系系统管理员。",
                       "en": "The case's data would exceed its limit of {limit}; nothing was changed. Ask the "
                             "administrator."},
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
