"""Run a draft flowchart in memory so its authors can click through it (the modeler's 模拟运行 mode).

Nothing is stored: the workflow is serialised to JSON (spec embedded) after every call and that text travels
to the browser and back as an opaque, optionally HMAC-signed token. A token is only ever used to simulate,
under the sandboxed script engine, with a simulated clock: ``workdays(n)`` counts from the simulated "now",
and :func:`advance_to_next_timer` moves that clock to the earliest armed timer and fires it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, EndEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.bpmn import SERIALIZER_CONFIG, BpmnError, load_process
from engine.calendar import WorkCalendar
from engine.forms import FormRegistry
from engine.runtime.inspect import armed_timers, form_of, ready_steps
from engine.sandbox import script_engine

#: Largest token accepted back from the browser, and largest workflow JSON inside it.
MAX_STATE_BYTES = 2_000_000
MAX_JSON_BYTES = 8_000_000
TOKEN_VERSION = 1

MESSAGES: dict[str, dict[str, str]] = {
    "bpmn": {"zh": "流程图无法运行：{details}", "en": "The flowchart cannot run: {details}"},
    "model": {"zh": "流程中的条件、脚本或时限表达式执行出错：{details}",
              "en": "A condition, script or time-limit expression in the flowchart failed: {details}"},
    "state.too_large": {"zh": "模拟状态过大，请重新开始模拟。",
                        "en": "The simulation state is too large; start again."},
    "state.invalid": {"zh": "模拟状态无效或已过期，请重新开始模拟。",
                      "en": "The simulation state is invalid or out of date; start again."},
    "task.not_ready": {"zh": "该环节当前不可办理。", "en": "This step cannot be completed now."},
    "timer.none": {"zh": "当前没有等待中的时限。", "en": "No time limit is running."},
    "finished": {"zh": "模拟已经结束。", "en": "The simulation has finished."},
    "empty": {"zh": "尚未保存流程图。", "en": "No flowchart has been saved yet."},
}


class SimError(Exception):
    """A simulation cannot go on; ``message(lang)`` says why in plain words."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The reason in ``lang`` (zh or en)."""
        texts = MESSAGES.get(self.code, {})
        return (texts.get(lang) or texts.get("zh") or self.code).format(**self.params)


@dataclass(frozen=True)
class SimField:
    """One input of a ready step's form."""

    name: str
    title: str
    kind: str
    required: bool
    choices: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SimTask:
    """A user step waiting to be completed."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    fields: list[SimField]
    due: str | None


@dataclass(frozen=True)
class SimTimer:
    """An armed timer event and when it fires (simulated time)."""

    element_id: str
    name: str
    due: str
    interrupting: bool
    attached_to: str | None


@dataclass
class SimState:
    """Where a simulation stands; ``token`` carries the workflow to the next call."""

    token: str
    now: str
    ready: list[SimTask]
    completed: list[str]
    active: list[str]
    flows: list[list[str]]
    timers: list[SimTimer]
    finished: bool
    end_id: str | None = None
    end_name: str | None = None
    fired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for the browser."""
        return asdict(self)


@dataclass
class SimContext:
    """What a simulation needs from the platform: forms, the working calendar, the signing key, language."""

    forms: FormRegistry | None = None
    calendar: WorkCalendar | None = None
    secret: bytes | None = None
    lang: str = "zh"
    timeout: float = 1.0


class _Clock:
    """Simulated time as an offset from the real clock, which SpiffWorkflow itself compares timers against.

    Timer values inside the workflow are kept in real time (simulated due − offset), so SpiffWorkflow fires a
    timer exactly when the simulated clock passes its due moment; moving simulated time shifts them.
    """

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    @property
    def now(self) -> datetime:
        return clock.now() + self.offset

    def to_real(self, moment: datetime) -> datetime:
        return moment - self.offset

    def to_sim(self, moment: datetime) -> datetime:
        return moment + self.offset


_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))


# ---- public API -----------------------------------------------------------------------------------


def start(xml: bytes, ctx: SimContext | None = None, *, now: datetime | None = None) -> SimState:
    """Load the flowchart's executable process and run it to its first wait."""
    ctx = ctx or SimContext()
    if not xml.strip():
        raise SimError("empty")
    try:
        loaded = load_process(xml, "simulation.bpmn", lang=ctx.lang)
    except BpmnError as exc:
        raise SimError("bpmn", details="；".join(p.message for p in exc.problems[:3])) from None
    sim_clock = _Clock((now - clock.now()) if now is not None else timedelta(0))
    workflow = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
    _attach(workflow, sim_clock, ctx)
    _run(workflow)
    return _view(workflow, sim_clock, ctx)


def step(state: SimState | str, task_id: str, data: Mapping[str, Any], ctx: SimContext | None = None) -> SimState:
    """Complete the ready user step ``task_id`` with ``data`` (form text is coerced to the form's types)."""
    ctx = ctx or SimContext()
    workflow, sim_clock = _restore(state, ctx)
    task = _find(workflow, task_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise SimError("task.not_ready")
    values, notes = _coerce(task, dict(data), ctx, today=clock.local(sim_clock.now).date())
    task.set_data(**values)
    try:
        task.run()
    except Exception as exc:  # model code in the task's own scripts
        raise SimError("model", details=_detail(exc)) from None
    _run(workflow)
    view = _view(workflow, sim_clock, ctx)
    view.notes = notes
    return view


def advance_to_next_timer(state: SimState | str, ctx: SimContext | None = None) -> SimState:
    """Move the simulated clock to the earliest armed timer and fire every timer due by then."""
    ctx = ctx or SimContext()
    workflow, sim_clock = _restore(state, ctx)
    if workflow.completed:
        raise SimError("finished")
    timers = armed_timers(workflow)
    if not timers:
        raise SimError("timer.none")
    # fire_at is in real time (see _Clock): jump just past the earliest one and shift every armed timer back.
    delta = max(timedelta(0), min(t.fire_at for t in timers) - clock.now() + timedelta(seconds=1))
    sim_clock.offset += delta
    for timer in timers:
        task = _find(workflow, timer.task_id)
        if task is not None:
            _shift_timer(task, -delta)
    before = {t.task_id: t for t in timers}
    try:
        workflow.refresh_timers()
    except Exception as exc:
        raise SimError("model", details=_detail(exc)) from None
    still = {t.task_id for t in armed_timers(workflow)}
    fired = [t.name or t.bpmn_id for tid, t in before.items() if tid not in still]
    _run(workflow)
    view = _view(workflow, sim_clock, ctx)
    view.fired = fired
    return view


# ---- token ---------------------------------------------------------------------------------------


def dump_token(workflow: BpmnWorkflow, offset: timedelta, secret: bytes | None) -> str:
    """The workflow (spec embedded) and the simulated clock's offset, compressed, base64url, signed if ``secret``."""
    payload = json.dumps({"v": TOKEN_VERSION, "offset": offset.total_seconds(),
                          "workflow": _SERIALIZER.serialize_json(workflow)})
    body = base64.urlsafe_b64encode(zlib.compress(payload.encode(), 6)).decode()
    return f"{body}.{_sign(body, secret)}" if secret else body


def load_token(token: str, secret: bytes | None) -> tuple[BpmnWorkflow, timedelta]:
    """Check size and signature, then rebuild the workflow; SimError when anything is off."""
    if not isinstance(token, str) or len(token) > MAX_STATE_BYTES:
        raise SimError("state.too_large" if isinstance(token, str) else "state.invalid")
    body = token
    if secret:
        body, _, signature = token.rpartition(".")
        if not body or not hmac.compare_digest(signature, _sign(body, secret)):
            raise SimError("state.invalid")
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(body.encode()), MAX_JSON_BYTES)
        if inflater.unconsumed_tail:
            raise SimError("state.too_large")
        payload = json.loads(raw)
        if payload.get("v") != TOKEN_VERSION:
            raise SimError("state.invalid")
        offset = timedelta(seconds=float(payload["offset"]))
        workflow = _SERIALIZER.deserialize_json(payload["workflow"])
        if not isinstance(workflow, BpmnWorkflow):
            raise SimError("state.invalid")
    except SimError:
        raise
    except Exception:  # whatever a damaged token makes the decoder or SpiffWorkflow raise
        raise SimError("state.invalid") from None
    return workflow, offset


def _sign(body: str, secret: bytes) -> str:
    return hmac.new(secret, b"sunshine-sim:" + body.encode(), hashlib.sha256).hexdigest()


# ---- internals -----------------------------------------------------------------------------------


def _restore(state: SimState | str, ctx: SimContext) -> tuple[BpmnWorkflow, _Clock]:
    token = state.token if isinstance(state, SimState) else state
    workflow, offset = load_token(token, ctx.secret)
    sim_clock = _Clock(offset)
    _attach(workflow, sim_clock, ctx)
    return workflow, sim_clock


def _attach(workflow: BpmnWorkflow, sim_clock: _Clock, ctx: SimContext) -> None:
    """Give the workflow the sandbox with calendar functions that read the simulated clock."""
    calendar = ctx.calendar or WorkCalendar()
    functions: dict[str, Callable[..., Any]] = {
        "workdays": lambda n: sim_clock.to_real(calendar.add_workdays(sim_clock.now, n)).isoformat(),
        "workhours": lambda n: sim_clock.to_real(calendar.add_workhours(sim_clock.now, n)).isoformat(),
    }
    workflow.script_engine = script_engine(functions, timeout=ctx.timeout)


def _run(workflow: BpmnWorkflow) -> None:
    """Run engine steps until the workflow waits for people or time; arm the timers so they have a due."""
    try:
        workflow.do_engine_steps()
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except Exception as exc:  # SpiffWorkflowException, SandboxError, NameError inside conditions…
        raise SimError("model", details=_detail(exc)) from None


def _shift_timer(task: Task, delta: timedelta) -> None:
    """Move an armed timer's stored due moment by ``delta`` (dates and cycles; anything else is left)."""
    value = task._get_internal_data("event_value")
    key = None
    if isinstance(value, dict):
        key, value = "next", value.get("next")
    if not isinstance(value, str):
        return
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    shifted = (moment + delta).isoformat()
    if key:
        task._get_internal_data("event_value")[key] = shifted
    else:
        task._set_internal_data(event_value=shifted)


def _detail(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:300]


def _find(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    try:
        return workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, KeyError, TypeError):
        return None
    except Exception:  # SpiffWorkflow's TaskNotFoundException
        return None


def _form_name(extensions: Mapping[str, Any]) -> str | None:
    name = form_of(extensions)
    if isinstance(name, str) and ":" in name:
        name = name.rsplit(":", 1)[-1]
    return name or None


def _fields(form_name: str | None, ctx: SimContext) -> list[SimField]:
    form = ctx.forms.get(form_name) if ctx.forms is not None and form_name else None
    if form is None:
        return []
    return [SimField(f.name, f.title, f.kind, f.required, [{"value": v, "title": t} for v, t in f.choices])
            for f in form.fields]


def _coerce(task: Task, raw: dict[str, Any], ctx: SimContext, *, today: date) -> tuple[dict[str, Any], list[str]]:
    """Typed values for the step's form, plus (non-blocking) notes on what a real case would refuse.

    Dates are checked as a real case would check them: against what earlier steps of the simulated case recorded
    and against the simulated day.
    """
    ext = dict(task.task_spec.extensions or {})
    name = _form_name(ext)
    form = ctx.forms.get(name) if ctx.forms is not None and name else None
    clean = {str(k): v for k, v in raw.items() if isinstance(k, str) and not k.startswith("_")}
    if form is None:
        return clean, []
    values = form.coerce({k: v for k, v in clean.items() if isinstance(v, str)})
    values.update({k: v for k, v in clean.items() if not isinstance(v, str)})
    titles = {f.name: f.title for f in form.fields}
    lang = ctx.lang if ctx.lang in ("zh", "en") else "zh"
    problems = form.validate(values, lang, case_data=dict(task.data), today=today)
    notes = [f"{titles.get(k, k)}：{msg}" for k, msg in problems.items()]
    return values, notes


def _nearest_bpmn(task: Task | None) -> Task | None:
    while task is not None and not _is_element(task):
        task = task.parent
    return task


def _is_element(task: Task) -> bool:
    spec = task.task_spec
    return bool(getattr(spec, "bpmn_id", None)) and not spec.name.endswith((".BoundaryEventSplit",
                                                                              ".BoundaryEventJoin"))


def _view(workflow: BpmnWorkflow, sim_clock: _Clock, ctx: SimContext) -> SimState:
    """What the browser shows: ready steps with their forms, done and running elements, timers, the end."""
    completed: list[str] = []
    active: list[str] = []
    flows: list[list[str]] = []
    for task in workflow.get_tasks():
        if not _is_element(task):
            continue
        bpmn_id = task.task_spec.bpmn_id
        if task.state == TaskState.COMPLETED:
            if bpmn_id not in completed:
                completed.append(bpmn_id)
        elif task.state in (TaskState.READY, TaskState.STARTED, TaskState.WAITING) and bpmn_id not in active:
            active.append(bpmn_id)
        if task.state in (TaskState.COMPLETED, TaskState.READY, TaskState.STARTED, TaskState.WAITING) \
                and not isinstance(task.task_spec, BoundaryEvent):
            source = _nearest_bpmn(task.parent)
            pair = [source.task_spec.bpmn_id, bpmn_id] if source is not None else None
            if pair and pair not in flows:
                flows.append(pair)
    armed = sorted(armed_timers(workflow), key=lambda t: t.fire_at)
    timers = [SimTimer(t.bpmn_id, t.name, sim_clock.to_sim(t.fire_at).isoformat(), t.interrupting, t.attached_name)
              for t in armed]
    due_by_task = {t.attached_task_id: sim_clock.to_sim(t.fire_at).isoformat() for t in armed if t.attached_task_id}
    ready = []
    for s in ready_steps(workflow):
        form = _form_name(s.extensions)
        ready.append(SimTask(s.task_id, s.bpmn_id, s.name, s.lane, form, _fields(form, ctx),
                             due_by_task.get(s.task_id)))
    end_id = end_name = None
    if workflow.completed:
        ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if isinstance(t.task_spec, EndEvent)]
        if ends:
            last = max(ends, key=lambda t: t.last_state_change)
            end_id, end_name = last.task_spec.bpmn_id, last.task_spec.bpmn_name or last.task_spec.bpmn_id
    token = dump_token(workflow, sim_clock.offset, ctx.secret)
    return SimState(token=token, now=sim_clock.now.isoformat(), ready=ready, completed=completed,
                    active=active,
                    flows=flows, timers=timers, finished=bool(workflow.completed), end_id=end_id, end_name=end_name)


__all__ = ["MAX_STATE_BYTES", "SimContext", "SimError", "SimField", "SimState", "SimTask", "SimTimer",
           "advance_to_next_timer", "dump_token", "load_token", "start", "step"]
