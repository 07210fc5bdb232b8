"""D1 as an alert: the nightly sweep raises a red alert for each published power that lacks a required public field
(``d1_public_fields.check``, the same findings the catalog page shows).

An alert needs a case; a power's catalog entry has none, so the alert goes on the review case (the catalog review,
``engine/catalog/review.py``) of the power's newest catalog change, addressed to the department the power belongs
to — the one that must complete the entry through a new change. Subject ``power:<id>``: one alert per power and
review case (a new change that still leaves a field out is alerted again on its own review case). A power published
without any review case (loaded by the demo or an import) is not alerted: the catalog page still lists it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.alerts import raise_alert
from engine.rules.d1_public_fields import RULE_ID, Finding, check
from engine.store import CatalogChange, Power

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime


@dataclass(frozen=True)
class _OnCase:
    id: int
    department_id: int


def review_cases(session: Session, power_ids: list[int]) -> dict[int, _OnCase]:
    """Power id → the review case of its newest catalog change that has one, with the power's department."""
    if not power_ids:
        return {}
    newest = (select(CatalogChange.power_id, func.max(CatalogChange.id).label("id"))
              .where(CatalogChange.power_id.in_(power_ids), CatalogChange.review_case_id.is_not(None))
              .group_by(CatalogChange.power_id).subquery())
    rows = session.execute(select(CatalogChange.power_id, CatalogChange.review_case_id, Power.department_id)
                           .join(newest, newest.c.id == CatalogChange.id)
                           .join(Power, Power.id == CatalogChange.power_id)).all()
    return {power_id: _OnCase(case_id, department_id) for power_id, case_id, department_id in rows}


def details(finding: Finding) -> dict[str, object]:
    return {"power": finding.power_id, "code": finding.code, "name": finding.name, "missing": finding.missing,
            "names": "、".join(finding.labels("zh")), "names_en": ", ".join(finding.labels("en"))}


def sweep(rt: Runtime, now: datetime) -> int:
    """Raise D1 for every published power missing a required public field; the alerts raised."""
    with rt.sessions.begin() as session:
        findings = check(session)
        cases = review_cases(session, [f.power_id for f in findings])
        raised = 0
        for finding in findings:
            case = cases.get(finding.power_id)
            if case is None:
                continue
            alert = raise_alert(session, case, subject=f"power:{finding.power_id}", rule=RULE_ID, step_name=None,
                                due_at=None, at=now, details=details(finding))
            raised += alert is not None
        return raised
