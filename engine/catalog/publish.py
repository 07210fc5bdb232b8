"""Put an approved adjustment in force: snapshot the fields, deploy the flowchart, update the power."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine import audit, clock
from engine.catalog import search
from engine.catalog.drafts import latest_version
from engine.catalog.posts import posts_for_lanes
from engine.forms import FormRegistry
from engine.runtime.deploy import deploy
from engine.store import CatalogChange, Power, PowerVersion

STATUS_AFTER = {"add": "published", "modify": "published", "cancel": "cancelled", "suspend": "suspended",
                "resume": "published"}


@dataclass(frozen=True)
class Approval:
    """What a version published without the review chain rests on (a migration import): the approving
    document's reference (批准文件文号) and who approved it (批准人)."""

    document: str
    approver: str


def publish(session: Session, change: CatalogChange, *, actor: str, forms: FormRegistry,
            approval: Approval | None = None) -> PowerVersion:
    """Publish ``change`` as the power's next version; secret powers run but stay out of the public index.

    The review process publishes at its last step; only a migration import publishes directly, and then
    ``approval`` is recorded on the version and in the audit event.
    """
    power = session.get(Power, change.power_id)
    assert power is not None
    now = clock.now()
    fields = dict(change.fields)
    process_version_id = None
    if change.kind in ("add", "modify") and change.internal_bpmn:
        version = deploy(session, change.internal_bpmn.encode(), f"{power.code}.bpmn", author=actor, forms=forms,
                         posts=posts_for_lanes(session, change.department_id),
                         promised_limit_days=fields.get("promised_limit_days") or None,
                         legal_limit_days=fields.get("legal_limit_days") or None, process_key=power.code)
        process_version_id = version.id
        power.process_key = power.code
        power.name = fields.get("name") or power.name
        power.legal_limit_days = int(fields.get("legal_limit_days") or 0)
        power.promised_limit_days = int(fields.get("promised_limit_days") or 0)
    elif (previous := latest_version(session, power.id)) is not None:
        process_version_id = previous.process_version_id
    power.status = STATUS_AFTER[change.kind]
    previous = latest_version(session, power.id)
    snapshot = PowerVersion(power_id=power.id, number=(previous.number + 1) if previous else 1, change_id=change.id,
                            fields=fields, internal_bpmn=change.internal_bpmn, external_bpmn=change.external_bpmn,
                            process_version_id=process_version_id, status=power.status, published_at=now,
                            published_by=actor, approval_document=approval.document if approval else None,
                            approved_by=approval.approver if approval else None)
    session.add(snapshot)
    change.status, change.published_at = "published", now
    session.flush()
    search.reindex(session, power, snapshot)
    payload = {"change": change.id, "power": power.code, "version": snapshot.number, "status": power.status}
    if approval is not None:
        payload |= {"via": "migration_import", "approval_document": approval.document,
                    "approved_by": approval.approver}
    audit.record(session, actor, f"catalog.publish.{change.kind}", payload=payload, at=now)
    return snapshot
