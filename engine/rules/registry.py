"""The rules in force (DESIGN §6), in one place: who asks for them (the supervisor's tick, the runtime's hooks, the
catalog page) asks here rather than naming them, and the supervision page and ``sunshine supervisor --once`` list
them.

Each rule says when it runs:

- ``tick``: every supervisor tick, after the timers have fired (``Rule.tick(rt, now)`` returns the alerts it raised).
  T1–T3 run inside the tick's own batched reads (``engine/supervisor/tick.py``): they are listed, not called.
- ``after_step``: after every completed step of every process, in its transaction (``Rule.after_step(rt)`` makes the
  hook). A hook must cost nothing — no statement — for a step its rule does not concern: the save path is measured
  (``bench/engine.py``).
- ``after_return``: after every 退回 (``Rule.after_return(rt)`` makes the hook).
- ``timer``: as a timer fires or the case ends (run by the runtime's save, listed here).
- ``nightly``: a nightly sweep; ``catalog``: a check of the published catalog (``Rule.check(session)``). Any rule
  with a ``sweep(rt, now)`` is also run by the nightly sweep (``engine/rules/nightly.py``: P2's stored files, D1, D2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.rules import (
    d1_alerts,
    d1_public_fields,
    d2_catalog_deadline,
    p1_irregular_return,
    p2_evidence,
    p3_legal_basis,
    p4_discretion,
    p5_execution,
    p6_after_the_fact,
    p7_second_supplement,
    p8_missing_document,
)
from engine.runtime.hooks import ReturnHook, StepHook
from engine.runtime.operations import suspension
from engine.supervision import directives, patrols

if TYPE_CHECKING:
    from engine.runtime.runtime import Runtime

TICK, AFTER_STEP, AFTER_RETURN, TIMER, NIGHTLY, CATALOG = "tick", "after_step", "after_return", "timer", "nightly", \
    "catalog"
#: When a rule runs, as the supervision page and the CLI say it.
WHEN: dict[str, dict[str, str]] = {
    TICK: {"zh": "监察巡检（每次）", "en": "supervisor tick"},
    AFTER_STEP: {"zh": "环节办结后", "en": "after a step"},
    AFTER_RETURN: {"zh": "退回后", "en": "after a return"},
    TIMER: {"zh": "计时到期或办结时", "en": "on a timer or the case's end"},
    NIGHTLY: {"zh": "每日夜间巡查", "en": "nightly sweep"},
    CATALOG: {"zh": "权力清单检查", "en": "catalog check"},
}

TickRule = Callable[["Runtime", datetime], int]


@dataclass(frozen=True)
class Rule:
    """A supervision rule: its id, what it watches (zh, en), the seed article it enforces, when it runs and how."""

    id: str
    zh: str
    en: str
    #: The legal source, as the seeds name it (``../shared/reference/seeds``).
    source: str
    when: str
    level: str
    #: Where the rule's code lives (for a reader of the supervision page or the CLI).
    code: str
    tick: TickRule | None = None
    after_step: Callable[[Runtime], StepHook] | None = None
    after_return: Callable[[Runtime], ReturnHook] | None = None
    check: Callable[[Session], list[Any]] | None = None
    #: Run by the nightly sweep (``engine/rules/nightly.py``) whatever ``when`` says: alerts raised.
    sweep: TickRule | None = None

    def name(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def when_text(self, lang: str = "zh") -> str:
        return WHEN[self.when]["en" if lang == "en" else "zh"]

    def line(self, lang: str = "zh") -> str:
        """One line for operators: id, when, what, source."""
        source = "source" if lang == "en" else "依据"
        return f"{self.id:<3} [{self.when_text(lang)}] {self.name(lang)} — {source}: {self.source}"


_TICK_CODE = "engine/supervisor/tick.py"

RULES: tuple[Rule, ...] = (
    Rule("T1", "环节或办件临近办理时限（到期前一个工作日）→ 黄灯预警",
         "A step or case nears its time limit (one working day before) → yellow", "seed 004 第九条", TICK, "yellow",
         _TICK_CODE),
    Rule("T2", "环节超过办理时限 → 红灯报警", "A step passes its time limit → red", "seed 000 第二十三条; seed 003",
         TICK, "red", _TICK_CODE),
    Rule("T3", "办件超过承诺或法定办结时限 → 红灯报警", "A case passes its promised or legal time limit → red",
         "seed 000 第二十条", TICK, "red", _TICK_CODE),
    Rule(p1_irregular_return.RULE_ID, "不按流程图退回，或同一办件退回次数过多 → 红灯报警",
         "A return outside the flowchart's arrows, or a case returned too often → red", p1_irregular_return.SOURCE,
         AFTER_RETURN, "red", "engine/rules/p1_irregular_return.py", after_return=p1_irregular_return.hook),
    Rule(p2_evidence.RULE_ID, "决定环节缺少必需的申请材料，或证据材料内容被改动 → 红灯报警",
         "A decision without its required materials, or a stored file changed since → red", p2_evidence.SOURCE,
         AFTER_STEP, "red", "engine/rules/p2_evidence.py", after_step=p2_evidence.hook, sweep=p2_evidence.sweep),
    Rule(p3_legal_basis.RULE_ID, "决定环节未填写法律依据 → 红灯报警",
         "A decision recorded without its legal basis → red", p3_legal_basis.SOURCE, AFTER_STEP, "red",
         "engine/rules/p3_legal_basis.py", after_step=p3_legal_basis.hook),
    Rule(p4_discretion.RULE_ID, "罚款金额超出自由裁量基准 → 红灯报警",
         "A fine outside the discretion standard for its circumstance → red", p4_discretion.SOURCE, AFTER_STEP, "red",
         "engine/rules/p4_discretion.py", after_step=p4_discretion.hook),
    Rule(p5_execution.RULE_ID, "执行记录的金额与决定的罚款金额不一致 → 红灯报警",
         "The amount executed differs from the fine decided → red", p5_execution.SOURCE, AFTER_STEP, "red",
         "engine/rules/p5_execution.py", after_step=p5_execution.hook),
    Rule(p6_after_the_fact.RULE_ID, "事后补录或体外办理：登记远迟于申请日、一人数分钟办完全案、夜间集中办结 → 红灯报警",
         "After-the-fact entry: registered long after applying, a whole case in minutes by one person, bulk night "
         "entry → red", p6_after_the_fact.SOURCE, AFTER_STEP, "red", "engine/rules/p6_after_the_fact.py",
         after_step=p6_after_the_fact.hook),
    Rule(p7_second_supplement.RULE_ID, "同一办件第二次要求补正（违反一次性告知）→ 红灯报警",
         "A second 补正 request on one case (one-time notice broken) → red", p7_second_supplement.SOURCE, AFTER_STEP,
         "red", "engine/rules/p7_second_supplement.py", after_step=p7_second_supplement.hook),
    Rule(p8_missing_document.RULE_ID, "受理、不予受理、补正告知或决定未出具相应文书 → 红灯报警",
         "Acceptance, refusal, a 补正 request or a decision without its document → red", p8_missing_document.SOURCE,
         AFTER_STEP, "red", "engine/rules/p8_missing_document.py", after_step=p8_missing_document.hook),
    Rule(suspension.RULE, "办件暂停超过法定最长期限仍未恢复 → 红灯报警",
         "A case paused past its ground's maximum length → red", "seed 001 十二、3", TICK, "red",
         "engine/runtime/operations/suspension.py", tick=suspension.alert_long_pauses),
    Rule(patrols.RULE_ID, "地区巡查未达规定频次 → 报警", "A region's patrol duty missed → alert", patrols.SOURCE,
         TICK, "red", "engine/supervision/patrols.py", tick=patrols.duty_tick),
    Rule(d1_public_fields.RULE_ID, "已公布的权力事项缺少应公开的要素", "A published power lacks required public fields",
         d1_public_fields.SOURCE, CATALOG, "red", "engine/rules/d1_public_fields.py", check=d1_public_fields.check,
         sweep=d1_alerts.sweep),
    Rule(d2_catalog_deadline.RULE_ID, "权力清单调整申请、审核或公布超过 20/10/15 个工作日期限 → 红灯报警",
         "A catalog change applied for, reviewed or published past its 20/10/15 working-day limit → red",
         d2_catalog_deadline.SOURCE, NIGHTLY, "red", "engine/rules/d2_catalog_deadline.py",
         sweep=d2_catalog_deadline.sweep),
    # 督办 (engine/supervision/directives.py): DB1's tick raises both; DB2 is listed, as T2 is.
    Rule(directives.YELLOW_RULE, "督办上报期限前一个工作日仍未上报 → 黄灯预警",
         "A directive unreported one working day before its deadline → yellow", directives.SOURCE, TICK, "yellow",
         "engine/supervision/directives.py", tick=directives.alert_due),
    Rule(directives.RED_RULE, "督办逾期未上报 → 红灯报警", "A directive past its deadline unreported → red",
         directives.SOURCE, TICK, "red", "engine/supervision/directives.py"),
)
BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rules(when: str | None = None) -> list[Rule]:
    """The rules in force, in order; those that run ``when`` if given."""
    return [rule for rule in RULES if when is None or rule.when == when]


def tick_rules() -> list[Rule]:
    """The rules a tick calls after firing timers (T1–T3 run inside the tick itself)."""
    return [rule for rule in rules(TICK) if rule.tick is not None]


def sweeping() -> list[Rule]:
    """The rules the nightly sweep runs (``engine/rules/nightly.py``)."""
    return [rule for rule in RULES if rule.sweep is not None]


def install(rt: Runtime) -> None:
    """Register the hooks of the after-step and after-return rules with ``rt``'s hooks, in the registry's order."""
    for rule in RULES:
        if rule.after_step is not None:
            rt.hooks.after_any(rule.after_step(rt))
        if rule.after_return is not None:
            rt.hooks.after_return(rule.after_return(rt))
