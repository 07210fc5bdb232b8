"""Refusals of supervision actions (an alert's life, 督办), each with a stable code and zh/en text."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "supervision.not_allowed": {"zh": "您无权进行此项监察操作。", "en": "You may not take this supervision action."},
    "alert.not_found": {"zh": "预警不存在。", "en": "No such alert."},
    "alert.has_life": {"zh": "该预警已在处置中或已关闭。", "en": "This alert is already being handled or is closed."},
    "life.not_deployed": {"zh": "预警处置流程尚未部署，请管理员部署后再试。",
                          "en": "The alert handling process is not deployed; ask the administrator."},
    "directive.not_found": {"zh": "督办不存在。", "en": "No such directive."},
    "directive.invalid": {"zh": "督办信息不完整或有误，请按提示修改。",
                          "en": "The directive is incomplete or invalid; see the messages by each field."},
    "directive.reported": {"zh": "该督办已上报，不能再申请或审批延期。",
                           "en": "This directive has been reported; its deadline can no longer change."},
    "directive.extension_used": {"zh": "延期只能申请一次。", "en": "An extension may be asked for only once."},
    "directive.extension_not_asked": {"zh": "没有待审批的延期申请。", "en": "No extension request awaits a decision."},
}


class SupervisionProblem(Exception):
    """A refusal the user can act on; ``fields`` maps form fields to messages (in Chinese and English)."""

    def __init__(self, code: str, *, fields: dict[str, dict[str, str]] | None = None, **params: Any) -> None:
        self.code = code
        self.params = params
        self.fields = fields or {}
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        text = MESSAGES.get(self.code, {}).get(lang) or MESSAGES.get(self.code, {}).get("zh") or self.code
        return text.format(**self.params)

    def field_messages(self, lang: str = "zh") -> dict[str, str]:
        return {name: texts.get(lang) or texts["zh"] for name, texts in self.fields.items()}
