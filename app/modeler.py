"""The flowchart editor of a catalog adjustment: draw, check, save and simulate its BPMN in the browser."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from app import runtime, select_locale
from app.auth import role_required
from app.i18n import gettext
from app.inputs import BadJson, bounded_ids, is_id, json_body
from app.uploads import limit_body, read_bounded
from engine.bpmn import BpmnProblem
from engine.bpmn.messages import label, render
from engine.bpmn.problems import first_problems
from engine.bpmn.safe_xml import max_bytes_limit
from engine.catalog import simulate
from engine.catalog.access import EDITORS, may_model
from engine.catalog.drafts import EDITABLE, store_flowchart
from engine.catalog.lint import lint_for_department
from engine.catalog.posts import posts_for_lanes
from engine.catalog.visibility import may_see_change
from engine.runtime.errors import RuntimeProblem
from engine.store import CatalogChange, Department, Post, Power

bp = Blueprint("modeler", __name__, url_prefix="/catalog")
bounded_ids(bp)  # see app/inputs.py

ROLES = EDITORS  # who may reach the editor at all; may_model then decides per department
WHICH = ("internal", "external")
STARTER_LANES = ("受理", "承办", "审核", "批准")


# ---- helpers --------------------------------------------------------------------------------------


def _change(session: Session, change_id: int) -> CatalogChange:
    """The change, when it exists and the signed-in user may work on its department (404/403 otherwise).

    A request the user may not see at all (a secret power's) answers 404 like a missing one.
    """
    change = session.get(CatalogChange, change_id)
    if change is None or not may_see_change(session, g.user, change_id):
        abort(404)
    if not may_model(session, g.user, change.department_id):
        abort(403)
    return change


def _which(which: str) -> str:
    if which not in WHICH:
        abort(404)
    return which


def _problem_json(p: BpmnProblem) -> dict[str, Any]:
    return {"code": p.code, "element_id": p.element_id, "element_name": p.element_name, "line": p.line,
            "message": p.message, "severity": p.severity}


def _problems_reply(problems: list[BpmnProblem]) -> dict[str, Any]:
    """The first problems in reading order, then one "… and K more" line, so that a huge file cannot flood the page.

    Then ``total`` and ``omitted`` say how many there are in all and how many were left out.
    """
    shown, omitted = first_problems(problems)
    listed = [_problem_json(p) for p in shown]
    if not omitted:
        return {"problems": listed}
    listed.append({"code": "problems.more", "element_id": None, "element_name": None, "line": None,
                   "message": label("more_problems", select_locale(), count=omitted, total=len(problems)),
                   "severity": "info"})
    return {"problems": listed, "total": len(problems), "omitted": omitted}


def _lint(session: Session, change: CatalogChange, which: str, data: bytes, lang: str) -> list[BpmnProblem]:
    """The same checks ``attach_flowchart`` runs, without storing anything."""
    return lint_for_department(session, change.department_id, which, data, forms=runtime().forms, lang=lang,
                               fields=change.fields)


def _lane_posts(session: Session, department_id: int) -> list[str]:
    """The department's own posts in their order, then the shared ones (e.g. 法制办's 合法性审查)."""
    own = list(session.execute(select(Post.name).where(Post.department_id == department_id)
                               .order_by(Post.id)).scalars())
    return own + sorted(posts_for_lanes(session, department_id) - set(own))


class _TooLarge(Exception):
    def __init__(self, size: int | None) -> None:
        self.size = size


def _too_large_reply(size: int | None) -> Any:
    """413 as the modeler's JSON, in the checker's words (a huge paste or a wrong file; nothing was stored).

    ``size`` is None when the client did not say how large the body was: only that it passed the limit is known.
    """
    limit = max_bytes_limit()
    text = (render("xml.too_large", select_locale(), size=size, limit=limit) if size is not None else
            gettext("文件太大，超过上限 %(limit)s 字节。流程图文件通常只有几十 KB，请确认选对了文件。", limit=limit))
    return jsonify({"saved": False, "error": text, "code": "xml.too_large", "problems": []}), 413


def _body_xml() -> bytes:
    # The same limit as every other way a flowchart comes in (SUNSHINE_MAX_BPMN_BYTES): a declared size over it
    # is refused before anything is read, an undeclared one (chunked) is read only to one byte past it.
    limit = max_bytes_limit()
    if (request.content_length or 0) > limit:
        raise _TooLarge(request.content_length or 0)
    data = read_bounded(request.stream, limit)
    if len(data) > limit:
        raise _TooLarge(None)  # what the client declared, if anything, was not the truth
    return data


#: The JSON endpoints' bodies (lint, simulation): a simulation state and the values of one step.
JSON_BODY_LIMIT = simulate.MAX_STATE_BYTES + 200_000


def _json_body() -> dict[str, Any]:
    # Bounded in size and depth, no lone surrogate: anything else is a JSON error with a code (BadJson below).
    return json_body(JSON_BODY_LIMIT)


@bp.errorhandler(RequestEntityTooLarge)
def _body_too_large(exc: RequestEntityTooLarge) -> Any:
    # Werkzeug stopped reading at the endpoint's limit (app/uploads.py): answer JSON like everything here.
    if request.endpoint == "modeler.save":
        declared = request.content_length or 0
        return _too_large_reply(declared if declared > max_bytes_limit() else None)
    return BadJson("json.too_large", 413).reply()


@bp.errorhandler(BadJson)
def _bad_json(exc: BadJson) -> Any:
    return exc.reply()


def _sim_context(change_id: int) -> simulate.SimContext:
    rt = runtime()
    secret = f"{current_app.config['SECRET_KEY']}:simulate:{change_id}".encode()
    return simulate.SimContext(forms=rt.forms, calendar=rt.calendar, secret=secret, lang=select_locale())


def _sim_reply(run: Any) -> Any:
    try:
        state = run()
    except simulate.SimError as exc:
        return jsonify({"error": exc.message(select_locale()), "code": exc.code}), 422
    return jsonify(state.to_dict())


def starter_diagram(posts: list[str], name: str, *, executable: bool = True) -> str:
    """A first drawing: one pool, a lane per usual post, start → user task (1 working day) → end."""
    lanes = [p for p in STARTER_LANES if p in posts] or posts[:4] or ["受理"]
    width, lane_h, x0, y0 = 1000, 160, 160, 80
    lane_xml, lane_di = [], []
    for i, post in enumerate(lanes):
        refs = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in
                       ("StartEvent_1", "Task_1", "Task_1_time_limit", "EndEvent_1")) if i == 0 else ""
        lane_xml.append(f'<bpmn:lane id="Lane_{i + 1}" name={quoteattr(post)}>{refs}</bpmn:lane>')
        lane_di.append(f'<bpmndi:BPMNShape id="Lane_{i + 1}_di" bpmnElement="Lane_{i + 1}" isHorizontal="true">'
                       f'<dc:Bounds x="{x0 + 30}" y="{y0 + i * lane_h}" width="{width - 30}" height="{lane_h}" />'
                       f'</bpmndi:BPMNShape>')
    first = lanes[0]
    mid = y0 + lane_h // 2
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_1" \
targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name={quoteattr(name)} processRef="Process_1" />
  </bpmn:collaboration>
  <bpmn:process id="Process_1" name={quoteattr(name)} isExecutable="{'true' if executable else 'false'}">
    <bpmn:laneSet id="LaneSet_1">{''.join(lane_xml)}</bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="收到申请"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_1" name={quoteattr(first)}>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Task_1_time_limit" name="时限 1个工作日" cancelActivity="false" attachedToRef="Task_1">
      <bpmn:timerEventDefinition id="TimerEventDefinition_1">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">workdays(1)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="EndEvent_1" name="办结"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_1" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_1">
      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">
        <dc:Bounds x="{x0}" y="{y0}" width="{width}" height="{lane_h * len(lanes)}" />
      </bpmndi:BPMNShape>
      {''.join(lane_di)}
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="{x0 + 80}" y="{mid - 18}" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_1_di" bpmnElement="Task_1"><dc:Bounds x="{x0 + 180}" y="{mid - 40}" width="100" \
height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_1_time_limit_di" bpmnElement="Task_1_time_limit">
        <dc:Bounds x="{x0 + 242}" y="{mid + 22}" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="{x0 + 362}" y="{mid - 18}" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="{x0 + 116}" y="{mid}" />\
<di:waypoint x="{x0 + 180}" y="{mid}" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="{x0 + 280}" y="{mid}" />\
<di:waypoint x="{x0 + 362}" y="{mid}" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _current_xml(session: Session, change: CatalogChange, which: str) -> tuple[str, bool]:
    """The stored flowchart, or a starter drawing (second value True) when there is none yet."""
    stored = change.internal_bpmn if which == "internal" else change.external_bpmn
    if stored:
        return stored, False
    power = session.get(Power, change.power_id)
    name = (change.fields or {}).get("name") or (power.name if power else "") or "新流程"
    suffix = "（内部流程图）" if which == "internal" else "（外部流程图）"
    return starter_diagram(_lane_posts(session, change.department_id), f"{name}{suffix}",
                           executable=which == "internal"), True


# ---- pages and JSON -------------------------------------------------------------------------------


@bp.route("/changes/<int:change_id>/flowchart/<which>")
@role_required(*ROLES)
def modeler(change_id: int, which: str) -> Any:
    """Full-page modeler (read-only when the request can no longer be edited)."""
    _which(which)
    with runtime().reader() as s:
        change = _change(s, change_id)
        power = s.get(Power, change.power_id)
        department = s.get(Department, change.department_id)
        _, starter = _current_xml(s, change, which)
        return render_template(
            "catalog/modeler.html", change=change, which=which, power=power, department=department,
            editable=change.status in EDITABLE, starter=starter,
            urls={"xml": url_for(".flowchart_xml", change_id=change_id, which=which),
                  "save": url_for(".save", change_id=change_id, which=which),
                  "lint": url_for(".lint"), "posts": url_for(".posts", change_id=change_id),
                  "forms": url_for(".forms"), "simulate": url_for(".simulate_start", change_id=change_id),
                  "step": url_for(".simulate_step", change_id=change_id),
                  "timer": url_for(".simulate_timer", change_id=change_id)})


@bp.route("/changes/<int:change_id>/flowchart/<which>/xml")
@role_required(*ROLES)
def flowchart_xml(change_id: int, which: str) -> Any:
    """The stored XML, or a starter drawing; ``X-Sunshine-Starter: 1`` tells them apart."""
    _which(which)
    with runtime().reader() as s:
        xml, starter = _current_xml(s, _change(s, change_id), which)
    return current_app.response_class(xml, mimetype="application/xml",
                                      headers={"X-Sunshine-Starter": "1" if starter else "0",
                                               "Cache-Control": "no-store"})


@bp.route("/changes/<int:change_id>/flowchart/<which>/xml", methods=["POST"])
@role_required(*ROLES)
@limit_body(max_bytes_limit)
def save(change_id: int, which: str) -> Any:
    """Store the posted XML (kept even with problems) and return the located problems."""
    _which(which)
    try:
        data = _body_xml()
    except _TooLarge as exc:
        return _too_large_reply(exc.size)
    lang = select_locale()
    with runtime().sessions.begin() as s:
        change = _change(s, change_id)
        try:
            result = store_flowchart(s, change, which, data, actor=g.user.username, forms=runtime().forms,
                                     lang=lang)
        except RuntimeProblem as exc:
            return jsonify({"saved": False, "error": exc.message(lang), "problems": []}), 409
    return jsonify({"saved": result.stored, **_problems_reply(result.problems)})


@bp.route("/lint", methods=["POST"])
@role_required(*ROLES)
@limit_body(lambda: JSON_BODY_LIMIT)
def lint() -> Any:
    """Check XML against a change's posts, forms and limits without saving: ``{"xml", "change_id", "which"}``."""
    body = _json_body()
    xml, change_id, which = body.get("xml"), body.get("change_id"), body.get("which") or "internal"
    if not isinstance(xml, str) or not is_id(change_id) or which not in WHICH:
        return jsonify({"error": gettext("请求应包含流程图 XML（xml）和调整申请编号（change_id）。"),
                        "code": "request.invalid"}), 400
    data = xml.encode()
    if len(data) > max_bytes_limit():
        return _too_large_reply(len(data))
    with runtime().reader() as s:
        problems = _lint(s, _change(s, change_id), which, data, select_locale())
    return jsonify(_problems_reply(problems))


@bp.route("/changes/<int:change_id>/posts")
@role_required(*ROLES)
def posts(change_id: int) -> Any:
    """Post names usable as lanes in this change's flowcharts."""
    with runtime().reader() as s:
        change = _change(s, change_id)
        return jsonify({"posts": _lane_posts(s, change.department_id)})


@bp.route("/forms")
@role_required(*ROLES)
def forms() -> Any:
    """Form files (``forms/*.json`` without the ui schemas) with their titles."""
    registry = runtime().forms
    out = []
    for path in sorted(registry.directory.glob("*.json")):
        if path.name.endswith(".uischema.json"):
            continue
        try:
            form = registry.get(path.name)
        except ValueError:  # unreadable JSON: still listed, the linter will say more
            form = None
        ui = path.name[: -len(".json")] + ".uischema.json"
        out.append({"name": path.name, "title": form.title if form else path.name,
                    "ui": ui if (registry.directory / ui).is_file() else None})
    return jsonify({"forms": out})


@bp.route("/changes/<int:change_id>/simulate", methods=["POST"])
@role_required(*ROLES)
def simulate_start(change_id: int) -> Any:
    """Start a simulation of the saved internal flowchart."""
    with runtime().reader() as s:
        xml = _change(s, change_id).internal_bpmn or ""
    ctx = _sim_context(change_id)
    return _sim_reply(lambda: simulate.start(xml.encode(), ctx))


@bp.route("/changes/<int:change_id>/simulate/step", methods=["POST"])
@role_required(*ROLES)
@limit_body(lambda: JSON_BODY_LIMIT)
def simulate_step(change_id: int) -> Any:
    """Complete one ready step: ``{"state", "task_id", "data"}``."""
    with runtime().reader() as s:
        _change(s, change_id)
    body = _json_body()
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    ctx = _sim_context(change_id)
    return _sim_reply(lambda: simulate.step(str(body.get("state") or ""), str(body.get("task_id") or ""), data, ctx))


@bp.route("/changes/<int:change_id>/simulate/timer", methods=["POST"])
@role_required(*ROLES)
@limit_body(lambda: JSON_BODY_LIMIT)
def simulate_timer(change_id: int) -> Any:
    """Move simulated time to the next time limit: ``{"state"}``."""
    with runtime().reader() as s:
        _change(s, change_id)
    body = _json_body()
    ctx = _sim_context(change_id)
    return _sim_reply(lambda: simulate.advance_to_next_timer(str(body.get("state") or ""), ctx))
