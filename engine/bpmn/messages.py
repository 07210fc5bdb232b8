"""Catalog of BPMN check messages: code → severity and zh / en text with ``str.format`` fields.

The legal office reads these, so the words are plain and say what to change, not what broke inside.
"""

from __future__ import annotations

from typing import Final

DEFAULT_LANG: Final = "zh"
LANGS: Final = ("zh", "en")

# severity, zh, en
CATALOG: Final[dict[str, dict[str, str]]] = {
    # ---- the file itself -------------------------------------------------------------------------
    "file.not_found": {
        "severity": "error",
        "zh": "找不到文件 {path}。",
        "en": "File {path} does not exist.",
    },
    "file.is_directory": {
        "severity": "error",
        "zh": "{path} 是一个文件夹，不是流程图文件。",
        "en": "{path} is a folder, not a flowchart file.",
    },
    "file.unreadable": {
        "severity": "error",
        "zh": "无法读取文件 {path}：{detail}",
        "en": "Cannot read file {path}: {detail}",
    },
    "xml.empty": {
        "severity": "error",
        "zh": "文件是空的，里面没有流程图。",
        "en": "The file is empty; it contains no flowchart.",
    },
    "xml.too_large": {
        "severity": "error",
        "zh": "文件太大（{size} 字节），上限是 {limit} 字节。流程图文件通常只有几十 KB，请确认选对了文件。",
        "en": "The file is too large ({size} bytes); the limit is {limit} bytes. "
        "Flowcharts are usually a few dozen KB; check that this is the right file.",
    },
    "xml.doctype": {
        "severity": "error",
        "zh": "文件含有 DOCTYPE 声明。流程图不需要它，出于安全原因拒绝载入，请删除 <!DOCTYPE …> 一段。",
        "en": "The file contains a DOCTYPE declaration. Flowcharts never need one and it is refused "
        "for safety; remove the <!DOCTYPE …> part.",
    },
    "xml.binary": {
        "severity": "error",
        "zh": "这不是文本文件（含有二进制数据），不可能是 BPMN 流程图。",
        "en": "This is not a text file (it contains binary data), so it cannot be a BPMN flowchart.",
    },
    "xml.encoding": {
        "severity": "error",
        "zh": "文件的字符编码与声明不符（例如用 GBK 保存却声明为 UTF-8）。请在建模工具中另存为 UTF-8。"
        "（{detail}）",
        "en": "The file's character encoding does not match its declaration (for example saved as GBK "
        "but declared UTF-8). Save it again as UTF-8 in the modeler. ({detail})",
    },
    "xml.not_xml": {
        "severity": "error",
        "zh": "这不是 XML 文件，BPMN 流程图必须是 XML。（{detail}）",
        "en": "This is not an XML file; a BPMN flowchart must be XML. ({detail})",
    },
    "xml.truncated": {
        "severity": "error",
        "zh": "文件不完整，像是被截断了（结尾缺少闭合标签）。（{detail}）",
        "en": "The file is incomplete, as if cut off (closing tags are missing at the end). ({detail})",
    },
    "xml.malformed": {
        "severity": "error",
        "zh": "XML 格式错误，文件可能被手工改坏了：{detail}",
        "en": "The XML is malformed; the file may have been damaged by hand editing: {detail}",
    },
    "xml.not_bpmn": {
        "severity": "error",
        "zh": "这是 XML 文件，但不是 BPMN 流程图（根元素是 {root}，应为 bpmn:definitions）。",
        "en": "This is an XML file but not a BPMN flowchart (its root element is {root}, "
        "expected bpmn:definitions).",
    },
    # ---- schema (XSD) ----------------------------------------------------------------------------
    "xsd.unexpected_element": {
        "severity": "error",
        "zh": "元素 {tag} 不是标准 BPMN 元素，或者放错了位置。",
        "en": "Element {tag} is not a standard BPMN element, or it is in the wrong place.",
    },
    "xsd.missing_attribute": {
        "severity": "error",
        "zh": "元素 {tag} 缺少必填属性 {attribute}。",
        "en": "Element {tag} lacks the required attribute {attribute}.",
    },
    "xsd.unknown_attribute": {
        "severity": "error",
        "zh": "元素 {tag} 带有不认识的属性 {attribute}。",
        "en": "Element {tag} carries an unknown attribute {attribute}.",
    },
    "xsd.duplicate_id": {
        "severity": "error",
        "zh": "编号 {value} 被多个元素重复使用，每个元素的编号必须唯一。",
        "en": "The id {value} is used by more than one element; every id must be unique.",
    },
    "xsd.bad_value": {
        "severity": "error",
        "zh": "元素 {tag} 的取值不合规范：{detail}",
        "en": "Element {tag} has a value that breaks the BPMN standard: {detail}",
    },
    "xsd.invalid": {
        "severity": "error",
        "zh": "不符合 BPMN 标准：{detail}",
        "en": "Does not follow the BPMN standard: {detail}",
    },
    # ---- processes -------------------------------------------------------------------------------
    "diagram.missing": {
        "severity": "warning",
        "zh": "文件没有图形信息（BPMNDiagram），只能执行，无法画出流程图。",
        "en": "The file has no drawing (BPMNDiagram); it can run but the flowchart cannot be shown.",
    },
    "process.missing": {
        "severity": "error",
        "zh": "文件里没有任何流程（bpmn:process）。",
        "en": "The file contains no process (bpmn:process).",
    },
    "process.not_executable": {
        "severity": "warning",
        "zh": "流程未标记为可执行（isExecutable 不是 true），只能作展示用（如外部流程图）。"
        "若要网上运行，请在建模工具中勾选“可执行”。",
        "en": "The process is not marked executable (isExecutable is not true), so it can only be shown "
        '(e.g. an external flowchart). To run it online, tick "executable" in the modeler.',
    },
    "process.multiple_executable": {
        "severity": "error",
        "zh": "一个内部流程图只能有一个可执行流程，本文件有 {count} 个（{ids}）。请只保留一个为可执行。",
        "en": "An internal flowchart may have only one executable process; this file has {count} ({ids}). "
        "Keep only one marked executable.",
    },
    "start.missing": {
        "severity": "error",
        "zh": "流程没有开始事件，案件无从开始。",
        "en": "The process has no start event, so a case cannot begin.",
    },
    "end.missing": {
        "severity": "error",
        "zh": "流程没有结束事件，案件无法办结。",
        "en": "The process has no end event, so a case cannot be concluded.",
    },
    "id.reserved": {
        "severity": "error",
        "zh": "编号 {id} 是流程引擎内部保留的名字，用了会让流程断开。请改用其他编号，例如 StartEvent_1。",
        "en": "The id {id} is reserved by the workflow engine and would cut the flow apart. "
        "Use another id, e.g. StartEvent_1.",
    },
    "flow.source_missing": {
        "severity": "error",
        "zh": "连线的起点 {source} 在流程中不存在。",
        "en": "The arrow starts at {source}, which does not exist in the process.",
    },
    "flow.target_missing": {
        "severity": "error",
        "zh": "连线指向 {target}，但流程中没有这个步骤。",
        "en": "The arrow points to {target}, but the process has no such step.",
    },
    "node.unreachable": {
        "severity": "error",
        "zh": "从开始事件沿连线走不到这一步，它永远不会被办理。",
        "en": "This step cannot be reached from the start event along the arrows, so it will "
        "never be handled.",
    },
    "node.dead_end": {
        "severity": "warning",
        "zh": "这一步之后没有连线，案件会在这里停住（若是有意结束，请接到结束事件）。",
        "en": "No arrow leaves this step, so a case stops here (connect it to an end event if "
        "that is meant).",
    },
    "task.multiple_outgoing": {
        "severity": "error",
        "zh": "一个任务有 {count} 条出去的连线。请在任务后加网关（排他或并行）来分支。",
        "en": "This task has {count} outgoing arrows. Put a gateway (exclusive or parallel) "
        "after it to branch.",
    },
    "gateway.condition_missing": {
        "severity": "error",
        "zh": "从网关 {gateway} 出去的这条连线没有条件，也不是默认路线，引擎无法决定走哪条。",
        "en": "This arrow out of gateway {gateway} has no condition and is not the default path, "
        "so the engine cannot choose a way.",
    },
    "condition.invalid": {
        "severity": "error",
        "zh": "连线条件写法有误：{detail}",
        "en": "The arrow's condition is not valid: {detail}",
    },
    "condition.unknown_name": {
        "severity": "error",
        "zh": "条件表达式使用了流程中没有来源的变量“{name}”（可能是拼写错误；已知变量：{known}）。{hint}"
        "案件走到这里会停住：请改正变量名，或让前面的步骤（表单字段、脚本）提供它。",
        "en": 'The condition uses the variable "{name}", which nothing in the process provides (perhaps a typo; '
        "known variables: {known}). {hint}Cases would stop here: correct the name, or have an earlier step "
        "(a form field or a script) provide it.",
    },
    "script.invalid": {
        "severity": "error",
        "zh": "脚本无法通过安全检查或有语法错误：{detail}",
        "en": "The script fails the safety check or has a syntax error: {detail}",
    },
    "script.empty": {
        "severity": "warning",
        "zh": "脚本任务里没有脚本。",
        "en": "The script task contains no script.",
    },
    "element.unsupported": {
        "severity": "error",
        "zh": "平台不支持这种元素（{tag}），请换用用户任务、脚本任务、网关或事件。",
        "en": "The platform does not support this kind of element ({tag}); use user tasks, script tasks, "
        "gateways or events instead.",
    },
    "call.missing": {
        "severity": "error",
        "zh": "调用活动要调用的流程 {called} 不存在或不可执行。",
        "en": "The call activity calls process {called}, which does not exist or is not executable.",
    },
    "engine.rejected": {
        "severity": "error",
        "zh": "流程引擎无法载入这个元素：{detail}",
        "en": "The workflow engine cannot load this element: {detail}",
    },
    # ---- lanes and posts -------------------------------------------------------------------------
    "lane.missing": {
        "severity": "error",
        "zh": "这个办理步骤不在任何泳道里，也没有指定办理岗位（candidateGroups/assignee），"
        "不知道该由哪个岗位办理。请把它拖进对应岗位的泳道。",
        "en": "This step lies in no lane and names no handling post (candidateGroups/assignee), so nobody "
        "knows which post handles it. Drag it into the lane of the right post.",
    },
    "lane.unnamed": {
        "severity": "error",
        "zh": "这个泳道没有名称。泳道名称就是岗位名称（如 受理、承办、审核、批准）。",
        "en": "This lane has no name. A lane's name is the name of a post (e.g. accept, "
        "handle, review, approve).",
    },
    "lane.unknown_post": {
        "severity": "error",
        "zh": "泳道名称“{lane}”不是本部门的岗位。本部门的岗位有：{posts}。",
        "en": 'The lane name "{lane}" is not a post of this department. '
        "The department's posts are: {posts}.",
    },
    "group.unknown_post": {
        "severity": "error",
        "zh": "candidateGroups 中的“{group}”不是本部门的岗位。本部门的岗位有：{posts}。",
        "en": '"{group}" in candidateGroups is not a post of this department. The department\'s posts '
        "are: {posts}.",
    },
    # ---- timers ----------------------------------------------------------------------------------
    "timer.missing": {
        "severity": "error",
        "zh": "这个办理步骤没有办理时限。请在任务边上挂一个定时边界事件，例如 workdays(2)。",
        "en": "This step has no time limit. Attach a timer boundary event to the task, e.g. workdays(2).",
    },
    "timer.missing_paused": {
        "severity": "warning",
        "zh": "这个步骤停止计时（clock=paused），没有挂定时边界事件；它不计入办理时限。",
        "en": "This step stops the clock (clock=paused) and has no timer; it does not count "
        "toward the limit.",
    },
    "timer.empty": {
        "severity": "error",
        "zh": "定时事件没有填写时间。请填写例如 workdays(2)、P2D 或 2027-01-05T09:00:00+08:00。",
        "en": "The timer has no time filled in. Write for example workdays(2), P2D or "
        "2027-01-05T09:00:00+08:00.",
    },
    "timer.syntax": {
        "severity": "error",
        "zh": "定时表达式“{expression}”写法有误：{detail}",
        "en": 'The timer expression "{expression}" is not well formed: {detail}',
    },
    "timer.forbidden": {
        "severity": "error",
        "zh": "定时表达式“{expression}”用了不允许的写法（只能用数字、文字、workdays()、workhours() "
        "和简单运算）。",
        "en": 'The timer expression "{expression}" uses something not allowed (only numbers, text, '
        "workdays(), workhours() and simple arithmetic).",
    },
    "timer.unknown_function": {
        "severity": "error",
        "zh": "定时表达式调用了不存在的函数 {function}()。可用的有 workdays(n)（n 个工作日）"
        "和 workhours(n)（n 个工作小时）。",
        "en": "The timer expression calls an unknown function {function}(). Available are workdays(n) "
        "(n working days) and workhours(n) (n working hours).",
    },
    "timer.unknown_name": {
        "severity": "error",
        "zh": "定时表达式“{expression}”里的“{name}”无法识别。时长请写成 P2D（2 天）、PT4H（4 小时）"
        "或 workdays(2)；文字须加引号。",
        "en": '"{name}" in the timer expression "{expression}" is not understood. Write a duration as P2D '
        "(2 days), PT4H (4 hours) or workdays(2); quote any text.",
    },
    "timer.case_data": {
        "severity": "warning",
        "zh": "定时表达式“{expression}”用到办件数据“{name}”，要到办件运行时才能计算，无法预先核对时长。"
        "请确认前面的步骤会填写“{name}”，否则办件会在这一步报错。",
        "en": 'The timer expression "{expression}" uses the case data "{name}", so it can only be computed '
        'while a case runs and its length cannot be checked in advance. Make sure an earlier step fills in '
        '"{name}", or cases will stop with an error at this step.',
    },
    "timer.eval_failed": {
        "severity": "error",
        "zh": "定时表达式“{expression}”无法计算：{detail}",
        "en": 'The timer expression "{expression}" cannot be computed: {detail}',
    },
    "timer.bad_args": {
        "severity": "error",
        "zh": "{function}() 需要一个不小于 0 的数字，例如 {function}(3)。",
        "en": "{function}() needs a number not below 0, e.g. {function}(3).",
    },
    "timer.not_text": {
        "severity": "error",
        "zh": "定时表达式“{expression}”算出的是 {kind}，应当是日期时间或时长文字。",
        "en": 'The timer expression "{expression}" gives a {kind}; '
        "it must give a date-time or a duration text.",
    },
    "timer.bad_duration": {
        "severity": "error",
        "zh": "“{value}”不是有效的时长。写法如 P2D（2 天）、PT4H（4 小时）、P1DT12H（1 天 12 小时）。",
        "en": '"{value}" is not a valid duration. Write e.g. P2D (2 days), PT4H (4 hours), '
        "P1DT12H (1 day 12 hours).",
    },
    "timer.bad_date": {
        "severity": "error",
        "zh": "“{value}”不是有效的日期时间。写法如 2027-01-05T09:00:00+08:00。",
        "en": '"{value}" is not a valid date-time. Write e.g. 2027-01-05T09:00:00+08:00.',
    },
    "timer.bad_cycle": {
        "severity": "error",
        "zh": "“{value}”不是有效的循环定时。写法如 R3/PT1H（每小时一次，共 3 次）。",
        "en": '"{value}" is not a valid repeating timer. Write e.g. R3/PT1H (every hour, 3 times).',
    },
    "timer.date_is_duration": {
        "severity": "error",
        "zh": "“日期”栏里的表达式算出的是时长“{value}”。请把它填到“时长”栏，或改用 workdays(n)。",
        "en": 'The expression in the "date" field gives a duration "{value}". Put it in the "duration" '
        "field, or use workdays(n).",
    },
    "timer.naive_datetime": {
        "severity": "warning",
        "zh": "日期时间“{value}”没有写时区，请写成 …+08:00，否则可能差一小时。",
        "en": 'The date-time "{value}" has no time zone; write …+08:00, or it may be off by an hour.',
    },
    "timer.absolute_date": {
        "severity": "warning",
        "zh": "定时事件是固定日期“{value}”，不是相对时长，不计入时限合计。",
        "en": 'The timer is a fixed date "{value}", not a relative duration; '
        "it is left out of the limit sum.",
    },
    # ---- forms -----------------------------------------------------------------------------------
    "form.missing": {
        "severity": "error",
        "zh": "引用的表单“{form}”不存在。请先上传表单，或改正表单名称。",
        "en": 'The referenced form "{form}" does not exist. Upload the form first or correct its name.',
    },
    "form.invalid": {
        "severity": "error",
        "zh": "表单“{form}”写得有误，请改正表单文件：{detail}",
        "en": 'The form "{form}" is not usable as written; correct the form file: {detail}',
    },
    # ---- limits ----------------------------------------------------------------------------------
    "limit.bad_property": {
        "severity": "error",
        "zh": "流程属性 {property} 的值“{value}”不是有效的天数。",
        "en": 'The process property {property} has the value "{value}", which is not a number of days.',
    },
    "limit.exceeds_promised": {
        "severity": "error",
        "zh": "各步骤时限合计 {total} 个工作日（最长路线：{path}），超过了承诺时限 {promised} 个工作日。",
        "en": "The step limits add up to {total} working days (longest path: {path}), more than the promised "
        "limit of {promised} working days.",
    },
    "limit.promised_exceeds_legal": {
        "severity": "error",
        "zh": "承诺时限 {promised} 个工作日超过了法定时限 {legal} 个工作日，承诺时限不得长于法定时限。",
        "en": "The promised limit of {promised} working days exceeds the legal limit of "
        "{legal} working days; "
        "the promise may not be longer than the law allows.",
    },
}

# Words the CLI and the problem formatter put around messages.
LABELS: Final[dict[str, dict[str, str]]] = {
    "ok": {"zh": "OK", "en": "OK"},
    "not_regular_file": {"zh": "不是普通文件（可能是管道或设备）", "en": "not a regular file (a pipe or a device?)"},
    "displayable": {"zh": "可展示，不可执行", "en": "displayable, not executable"},
    "line": {"zh": "第 {line} 行", "en": "line {line}"},
    "named": {"zh": "{id}「{name}」", "en": '{id} "{name}"'},
    "warning": {"zh": "（提示）", "en": "(warning) "},
    "separator": {"zh": " · ", "en": " · "},
    "path_arrow": {"zh": " → ", "en": " → "},
    "list_sep": {"zh": "、", "en": ", "},
    "none": {"zh": "（无）", "en": "(none)"},
    "more": {"zh": " 等共 {count} 个", "en": ", … ({count} in all)"},
    "did_you_mean": {"zh": "是否是 {name}？", "en": "Did you mean {name}? "},
    "kind_number": {"zh": "数字", "en": "number"},
    "kind_other": {"zh": "{type} 类型的值", "en": "value of type {type}"},
}


def pick_lang(lang: str | None) -> str:
    """Return a supported language code, falling back to zh-CN."""
    if not lang:
        return DEFAULT_LANG
    short = lang.lower().replace("_", "-").split("-")[0]
    return short if short in LANGS else DEFAULT_LANG


def severity_of(code: str) -> str:
    """Default severity ("error" or "warning") of a message code."""
    return CATALOG[code]["severity"]


def render(code: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """Render message ``code`` in ``lang`` with ``fields``; missing fields never raise."""
    entry = CATALOG[code]
    template = entry[pick_lang(lang)]
    return template.format_map(_Lenient(fields))


def label(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """Render one of the surrounding words in :data:`LABELS`."""
    return LABELS[key][pick_lang(lang)].format_map(_Lenient(fields))


class _Lenient(dict[str, object]):
    """A format map that shows a missing field as ``{name}`` instead of failing mid-report."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
