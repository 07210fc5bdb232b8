"""The form-less 受理 → 作出许可决定 flowchart (``fixtures/decision.bpmn``) with step properties added, for the rules a
flowchart switches on per step (P2 ``requiresMaterials``, P8 ``expectsDocument``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.runtime.runtime import Runtime
from engine.store import Alert, Power, PowerVersion
from tests.engine.conftest import HERE, MONDAY_10_BJ, Org, deploy_power

DECISION = (HERE.parent / "rules" / "fixtures" / "decision.bpmn").read_text(encoding="utf-8")
_ACCEPT = '<bpmn:userTask id="accept" name="受理申请">'
_DECIDE = '<spiffworkflow:property name="decision" value="true"/>'


def with_properties(accept: dict[str, str] | None = None, decide: dict[str, str] | None = None) -> bytes:
    """decision.bpmn with ``accept``'s and ``decide``'s extra properties."""
    xml = DECISION
    if accept:
        props = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in accept.items())
        xml = xml.replace(_ACCEPT, f"{_ACCEPT}<bpmn:extensionElements><spiffworkflow:properties>{props}"
                                   "</spiffworkflow:properties></bpmn:extensionElements>")
    if decide:
        xml = xml.replace(_DECIDE, _DECIDE + "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>'
                                                     for k, v in decide.items()))
    return xml.encode()


def deploy_flow(rt: Runtime, org: Org, xml: bytes, code: str, *, materials: list[dict[str, object]] | None = None
                ) -> Power:
    """Deploy ``xml`` as power ``code`` and, given ``materials``, publish a catalog version listing them."""
    power = deploy_power(rt, org, xml, filename="decision.bpmn", process_key="test_decision", code=code,
                         name="无表单决定")
    if materials is not None:
        with rt.sessions.begin() as s:
            s.add(PowerVersion(power_id=power.id, number=1, fields={"materials": materials}, status="published",
                               published_at=MONDAY_10_BJ - timedelta(days=30), published_by="legal"))
    return power


def alerts_of(rt: Runtime, case_id: int, rule: str | None = None) -> list[Alert]:
    with rt.reader() as s:
        query = select(Alert).where(Alert.case_id == case_id)
        if rule is not None:
            query = query.where(Alert.rule == rule)
        return list(s.execute(query.order_by(Alert.id)).scalars())
