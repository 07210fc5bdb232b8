"""What a broken file is told, in the reader's language (issue 12 §4.1, §4.4): a namespace or encoding problem is not
"damaged by hand editing", UTF-16 without a byte-order mark is not "binary", and the XML schema's English does not
end up inside Chinese sentences."""

from __future__ import annotations

import pytest
from bpmn_builder import fixture, line_of, linear, process

from engine.bpmn import CheckReport, check_bpmn

HAND_EDITING = ("手工", "hand editing", "damaged")


def _only(report: CheckReport) -> tuple[str, str, int | None]:
    (problem,) = report.problems
    return problem.code, problem.message, problem.line


def test_an_undeclared_prefix_is_a_namespace_problem_with_the_fix() -> None:
    declaration = b'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    data = process(linear(("Task_a", "受理申请"))).replace(declaration, b"")
    code, message, line = _only(check_bpmn(data, "ns.bpmn"))
    assert code == "xml.namespace" and line is not None
    assert 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"' in message
    assert not any(word in message for word in HAND_EDITING)
    english = check_bpmn(data, "ns.bpmn", lang="en").problems[0].message
    assert "namespace" in english and not any(word in english for word in HAND_EDITING)


@pytest.mark.parametrize(("namespace", "words"), [
    (b"http://www.omg.org/spec/BPMN/20100501/MODEL", "草案"),
    (b"http://example.org/not-bpmn", "命名空间是“http://example.org/not-bpmn”"),
])
def test_definitions_in_another_namespace_say_so(namespace: bytes, words: str) -> None:
    data = fixture("descriptive.bpmn").replace(b"http://www.omg.org/spec/BPMN/20100524/MODEL", namespace)
    code, message, line = _only(check_bpmn(data, "old.bpmn"))
    assert code == "xml.bpmn_namespace" and words in message and line is not None


def test_definitions_without_a_namespace() -> None:
    data = b'<?xml version="1.0"?>\n<definitions id="D"><process id="P"/></definitions>\n'
    code, message, _ = _only(check_bpmn(data, "plain.bpmn"))
    assert code == "xml.bpmn_namespace" and "没有命名空间" in message


def test_an_encoding_mismatch_is_not_blamed_on_hand_editing() -> None:
    text = fixture("descriptive.bpmn").decode("utf-8")
    code, message, line = _only(check_bpmn(text.encode("gbk"), "gbk.bpmn"))
    assert code == "xml.encoding" and line is not None
    assert "UTF-8" in message and not any(word in message for word in HAND_EDITING)
    assert "Input is not proper" not in message and "bytes" not in message


def test_utf16_without_a_byte_order_mark_is_read_when_declared() -> None:
    text = fixture("descriptive.bpmn").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    for codec in ("utf-16-le", "utf-16-be"):
        report = check_bpmn(text.encode(codec), "utf16.bpmn")
        assert report.displayable and report.verdict == "displayable", [p.message for p in report.problems]


def test_utf16_without_a_byte_order_mark_or_declaration_is_not_called_binary() -> None:
    text = fixture("descriptive.bpmn").decode("utf-8").split("\n", 1)[1]  # without the XML declaration
    code, message, line = _only(check_bpmn(text.encode("utf-16-le"), "utf16.bpmn"))
    assert code == "xml.utf16_undeclared" and line == 1
    assert "二进制" not in message and "UTF-16" in message


def _schema(data: bytes, lang: str = "zh") -> list[tuple[str, str, str | None, int | None]]:
    report = check_bpmn(data, "x.bpmn", lang=lang)
    return [(p.code, p.message, p.element_id, p.line) for p in report.problems if p.code.startswith("xsd.")]


def test_a_missing_child_element_is_said_in_chinese() -> None:
    data = process(linear(("Task_a", "受理申请")).replace(
        '<bpmn:userTask id="Task_a" name="受理申请"></bpmn:userTask>',
        '<bpmn:userTask id="Task_a" name="受理申请">\n<bpmn:dataInputAssociation id="Assoc_1">'
        "<bpmn:sourceRef>Task_a</bpmn:sourceRef></bpmn:dataInputAssociation>\n</bpmn:userTask>"))
    ((code, message, element, line),) = _schema(data)
    assert code == "xsd.missing_child" and element == "Assoc_1" and line == line_of(data, 'id="Assoc_1"')
    assert "bpmn:dataInputAssociation" in message and "bpmn:targetRef" in message
    assert "Missing child" not in message and "Expected is" not in message
    ((_, english, _, _),) = _schema(data, "en")
    assert "lacks a required child element" in english and "Expected is" not in english


def test_an_element_out_of_place_says_what_belongs_there() -> None:
    data = process(linear(("Task_a", "受理申请")).replace(
        '<bpmn:startEvent id="StartEvent_1" name="开始" />',
        '<bpmn:startEvent id="StartEvent_1" name="开始"><bpmn:outgoing>Flow_0</bpmn:outgoing>'
        "<bpmn:documentation>说明</bpmn:documentation></bpmn:startEvent>"))
    ((code, message, _, _),) = _schema(data)
    assert code == "xsd.unexpected_element" and "bpmn:documentation" in message
    assert "此处应为 bpmn:outgoing" in message and "Expected" not in message


@pytest.mark.parametrize(("old", "new", "code", "words"), [
    ('cancelActivity="false"', 'cancelActivity="nein"', "xsd.bad_attribute", "“nein”不合规范，应为 true 或 false"),
    ('<bpmn:startEvent id="StartEvent_1"', '<bpmn:exclusiveGateway id="G" gatewayDirection="Sideways" />'
     '<bpmn:startEvent id="StartEvent_1"', "xsd.not_in_set", "可选：Unspecified、Converging、Diverging、Mixed"),
    ('<bpmn:startEvent id="StartEvent_1" name="开始" />', '<bpmn:startEvent id="StartEvent_1">文字</bpmn:startEvent>',
     "xsd.text_not_allowed", "不能直接写文字"),
    ('<bpmn:endEvent id="EndEvent_1"', '<bpmn:endEvent id="Task_a"', "xsd.duplicate_id", "Task_a"),
])
def test_schema_values_are_explained(old: str, new: str, code: str, words: str) -> None:
    data = process(linear(("Task_a", "受理申请"))).replace(old.encode(), new.encode(), 1)
    found = _schema(data)
    assert any(c == code and words in m for c, m, _, _ in found), found
    for _, message, _, _ in found:
        assert "atomic type" not in message and "Element '" not in message and "facet" not in message


def test_an_id_with_a_space_is_an_invalid_id_not_a_duplicate() -> None:
    data = process(linear(("Task_a", "受理申请"))).replace(b'id="EndEvent_1"', b'id="End 1"').replace(
        b'targetRef="EndEvent_1"', b'targetRef="End 1"')
    codes = [c for c, _, _, _ in _schema(data)]
    assert "xsd.invalid_id" in codes and "xsd.duplicate_id" not in codes


@pytest.mark.parametrize(("data", "code", "words"), [
    (b'<?xml version="1.0"?>\n<definitions>\n  <task>\n</definitions>\n', "xml.malformed", "<task>"),
    (b'<?xml version="1.0"?>\n<a>AT&T</a>\n', "xml.malformed", "&amp;"),
    (b'<?xml version="1.0"?>\n<a x="1" x="2"/>\n', "xml.malformed", "写了两次"),
    (b'<?xml version="1.0"?>\n<a>\n<b>\n', "xml.truncated", "<b>"),
    (b'<?xml version="1.0"?>\n<a>text \x01 here and more text so that it reads as text</a>\n', "xml.control_char",
     "控制字符"),
    (b'<?xml version="1.0" encoding="klingon"?>\n<a/>\n', "xml.unknown_encoding", "klingon"),
])
def test_xml_mistakes_are_explained_without_the_parser_s_english(data: bytes, code: str, words: str) -> None:
    problem = check_bpmn(data, "x.bpmn").problems[0]
    assert problem.code == code and words in problem.message and problem.line is not None
    assert "column" not in problem.message and "line" not in problem.message
