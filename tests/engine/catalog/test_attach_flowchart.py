"""Attaching a flowchart to a draft: what is stored is what the rest of the platform reads, and a refusal says so."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.bpmn import check_bpmn
from engine.catalog.drafts import Trigger, attach_flowchart, readiness, store_flowchart, update_fields
from engine.catalog.publish import publish
from engine.catalog.review import request_change
from engine.store import AuditEvent, CatalogChange, ProcessVersion
from tests.engine.catalog.conftest import LICENSE_BPMN, LICENSE_FIELDS

TEXT = LICENSE_BPMN.decode("utf-8")
assert TEXT.startswith('<?xml version="1.0" encoding="UTF-8"?>')
UTF16 = TEXT.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).encode("utf-16")  # with its byte-order mark
UTF16_BE_NO_DECL = TEXT.split("?>", 1)[1].lstrip().encode("utf-16-be")
BOM_UTF8 = b"\xef\xbb\xbf" + LICENSE_BPMN
GBK = TEXT.replace('encoding="UTF-8"', "encoding='GBK'", 1).encode("gbk")


def _draft(chain) -> int:
    change = request_change(chain.rt, "add", department_id=chain.department.id, actor="mulu", reason="新法施行",
                            trigger=Trigger("law", "《测试条例》", date(2026, 11, 16)), category="license",
                            name="食品经营许可（新办）")
    with chain.rt.sessions.begin() as s:
        assert update_fields(s, s.get(CatalogChange, change.id), LICENSE_FIELDS, actor="mulu") == {}
    return change.id


def _body(text: str) -> str:
    return text.split("?>", 1)[1].lstrip() if text.startswith("<?xml") else text


def _attach_events(s) -> int:
    return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("catalog.attach.%")))


@pytest.mark.parametrize("data", [UTF16, BOM_UTF8, GBK, b"\xfe\xff" + UTF16_BE_NO_DECL],
                         ids=["utf16-declared", "utf8-bom", "gbk-declared", "utf16be-bom"])
def test_a_valid_flowchart_in_another_encoding_is_stored_as_utf8_text_that_deploys(chain, data):
    change_id = _draft(chain)
    with chain.rt.sessions.begin() as s:
        change = s.get(CatalogChange, change_id)
        before = _attach_events(s)
        result = store_flowchart(s, change, "internal", data, actor="mulu", forms=chain.rt.forms)
        assert result.stored and result.problems == []
        assert _attach_events(s) == before + 1
        stored = change.internal_bpmn
        assert not stored.startswith("\ufeff")
        assert "UTF-16" not in stored[:100] and "GBK" not in stored[:100]
        assert _body(stored) == _body(TEXT)  # the document itself is unchanged
        assert check_bpmn(stored.encode("utf-8"), "stored.bpmn").executable  # how deploy and the modeler read it
        assert store_flowchart(s, change, "external", data, actor="mulu", forms=chain.rt.forms).stored
        assert check_bpmn(change.external_bpmn.encode("utf-8"), "external.bpmn").displayable
        assert readiness(s, change, chain.rt.forms) == []
        version = publish(s, change, actor="mulu", forms=chain.rt.forms)
        assert s.get(ProcessVersion, version.process_version_id) is not None


def test_utf8_without_bom_is_stored_byte_for_byte(chain):
    change_id = _draft(chain)
    with chain.rt.sessions.begin() as s:
        change = s.get(CatalogChange, change_id)
        assert attach_flowchart(s, change, "internal", LICENSE_BPMN, actor="mulu", forms=chain.rt.forms) == []
        assert change.internal_bpmn == TEXT


@pytest.mark.parametrize(("data", "code"), [
    (b"", "xml.empty"),
    (b"   \n", "xml.empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "xml.binary"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "e">]>\n' + LICENSE_BPMN.split(b"?>", 1)[1], "xml.doctype"),
    (TEXT.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).replace("<?xml", '<!DOCTYPE x>\n<?xml', 1)
     .encode("utf-16"), "xml.doctype"),
    (b"name,code\n\xe9\xa3\x9f\xe5\x93\x81,1\n", "xml.not_xml"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "xml.not_bpmn"),
    (LICENSE_BPMN.rsplit(b"</bpmn:definitions>", 1)[0], "xml.truncated"),
], ids=["empty", "blank", "binary", "doctype", "doctype-utf16", "csv", "svg", "truncated"])
def test_an_unreadable_file_is_not_stored_and_says_why(chain, data, code):
    change_id = _draft(chain)
    with chain.rt.sessions.begin() as s:
        change = s.get(CatalogChange, change_id)
        assert store_flowchart(s, change, "internal", LICENSE_BPMN, actor="mulu", forms=chain.rt.forms).stored
        before = _attach_events(s)
        result = store_flowchart(s, change, "internal", data, actor="mulu", forms=chain.rt.forms)
        assert not result.stored
        assert [p.code for p in result.problems] == [code] and result.problems[0].message
        assert change.internal_bpmn == TEXT  # the previous flowchart stays
        assert _attach_events(s) == before  # nothing changed, nothing recorded
        assert attach_flowchart(s, change, "internal", data, actor="mulu", forms=chain.rt.forms) == result.problems
