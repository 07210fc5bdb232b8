"""Refusals about documents, each with a stable code and zh/en text (as ``engine.runtime.errors``)."""

from __future__ import annotations

from engine.runtime.errors import RuntimeProblem

MESSAGES: dict[str, dict[str, str]] = {
    "document.required": {
        "zh": "「{step}」办结前须签发{titles}（在本页「法律文书」处签发）。",
        "en": "“{step}” can be completed only once {titles_en} has been issued (issue it under Legal documents on "
              "this page)."},
    "document.kind": {"zh": "没有这种文书。", "en": "No such kind of document."},
    "document.wrong_case": {"zh": "《{title}》不适用于这类办件。",
                            "en": "A {english} does not belong to this kind of case."},
    "document.not_allowed": {"zh": "只有本办件所属部门的工作人员或正在办理该办件的人员可以签发文书。",
                             "en": "Only staff of the case's department, or whoever works its open step, may issue "
                                   "its documents."},
    "case.not_found": {"zh": "办件不存在。", "en": "No such case."},
    "document.damaged": {"zh": "文书 {number} 的 PDF 文件缺失或与签发时的哈希值不符，请联系系统管理员。",
                         "en": "The PDF of document {number} is missing or differs from its hash at issue; ask the "
                               "administrator."},
    "document.not_found": {"zh": "文书不存在。", "en": "No such document."},
    "document.replaced": {"zh": "文书 {number} 已被更正，请更正最新的文书 {newer}。",
                          "en": "Document {number} was already corrected; correct the newest one, {newer}."},
    "document.reason": {"zh": "请填写更正理由。", "en": "Give the reason for the correction."},
    "document.reason_long": {"zh": "更正理由最多 {limit} 字。",
                             "en": "The reason may have at most {limit} characters."},
    "template.not_legal": {"zh": "只有法制机构（法制办）可以编辑文书模板。",
                           "en": "Only the legal office may edit document templates."},
    "template.empty": {"zh": "模板正文不能为空。", "en": "The template text cannot be empty."},
    "template.title": {"zh": "文书标题不能为空，最多 100 字。", "en": "The title is required, at most 100 characters."},
    "template.too_long": {"zh": "模板正文最多 {limit} 字。", "en": "The template may have at most {limit} characters."},
    "template.unknown": {"zh": "模板中有无法识别的字段：{names}。请从右侧的字段表中选择。",
                         "en": "The template uses fields that do not exist: {names}. Pick them from the field list."},
    "template.braces": {"zh": "模板中有不成对的花括号：字段须写成 {{{{字段名}}}}。",
                        "en": "The template has unbalanced braces: write a field as {{{{name}}}}."},
    "template.stale": {"zh": "模板已被他人保存为第 {version} 版，请在最新版本上修改后再保存。",
                       "en": "Someone else saved version {version} of this template meanwhile; edit the newest "
                             "version and save again."},
}


class DocumentProblem(RuntimeProblem):
    """A refusal the user can act on; ``message(lang)`` in Chinese or English."""

    def message(self, lang: str = "zh") -> str:
        texts = MESSAGES.get(self.code, {})
        text = texts.get(lang) or texts.get("zh") or self.code
        return text.format(**self.params)
