"""Parse untrusted XML safely: no entities, no DTD, no network, no DOCTYPE, bounded size.

Every failure becomes a located :class:`BpmnProblem` inside a :class:`BpmnError`, worded for the reader
(libxml2's English never reaches them); nothing else escapes.
"""

from __future__ import annotations

import os
import re
from typing import Final

from lxml import etree

from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnError, BpmnProblem, make_problem

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_BYTES_ENV = "SUNSHINE_MAX_BPMN_BYTES"

# A DOCTYPE may hide in UTF-16 too, so look for it in the encodings XML allows without a declaration.
_DOCTYPE_PATTERNS = tuple(
    re.compile(re.escape("<!DOCTYPE".encode(enc)), re.IGNORECASE)
    for enc in ("utf-8", "utf-16-le", "utf-16-be")
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# UTF-16 text without a byte-order mark starts with '<' (or blanks) as one byte next to a zero byte.
_UTF16_LE_START = re.compile(rb"\A(?:[ \t\r\n]\x00)*<\x00[?!A-Za-z_]\x00")
_UTF16_BE_START = re.compile(rb"\A(?:\x00[ \t\r\n])*\x00<\x00[?!A-Za-z_]")
_DECLARATION_16 = ('<?xml'.encode("utf-16-le"), '<?xml'.encode("utf-16-be"))

#: Where each prefix tools use for BPMN is declared, for the hint in a namespace message.
KNOWN_PREFIXES: Final = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmn2": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "semantic": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "model": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "omgdc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "omgdi": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "flowable": "http://flowable.org/bpmn",
    "activiti": "http://activiti.org/bpmn",
}

# libxml2's complaint → (code, zh, en) where the texts fill the message's {what}; groups fill {0}, {1}, {2}.
_SYNTAX: Final = (
    (re.compile(r"Opening and ending tag mismatch: ([^\s,]+) line (\d+) and ([^\s,]+)"), "xml.malformed",
     "第 {1} 行的开始标签 <{0}> 与这里的结束标签 </{2}> 不配对（少写或多写了一个结束标签）。",
     "the start tag <{0}> on line {1} is closed here by </{2}> (an end tag is missing or extra)."),
    (re.compile(r"Premature end of data in tag ([^\s,]+) line (\d+)"), "xml.truncated",
     "第 {1} 行的 <{0}> 没有结束。", "<{0}> from line {1} never ends."),
    (re.compile(r"EndTag: '</' not found|Premature end of data"), "xml.truncated",
     "结尾缺少结束标签。", "end tags are missing at the end."),
    (re.compile(r"Extra content at the end of the document"), "xml.malformed",
     "根元素结束之后还有多余的内容（文件里可能拼接了两份流程图）。",
     "there is more after the root element has ended (two flowcharts pasted into one file?)."),
    (re.compile(r"Attribute ([^\s,]+) redefined"), "xml.malformed",
     "同一个元素上属性 {0} 写了两次。", "the attribute {0} is written twice on one element."),
    (re.compile(r"AttValue: .* expected|attributes construct error|Specification mandates value for attribute"),
     "xml.malformed", "属性值要用引号括起来（例如 name=\"受理\"），而且引号要成对。",
     'attribute values go between quotes (like name="accept"), and quotes come in pairs.'),
    (re.compile(r"Couldn't find end of Start Tag ([^\s,]+)"), "xml.malformed",
     "标签 <{0}> 没有正确结束（少了“>”或引号？）。", "the tag <{0}> is not closed properly (a missing > or quote?)."),
    (re.compile(r"Entity '([^']+)' not defined"), "xml.malformed",
     "用了没有定义的实体 &{0};。XML 只认识 &amp; &lt; &gt; &quot; &apos;，其他字符请直接写出来。",
     "the entity &{0}; is not defined. XML knows only &amp; &lt; &gt; &quot; &apos;; write other characters "
     "as they are."),
    (re.compile(r"xmlParseEntityRef: no name|EntityRef: expecting ';'"), "xml.malformed",
     "文字里的 & 要写成 &amp;。", "an & in text must be written &amp;."),
    (re.compile(r"Unescaped '<' not allowed in attributes values"), "xml.malformed",
     "属性值里的 < 要写成 &lt;。", "a < in an attribute value must be written &lt;."),
    (re.compile(r"StartTag: invalid element name"), "xml.malformed",
     "“<”后面不是合法的标签名；文字里的 < 要写成 &lt;。", "what follows < is not a tag name; a < in text must be "
     "written &lt;."),
    (re.compile(r"XML declaration allowed only at the start"), "xml.malformed",
     "XML 声明 <?xml …?> 只能出现在文件最开头，前面不能有空行、空格或另一份文件。",
     "the XML declaration <?xml …?> may only stand at the very start of the file, with nothing before it."),
    (re.compile(r"Comment not terminated"), "xml.malformed",
     "注释 <!-- 没有用 --> 结束。", "a comment <!-- is not closed with -->."),
    (re.compile(r"Sequence ']]>' not allowed in content"), "xml.malformed",
     "文字里不能出现 ]]>。", "the text contains ]]>, which XML does not allow."),
    (re.compile(r"CData section not finished"), "xml.truncated",
     "<![CDATA[ 段没有结束。", "a <![CDATA[ section never ends."),
)
_CONTROL = re.compile(r"PCDATA invalid Char value (\d+)|Char 0x([0-9A-Fa-f]+) out of allowed range")
_NAMESPACE = re.compile(r"Namespace prefix (\S+)(?: for \S+)? on \S+ is not defined")
_DEPTH = re.compile(r"Excessive depth in document: (\d+)")
_UNSUPPORTED = re.compile(r"Unsupported encoding:? (\S+)")
_ENCODING_WORDS = ("invalid bytes in character encoding", "input is not proper utf-8", "document labelled",
                   "encoding", "bytes: 0x")


def max_bytes_limit(override: int | None = None) -> int:
    """The size limit in bytes: the argument, else ``SUNSHINE_MAX_BPMN_BYTES``, else 5 MiB."""
    if override is not None:
        return override
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            return DEFAULT_MAX_BYTES
        if value > 0:
            return value
    return DEFAULT_MAX_BYTES


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state and are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(
    data: bytes, filename: str, *, lang: str = "zh", max_bytes: int | None = None
) -> etree._ElementTree:
    """Parse ``data`` into an lxml tree or raise :class:`BpmnError` with plain-language problems."""
    problem = _precheck(data, lang, max_bytes_limit(max_bytes))
    if problem is not None:
        raise BpmnError([problem])
    try:
        root = etree.fromstring(data, parser=_parser(), base_url=None)
    except etree.XMLSyntaxError as exc:
        raise BpmnError([_syntax_problem(exc, data, lang)]) from None
    except (ValueError, etree.LxmlError):
        raise BpmnError([make_problem("xml.not_xml", lang, line=1)]) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        # Defence in depth: the byte scan above should already have caught it.
        raise BpmnError([make_problem("xml.doctype", lang, line=1)])
    return tree


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``data`` is UTF-16 text without a byte-order mark, else None."""
    if _UTF16_LE_START.match(data):
        return "utf-16-le"
    if _UTF16_BE_START.match(data):
        return "utf-16-be"
    return None


def _precheck(data: bytes, lang: str, limit: int) -> BpmnProblem | None:
    if not isinstance(data, bytes | bytearray):
        return make_problem("xml.not_xml", lang)
    if len(data) > limit:
        return make_problem("xml.too_large", lang, size=len(data), limit=limit)
    if not data.strip():
        return make_problem("xml.empty", lang)
    bare16 = utf16_without_bom(data)
    if bare16 is not None and not data.lstrip(b" \t\r\n\x00").startswith(_DECLARATION_16):
        return make_problem("xml.utf16_undeclared", lang, line=1)
    utf16 = data.startswith(_BOMS[1:]) or bare16 is not None
    if not utf16 and b"\x00" in data[:4096]:
        return make_problem("xml.binary", lang)
    for pattern in _DOCTYPE_PATTERNS:
        match = pattern.search(data)
        if match is not None:
            line = None if utf16 else data.count(b"\n", 0, match.start()) + 1
            return make_problem("xml.doctype", lang, line=line)
    return None


def _syntax_problem(exc: etree.XMLSyntaxError, data: bytes, lang: str) -> BpmnProblem:
    text = str(exc.msg or exc)
    lowered = text.lower()
    line = exc.lineno if exc.lineno and exc.lineno > 0 else None
    if match := _NAMESPACE.search(text):
        prefix = match.group(1)
        uri = KNOWN_PREFIXES.get(prefix)
        hint = label("namespace_hint", lang, prefix=prefix, uri=uri) if uri else ""
        return make_problem("xml.namespace", lang, line=line, prefix=prefix, hint=hint)
    if match := _DEPTH.search(text):
        return make_problem("xml.too_deep", lang, line=line, depth=match.group(1))
    if match := _UNSUPPORTED.search(text):
        return make_problem("xml.unknown_encoding", lang, line=1, encoding=match.group(1).rstrip(","))
    if match := _CONTROL.search(text):
        char = match.group(1) or str(int(match.group(2), 16))
        if not _looks_textual(data):
            return make_problem("xml.binary", lang)
        return make_problem("xml.control_char", lang, line=line, char=char)
    if any(word in lowered for word in _ENCODING_WORDS):
        return make_problem("xml.encoding", lang, line=line)
    if "start tag expected" in lowered or "document is empty" in lowered:
        if not _looks_textual(data):
            return make_problem("xml.binary", lang)
        return make_problem("xml.not_xml", lang, line=line)
    for pattern, code, zh, en in _SYNTAX:
        found = pattern.search(text)
        if found:
            what = (zh if lang == "zh" else en).format(*found.groups())
            return make_problem(code, lang, line=line, what=what)
    what = ("这一行的写法不符合 XML 规则。请在建模工具中打开文件后重新保存。" if lang == "zh"
            else "this line breaks the rules of XML. Open the file in the modeler and save it again.")
    return make_problem("xml.malformed", lang, line=line, what=what)


def _looks_textual(data: bytes) -> bool:
    sample = data[:2048]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls <= 3 or controls * 20 < len(sample)
