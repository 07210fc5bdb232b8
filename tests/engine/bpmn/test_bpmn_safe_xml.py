"""Hostile and broken input never escapes as an exception: it becomes a located problem."""

from __future__ import annotations

import pytest
from bpmn_builder import fixture, linear, process

from engine.bpmn import BpmnError, check_bpmn, parse_xml


def _codes(data: bytes, **kwargs: object) -> list[str]:
    report = check_bpmn(data, "x.bpmn", **kwargs)  # type: ignore[arg-type]
    assert not report.ok and not report.executable and not report.displayable
    return [p.code for p in report.problems]


def test_malformed_xml_is_located() -> None:
    data = b'<?xml version="1.0"?>\n<definitions>\n  <task>\n</definitions>\n'
    report = check_bpmn(data, "broken.bpmn")
    (problem,) = report.problems
    assert problem.code == "xml.malformed"
    assert problem.line == 4
    assert "task" in problem.message


def test_gbk_declared_as_utf8_is_an_encoding_problem() -> None:
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions name="受理申请"/>\n'
    report = check_bpmn(text.encode("gbk"), "gbk.bpmn")
    (problem,) = report.problems
    assert problem.code == "xml.encoding"
    assert problem.line == 2
    assert "GBK" in problem.message


def test_gbk_declared_as_gbk_is_accepted() -> None:
    text = '<?xml version="1.0" encoding="GBK"?>\n<root name="受理申请"/>\n'
    tree = parse_xml(text.encode("gbk"), "gbk.xml")
    assert tree.getroot().get("name") == "受理申请"


@pytest.mark.parametrize("data", [b"", b"   \n\t\n"])
def test_empty_file(data: bytes) -> None:
    assert _codes(data) == ["xml.empty"]


def test_binary_junk() -> None:
    junk = bytes(range(256)) * 8
    assert _codes(junk) == ["xml.binary"]


def test_png_header_without_nul_in_the_first_bytes_is_binary() -> None:
    junk = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 32)) * 20
    assert _codes(junk) == ["xml.binary"]


def test_plain_text_is_not_xml() -> None:
    assert _codes("这是一份说明文字，不是流程图。".encode()) == ["xml.not_xml"]


def test_svg_is_xml_but_not_bpmn() -> None:
    report = check_bpmn(fixture("logo.svg"), "logo.svg")
    (problem,) = report.problems
    assert problem.code == "xml.not_bpmn"
    assert problem.line == 2
    assert "svg" in problem.message


def test_xxe_doctype_is_refused_without_reading_the_file() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>\n'
    )
    report = check_bpmn(data, "xxe.bpmn")
    (problem,) = report.problems
    assert problem.code == "xml.doctype"
    assert problem.line == 2
    assert "root:" not in problem.message


def test_xxe_in_utf16_is_refused() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE a SYSTEM "http://example.org/a.dtd">\n<a/>'
    assert _codes(text.encode("utf-16")) == ["xml.doctype"]


def test_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>\n<lolz>&lol9;</lolz>'
    assert _codes(data.encode()) == ["xml.doctype"]


def test_entity_reference_without_doctype_is_malformed_not_resolved() -> None:
    assert _codes(b"<a>&xxe;</a>") == ["xml.malformed"]


def test_oversize_file_by_argument() -> None:
    data = process(linear(("Task_a", "受理申请")))
    report = check_bpmn(data, "big.bpmn", max_bytes=100)
    (problem,) = report.problems
    assert problem.code == "xml.too_large"
    assert str(len(data)) in problem.message


def test_oversize_file_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_BYTES", "1024")
    data = b"<a>" + b" " * 2000 + b"</a>"
    with pytest.raises(BpmnError) as info:
        parse_xml(data, "big.bpmn")
    assert [p.code for p in info.value.problems] == ["xml.too_large"]


def test_truncated_file() -> None:
    data = process(linear(("Task_a", "受理申请")))
    assert _codes(data[: len(data) // 2]) in (["xml.truncated"], ["xml.malformed"])


def test_english_messages() -> None:
    report = check_bpmn(b"", "x.bpmn", lang="en")
    assert report.problems[0].message == "The file is empty; it contains no flowchart."
