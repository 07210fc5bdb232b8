"""A step's form as staff meet it: the values it opens with, and what finished steps recorded, labelled.

The task page asks ``opening_values`` (a field the case already knows opens filled in, still editable); the case
page asks ``step_results`` (each finished step's submitted values under its form's field titles, a choice shown
by its title, in the reader's language when given a ``translate``). Both read the form of a step the way the
index does: ``formJsonSchemaFilename`` or ``formKey``.
``step_data`` is also what ``complete_task`` checks a step's dates against (``x-not-before-case``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException

from engine.forms import Field, Form, Translate
from engine.runtime.inspect import form_of

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime
    from engine.store import Case, StepRecord

#: Each post states its own opinion and reasons: the record must show who said what, so these never carry
#: over from an earlier step (every form of a process names them the same).
OWN_WORDS = frozenset({"opinion", "reason"})


def step_data(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
    """What the case holds as the step ``task_id`` sees it: the start data and whatever earlier steps filled in.

    Empty when the workflow has no such task (the step was worked meanwhile).
    """
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, TaskNotFoundException):
        return {}
    return dict(task.data) if task is not None else {}


def initial_values(form: Form, data: Mapping[str, Any]) -> dict[str, str]:
    """The text each field of ``form`` opens with: what ``data`` holds under the field's name, as the form's
    widgets show it. A choice may be held by its title (registration stores 证件类型 as 统一社会信用代码 where
    the form's value is ``uscc``); a value the field cannot show, and the step's own words, are left out."""
    out: dict[str, str] = {}
    for f in form.fields:
        if f.name in OWN_WORDS or f.name not in data:
            continue
        text = _as_text(f, data[f.name])
        if text is not None:
            out[f.name] = text
    return out


def _as_text(f: Field, value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if f.kind == "choice":
        return next((v for v, title in f.choices if str(value) in (v, title)), None)
    if f.kind == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else None
    if isinstance(value, bool):  # a yes/no answer is no text, number or date
        return None
    return str(value).strip() or None


def opening_values(rt: Runtime, case: Case, task_id: str, form: Form) -> dict[str, str]:
    """``initial_values`` of an open step of ``case``, read from its stored workflow (no lock, nothing kept).

    ``case`` must be attached to a session with its process version at hand.
    """
    return initial_values(form, step_data(rt.restore(case), task_id))


@dataclass(frozen=True)
class ResultField:
    """One submitted value under its form's title; ``value`` is a choice's title, a bool, a list, a mapping or text."""

    name: str
    title: str
    kind: str
    value: str | bool | dict[str, Any] | list[Any]


@dataclass(frozen=True)
class StepResult:
    """What a finished step recorded: the values (``shown``) and its yes/no checklist (``checks``)."""

    shown: list[ResultField] = field(default_factory=list)
    checks: list[ResultField] = field(default_factory=list)


def labelled(form: Form, data: Mapping[str, Any], translate: Translate | None = None) -> StepResult:
    """``data`` submitted with ``form`` in the form's field order, labelled by field titles (and a choice shown by
    its title) in the reader's language: through ``translate``, or as the form is ``localised`` already.

    The opinion is left out (the history shows it already), as are empty values and keys the form does not have.
    """
    result = StepResult()
    for f in form.localised(translate).fields:
        value = data.get(f.name)
        if f.name == "opinion" or value is None or value == "":
            continue
        if f.kind == "boolean" and isinstance(value, bool):
            result.checks.append(ResultField(f.name, f.title, f.kind, value))
            continue
        if f.kind == "choice":
            value = next((title for v, title in f.choices if v == str(value)), value)
        # A yes/no, list or mapping outside a yes/no field stays a value: the page words it (never ``True``).
        result.shown.append(ResultField(f.name, f.title, f.kind,
                                        value if isinstance(value, (bool, dict, list)) else str(value)))
    return result


def form_names(specs: Iterable[Any]) -> dict[str, str]:
    """BPMN id → form file name for every step of the given SpiffWorkflow process specs that names a form."""
    out: dict[str, str] = {}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            name = form_of(getattr(task_spec, "extensions", None) or {})
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if name and bpmn_id:
                out[bpmn_id] = name
    return out


def step_results(rt: Runtime, case: Case, history: Iterable[StepRecord],
                 translate: Translate | None = None) -> dict[int, StepResult]:
    """Step record id → its labelled values (``labelled``, titles through ``translate``), for the finished steps
    of ``case`` whose form can be read."""
    parsed = rt.codec.parsed_id(case.process_version_id, lambda: case.process_version)
    names = form_names([parsed.spec, *parsed.subprocess_specs.values()])
    out: dict[int, StepResult] = {}
    for record in history:
        name = names.get(record.bpmn_id)
        try:
            form = rt.forms.get(name) if name else None
        except ValueError:  # an unreadable form file: the step still shows its opinion
            form = None
        if form is not None and record.data:
            out[record.id] = labelled(form, record.data, translate)
    return out
