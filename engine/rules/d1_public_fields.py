"""D1 — a published power lacks public fields its category must publish (seed 000 第十四条, seed 003 第十条(一))."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.catalog.fields import FIELD_BY_KEY, missing_fields
from engine.store import Power, PowerVersion

RULE_ID = "D1"
SOURCE = "seed 000 第十四条; seed 003 第十条(一)"


@dataclass(frozen=True)
class Finding:
    power_id: int
    code: str
    name: str
    missing: list[str]

    def labels(self, lang: str = "zh") -> list[str]:
        """The missing fields as the public reads their names."""
        flow = "外部流程图" if lang == "zh" else "External flowchart"
        return [FIELD_BY_KEY[k].label(lang) if k in FIELD_BY_KEY else flow for k in self.missing]


def check(session: Session) -> list[Finding]:
    """Every published, non-secret power whose newest published version misses a required public field."""
    newest = (select(PowerVersion.power_id, func.max(PowerVersion.number).label("n"))
              .group_by(PowerVersion.power_id).subquery())
    rows = session.execute(
        select(Power, PowerVersion)
        .join(newest, newest.c.power_id == Power.id)
        .join(PowerVersion, (PowerVersion.power_id == Power.id) & (PowerVersion.number == newest.c.n))
        .where(Power.status == "published", Power.secret.is_(False)).order_by(Power.code)
    ).all()
    findings = []
    for power, version in rows:
        missing = missing_fields(power.category, version.fields, has_external_flowchart=bool(version.external_bpmn))
        if missing:
            findings.append(Finding(power.id, power.code, power.name, missing))
    return findings
