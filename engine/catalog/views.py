"""Read models for the catalog workspace: requests, a department's powers, versions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalog.drafts import IS_OPEN
from engine.catalog.visibility import visible_changes, visible_powers
from engine.store import CatalogChange, Department, OpenTask, Power, PowerVersion, StepRecord, User


def changes(session: Session, user: User,
            department_ids: list[int] | None) -> list[tuple[CatalogChange, Power, Department]]:
    """Requests ``user`` may see, newest first; ``None`` means every department."""
    query = (select(CatalogChange, Power, Department).join(Power, Power.id == CatalogChange.power_id)
             .join(Department, Department.id == CatalogChange.department_id).where(visible_changes(user))
             .order_by(CatalogChange.id.desc()))
    if department_ids is not None:
        query = query.where(CatalogChange.department_id.in_(department_ids or [-1]))
    return [(c, p, d) for c, p, d in session.execute(query).all()]


def powers(session: Session, user: User, department_ids: list[int] | None) -> list[tuple[Power, Department]]:
    """Powers ``user`` may see, by code; ``None`` means every department."""
    query = (select(Power, Department).join(Department, Department.id == Power.department_id)
             .where(Power.status != "internal", visible_powers(user)).order_by(Power.code))
    if department_ids is not None:
        query = query.where(Power.department_id.in_(department_ids or [-1]))
    return [(p, d) for p, d in session.execute(query).all()]


def open_requests(session: Session, power_ids: list[int]) -> dict[int, int]:
    """Power id → the id of its open adjustment request, for those of ``power_ids`` that have one."""
    if not power_ids:
        return {}
    query = (select(CatalogChange.power_id, CatalogChange.id)
             .where(CatalogChange.power_id.in_(power_ids), IS_OPEN))
    return {power_id: change_id for power_id, change_id in session.execute(query).all()}


@dataclass
class ChangeFile:
    change: CatalogChange
    power: Power
    department: Department
    published: PowerVersion | None
    open_step: OpenTask | None
    history: list[StepRecord]


def change_file(session: Session, change_id: int) -> ChangeFile | None:
    change = session.get(CatalogChange, change_id)
    if change is None:
        return None
    power = session.get(Power, change.power_id)
    department = session.get(Department, change.department_id)
    assert power is not None and department is not None
    published = session.execute(select(PowerVersion).where(PowerVersion.power_id == power.id)
                                .order_by(PowerVersion.number.desc()).limit(1)).scalar_one_or_none()
    step = history = None
    if change.review_case_id:
        step = session.execute(select(OpenTask).where(OpenTask.case_id == change.review_case_id)).scalars().first()
        history = list(session.execute(select(StepRecord).where(StepRecord.case_id == change.review_case_id)
                                       .order_by(StepRecord.id)).scalars())
    return ChangeFile(change, power, department, published, step, history or [])


def versions(session: Session, power_id: int) -> list[PowerVersion]:
    """A power's published versions, oldest first."""
    return list(session.execute(select(PowerVersion).where(PowerVersion.power_id == power_id)
                                .order_by(PowerVersion.number)).scalars())
