"""Rule D1: published powers must publish what their category requires."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from engine.catalog.drafts import Trigger
from engine.catalog.fields import missing_fields, required_fields
from engine.catalog.publish import publish
from engine.catalog.review import request_change
from engine.rules import d1_public_fields
from engine.store import CatalogChange
from tests.engine.catalog.conftest import LICENSE_BPMN, LICENSE_FIELDS


def test_required_fields_follow_the_seed_per_category():
    penalty = {f.key for f in required_fields("penalty")}
    assert {"legal_basis", "procedure", "penalty_kinds", "implementing_body", "place", "supervision_phone",
            "discretion_standard"} <= penalty
    assert "online_url" not in penalty
    license_ = {f.key for f in required_fields("license")}
    assert {"conditions", "fees", "promised_limit_days", "online_url", "service_guide", "forms", "faq",
            "supervision_phone"} <= license_
    assert {"levy_standard", "procedure"} <= {f.key for f in required_fields("levy")}


def test_missing_fields_names_what_is_empty():
    fields = {**LICENSE_FIELDS, "name": "x", "code": "c", "category": "license", "department": "d",
              "faq": [], "fees": {"charged": True, "standard": ""}}
    assert missing_fields("license", fields) == ["fees", "faq"]
    assert missing_fields("license", fields, has_external_flowchart=False)[-1] == "external_flowchart"


@time_machine.travel(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), tick=False)
def test_d1_flags_an_incomplete_published_power_and_not_a_complete_one(chain):
    rt = chain.rt
    good = request_change(rt, "add", department_id=chain.department.id, actor="mulu", reason="r",
                          trigger=Trigger("law", "法", None), category="license", name="完整的许可")
    thin = request_change(rt, "add", department_id=chain.department.id, actor="mulu", reason="r",
                          trigger=Trigger("law", "法", None), category="license", name="不完整的许可")
    with rt.sessions.begin() as s:
        for cid, fields in ((good.id, LICENSE_FIELDS), (thin.id, {**LICENSE_FIELDS, "faq": [], "online_url": ""})):
            change = s.get(CatalogChange, cid)
            change.fields = {**change.fields, **fields}
            change.internal_bpmn = change.external_bpmn = LICENSE_BPMN.decode()
            publish(s, change, actor="legacy-import", forms=rt.forms)  # e.g. migrated from an old system
    with rt.sessions() as s:
        findings = d1_public_fields.check(s)
    assert [(f.name, f.missing) for f in findings] == [("不完整的许可", ["online_url", "faq"])]
    assert findings[0].labels() == ["在线办理链接", "常见问题解答"]
