"""Why an upload or a download was refused, with zh/en text (a ``RuntimeProblem``, so pages show it as any other)."""

from __future__ import annotations

from engine.runtime.errors import RuntimeProblem

MESSAGES: dict[str, dict[str, str]] = {
    "file.empty": {"zh": "未选择文件，或文件为空。", "en": "No file was chosen, or the file is empty."},
    "file.too_large": {"zh": "文件「{name}」超过大小上限 {limit}，请压缩或拆分后上传。",
                       "en": "“{name}” is larger than the limit of {limit}; compress or split it and upload again."},
    "file.name_missing": {"zh": "文件没有名称。", "en": "The file has no name."},
    "file.name_too_long": {"zh": "文件名过长（最多 {limit} 个字符），请改短后重新上传。",
                           "en": "The file name is too long (at most {limit} characters); shorten it and upload "
                                 "again."},
    "file.name_path": {"zh": "文件名「{name}」含有路径符号（/ 或 \\ 或 ..），请只用文件本身的名称。",
                       "en": "The file name “{name}” contains a path (/, \\ or ..); use the file's own name only."},
    "file.name_invisible": {"zh": "文件名含有不可见字符 {char}，请改名后重新上传。",
                            "en": "The file name contains an invisible character, {char_en}; rename the file and "
                                  "upload it again."},
    "file.name_no_extension": {"zh": "文件名「{name}」没有扩展名（如 .pdf、.jpg、.docx）。",
                               "en": "The file name “{name}” has no extension (such as .pdf, .jpg, .docx)."},
    "file.type_unknown": {"zh": "「{name}」不是可接受的文件类型：只接受 {accepted}（按文件内容判断）。",
                          "en": "“{name}” is not a file type the platform accepts: only {accepted_en} (judged by the "
                                "file's content)."},
    "file.type_mismatch": {"zh": "「{name}」的扩展名与内容不符：内容是{actual}，扩展名应为 {extensions}。",
                           "en": "The extension of “{name}” does not match its content: it is {actual_en}, so its "
                                 "extension should be {extensions}."},
    "file.not_allowed": {"zh": "您不是本办件所属部门或当前环节的办理人员，不能为其上传文件。",
                         "en": "You are neither in the case's department nor working one of its steps, so you cannot "
                               "upload files to it."},
    "file.no_such_material": {"zh": "「{material}」不在本事项的申请材料清单中。",
                              "en": "“{material}” is not on this power's list of materials."},
    "file.no_such_step": {"zh": "该环节不属于本办件，或尚未开始。", "en": "That step is not one of this case's steps."},
    "file.locked": {"zh": "「{decision}」已作出决定，此前环节的证据和申请材料已锁定，不能再补充或替换。",
                    "en": "“{decision}” has decided this case: the materials and the evidence of earlier steps are "
                          "locked and can no longer be added to or replaced."},
    "file.not_found": {"zh": "文件不存在。", "en": "No such file."},
    "file.missing_bytes": {"zh": "文件内容在存储中找不到或与登记的 SHA-256 不符，请联系系统管理员。",
                           "en": "The file's content is missing from the storage or does not match its recorded "
                                 "SHA-256; ask the administrator."},
    "decision.no_evidence": {"zh": "「{step}」是决定环节，须先上传证据材料（本办件还没有任何申请材料或证据文件）"
                                   "才能办理。",
                             "en": "“{step}” is a decision step: upload the evidence it rests on first (the case has "
                                   "no materials or evidence files yet)."},
}


class FileProblem(RuntimeProblem):
    """A refused upload or download; ``message(lang)`` says why."""

    def message(self, lang: str = "zh") -> str:
        texts = MESSAGES.get(self.code, {})
        return (texts.get(lang) or texts.get("zh") or self.code).format(**self.params)
