"""Demo data: a city, three departments' worth of posts and staff, the official calendar, three powers
running on the flowcharts in ``processes/``, and a few cases in the inboxes. Safe to run twice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from engine import clock
from engine.calendar_seed import seed_from_chinesecalendar
from engine.catalog import review
from engine.catalog.coding import next_code
from engine.demo_catalog import load_demo_catalog
from engine.documents.numbering import apply_demo_prefixes
from engine.identity import create_user, ensure_department, ensure_region
from engine.runtime.cases import Applicant, complete_task, start_case
from engine.runtime.deploy import deploy
from engine.runtime.runtime import Runtime
from engine.store import Case, Department, OpenTask, Power, User
from engine.supervision import alert_life, directives
from engine.supervision.demo_levels import load_levels

DEMO_PASSWORD = "sunshine"
REGION = ("519900", "示范市")


@dataclass(frozen=True)
class DemoPower:
    name: str
    category: str
    department: str
    process_file: str
    legal_days: int
    promised_days: int


DEPARTMENTS = {
    "SCJGJ": ("示范市市场监督管理局",
              ["受理", "承办", "审核", "批准", "立案", "调查", "法制审核", "负责人", "目录管理"]),
    "MZJ": ("示范市民政局", ["受理", "审核", "负责人", "目录管理"]),
}
LEGAL_OFFICE = ("SFJ", "示范市司法局（政府法制办）")
GOVERNMENT = ("ZFB", "示范市人民政府办公室")

POWERS = [
    DemoPower("食品经营许可", "license", "SCJGJ", "license_food_business.bpmn", 20, 10),
    DemoPower("一般程序行政处罚（食品安全）", "penalty", "SCJGJ", "penalty_general.bpmn",
              75, 60),
    DemoPower("高龄津贴资格确认", "confirmation", "MZJ", "confirmation_simple.bpmn", 20, 5),
]

# username, display name, department, posts, roles
USERS = [
    ("shouli", "张受理（市场监管局窗口）", "SCJGJ", ["受理"], ["staff"]),
    ("chengban", "李承办", "SCJGJ", ["承办"], ["staff"]),
    ("shenhe", "王审核", "SCJGJ", ["审核"], ["staff"]),
    ("pizhun", "赵批准（分管局长）", "SCJGJ", ["批准", "负责人"], ["staff"]),
    ("zhifa", "刘执法（立案、调查）", "SCJGJ", ["立案", "调查"], ["staff"]),
    ("fazhi", "孙法制（法制审核）", "SCJGJ", ["法制审核"], ["staff"]),
    ("mz_shouli", "周受理（民政局窗口）", "MZJ", ["受理"], ["staff"]),
    ("mz_shenhe", "吴审核（民政局）", "MZJ", ["审核", "负责人"], ["staff"]),
    ("mulu", "冯目录（市场监管局目录管理）", "SCJGJ", ["目录管理"], ["drafter"]),
    ("mz_mulu", "陈目录（民政局目录管理）", "MZJ", ["目录管理"], ["drafter"]),
    ("fazhiban", "钱法制（法制办合法性审查）", "SFJ", ["合法性审查"], ["legal"]),
    ("shending", "褚审定（政府办）", "ZFB", ["审定"], ["staff"]),
    ("jiancha", "郑监察（监察室）", None, [], ["supervisor"]),
    ("admin", "系统管理员", None, [], ["admin", "supervisor"]),
]


def load_demo(rt: Runtime) -> str:
    """Create whatever of the demo is missing; returns a one-line summary."""
    with rt.sessions.begin() as s:
        days = seed_from_chinesecalendar(s)
        region = ensure_region(s, *REGION)
        depts = {code: ensure_department(s, region, code, name, posts) for code, (name, posts) in DEPARTMENTS.items()}
        review.install(s, rt, region, legal=LEGAL_OFFICE, government=GOVERNMENT)
        depts.update({code: s.execute(select(Department).where(Department.code == code)).scalar_one()
                      for code in (LEGAL_OFFICE[0], GOVERNMENT[0])})
        life = alert_life.install(s, rt, region)  # the supervision office (电子监察), the life and 督办 processes
        directives.install(s, rt, life.department_id)
        apply_demo_prefixes(s)  # document numbers: 示范市监管许字〔2026〕第 1 号
        new_users = 0
        for username, display, dept_code, post_names, roles in USERS:
            if s.execute(select(User.id).where(User.username == username)).first():
                continue
            posts = [p for p in depts[dept_code].posts if p.name in post_names] if dept_code else []
            create_user(s, username, display, DEMO_PASSWORD, roles=roles, posts=posts)
            new_users += 1
        alert_life.enlist(s)  # supervisors hold the supervision office's post: the life's supervisor steps
        for p in POWERS:
            dept = depts[p.department]
            xml = (rt.settings.processes_dir / p.process_file).read_bytes()
            version = deploy(s, xml, p.process_file, author="fazhiban", forms=rt.forms,
                             posts={post.name for post in dept.posts}, promised_limit_days=p.promised_days,
                             legal_limit_days=p.legal_days)
            if s.execute(select(Power.id).where(Power.name == p.name, Power.department_id == dept.id)).first() is None:
                code, number = next_code(s, dept, p.category)
                s.add(Power(code=code, name=p.name, category=p.category, department_id=dept.id, sequence=number,
                            process_key=version.process_key, legal_limit_days=p.legal_days,
                            promised_limit_days=p.promised_days))
    rt.calendars.invalidate()
    catalog = load_demo_catalog(rt)
    cases = _demo_cases(rt)
    levels = load_levels(rt, DEMO_PASSWORD)  # a county, its supervisor, a department's supervision office, patrols
    return (f"demo ready: {days} calendar days written, {new_users} users added, {cases} cases started; {catalog}; "
            f"{levels}")


def _demo_cases(rt: Runtime) -> int:
    with rt.sessions() as s:
        if s.execute(select(func.count()).select_from(Case)).scalar():
            return 0
        users = {u.username: u for u in s.execute(select(User)).scalars()}
    with rt.sessions() as s:
        codes = {name: code for name, code in s.execute(select(Power.name, Power.code))}
    license_code, penalty_code, confirm_code = (codes[p.name] for p in POWERS)
    # Fictitious numbers of the fictitious 示范市 (region 519900), each with its correct check character
    # (GB 32100 / GB 11643), so the demo passes the checks a clerk's registration does.
    starts = [
        (license_code,
         Applicant("示范市味之源餐饮管理有限公司", "统一社会信用代码", "91519900MA62A1B2CY", "0837-2881234"),
         "申请食品经营许可（新办，热食类食品制售）"),
        (license_code, Applicant("示范市老街坊小吃店", "统一社会信用代码", "92519900MA62D4E5F6", "13908371234"),
         "申请食品经营许可（新办，冷食类食品制售）"),
        (penalty_code, Applicant("示范市惠民超市有限公司", "统一社会信用代码", "91519900MA62G7H8JK", "0837-2887766"),
         "涉嫌经营超过保质期的食品案"),
        (confirm_code, Applicant("张某某", "居民身份证", "519900194403150026", "13912345678"),
         "申请高龄津贴资格确认"),
    ]
    # Applications are registered at the window (shouli, 受理); the penalty is opened by 立案 (zhifa), as
    # engine.access lets staff do.
    made = [start_case(rt, code, applicant, subject, actor="zhifa" if code == penalty_code else "shouli")
            for code, applicant, subject in starts]
    # Move the second licence case on to 承办 so more than one inbox has work in it.
    with rt.sessions() as s:
        [accept] = s.execute(select(OpenTask).where(OpenTask.case_id == made[1].id)).scalars().all()
    # Applied today: an application date may not lie in the future, whenever the demo is loaded.
    today = clock.local(clock.now()).date().isoformat()
    complete_task(rt, accept.id, {**_ACCEPT_SAMPLE, "application_date": today}, users["shouli"])
    return len(made)


_ACCEPT_SAMPLE = {
    "applicant_name": "示范市老街坊小吃店", "applicant_id_type": "uscc", "applicant_id_number": "92519900MA62D4E5F6",
    "applicant_contact": "13908371234", "legal_representative": "陈某", "business_address": "示范市老街88号",
    "entity_type": "catering", "business_scope": "冷食类食品制售", "business_area": "46",
    "material_application": "true", "material_subject_certificate": "true",
    "material_layout": "true", "material_safety_rules": "true", "accept_result": "accept",
    "opinion": "申请材料齐全，符合法定形式，予以受理。",
}
