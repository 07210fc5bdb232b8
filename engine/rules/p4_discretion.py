"""P4 — a fine outside the published discretion range for the chosen circumstance (seed 003 第十条(二)7).

A penalty power's published ``discretion_standard`` (自由裁量基准) lists levels (情节: 轻微, 一般 …), each with a
``min_amount``–``max_amount`` range. Deviating with stated reasons can be lawful, so the rule raises a red alert
and never refuses the step.

Any flowchart's step is a penalty decision when its values hold ``circumstance`` and a number ``fine_amount``;
``decision_result``, when present, must be ``penalize`` (titled 给予行政处罚), and ``penalty_kind``, when present, a
fine (``fine`` / 罚款, or a list holding it) — without it a positive amount counts as a fine. The circumstance
matches the standard's levels by the form's choice title (the catalog's level text, e.g. 轻微 for ``minor``) or by
the stored value itself; bounds are inclusive, and several rows of one level allow the union of their ranges.
A circumstance the standard does not list is held to the whole standard (lowest minimum – highest maximum): no
level could allow an amount outside it. The standard applied is the power's newest published version, the one in
force when deciding; a power without a (well-formed) standard is not checked: D1 reports the missing public field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.alerts import raise_alert
from engine.catalog.drafts import latest_version
from engine.forms import Form
from engine.runtime.hooks import StepEvent, StepHook
from engine.store import Alert

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

RULE_ID = "P4"
SOURCE = "seed 003 第十条(二)7"

PENALIZE = frozenset({"penalize", "给予行政处罚"})
FINE = frozenset({"fine", "罚款"})

Number = int | float
#: Field name → {stored value → choice title}, from the step's form.
Titles = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Range:
    level: str
    low: Number
    high: Number

    def holds(self, amount: Number) -> bool:
        return self.low <= amount <= self.high

    def distance(self, amount: Number) -> Number:
        return max(self.low - amount, amount - self.high, 0)


@dataclass(frozen=True)
class Finding:
    """The fine, the circumstance chosen (by its title) and the published range it lies outside."""

    circumstance: str
    amount: Number
    low: Number
    high: Number
    #: False when the standard has no row for the circumstance and the range is the whole standard's.
    level_published: bool = True

    def details(self) -> dict[str, Any]:
        """The alert's ``details``: numbers, so each language formats them (``{amount:,}``)."""
        return {"circumstance": self.circumstance, "amount": self.amount, "low": self.low, "high": self.high,
                "level_published": self.level_published}


def _number(value: Any) -> Number | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if isinstance(value, float) and value.is_integer() else value


def looks_like_penalty(values: Mapping[str, Any]) -> bool:
    """Whether a step's values could be a fine decision: two lookups, so every other step pays nothing more."""
    return bool(values.get("circumstance")) and _number(values.get("fine_amount")) is not None


def _said(values: Mapping[str, Any], titles: Titles, name: str, words: frozenset[str]) -> bool | None:
    """Whether field ``name`` says one of ``words`` by value or choice title; None when the field is absent."""
    value = values.get(name)
    if value is None or value == "":
        return None
    given = value if isinstance(value, list) else [value]
    names = titles.get(name, {})
    return any(str(v) in words or names.get(str(v)) in words for v in given)


def is_fine_decision(values: Mapping[str, Any], titles: Titles | None = None) -> bool:
    """Whether the values decide to penalize with a fine, for a circumstance (see the module's conventions)."""
    titles = titles or {}
    if not looks_like_penalty(values) or _said(values, titles, "decision_result", PENALIZE) is False:
        return False
    kind = _said(values, titles, "penalty_kind", FINE)
    return kind if kind is not None else values["fine_amount"] > 0


def ranges(standard: Any) -> list[Range]:
    """The well-formed rows of a published discretion standard (a row without a level or numbers is skipped)."""
    out = []
    for row in standard if isinstance(standard, list) else []:
        if not isinstance(row, dict):
            continue
        level = str(row.get("level") or "").strip()
        low, high = _number(row.get("min_amount")), _number(row.get("max_amount"))
        if level and low is not None and high is not None and low <= high:
            out.append(Range(level, low, high))
    return out


def check(standard: Any, values: Mapping[str, Any], titles: Titles | None = None) -> Finding | None:
    """The P4 finding for a completed step's ``values`` against the power's published ``standard``, or None.

    ``titles`` are the step form's choice titles, through which a stored ``minor`` matches the level 轻微.
    """
    titles = titles or {}
    rows = ranges(standard)
    if not rows or not is_fine_decision(values, titles):
        return None
    amount = _number(values["fine_amount"])
    assert amount is not None
    chosen = str(values["circumstance"]).strip()
    title = str(titles.get("circumstance", {}).get(chosen, chosen)).strip()
    matching = [r for r in rows if r.level in (chosen, title)]
    if not matching:
        whole = Range(title, min(r.low for r in rows), max(r.high for r in rows))
        return None if whole.holds(amount) else Finding(title, amount, whole.low, whole.high, False)
    if any(r.holds(amount) for r in matching):
        return None
    nearest = min(matching, key=lambda r: r.distance(amount))  # of a level's several ranges, the one just missed
    return Finding(title, amount, nearest.low, nearest.high)


def choice_titles(form: Form | None) -> dict[str, dict[str, str]]:
    """A form's choice fields: name → {value → title}, in the form's own (Chinese) words."""
    return {f.name: dict(f.choices) for f in form.fields if f.kind == "choice"} if form is not None else {}


def published_standard(session: Session, power_id: int) -> Any:
    """The discretion standard of the power's newest published version (the one in force when deciding)."""
    version = latest_version(session, power_id)
    return version.fields.get("discretion_standard") if version is not None else None


def _step_form(rt: Runtime, event: StepEvent) -> Form | None:
    # The step's form names the choices (registry-cached).
    try:
        return rt.forms.get(event.form) if event.form else None
    except ValueError:  # an unreadable form file: match by the stored values alone
        return None


def check_step(rt: Runtime, event: StepEvent) -> Alert | None:
    """Raise the red P4 alert for a completed step whose fine lies outside the published range."""
    if not looks_like_penalty(event.values):
        return None
    titles = choice_titles(_step_form(rt, event))
    if not is_fine_decision(event.values, titles):
        return None  # e.g. 不予行政处罚, or a warning: nothing to compare, and no catalog read
    finding = check(published_standard(event.session, event.case.power_id), event.values, titles)
    if finding is None:
        return None
    return raise_alert(event.session, event.case, subject=event.task_id, rule=RULE_ID, step_name=event.step_name,
                       due_at=None, details=finding.details(), actor=event.user.username)


def hook(rt: Runtime) -> StepHook:
    """The after-step hook the registry installs (``engine/rules/registry.py``): checks every completed step."""

    def after_step(event: StepEvent) -> None:
        check_step(rt, event)

    return after_step


def install(rt: Runtime) -> None:
    """Check every completed step of every process (the registry installs every rule at once instead)."""
    rt.hooks.after_any(hook(rt))
