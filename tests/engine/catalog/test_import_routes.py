"""A catalog import publishes nothing without the review chain, unless it is a migration carrying its approval;
rows whose text holds invisible characters or NUL are refused with a reason, not a system error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from engine.catalog import review
from engine.catalog.export import export_json
from engine.catalog.importer import ThroughReview, approval_problems, import_catalog
from engine.catalog.publish import Approval
from engine.identity import ensure_region
from engine.runtime.runtime import Runtime
from engine.store import AuditEvent, CatalogChange, OpenTask, Post, Power, PowerVersion
from tests.engine.catalog.test_export_import import ACTOR, build_catalog, do_import, runtime_for


@pytest.fixture
def rt(db) -> Runtime:  # type: ignore[no-untyped-def]
    return runtime_for(db)


@pytest.fixture
def codes(rt: Runtime) -> dict[str, str]:
    """A licence, a suspended penalty, a confirmation and a secret confirmation, published (test_export_import)."""
    return build_catalog(rt)


@pytest.fixture
def reviewed(rt: Runtime) -> Runtime:
    """The catalog of ``codes`` with the platform's review process installed, as on a real platform."""
    with rt.sessions.begin() as s:
        region = ensure_region(s, "519900", "示范市")
        review.install(s, rt, region, legal=("SFJ", "示范市司法局"), government=("ZFB", "示范市人民政府办公室"))
    return rt


def _rows(rt: Runtime, codes: dict[str, str], **changes: dict[str, Any]) -> list[dict[str, Any]]:
    with rt.reader() as s:
        powers = {p["code"]: p for p in json.loads(export_json(s))["powers"]}
    return [powers[codes[role]] | change for role, change in changes.items()]


def _file(rows: list[dict[str, Any]]) -> bytes:
    return json.dumps({"powers": rows}, ensure_ascii=False).encode()


def test_an_ordinary_import_opens_adjustment_requests_under_review_and_publishes_nothing(reviewed, codes):
    rows = _rows(reviewed, codes, confirmation={"phone": "0837-9999999"})
    rows.append(rows[0] | {"code": None, "name": "导入新增确认"})
    with reviewed.sessions.begin() as s:
        before = s.execute(select(PowerVersion.id)).scalars().all()
        report = import_catalog(s, _file(rows), "目录.json", actor=ACTOR, forms=reviewed.forms,
                                route=ThroughReview(reviewed))
    assert report.error is None and not report.rejected and report.migration is None
    assert [r.action for r in report.accepted] == ["request", "request"]
    assert report.accepted[0].action_label("zh") == f"已建调整申请 #{report.accepted[0].change_id}"
    with reviewed.reader() as s:
        assert s.execute(select(PowerVersion.id)).scalars().all() == before  # nothing new is in force
        changes = [s.get(CatalogChange, r.change_id) for r in report.accepted]
        assert [(c.kind, c.status) for c in changes] == [("modify", "draft"), ("add", "draft")]
        assert changes[0].fields["phone"] == "0837-9999999"
        new_power = s.get(Power, changes[1].power_id)
        assert new_power.status == "draft" and new_power.name == "导入新增确认"
        # Each waits at 编制并提交调整申请 in the inbox of the department's 目录管理, as a request opened by hand.
        for change in changes:
            [step] = s.execute(select(OpenTask).where(OpenTask.case_id == change.review_case_id)).scalars()
            post = s.get(Post, step.post_id)
            assert (post.name, post.department_id) == (review.CATALOG_POST, change.department_id)
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "catalog.import")).scalar_one()
        assert event.payload["route"] == "review" and event.payload["accepted"] == 2


def test_a_review_import_refuses_a_row_that_would_need_two_requests(reviewed, codes):
    rows = _rows(reviewed, codes, penalty={"status": "published", "phone": "0837-1111111"})
    with reviewed.sessions.begin() as s:
        report = import_catalog(s, _file(rows), "x.json", actor=ACTOR, forms=reviewed.forms,
                                route=ThroughReview(reviewed))
    [row] = report.rejected
    assert "需要两个调整申请" in row.reasons[0]


def test_a_review_import_without_the_review_process_imports_nothing_and_says_why(rt, codes):
    rows = _rows(rt, codes, confirmation={"phone": "0837-9999999"})
    with rt.sessions.begin() as s:
        report = import_catalog(s, _file(rows), "x.json", actor=ACTOR, forms=rt.forms, route=ThroughReview(rt))
    assert report.error is not None and "目录审核流程" in report.error and not report.accepted


def test_a_migration_import_publishes_on_its_approval_recorded_on_the_version_and_in_the_audit_log(rt, codes):
    rows = _rows(rt, codes, confirmation={"phone": "0837-9999999"})
    report = do_import(rt, _file(rows), "迁移.json", route=Approval(" 示府函〔2026〕12号 ", "王市长"))
    assert report.migration == Approval("示府函〔2026〕12号", "王市长")
    [row] = report.accepted
    assert row.action == "modify"
    with rt.reader() as s:
        version = s.execute(select(PowerVersion).where(PowerVersion.change_id == row.change_id)).scalar_one()
        assert (version.approval_document, version.approved_by) == ("示府函〔2026〕12号", "王市长")
        assert version.fields["phone"] == "0837-9999999"
        published = s.execute(select(AuditEvent).where(AuditEvent.action == "catalog.publish.modify")
                              .order_by(AuditEvent.id.desc())).scalars().first()
        assert published.payload["via"] == "migration_import"
        assert published.payload["approval_document"] == "示府函〔2026〕12号"
        assert published.payload["approved_by"] == "王市长"
        summary = s.execute(select(AuditEvent).where(AuditEvent.action == "catalog.import")).scalar_one()
        assert summary.payload["route"] == "migration" and summary.payload["approved_by"] == "王市长"
        # What review published carries no approval: the two routes stay apart on the power's versions.
        first = s.execute(select(PowerVersion).where(PowerVersion.number == 1)).scalars().first()
        assert first.approval_document is None and first.approved_by is None


@pytest.mark.parametrize(("approval", "expected"), [
    (Approval("", "王市长"), {"document": "迁移导入须填写批准文件文号。"}),
    (Approval("示府函〔2026〕12号", "  "), {"approver": "迁移导入须填写批准人。"}),
    (Approval("示" * 301, "王市长"), {"document": "「批准文件文号」过长，最多 300 个字。"}),
    (Approval("示府函", "王\u202e长"),
     {"approver": "「批准人」含有不可见字符 U+202E RIGHT-TO-LEFT OVERRIDE（从右至左强制），请删除后重新输入。"}),
])
def test_a_migration_without_a_usable_approval_imports_nothing(rt, codes, approval, expected):
    assert approval_problems(approval) == expected
    rows = _rows(rt, codes, confirmation={"phone": "0837-9999999"})
    report = do_import(rt, _file(rows), "x.json", route=approval)
    assert report.error == " ".join(expected.values()) and not report.accepted


def test_invisible_characters_and_nul_in_a_row_are_its_reasons_not_a_system_error(rt, codes):
    rows = _rows(rt, codes, confirmation={"code": None, "name": "张\u202eRTL\u200b零宽"})
    rows += [rows[0] | {"name": "空字符确认", "conditions": "条件\x00说明"},
             rows[0] | {"name": "代理项确认", "phone": "0837\ud800"},
             rows[0] | {"name": "流程图空字符", "internal_bpmn": rows[0]["internal_bpmn"].replace("</", "\x00</", 1)},
             rows[0] | {"name": "多行说明", "conditions": "第一行\n第二行\t制表"}]
    report = do_import(rt, json.dumps({"powers": rows}).encode(), "行.json")
    reasons = {r.row: r.reasons for r in report.rejected}
    assert reasons[1] == ("「事项名称」含有不可见字符 U+202E RIGHT-TO-LEFT OVERRIDE（从右至左强制），"
                          "请在文件中删除后重新导入。",)
    assert reasons[2] == ("「受理条件」含有不可见字符 U+0000 NULL（空字符），请在文件中删除后重新导入。",)
    assert reasons[3][0].startswith("「联系电话」含有不可见字符 U+D800 UNPAIRED SURROGATE")
    assert reasons[4][0].startswith("「内部流程图（BPMN）」含有不可见字符 U+0000 NULL")
    assert [r.name for r in report.accepted] == ["多行说明"]  # a long text keeps its own line breaks and tabs
    assert [r.name for r in report.rejected][:1] == ["张\ufffdRTL\ufffd零宽"]  # shown without spoofing the page


def test_a_time_limit_beyond_any_calendar_is_a_rows_reason(rt, codes):
    rows = _rows(rt, codes, confirmation={"code": None, "name": "超长时限", "legal_limit_days": 10**20,
                                          "promised_limit_days": 10**19})
    [row] = do_import(rt, _file(rows), "x.json").rejected
    assert "「法定时限（工作日）」不能超过 2500 个工作日。" in row.reasons
