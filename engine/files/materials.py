"""A case's material list (申请材料): the items the catalog published for its power, as they stood when the case
was registered (a later catalog change does not move the list a running case was accepted against)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store import Case, PowerVersion


@dataclass(frozen=True)
class MaterialItem:
    """One item of the list: its name, how many copies, whether it is required, and the catalog's note."""

    name: str
    copies: int
    required: bool
    note: str


def _item(raw: Any) -> MaterialItem | None:
    if isinstance(raw, str) and raw.strip():
        return MaterialItem(raw.strip(), 1, True, "")
    if not isinstance(raw, dict) or not str(raw.get("name") or "").strip():
        return None
    copies = raw.get("copies")
    return MaterialItem(str(raw["name"]).strip(), copies if isinstance(copies, int) and copies > 0 else 1,
                        raw.get("required") is not False, str(raw.get("note") or ""))


def items_of(fields: dict[str, Any]) -> list[MaterialItem]:
    """The material list in a power version's published ``fields`` (``materials``), in the catalog's order."""
    raw = fields.get("materials")
    items = [i for i in (_item(r) for r in raw) if i is not None] if isinstance(raw, list) else []
    seen: set[str] = set()
    return [i for i in items if not (i.name in seen or seen.add(i.name))]  # type: ignore[func-returns-value]


#: (database, power, moment) → the list in force then. Published versions never change and a case's moment is past,
#: so an answer found stays right; bounded, since every case has its own moment.
_IN_FORCE: OrderedDict[tuple[str, int, datetime], tuple[MaterialItem, ...]] = OrderedDict()
_KEEP = 4096


def material_list(session: Session, case: Case) -> list[MaterialItem]:
    """The material list of ``case``'s power as published when the case began (the first version if none was yet)."""
    # The database is part of the key: a process serving one database never misses by it, and one that opens
    # several (tests, tools) cannot mix their catalogs.
    key = (session.get_bind().url.render_as_string(), case.power_id, case.created_at)
    if key in _IN_FORCE:
        return list(_IN_FORCE[key])
    versions = select(PowerVersion.fields).where(PowerVersion.power_id == case.power_id)
    fields = session.execute(versions.where(PowerVersion.published_at <= case.created_at)
                             .order_by(PowerVersion.number.desc()).limit(1)).scalar()
    if fields is None:  # not remembered: the power's first publication may still come
        fields = session.execute(versions.order_by(PowerVersion.number).limit(1)).scalar()
        return items_of(fields or {})
    items = items_of(fields)
    _IN_FORCE[key] = tuple(items)
    if len(_IN_FORCE) > _KEEP:
        _IN_FORCE.popitem(last=False)
    return items


def materials_of_powers(session: Session, power_ids: Sequence[int]) -> dict[int, list[MaterialItem]]:
    """The material list each power publishes now (for registration, before any case exists), in one read."""
    if not power_ids:
        return {}
    newest = (select(PowerVersion.power_id, func.max(PowerVersion.number).label("number"))
              .where(PowerVersion.power_id.in_(power_ids)).group_by(PowerVersion.power_id).subquery())
    rows = session.execute(select(PowerVersion.power_id, PowerVersion.fields).join(
        newest, (newest.c.power_id == PowerVersion.power_id) & (newest.c.number == PowerVersion.number)))
    found = {power_id: items_of(fields or {}) for power_id, fields in rows}
    return {power_id: found.get(power_id, []) for power_id in power_ids}
