"""The demo's levels of supervision: a county below 示范市 with its own 民政局, a published power and a case; the
city's supervisor (``jiancha``) at the city, a county supervisor (``xian_jiancha``), the market regulator's own
supervision office (``scjg_jiancha``), a patrol duty per level and a first patrol. Safe to run twice."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.catalog.drafts import attach_flowchart, open_change, update_fields
from engine.catalog.fields import missing_fields
from engine.catalog.publish import publish
from engine.demo_catalog import ACTOR, ENTRIES, RIGHTS, TRIGGER, DemoDepartment, external_flowchart, steps_for
from engine.identity import create_user, ensure_department, ensure_region
from engine.runtime.cases import Applicant, start_case
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.store import Case, Department, Power, Region, User
from engine.store.oversight import Patrol, PatrolDuty, SupervisionScope
from engine.supervision.scope import assign

CITY = "519900"
COUNTY = ("519921", "示范县")
COUNTY_DEPARTMENT = DemoDepartment("XMZJ", "示范县民政局", "示范县便民服务中心一楼 民政窗口（示范县城关镇政府路2号）",
                                   "0837-6221100", "12345（政务服务便民热线）；0837-6221199（县纪委监委派驻监察组）")
#: The county's power: the city's 高龄津贴 entry, published by the county's own department under its own name.
COUNTY_POWER = "高龄津贴资格确认（县级）"
FLOWCHART = "confirmation_simple.bpmn"

# username, display name, posts of the county department, roles
COUNTY_USERS = [
    ("xian_shouli", "蒋受理（示范县民政局窗口）", ["受理"], ["staff"]),
    ("xian_shenhe", "沈审核（示范县民政局）", ["审核"], ["staff"]),
]
#: Supervisors and where they watch: ("region", code) or ("department", code).
SUPERVISORS = [
    ("jiancha", None, ("region", CITY)),
    ("xian_jiancha", "韩监察（示范县纪委监委）", ("region", COUNTY[0])),
    ("scjg_jiancha", "杨监察（市场监管局派驻监察室）", ("department", "SCJGJ")),
]
#: Patrol duties: at least one patrol every N working days (seed 003 第十一条(二) asks more of a real office).
DUTIES = {CITY: 1, COUNTY[0]: 2}


def load_levels(rt: Runtime, password: str) -> str:
    """Create whatever of the demo's levels is missing; a one-line summary."""
    xml = (rt.settings.processes_dir / FLOWCHART).read_bytes()
    with rt.sessions.begin() as s:
        city = s.execute(select(Region).where(Region.code == CITY)).scalar_one()
        county = ensure_region(s, *COUNTY)
        if county.parent_id is None:
            county.parent_id = city.id
        dept = ensure_department(s, county, COUNTY_DEPARTMENT.code, COUNTY_DEPARTMENT.name, ["受理", "审核"])
        published = _county_power(rt, s, dept, xml)
        users = 0
        for username, display, posts, roles in COUNTY_USERS:
            if s.execute(select(User.id).where(User.username == username)).first() is None:
                create_user(s, username, display, password, roles=roles,
                            posts=[p for p in dept.posts if p.name in posts])
                users += 1
        for username, display, (kind, code) in SUPERVISORS:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None and display is not None:
                user = create_user(s, username, display, password, roles=["supervisor"])
                users += 1
            if user is None or _placed(s, user.id):
                continue
            if kind == "region":
                where = s.execute(select(Region.id).where(Region.code == code)).scalar_one()
                assign(s, user.id, region_id=where, actor="admin")
            else:
                where = s.execute(select(Department.id).where(Department.code == code)).scalar_one()
                assign(s, user.id, department_id=where, actor="admin")
        now = clock.now()
        for code, days in DUTIES.items():
            region_id = s.execute(select(Region.id).where(Region.code == code)).scalar_one()
            if s.get(PatrolDuty, region_id) is None:
                s.add(PatrolDuty(region_id=region_id, every_workdays=days, since=now, set_by="admin"))
        if s.execute(select(Patrol.id).limit(1)).first() is None:
            s.add(Patrol(region_id=city.id, supervisor="jiancha", patrolled_at=now, recorded_at=now,
                         looked_at={"departments": sorted(d.id for d in s.execute(
                             select(Department).where(Department.code.in_(["SCJGJ", "MZJ"]))).scalars()),
                             "powers": [], "cases": []},
                         findings="抽查市场监管局、民政局办件运行情况，未发现超期未办结办件。"))
    cases = _county_case(rt)
    return f"levels ready: county {COUNTY[1]}, {published} power published, {users} users added, {cases} case started"


def _placed(session: Session, user_id: int) -> bool:
    return session.get(SupervisionScope, user_id) is not None


def _county_power(rt: Runtime, s: Session, dept: Department, xml: bytes) -> int:
    if s.execute(select(Power.id).where(Power.department_id == dept.id, Power.name == COUNTY_POWER)).first():
        return 0
    entry = next(e for e in ENTRIES if e.department == "MZJ" and e.name == "高龄津贴资格确认")
    entry = replace(entry, department=COUNTY_DEPARTMENT.code, name=COUNTY_POWER)
    change = open_change(s, "add", department=dept, actor=ACTOR, reason="依据权力清单公布县级行政权力事项",
                         trigger=TRIGGER, category=entry.category, name=entry.name)
    values = {"implementing_body": dept.name, "supervision_phone": COUNTY_DEPARTMENT.supervision_phone,
              "rights_channels": RIGHTS.replace("示范市", "示范县"), "place": COUNTY_DEPARTMENT.place,
              "phone": COUNTY_DEPARTMENT.phone, **entry.fields, "conditions": "具有本县户籍、年满八十周岁的老年人。"}
    errors = update_fields(s, change, values, actor=ACTOR)
    if errors:
        raise RuntimeProblem("catalog.invalid", fields=errors)
    code = change.fields["code"]
    external = external_flowchart(re.sub(r"[^A-Za-z0-9_-]", "_", "External_" + code), f"{entry.name}（外部流程图）",
                                  steps_for(entry.category), start=entry.start)
    for which, data in (("internal", xml), ("external", external)):
        problems = [p for p in attach_flowchart(s, change, which, data, actor=ACTOR, forms=rt.forms) if p.is_error]
        if problems:
            raise RuntimeProblem("bpmn.invalid", details="; ".join(p.message for p in problems))
    missing = missing_fields(entry.category, change.fields, has_external_flowchart=bool(change.external_bpmn))
    if missing:
        raise RuntimeProblem("catalog.incomplete", details=", ".join(missing))
    publish(s, change, actor=ACTOR, forms=rt.forms)
    return 1


def _county_case(rt: Runtime) -> int:
    with rt.sessions() as s:
        dept_id = s.execute(select(Department.id).where(Department.code == COUNTY_DEPARTMENT.code)).scalar_one()
        if s.execute(select(Case.id).where(Case.department_id == dept_id).limit(1)).first() is not None:
            return 0
        code = s.execute(select(Power.code).where(Power.department_id == dept_id, Power.name == COUNTY_POWER)
                         ).scalar_one()
    # A fictitious resident of the fictitious county (region 519921), with a correct check character (GB 11643).
    start_case(rt, code, Applicant("李某某", "居民身份证", "519921193806120021", "13987654321"),
               "申请高龄津贴资格确认", actor="xian_shouli")
    return 1
