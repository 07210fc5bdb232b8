"""P2 — a decision without its evidence, or evidence changed after it was recorded (seed 003 第十条(二)5).

Two checks, neither refusing anything (the platform already refuses a decision step while the case holds no file
at all, DESIGN §4.7; the department explains):

- **Missing at the decision.** A decision step (property ``decision``) that also carries the property
  ``requiresMaterials = true`` must find a file for every item of the case's material list marked required
  (``engine/files/materials.py``). Completed without one, it raises a red alert on the step (subject
  ``evidence:<task id>``) naming the items. Any other step costs a dictionary lookup.
- **Changed since.** The nightly sweep (``engine/rules/nightly.py``) reads every stored file back and compares its
  SHA-256 with the one recorded at upload; a file whose bytes no longer match, or that the storage lost, raises a
  red alert on its case (subject ``file:<id>``, message ``P2@file``) with both hashes. ``changed_file`` raises
  the same alert for a reader (a download) that found it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.alerts import raise_alert
from engine.files.materials import material_list
from engine.files.storage import Storage, StorageError, key_of, local_storage
from engine.rules.step_properties import StepPropertiesCache, switched_on
from engine.runtime.hooks import StepEvent, StepHook
from engine.store import Alert, Case, Power
from engine.store.files import MATERIAL, Attachment

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.runtime.runtime import Runtime

RULE_ID = "P2"
SOURCE = "seed 003 第十条(二)5"
PROPERTY = "requiresMaterials"
#: Files read back per batch of the sweep.
BATCH = 200


def missing_materials(session: Session, case: Case) -> list[str]:
    """The required items of the case's material list no file was uploaded for, in the list's order."""
    required = [item.name for item in material_list(session, case) if item.required]
    if not required:
        return []
    held = set(session.execute(select(Attachment.material).where(
        Attachment.case_id == case.id, Attachment.kind == MATERIAL, Attachment.material.in_(required))).scalars())
    return [name for name in required if name not in held]


def check_step(event: StepEvent, properties: Mapping[str, str] | None) -> Alert | None:
    """Raise the red P2 alert for a completed decision step that requires materials and misses some."""
    if not properties or not switched_on(properties.get(PROPERTY)) or not switched_on(properties.get("decision")):
        return None
    session = event.session
    if session.execute(select(Power.status).where(Power.id == event.case.power_id)).scalar() == "internal":
        return None
    missing = missing_materials(session, event.case)
    if not missing:
        return None
    details = {"missing": missing, "names": "、".join(missing), "by": event.user.username}
    return raise_alert(session, event.case, subject=f"evidence:{event.task_id}", rule=RULE_ID,
                       step_name=event.step_name, due_at=None, details=details, actor=event.user.username)


def hook(rt: Runtime) -> StepHook:
    """The after-step hook the registry installs: a dictionary lookup for a step without ``requiresMaterials``."""
    steps = StepPropertiesCache(rt)

    def after_step(event: StepEvent) -> None:
        check_step(event, steps(event.session, event.case.process_version_id).get(event.bpmn_id))

    return after_step


@dataclass(frozen=True)
class _Stored:
    id: int
    case_id: int
    department_id: int
    display_name: str
    version: int
    sha256: str
    storage_key: str
    step_name: str | None


def _stored(rt: Runtime) -> Iterator[list[_Stored]]:
    """Every attachment with its case's department, ``BATCH`` at a time in id order (keyset)."""
    after = 0
    while True:
        with rt.reader() as session:
            rows = session.execute(
                select(Attachment.id, Attachment.case_id, Case.department_id, Attachment.display_name,
                       Attachment.version, Attachment.sha256, Attachment.storage_key, Attachment.step_name)
                .join(Case, Case.id == Attachment.case_id).where(Attachment.id > after)
                .order_by(Attachment.id).limit(BATCH)).all()
        if not rows:
            return
        yield [_Stored(*row) for row in rows]
        after = rows[-1][0]


def found_hash(storage: Storage, key: str) -> str | None:
    """The SHA-256 of what the storage holds under ``key`` now; None when it holds nothing."""
    try:
        return key_of(storage.read(key))
    except StorageError:
        return None


@dataclass(frozen=True)
class _Case:
    id: int
    department_id: int


def changed_file(session: Session, row: Any, found: str | None, *, at: datetime | None = None,
                 actor: str = "supervisor") -> Alert | None:
    """Raise the red P2 alert on a stored file (an ``Attachment`` or a row with its fields and ``department_id``)
    whose bytes hash to ``found`` (None: lost) instead of its recorded SHA-256."""
    department = getattr(row, "department_id", None)
    if department is None:
        department = session.execute(select(Case.department_id).where(Case.id == row.case_id)).scalar_one()
    details = {"file": row.id, "name": row.display_name, "version": row.version, "recorded": row.sha256,
               "found": found}
    return raise_alert(session, _Case(row.case_id, department), subject=f"file:{row.id}", rule=RULE_ID,
                       step_name=row.step_name, due_at=None, at=at, details=details, actor=actor)


def sweep(rt: Runtime, now: datetime, storage: Storage | None = None) -> int:
    """Read every stored file back and raise P2 on each whose bytes changed or went missing; the alerts raised."""
    storage = storage or local_storage(rt.settings.files_dir)
    raised = 0
    for batch in _stored(rt):
        changed = [(row, found) for row in batch
                   if (found := found_hash(storage, row.storage_key)) != row.sha256]
        if not changed:
            continue
        with rt.sessions.begin() as session:
            raised += sum(changed_file(session, row, found, at=now) is not None for row, found in changed)
    return raised
