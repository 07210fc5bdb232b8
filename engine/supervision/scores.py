"""Department scores (绩效考核): a score out of 100 per department and period, and how it was computed.

Seeds: 电子监察 results count in the government's performance assessment (003 第十四条; 阿坝州办法 第七、十一条).
The score is a weighted mean of component scores, each out of 100:

- **时效** (timeliness): on-time rate × 100 (按时办结 ÷ 办结); no component when nothing was completed;
- **预警** (alerts): 100 − yellow per 100 cases × the yellow factor − red per 100 cases × the red factor (red weighs
  more), not below 0; per 100 cases received in the period (at least 1, so a department with alerts and no new
  cases is not spared);
- **督办** (directives): 100 − overdue directives × the directive penalty, not below 0;
- **满意度评价** and **投诉** (ratings, complaints): the public hall does not record them yet: shown 未接入, weight 0.

综合得分 = Σ(weight × component) ÷ Σ(weight), over the components that have a value.

The weights and factors are set by the supervision office (``save_weights``): each save is a new version (a row of
``score_weights``; version 0 is the built-in default). A finished period's scores are stored once per (period,
department, weights version) with their inputs and weights, so a score always shows the weights it used; a period
not yet over is scored live and stored only once it ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.calendar import WorkCalendar
from engine.store import Region, User
from engine.store.reports import DepartmentScore, ScoreWeights
from engine.supervision.figures import DepartmentFigures, period_figures
from engine.supervision.periods import Period
from engine.supervision.scope import scope_of

#: Components the public hall does not feed yet: their weight is held at 0 and they show 未接入.
NOT_CONNECTED = ("ratings", "complaints")
COMPONENT_NAMES = {"timeliness": "时效", "alerts": "预警", "directives": "督办", "ratings": "满意度评价",
                   "complaints": "投诉"}
FACTOR_NAMES = {"yellow_factor": "黄灯扣分系数", "red_factor": "红灯扣分系数", "directive_penalty": "逾期督办每件扣分"}


@dataclass(frozen=True)
class Weights:
    """Component weights (relative: they need not add up to 100) and the penalty factors."""

    timeliness: float = 50
    alerts: float = 35
    directives: float = 15
    ratings: float = 0
    complaints: float = 0
    #: Points off per yellow, and per red, alert per 100 cases received.
    yellow_factor: float = 1
    red_factor: float = 3
    #: Points off per overdue directive.
    directive_penalty: float = 10

    def items(self) -> list[tuple[str, float]]:
        """(name, value) of every weight and factor, in order."""
        return list(asdict(self).items())

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Weights:
        known = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in values.items() if k in known})


@dataclass(frozen=True)
class WeightsVersion:
    version: int
    weights: Weights
    created_at: datetime | None = None
    created_by: str | None = None
    note: str | None = None


DEFAULT = WeightsVersion(0, Weights(), None, "system", "默认权重")


@dataclass(frozen=True)
class ScoreInputs:
    """What a score is computed from (stored with it)."""

    department_id: int
    department: str
    received: int
    completed: int
    on_time: int
    yellow: int
    red: int
    overdue_directives: int

    @classmethod
    def of(cls, d: DepartmentFigures) -> ScoreInputs:
        return cls(d.department_id, d.department, d.received, d.completed, d.on_time, d.alerts.yellow, d.alerts.red,
                   d.overdue_directives)


@dataclass(frozen=True)
class Component:
    key: str
    weight: float
    #: Out of 100; None when there is nothing to score (not connected, or no case to base it on).
    value: float | None
    lines: tuple[str, ...]

    @property
    def name(self) -> str:
        return COMPONENT_NAMES[self.key]

    @property
    def connected(self) -> bool:
        return self.key not in NOT_CONNECTED


@dataclass(frozen=True)
class Score:
    inputs: ScoreInputs
    weights: WeightsVersion
    components: tuple[Component, ...]
    total: float | None
    lines: tuple[str, ...]
    #: False for a period not yet over (scored live, not stored).
    final: bool = True

    @property
    def department(self) -> str:
        return self.inputs.department


def _n(value: float) -> str:
    return f"{value:.2f}"


def _w(value: float) -> str:
    return f"{value:g}"


def compute(inputs: ScoreInputs, version: WeightsVersion, *, final: bool = True) -> Score:
    """The score of ``inputs`` under ``version``'s weights, with the computation line by line (in Chinese)."""
    w = version.weights
    parts: list[Component] = []
    if inputs.completed:
        rate = inputs.on_time / inputs.completed * 100
        parts.append(Component("timeliness", w.timeliness, rate, (
            f"时效得分 = 按时办结 {inputs.on_time} ÷ 办结 {inputs.completed} × 100 = {_n(rate)}",)))
    else:
        parts.append(Component("timeliness", w.timeliness, None, ("本期无办结办件，时效不计分",)))
    base = max(inputs.received, 1)
    yellow = inputs.yellow / base * 100
    red = inputs.red / base * 100
    alerts = max(0.0, 100 - yellow * w.yellow_factor - red * w.red_factor)
    note = "（本期无受理，按 1 件计）" if inputs.received == 0 else ""
    parts.append(Component("alerts", w.alerts, alerts, (
        f"每百件黄灯 = 黄灯 {inputs.yellow} ÷ 受理 {base} × 100 = {_n(yellow)}{note}",
        f"每百件红灯 = 红灯 {inputs.red} ÷ 受理 {base} × 100 = {_n(red)}",
        f"预警得分 = max(0, 100 − {_n(yellow)} × {_w(w.yellow_factor)} − {_n(red)} × {_w(w.red_factor)}) "
        f"= {_n(alerts)}")))
    directives = max(0.0, 100 - inputs.overdue_directives * w.directive_penalty)
    parts.append(Component("directives", w.directives, directives, (
        f"督办得分 = max(0, 100 − 逾期督办 {inputs.overdue_directives} × {_w(w.directive_penalty)}) "
        f"= {_n(directives)}",)))
    for key in NOT_CONNECTED:
        parts.append(Component(key, 0, None, (f"{COMPONENT_NAMES[key]}：未接入（公众服务大厅尚未记录），权重 0",)))
    counted = [p for p in parts if p.value is not None and p.weight > 0]
    weight_sum = sum(p.weight for p in counted)
    lines = [line for p in parts for line in p.lines]
    if not counted or weight_sum <= 0:
        return Score(inputs, version, tuple(parts), None, (*lines, "综合得分：无可计分项"), final)
    total = sum(p.weight * (p.value or 0) for p in counted) / weight_sum
    numerator = " + ".join(f"{_n(p.value or 0)} × {_w(p.weight)}" for p in counted)
    denominator = " + ".join(_w(p.weight) for p in counted)
    lines.append(f"综合得分 = ({numerator}) ÷ ({denominator}) = {_n(total)}")
    return Score(inputs, version, tuple(parts), round(total, 2), tuple(lines), final)


# ---- the weights, versioned -----------------------------------------------------------------------------------


def current_weights(session: Session) -> WeightsVersion:
    row = session.execute(select(ScoreWeights).order_by(ScoreWeights.version.desc()).limit(1)).scalar_one_or_none()
    return DEFAULT if row is None else _version_of(row)


def _version_of(row: ScoreWeights) -> WeightsVersion:
    return WeightsVersion(row.version, Weights.from_dict(row.weights), row.created_at, row.created_by, row.note)


def weights_history(session: Session) -> list[WeightsVersion]:
    rows = session.execute(select(ScoreWeights).order_by(ScoreWeights.version.desc())).scalars()
    return [*(_version_of(r) for r in rows), DEFAULT]


MESSAGES = {
    "number": {"zh": "请填写 0 到 100 之间的数字。", "en": "Enter a number from 0 to 100."},
    "not_connected": {"zh": "尚未接入，权重只能为 0。", "en": "Not connected yet: the weight must be 0."},
    "no_weight": {"zh": "时效、预警、督办的权重不能全为 0。",
                  "en": "Timeliness, alerts and directives cannot all weigh 0."},
    "not_allowed": {"zh": "只有全平台的监察人员或管理员可以设置考核权重。",
                    "en": "Only platform-wide supervisors and administrators may set the score weights."},
    "note": {"zh": "说明不能超过 300 个字。", "en": "The note may be at most 300 characters."},
}


class WeightsProblem(Exception):
    """Weights refused: ``fields`` maps form fields to message codes of ``MESSAGES``."""

    def __init__(self, fields: dict[str, str], code: str = "invalid") -> None:
        self.fields = fields
        self.code = code
        super().__init__(", ".join(f"{k}: {v}" for k, v in fields.items()) or code)

    def field_messages(self, lang: str = "zh") -> dict[str, str]:
        return {name: MESSAGES[code][lang if lang in ("zh", "en") else "zh"] for name, code in self.fields.items()}


def parse_weights(form: dict[str, str]) -> Weights:
    """Weights from a form (every field a number 0–100); ``WeightsProblem`` with a message per bad field."""
    values: dict[str, float] = {}
    problems: dict[str, str] = {}
    for f in fields(Weights):
        raw = (form.get(f.name) or "").strip()
        try:
            number = float(raw) if raw else float(f.default)  # type: ignore[arg-type]
        except ValueError:
            problems[f.name] = "number"
            continue
        if not 0 <= number <= 100 or number != number:
            problems[f.name] = "number"
        elif f.name in NOT_CONNECTED and number != 0:
            problems[f.name] = "not_connected"
        values[f.name] = number
    if not problems and values["timeliness"] + values["alerts"] + values["directives"] <= 0:
        problems["timeliness"] = "no_weight"
    if problems:
        raise WeightsProblem(problems)
    return Weights(**values)


def may_set_weights(session: Session, user: User) -> bool:
    """The supervision office sets the weights: an administrator, or a supervisor watching the whole platform
    (unplaced, or placed at a top region); not a county's or a department's supervisor."""
    if user.has_role("admin"):
        return True
    if not user.has_role("supervisor"):
        return False
    scope = scope_of(session, user)
    if scope.whole:
        return True
    return scope.region_id is not None and session.get_one(Region, scope.region_id).parent_id is None


def save_weights(session: Session, user: User, weights: Weights, *, note: str | None = None,
                 now: datetime | None = None) -> WeightsVersion:
    """A new version of the weights (the previous ones stay, and the scores made with them keep them); audited
    ``score.weights_saved``. ``WeightsProblem`` ("not_allowed") unless ``may_set_weights``."""
    if not may_set_weights(session, user):
        raise WeightsProblem({}, "not_allowed")
    if note and len(note) > 300:
        raise WeightsProblem({"note": "note"})
    now = now or clock.now()
    version = (session.execute(select(func.max(ScoreWeights.version))).scalar() or 0) + 1
    row = ScoreWeights(version=version, weights=asdict(weights), note=note or None, created_at=now,
                       created_by=user.username)
    session.add(row)
    session.flush()
    audit.record(session, user.username, "score.weights_saved", at=now,
                 payload={"version": version, "weights": asdict(weights), "note": note or None})
    return _version_of(row)


# ---- scores of a period -----------------------------------------------------------------------------------------


def _store(session: Session, kind: str, period: Period, score: Score, now: datetime) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(DepartmentScore).values(
        kind=kind, period=period.key, department_id=score.inputs.department_id,
        weights_version=score.weights.version, weights=asdict(score.weights.weights), inputs=asdict(score.inputs),
        score_hundredths=-1 if score.total is None else round(score.total * 100), computed_at=now,
    ).on_conflict_do_nothing(index_elements=["kind", "period", "department_id", "weights_version"]))


def _stored(session: Session, kind: str, period: Period, version: int,
            ids: Sequence[int] | None) -> dict[int, Score]:
    query = select(DepartmentScore).where(DepartmentScore.kind == kind, DepartmentScore.period == period.key,
                                          DepartmentScore.weights_version == version)
    if ids is not None:
        query = query.where(DepartmentScore.department_id.in_(list(ids)))
    out = {}
    for row in session.execute(query).scalars():
        used = WeightsVersion(row.weights_version, Weights.from_dict(row.weights))
        out[row.department_id] = compute(ScoreInputs(**row.inputs), used)
    return out


def period_scores(session: Session, calendar: WorkCalendar, kind: str, period: Period,
                  department_ids: Sequence[int] | None = None, *, version: WeightsVersion | None = None,
                  now: datetime | None = None) -> list[Score]:
    """Every department's score for ``period`` under ``version`` (the current weights by default), best first.

    A finished period's scores are read from storage when they were computed before under that version, else
    computed and stored (once: insert-or-skip). A period not yet over is scored live (``final`` False)."""
    now = now or clock.now()
    version = version or current_weights(session)
    final = period.end <= now
    stored = _stored(session, kind, period, version.version, department_ids) if final else {}
    figures = period_figures(session, period, department_ids, calendar=calendar)
    scores = []
    for d in figures.departments:
        score = stored.get(d.department_id)
        if score is None:
            score = compute(ScoreInputs.of(d), version, final=final)
            if final:
                _store(session, kind, period, score, now)
        scores.append(score)
    return sorted(scores, key=lambda s: (s.total is None, -(s.total or 0), s.department))


def score_history(session: Session, department_id: int) -> list[DepartmentScore]:
    """A department's stored scores, newest period first (each with the weights version it used)."""
    return list(session.execute(select(DepartmentScore).where(DepartmentScore.department_id == department_id)
                                .order_by(DepartmentScore.period.desc(), DepartmentScore.weights_version.desc()))
                .scalars())
