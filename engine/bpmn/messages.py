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
        "zh": "文件的字符编码与声明不符（例如用 GBK 保存却声明为 UTF-8），从这里起的文字读不出来。"
        "请在建模工具中另存为 UTF-8。",
        "en": "The file's character encoding does not match its declaration (for example saved as GBK "
        "but declared UTF-8), so the text from here on cannot be read. Save it again as UTF-8 in the modeler.",
    },
    "xml.unknown_encoding": {
        "severity": "error",
        "zh": "文件声明的字符编码“{encoding}”平台不认识。请在建模工具中另存为 UTF-8。",
        "en": 'The file declares the character encoding "{encoding}", which the platform does not know. '
        "Save it again as UTF-8 in the modeler.",
    },
    "xml.utf16_undeclared": {
        "severity": "error",
        "zh": "文件是 UTF-16 编码，但开头既没有字节顺序标记（BOM）也没有 XML 声明，无法确定该怎么读。"
        "请另存为 UTF-8，或在文件开头加上 <?xml version=\"1.0\" encoding=\"UTF-16\"?>。",
        "en": "The file is UTF-16 text but starts with neither a byte-order mark (BOM) nor an XML declaration, "
        'so it cannot be read reliably. Save it as UTF-8, or start it with <?xml version="1.0" '
        'encoding="UTF-16"?>.',
    },
    "xml.namespace": {
        "severity": "error",
        "zh": "前缀“{prefix}:”没有声明命名空间（文件里缺少 xmlns:{prefix}=\"…\"）。这常见于只复制了文件的一部分，"
        "或删掉了开头 definitions 元素上的声明。{hint}",
        "en": 'The prefix "{prefix}:" is used without declaring its namespace (xmlns:{prefix}="…" is missing). '
        "This happens when only part of a file was copied, or the declarations on the definitions element "
        "at the top were removed. {hint}",
    },
    "xml.bpmn_namespace": {
        "severity": "error",
        "zh": "根元素是 definitions，但{what}，不是 BPMN 2.0 的 http://www.omg.org/spec/BPMN/20100524/MODEL，"
        "平台因此认不出其中的任何元素。请在建模工具中另存为 BPMN 2.0 格式。",
        "en": "The root element is definitions, but {what} rather than BPMN 2.0's "
        "http://www.omg.org/spec/BPMN/20100524/MODEL, so none of its elements can be recognised. "
        "Save it again as BPMN 2.0 in the modeler.",
    },
    "xml.too_deep": {
        "severity": "error",
        "zh": "元素一层套一层超过了 {depth} 层，平台不载入这样的文件（正常的流程图只有十几层）。请确认选对了文件。",
        "en": "Elements are nested more than {depth} levels deep; the platform does not load such a file "
        "(a flowchart has a dozen levels or so). Check that this is the right file.",
    },
    "xml.control_char": {
        "severity": "error",
        "zh": "这里含有 XML 不允许的控制字符（编码 {char}），常见于从其他软件粘贴来的文字。请删除这个字符后重新保存。",
        "en": "There is a control character here (code {char}) that XML does not allow, often pasted in from "
        "another program. Delete it and save again.",
    },
    "xml.not_xml": {
        "severity": "error",
        "zh": "这不是 XML 文件，BPMN 流程图必须是 XML（文件开头应为 <?xml … 或 <bpmn:definitions …）。",
        "en": "This is not an XML file; a BPMN flowchart must be XML (it starts with <?xml … or "
        "<bpmn:definitions …).",
    },
    "xml.truncated": {
        "severity": "error",
        "zh": "文件不完整，像是被截断了：{what}请重新导出或重新上传完整的文件。",
        "en": "The file is incomplete, as if cut off: {what} Export or upload the whole file again.",
    },
    "xml.malformed": {
        "severity": "error",
        "zh": "XML 格式错误：{what}",
        "en": "The XML is malformed: {what}",
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
        "zh": "元素 {tag} 不是标准 BPMN 元素，或者放错了位置。{expected}",
        "en": "Element {tag} is not a standard BPMN element, or it is in the wrong place. {expected}",
    },
    "xsd.missing_child": {
        "severity": "error",
        "zh": "元素 {tag} 缺少必需的子元素（{expected}）。请在建模工具中补全或删除这个元素。",
        "en": "Element {tag} lacks a required child element ({expected}). Complete or delete it in the modeler.",
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
    "xsd.invalid_id": {
        "severity": "error",
        "zh": "编号“{value}”不合规范：编号须以字母或下划线开头，只能含字母、数字、下划线、连字符和点，不能有空格。",
        "en": 'The id "{value}" is not valid: an id starts with a letter or an underscore and holds only letters, '
        "digits, underscores, hyphens and dots, no spaces.",
    },
    "xsd.bad_attribute": {
        "severity": "error",
        "zh": "元素 {tag} 的属性 {attribute} 取值“{value}”不合规范，应为{kind}。",
        "en": 'Element {tag} has the value "{value}" in its attribute {attribute}; it must be {kind}.',
    },
    "xsd.not_in_set": {
        "severity": "error",
        "zh": "元素 {tag} 的属性 {attribute} 取值“{value}”不在允许的范围内（可选：{allowed}）。",
        "en": 'Element {tag} has the value "{value}" in its attribute {attribute}, which is not one of '
        "{allowed}.",
    },
    "xsd.text_not_allowed": {
        "severity": "error",
        "zh": "元素 {tag} 里不能直接写文字，只能包含子元素。",
        "en": "Element {tag} cannot hold text directly, only other elements.",
    },
    "xsd.bad_value": {
        "severity": "error",
        "zh": "元素 {tag} 的内容“{value}”不合规范，应为{kind}。",
        "en": 'Element {tag} holds "{value}"; it must be {kind}.',
    },
    "xsd.invalid": {
        "severity": "error",
        "zh": "元素 {tag} 的写法不符合 BPMN 标准。请在建模工具中打开后重新保存。",
        "en": "Element {tag} is not written as the BPMN standard requires. Open it in the modeler and save again.",
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
        "zh": "调用活动要调用的流程“{called}”不在本文件中，或不可执行。平台只运行同一文件里的流程：请把被调用的流程"
        "画成本流程里的子流程，或改为由岗位办理的用户任务。",
        "en": 'The call activity calls the process "{called}", which is not in this file or is not executable. '
        "The platform runs only processes in the same file: draw the called process as a subprocess here, "
        "or use a user task handled by a post.",
    },
    "call.no_target": {
        "severity": "error",
        "zh": "调用活动没有写明要调用哪个流程（calledElement）。请选择本文件中的流程，或改为子流程。",
        "en": "The call activity does not say which process it calls (calledElement). Choose a process of this "
        "file, or use a subprocess.",
    },
    "engine.rejected": {
        "severity": "error",
        "zh": "流程引擎不能载入这个元素（{tag}）。请检查它的设置，或换用平台支持的元素：用户任务、脚本任务、网关、"
        "事件、子流程。",
        "en": "The workflow engine cannot load this element ({tag}). Check its settings, or use the elements the "
        "platform supports: user tasks, script tasks, gateways, events and subprocesses.",
    },
    "engine.chain_too_long": {
        "severity": "error",
        "zh": "流程太深，流程引擎无法载入：一条路线上接连的步骤太多（数百个），或子流程一层套一层太多。"
        "请把长链中的几段画成子流程，或减少子流程的层数。",
        "en": "The process is too deep for the workflow engine to load: one path strings together too many steps "
        "(hundreds), or subprocesses are nested too many levels. Draw stretches of a long chain as subprocesses, "
        "or nest fewer levels.",
    },
    "service.no_operator": {
        "severity": "error",
        "zh": "这个服务任务没有指定平台能执行的操作。平台不调用外部服务：请改为由岗位办理的用户任务，或用 Python 写的"
        "脚本任务。",
        "en": "This service task names no operation the platform can perform. The platform calls no outside "
        "services: use a user task handled by a post, or a script task written in Python.",
    },
    "ref.event_missing": {
        "severity": "error",
        "zh": "这个事件引用的{kind}“{ref}”在文件中没有定义（应有 bpmn:{definition} 元素）。请在建模工具中重新选择，"
        "或删除这个引用。",
        "en": 'This event refers to the {kind} "{ref}", which the file does not define (a bpmn:{definition} element). '
        "Choose it again in the modeler, or remove the reference.",
    },
    "ref.data_missing": {
        "severity": "error",
        "zh": "数据关联指向“{ref}”，但文件中没有这个数据对象。请删除这条关联，或重新连到一个数据对象。",
        "en": 'A data association points to "{ref}", but the file has no such data object. Delete the '
        "association or connect it to a data object again.",
    },
    "model.too_many_steps": {
        "severity": "error",
        "zh": "流程图有 {count} 个步骤和连线，超过平台上限 {limit} 个。政务流程图通常只有几十个步骤：请确认选对了文件，"
        "或把流程拆成几个流程图。",
        "en": "The flowchart has {count} steps and arrows, more than the platform's limit of {limit}. A "
        "government flowchart has a few dozen steps: check that this is the right file, or split the process.",
    },
    "model.too_many_elements": {
        "severity": "error",
        "zh": "文件含有 {count} 个 XML 元素，超过平台上限 {limit} 个。流程图文件通常只有几百个元素：请确认选对了文件。",
        "en": "The file holds {count} XML elements, more than the platform's limit of {limit}. A flowchart file "
        "has a few hundred: check that this is the right file.",
    },
    "model.too_much_code": {
        "severity": "error",
        "zh": "流程里的脚本、条件和定时表达式共有 {count} 个字符，超过平台上限 {limit} 个。一个流程通常只需几千个字符："
        "请精简脚本，或确认选对了文件。",
        "en": "The process's scripts, conditions and timer expressions hold {count} characters, more than the "
        "platform's limit of {limit}. A process needs a few thousand: shorten the scripts, or check that this is "
        "the right file.",
    },
    "model.too_complex": {
        "severity": "error",
        "zh": "这里的内容太长或嵌套太深，无法检查。请把它拆成几步简单的内容。",
        "en": "This is too long or nested too deeply to be checked. Split it into a few simple parts.",
    },
    "checker.incomplete": {
        "severity": "error",
        "zh": "检查这一部分时出了意外，检查结果不完整。请把文件发给平台管理员。",
        "en": "Something unexpected happened while checking this part, so the check is incomplete. Send the "
        "file to the platform's administrator.",
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
        "zh": "定时表达式“{expression}”无法计算：{detail}。",
        "en": 'The timer expression "{expression}" cannot be computed: {detail}.',
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
    # ---- what other tools and engines put in a model (engine/bpmn/rules/foreign.py) -------------------
    "foreign.condition": {
        "severity": "error",
        "zh": "连线条件“{expression}”是 {language} 表达式（{engine} 的写法），平台的条件用 Python 写。{advice}",
        "en": 'The arrow\'s condition "{expression}" is a {language} expression (as {engine} writes them); the '
        "platform's conditions are Python. {advice}",
    },
    "foreign.text_condition": {
        "severity": "error",
        "zh": "连线条件“{expression}”是一句说明文字，不是表达式，平台无法据此选择路线。若要在平台上运行，"
        "请写成 Python 条件（例如 approved == \"是\"），并把说明写在连线名称里。",
        "en": 'The arrow\'s condition "{expression}" is a sentence, not an expression, so the platform cannot choose '
        'a path by it. To run it here, write a Python condition (e.g. approved == "yes") and put the words in the '
        "arrow's name.",
    },
    "foreign.expression_attribute": {
        "severity": "error",
        "zh": "{attribute} 的值“{expression}”是 {language} 表达式，平台不会计算它。{advice}",
        "en": 'The value "{expression}" of {attribute} is a {language} expression, which the platform does not '
        "evaluate. {advice}",
    },
    "foreign.timer": {
        "severity": "error",
        "zh": "定时表达式“{expression}”是 {language} 表达式，平台不会计算它。请写成 workdays(2)、P2D 这样的时长，"
        "或用 Python 读取办件数据，例如 workdays(review_days)。",
        "en": 'The timer expression "{expression}" is a {language} expression, which the platform does not '
        "evaluate. Write a duration such as workdays(2) or P2D, or read case data in Python, e.g. "
        "workdays(review_days).",
    },
    "foreign.java": {
        "severity": "error",
        "zh": "这一步调用 Java 程序（{attribute}=“{value}”），平台不运行 Java 代码。请改为由岗位办理的用户任务，"
        "或用 Python 写的脚本任务。",
        "en": 'This step calls Java code ({attribute}="{value}"); the platform runs no Java. Use a user task handled '
        "by a post, or a script task written in Python.",
    },
    "foreign.external_task": {
        "severity": "error",
        "zh": "这一步是外部任务（主题“{topic}”），要由外部的工作程序领取执行，平台没有这样的程序。请改为用户任务或"
        "脚本任务。",
        "en": 'This step is an external task (topic "{topic}") for an outside worker program to fetch and run; the '
        "platform has no such workers. Use a user task or a script task.",
    },
    "foreign.engine_task": {
        "severity": "error",
        "zh": "这一步是 {engine} 引擎内置的“{kind}”任务，平台不执行。请改为由岗位人员办理的用户任务。",
        "en": 'This step is {engine}\'s built-in "{kind}" task, which the platform does not run. Use a user task '
        "handled by a post.",
    },
    "foreign.connector": {
        "severity": "error",
        "zh": "这一步通过连接器“{connector}”调用外部系统，平台不调用外部系统。请改为由岗位人员办理的用户任务。",
        "en": 'This step calls an outside system through the connector "{connector}"; the platform calls no '
        "outside systems. Use a user task handled by a post.",
    },
    "foreign.dmn": {
        "severity": "error",
        "zh": "这一步用决策表（DMN“{decision}”）作决定，平台不执行决策表。请把决策规则写成网关连线上的条件，"
        "或写成脚本任务。",
        "en": 'This step decides with a decision table (DMN "{decision}"), which the platform does not run. '
        "Write the rules as conditions on a gateway's arrows, or as a script task.",
    },
    "foreign.listener": {
        "severity": "error",
        "zh": "{kind}监听器（事件“{event}”，{implementation}）不会执行：平台不运行监听器。它做的事如果必要，"
        "请画成流程中的一个步骤（如脚本任务）。",
        "en": '{kind} listener (event "{event}", {implementation}) will not run: the platform runs no listeners. '
        "If what it does matters, draw it as a step of the process (e.g. a script task).",
    },
    "foreign.io_mapping": {
        "severity": "error",
        "zh": "变量映射（{what}）平台不读取，这些变量不会被赋值。请删除它，或用脚本任务给变量赋值。",
        "en": "The variable mapping ({what}) is not read, so these variables are never set. Remove it, or set the "
        "variables in a script task.",
    },
    "foreign.html_form": {
        "severity": "error",
        "zh": "表单“{form}”是嵌入式 HTML 表单，平台不显示 HTML 表单。平台的表单是 JSON Schema 文件：请在属性 "
        "formJsonSchemaFilename 中填写表单文件名（文件放在 forms/ 目录或随事项上传）。",
        "en": 'The form "{form}" is an embedded HTML form, which the platform does not show. The platform\'s forms '
        "are JSON Schema files: name the form file in the property formJsonSchemaFilename (the file lives in "
        "forms/ or is uploaded with the power).",
    },
    "foreign.tool_form": {
        "severity": "error",
        "zh": "表单“{form}”是 {engine} 格式的表单，平台不读取这种格式。平台的表单是 JSON Schema 文件：请在属性 "
        "formJsonSchemaFilename 中填写表单文件名。",
        "en": 'The form "{form}" is a {engine} form, a format the platform does not read. The platform\'s forms are '
        "JSON Schema files: name the form file in the property formJsonSchemaFilename.",
    },
    "foreign.generated_form": {
        "severity": "error",
        "zh": "在建模工具里定义的表单字段（{fields}）平台不读取，办理人员看不到它们。请把它们做成 JSON Schema 表单，"
        "并用属性 formJsonSchemaFilename 指定。",
        "en": "The form fields defined in the modeler ({fields}) are not read, so nobody handling the step sees "
        "them. Make them a JSON Schema form and name it in the property formJsonSchemaFilename.",
    },
    "foreign.script_language": {
        "severity": "error",
        "zh": "脚本是用 {language} 写的，平台只运行 Python（受限）脚本。请改写为 Python。",
        "en": "The script is written in {language}; the platform runs only (restricted) Python. Rewrite it in "
        "Python.",
    },
    "foreign.script_resource": {
        "severity": "error",
        "zh": "脚本放在外部文件“{resource}”里，平台只运行写在流程图里的 Python 脚本。请把脚本内容写进脚本任务。",
        "en": 'The script lives in the outside file "{resource}"; the platform runs only Python written into the '
        "flowchart. Put the script's text into the script task.",
    },
    "foreign.data_store": {
        "severity": "error",
        "zh": "数据存储“{name}”代表外部的系统或数据库，平台不连接外部数据存储，可执行流程里不能有它。"
        "请删除它（只作展示的流程图可以保留）。",
        "en": 'The data store "{name}" stands for an outside system or database; the platform connects to none, '
        "so an executable process cannot hold one. Remove it (a flowchart only for showing may keep it).",
    },
    "foreign.groups": {
        "severity": "error",
        "zh": "候选岗位 {attribute}“{value}”是运行时才计算的表达式，平台不会计算它。{advice}",
        "en": 'The candidate groups {attribute} "{value}" are an expression computed while a case runs, which the '
        "platform does not evaluate. {advice}",
    },
    "foreign.assignee": {
        "severity": "warning",
        "zh": "办理人 assignee“{value}”平台不会计算（只支持 ${{变量名}} 这种写法），这一步由{who}办理。",
        "en": 'The assignee "{value}" is not evaluated (only ${{variable}} is), so {who} handles this step.',
    },
    "foreign.due_date": {
        "severity": "warning",
        "zh": "办理期限 {attribute}“{value}”是运行时计算的表达式，平台不读取它。步骤时限请用定时边界事件表示，"
        "例如 workdays(5)。",
        "en": 'The due date {attribute} "{value}" is computed while a case runs; the platform does not read it. '
        "Give the step's time limit as a timer boundary event, e.g. workdays(5).",
    },
    "foreign.called_expression": {
        "severity": "error",
        "zh": "调用活动要调用的流程“{called}”是运行时才计算的表达式，平台无法确定调用哪个流程。"
        "请写明本文件中的流程编号，"
        "或改为子流程。",
        "en": 'The call activity\'s process "{called}" is an expression computed while a case runs, so the '
        "platform cannot tell which process it calls. Name a process of this file, or use a subprocess.",
    },
    # ---- notes: what the platform kept and what it leaves aside -----------------------------------------
    "note.kept": {
        "severity": "info",
        "zh": "来自 {tool} 的流程图，平台沿用了：{items}。",
        "en": "A flowchart from {tool}; the platform keeps: {items}.",
    },
    "note.vendor_extensions": {
        "severity": "info",
        "zh": "文件含有 {tools} 的扩展信息（{prefixes}），平台不读取，不影响展示。",
        "en": "The file carries {tools} extensions ({prefixes}); the platform does not read them, and they do "
        "not change how it is shown.",
    },
    "note.ignored_settings": {
        "severity": "info",
        "zh": "以下 {engine} 引擎设置在平台上不起作用，已忽略：{settings}。",
        "en": "These {engine} engine settings have no effect on the platform and are ignored: {settings}.",
    },
    "note.descriptive": {
        "severity": "info",
        "zh": "此流程只作展示。若要在平台上运行，还需处理：{message}",
        "en": "This process is only shown. To run it on the platform, this needs changing too: {message}",
    },
}

# Words the CLI and the problem formatter put around messages.
LABELS: Final[dict[str, dict[str, str]]] = {
    "not_regular_file": {"zh": "不是普通文件（可能是管道或设备）", "en": "not a regular file (a pipe or a device?)"},
    "no_permission": {"zh": "没有读取权限", "en": "permission denied"},
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
    "info": {"zh": "（说明）", "en": "(note) "},
    "verdict_ok": {"zh": "OK", "en": "OK"},
    "verdict_displayable": {"zh": "可展示，不可执行", "en": "displayable, not executable"},
    "verdict_errors": {"zh": "有 {errors} 个错误，不可执行", "en": "{errors} error(s), cannot run"},
    "verdict_errors_shown": {"zh": "有 {errors} 个错误，不可执行（可展示）",
                             "en": "{errors} error(s), cannot run (can be shown)"},
    "verdict_unusable": {"zh": "不可执行，也无法展示", "en": "cannot run and cannot be shown"},
    "more_problems": {"zh": "……还有 {count} 个问题未列出（共 {total} 个）。",
                      "en": "… and {count} more problem(s) not listed ({total} in all)."},
    "more_problems_cli": {"zh": "……还有 {count} 个问题未列出（共 {total} 个；用 --max-problems 0 列出全部）。",
                          "en": "… and {count} more problem(s) not listed ({total} in all; --max-problems 0 "
                          "lists them all)."},
    "expected_here": {"zh": "此处应为 {expected}。", "en": "Expected here: {expected}."},
    "and_more": {"zh": " 等", "en": ", …"},
    "python_is": {"zh": "可改为：{python}", "en": "Write instead: {python}"},
    "rewrite_python": {"zh": "请按 Python 改写，例如 approved、not approved、amount > 1000 and urgent。",
                       "en": "Rewrite it in Python, e.g. approved, not approved, amount > 1000 and urgent."},
    "lane_handles": {"zh": "泳道“{lane}”对应的岗位", "en": 'the post of the lane "{lane}"'},
    "lane_decides": {"zh": "这一步仍由泳道“{lane}”对应的岗位办理；这个表达式被忽略。",
                     "en": 'The step is still handled by the post of the lane "{lane}"; the expression is ignored.'},
    "lane_needed": {"zh": "因此找不到办理岗位：请把这一步拖进对应岗位的泳道，或直接写岗位名称。",
                    "en": "So no post is found to handle it: drag the step into the lane of its post, or write the "
                    "post's name."},
    "its_post": {"zh": "它所在泳道的岗位", "en": "the post of its lane"},
    "remove_or_python": {"zh": "请删除它，或改成 Python 写法。", "en": "Remove it, or write it in Python."},
    "kept_lanes": {"zh": "泳道作为岗位（{names}）", "en": "lanes as posts ({names})"},
    "kept_groups": {"zh": "候选岗位 candidateGroups（{count} 个步骤）", "en": "candidate groups ({count} step(s))"},
    "kept_assignees": {"zh": "办理人 assignee（{count} 个步骤）", "en": "assignees ({count} step(s))"},
    "kept_documentation": {"zh": "说明文字 documentation（{count} 处）", "en": "documentation ({count} element(s))"},
    "kept_properties": {"zh": "扩展属性（{names}）", "en": "extension properties ({names})"},
    "kept_forms": {"zh": "表单名 formKey（{count} 个步骤）", "en": "form names in formKey ({count} step(s))"},
    "kept_timers": {"zh": "定时事件（{count} 个）", "en": "timers ({count})"},
    "kept_names": {"zh": "步骤和连线的名称", "en": "the names of steps and arrows"},
    "listener_execution": {"zh": "执行", "en": "Execution"},
    "listener_task": {"zh": "任务", "en": "Task"},
    "kind_message": {"zh": "消息", "en": "message"},
    "kind_signal": {"zh": "信号", "en": "signal"},
    "kind_error": {"zh": "错误", "en": "error"},
    "kind_escalation": {"zh": "升级", "en": "escalation"},
    "type_boolean": {"zh": " true 或 false", "en": "true or false"},
    "type_integer": {"zh": "整数", "en": "a whole number"},
    "type_number": {"zh": "数字", "en": "a number"},
    "type_reference": {"zh": "另一个元素的编号（不能有空格）", "en": "the id of another element (no spaces)"},
    "type_uri": {"zh": "网址或 URI", "en": "a URI"},
    "type_other": {"zh": "符合 BPMN 标准的值", "en": "a value the BPMN standard allows"},
    "declared_in": {"zh": "命名空间是“{namespace}”", "en": 'its namespace is "{namespace}"'},
    "no_namespace": {"zh": "它没有命名空间", "en": "it has no namespace"},
    "draft_namespace": {"zh": "命名空间“{namespace}”是 BPMN 2.0 草案版的",
                        "en": 'its namespace "{namespace}" is a BPMN 2.0 draft\'s'},
    "namespace_hint": {"zh": "在 definitions 上加上 xmlns:{prefix}=\"{uri}\" 即可。",
                       "en": 'Add xmlns:{prefix}="{uri}" to the definitions element.'},
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
