"""What the case and step pages show of a case's files: the material checklist and the evidence of each step,
every slot with its versions (newest first), and whether a decision has locked them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.files.lock import decided
from engine.files.materials import MaterialItem, material_list
from engine.runtime.runtime import Runtime
from engine.store import Case, StepRecord
from engine.store.files import EVIDENCE, MATERIAL, Attachment


@dataclass
class Slot:
    """A material item or a step, with the files uploaded for it (newest version first)."""

    title: str
    kind: str
    item: MaterialItem | None = None
    task_id: str | None = None
    versions: list[Attachment] = field(default_factory=list)

    @property
    def current(self) -> Attachment | None:
        return self.versions[0] if self.versions else None


@dataclass
class CaseFiles:
    materials: list[Slot]
    evidence: list[Slot]
    #: The name of the completed decision step that locked materials and earlier evidence, if any.
    locked_by: str | None

    @property
    def count(self) -> int:
        return sum(len(s.versions) for s in (*self.materials, *self.evidence))

    def evidence_of(self, task_id: str) -> Slot:
        """The evidence slot of step ``task_id`` (empty when it has no file yet)."""
        return next((s for s in self.evidence if s.task_id == task_id), Slot("", EVIDENCE, task_id=task_id))


def case_files(rt: Runtime, session: Session, case: Case, history: Sequence[StepRecord] | None = None) -> CaseFiles:
    """The material checklist (every item of the list, uploaded or not, then any file of an item the list no longer
    names) and the evidence of each step that has some, in upload order. ``history`` (the case's step records, when
    the page has read them) saves a read."""
    rows = list(session.execute(select(Attachment).where(Attachment.case_id == case.id)
                                .order_by(Attachment.id.desc())).scalars())
    materials = [Slot(item.name, MATERIAL, item=item) for item in material_list(session, case)]
    by_name = {s.title: s for s in materials}
    evidence: dict[str, Slot] = {}
    for row in reversed(rows):  # oldest first, so slots appear in upload order
        if row.kind == MATERIAL and row.material not in by_name:
            by_name[row.material or ""] = Slot(row.material or "", MATERIAL)
            materials.append(by_name[row.material or ""])
        elif row.kind == EVIDENCE and row.task_id not in evidence:
            evidence[row.task_id or ""] = Slot(row.step_name or "", EVIDENCE, task_id=row.task_id)
    for row in rows:  # newest first within each slot
        slot = by_name[row.material or ""] if row.kind == MATERIAL else evidence[row.task_id or ""]
        slot.versions.append(row)
    decision = decided(rt, session, case, history)
    return CaseFiles(materials, list(evidence.values()), decision.name if decision is not None else None)
