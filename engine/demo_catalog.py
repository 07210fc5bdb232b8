"""The demo catalog (行政职权目录) of 示范市: published powers of six departments, each created the real way.

Every power goes through ``open_change`` → ``update_fields`` → ``attach_flowchart`` → ``publish``, with all
the public fields its category must publish (seed 000 第十四条). Safe to run twice: a power whose name already
has a published version in its department is skipped; one the base demo created bare (no version yet) gets its
first published version through a ``modify`` change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import parse_xml
from engine.catalog.drafts import Trigger, attach_flowchart, latest_version, open_change, update_fields
from engine.catalog.fields import CATEGORIES, missing_fields
from engine.catalog.publish import publish
from engine.identity import ensure_department, ensure_region
from engine.runtime.errors import RuntimeProblem
from engine.runtime.runtime import Runtime
from engine.store import CatalogChange, Counter, Department, Power

REGION = ("519900", "示范市")
ACTOR = "fazhiban"
TRIGGER = Trigger("other", "示范市人民政府关于公布市级行政权力清单的通知（示府发〔2026〕1号）", None)
NPC = "https://flk.npc.gov.cn/"
PORTAL = "https://www.gjzwfw.gov.cn/"
NO_FEE = {"charged": False, "standard": "", "basis": ""}
RIGHTS = ("申请人或者当事人对行政行为不服的，可以自知道该行政行为之日起六十日内向示范市人民政府申请行政复议，"
          "也可以自知道或者应当知道作出行政行为之日起六个月内向示范市人民法院提起行政诉讼。对工作人员不作为、乱作为的，"
          "可拨打监督电话或者通过电子政务大厅投诉、举报。")

# Which internal flowchart each power runs on (files in processes/): only one drawn for its kind of power, whose
# forms ask what that power needs (a lift owner is never asked for 主体业态). A power without one is published with
# its public fields and external flowchart only: it cannot be registered (the registration page does not offer
# it; engine.access) until its department draws an internal flowchart and the review chain publishes it.
INTERNAL = {"食品经营许可": "license_food_business.bpmn", "特种设备使用登记": "license_special_equipment.bpmn",
            "一般程序行政处罚（食品安全）": "penalty_general.bpmn",
            "对超标排放水污染物的行政处罚": "penalty_general.bpmn", "高龄津贴资格确认": "confirmation_simple.bpmn"}
SERVICE_STEPS = ("受理", "审查", "决定", "送达")
PENALTY_STEPS = ("立案", "调查取证", "法制审核", "告知", "决定", "送达")
ENFORCEMENT_STEPS = ("立案", "调查取证", "法制审核", "告知", "实施强制措施", "送达")


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name: str
    place: str
    phone: str
    supervision_phone: str


@dataclass(frozen=True)
class DemoEntry:
    """One catalog power: where it belongs and what it publishes (category-specific fields)."""

    department: str
    category: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    secret: bool = False
    start: str = "提交申请"


DEPARTMENTS: dict[str, DemoDepartment] = {d.code: d for d in (
    DemoDepartment("SCJGJ", "示范市市场监督管理局", "示范市政务服务中心二楼 市场监管窗口（示范市人民大道1号）",
                   "0837-2881200", "12345（政务服务便民热线）；0837-2881299（驻局纪检监察组）"),
    DemoDepartment("MZJ", "示范市民政局", "示范市政务服务中心三楼 民政窗口（示范市人民大道1号）",
                   "0837-2882300", "12345（政务服务便民热线）；0837-2882399（驻局纪检监察组）"),
    DemoDepartment("ZRZYJ", "示范市自然资源和规划局", "示范市政务服务中心四楼 自然资源和规划窗口（示范市人民大道1号）",
                   "0837-2883400", "12345（政务服务便民热线）；0837-2883499（驻局纪检监察组）"),
    DemoDepartment("WJW", "示范市卫生健康委员会", "示范市政务服务中心三楼 卫生健康窗口（示范市人民大道1号）",
                   "0837-2884500", "12345（政务服务便民热线）；0837-2884599（驻委纪检监察组）"),
    DemoDepartment("JTYSJ", "示范市交通运输局", "示范市政务服务中心二楼 交通运输窗口（示范市人民大道1号）",
                   "0837-2885600", "12345（政务服务便民热线）；0837-2885699（驻局纪检监察组）"),
    DemoDepartment("STHJJ", "示范市生态环境局", "示范市生态环境局执法支队（示范市滨江路66号）",
                   "0837-2886700", "12345（政务服务便民热线）；0837-2886799（驻局纪检监察组）"),
)}


def basis(law: str, article: str, text: str) -> dict[str, str]:
    return {"law": law, "article": article, "text": text, "url": NPC}


def mat(name: str, copies: int = 1, required: bool = True, note: str = "") -> dict[str, Any]:
    return {"name": name, "copies": copies, "required": required, "note": note}


def faq(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"q": q, "a": a} for q, a in pairs]


def discretion(*rows: tuple[str, str, int, int]) -> list[dict[str, Any]]:
    return [{"level": lv, "description": d, "min_amount": lo, "max_amount": hi} for lv, d, lo, hi in rows]


FOOD_LAW = "《中华人民共和国食品安全法》"
ENTRIES: list[DemoEntry] = [
    # ---- 示范市市场监督管理局 ------------------------------------------------------------------------
    DemoEntry("SCJGJ", "license", "食品经营许可", {
        "legal_basis": [
            basis(FOOD_LAW, "第三十五条",
                  "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得许可。但是，"
                  "销售食用农产品和仅销售预包装食品的，不需要取得许可。县级以上地方人民政府食品安全监督管理部门应当依照"
                  "《中华人民共和国行政许可法》的规定，审核申请人提交的本法第三十三条第一款第一项至第四项规定要求的相关"
                  "资料，必要时对申请人的生产经营场所进行现场核查；对符合规定条件的，准予许可；对不符合规定条件的，"
                  "不予许可并书面说明理由。"),
            basis("《食品经营许可和备案管理办法》", "第三条",
                  "食品经营者在一个经营场所从事食品经营活动，应当取得一个食品经营许可证。"),
        ],
        "conditions": "1. 具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所；\n"
                      "2. 具有与经营的食品品种、数量相适应的经营设备或者设施；\n3. 有专职或者兼职的食品安全总监、"
                      "食品安全员等食品安全管理人员和保证食品安全的规章制度；\n4. 具有合理的设备布局和工艺流程，"
                      "防止待加工食品与直接入口食品、原料与成品交叉污染；\n5. 法律、法规规定的其他条件。",
        "materials": [mat("食品经营许可申请书", note="申请人签字或者盖章"),
                      mat("营业执照或者其他主体资格证明文件", note="核验原件，留存复印件"),
                      mat("与食品经营相适应的主要设备设施、经营布局、操作流程等文件"),
                      mat("食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录"),
                      mat("授权委托书及受托人身份证明", required=False, note="委托他人办理的提供")],
        "fees": NO_FEE, "legal_limit_days": 20, "promised_limit_days": 10,
        "online_url": PORTAL,
        "service_guide": "申请人可通过电子政务大厅在线申请，或者到市政务服务中心市场监管窗口提交材料。材料齐全、"
                         "符合法定形式的当场受理；需要补正的，一次性告知需要补正的全部内容。受理后需要现场核查的，"
                         "由承办人员在五个工作日内完成核查。准予许可的，自作出决定之日起五个工作日内颁发食品经营许可"
                         "证。",
        "forms": [{"name": "食品经营许可申请书（样表）", "url": PORTAL},
                  {"name": "食品经营设备设施布局及操作流程说明（样表）", "url": PORTAL}],
        "faq": faq(("仅销售预包装食品需要办理食品经营许可吗？",
                    "不需要。仅销售预包装食品的，应当报所在地县级以上地方人民政府市场监督管理部门备案。"),
                   ("食品经营许可证有效期多长？", "食品经营许可证有效期为五年。"),
                   ("材料不全怎么办？",
                    "窗口会出具补正材料通知书，一次性告知需要补正的全部内容，补正期间不计入办理时限。")),
    }),
    DemoEntry("SCJGJ", "license", "特种设备使用登记", {
        "legal_basis": [
            basis("《中华人民共和国特种设备安全法》", "第三十三条",
                  "特种设备使用单位应当在特种设备投入使用前或者投入使用后三十日内，向负责特种设备安全监督管理的部门办理"
                  "使用登记，取得使用登记证书。登记标志应当置于该特种设备的显著位置。"),
        ],
        "conditions": "1. 特种设备已经依法取得生产许可的单位制造、安装并经监督检验合格；\n2. 使用单位已建立特种设备安全"
                      "管理制度并配备安全管理人员；\n3. 特种设备在投入使用前或者投入使用后三十日内申请。",
        "materials": [mat("特种设备使用登记表", copies=2), mat("使用单位统一社会信用代码证明"),
                      mat("特种设备产品合格证（含产品数据表）"), mat("监督检验证明", note="按规定需要监督检验的提供"),
                      mat("定期检验报告", required=False, note="在用设备变更登记时提供")],
        "fees": NO_FEE, "legal_limit_days": 15, "promised_limit_days": 10,
        "online_url": PORTAL,
        "service_guide": "使用单位登录电子政务大厅填写使用登记表并上传材料，或者到市政务服务中心市场监管窗口办理。"
                         "准予登记的，发给特种设备使用登记证，使用单位应当将使用登记证编号标注在设备显著位置。",
        "forms": [{"name": "特种设备使用登记表", "url": PORTAL}],
        "faq": faq(("一台设备是否需要单独登记？", "锅炉、压力容器、电梯等按台（套）办理使用登记；气瓶按批量办理。"),
                   ("设备停用需要办理手续吗？", "停用一年以上的，应当在停用后三十日内告知登记机关。")),
    }),
    DemoEntry("SCJGJ", "penalty", "一般程序行政处罚（食品安全）", {
        "legal_basis": [
            basis(FOOD_LAW, "第一百二十四条",
                  "违反本法规定，有下列情形之一，尚不构成犯罪的，由县级以上人民政府食品安全监督管理部门没收违法所得和违"
                  "法生产经营的食品、食品添加剂，并可以没收用于违法生产经营的工具、设备、原料等物品；"
                  "违法生产经营的食品、食品添加剂货值金额不足一万元的，并处五万元以上十万元以下罚款；"
                  "货值金额一万元以上的，并处货值金额十倍以上二十倍以下罚款；情节严重的，吊销许可证：……（五）"
                  "生产经营标注虚假生产日期、保质期或者超过保质期的食品、食品添加剂；……"),
            basis("《中华人民共和国行政处罚法》", "第五十四条",
                  "除本法第五十一条规定的可以当场作出的行政处罚外，行政机关发现公民、法人或者其他组织有依法应当给予行政"
                  "处罚的行为的，必须全面、客观、公正地调查，收集有关证据；必要时，依照法律、法规的规定，可以进行检查。"),
        ],
        "legal_limit_days": 75, "promised_limit_days": 60,
        "procedure": "立案 → 调查取证（执法人员不少于两人，出示执法证件）→ 法制审核 → 行政处罚告知（告知拟作出的处罚内"
                     "容及事实、理由、依据，当事人享有陈述、申辩权，符合条件的享有听证权）→ 听证（当事人要求时）"
                     "→ 负责人集体讨论或审批作出决定 → 送达行政处罚决定书 → 执行。",
        "penalty_kinds": ["警告", "罚款", "没收违法所得", "没收非法财物", "吊销许可证件"],
        "discretion_standard": discretion(
            ("轻微", "初次违法，货值金额不足一千元，及时召回并销毁，未造成危害后果", 50000, 60000),
            ("一般", "货值金额不足一万元，未造成危害后果", 60000, 80000),
            ("较重", "货值金额不足一万元，涉及婴幼儿、老年人等特定人群食品，或者拒不配合调查", 80000, 90000),
            ("严重", "货值金额不足一万元，造成人身健康损害或者造成恶劣社会影响；货值一万元以上的按货值十至二十倍处罚",
             90000, 100000)),
        "place": DEPARTMENTS["SCJGJ"].place,
    }),
    DemoEntry("SCJGJ", "inspection", "对食品生产经营者的监督检查", {
        "legal_basis": [
            basis(FOOD_LAW, "第一百一十条",
                  "县级以上人民政府食品安全监督管理部门履行食品安全监督管理职责，有权采取下列措施，"
                  "对生产经营者遵守本法的情况进行监督检查：（一）进入生产经营场所实施现场检查；（二）对生产经营的食品、"
                  "食品添加剂、食品相关产品进行抽样检验；（三）查阅、复制有关合同、票据、账簿以及其他有关资料；……"),
        ],
        "legal_limit_days": 20, "promised_limit_days": 10,
        "procedure": "制定检查计划 → 两名以上执法人员出示执法证件进行现场检查 → 填写监督检查记录表，"
                     "由被检查单位签字确认 → 公示检查结果 → 发现问题的责令整改并跟踪复查。",
    }, start="启动检查"),
    # ---- 示范市民政局 ---------------------------------------------------------------------------------
    DemoEntry("MZJ", "confirmation", "高龄津贴资格确认", {
        "legal_basis": [
            basis("《中华人民共和国老年人权益保障法》", "第三十三条",
                  "国家建立和完善老年人福利制度，根据经济社会发展水平和老年人的实际需要，增加老年人的社会福利。"
                  "国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。"),
        ],
        "conditions": "具有本市户籍、年满八十周岁的老年人。",
        "materials": [mat("高龄津贴申请表"), mat("申请人居民身份证、户口簿", note="核验原件"),
                      mat("本人社会保障卡或者银行账户信息"),
                      mat("代办人身份证件", required=False, note="由他人代为申请的提供")],
        "fees": NO_FEE, "legal_limit_days": 20, "promised_limit_days": 5,
    }),
    DemoEntry("MZJ", "benefit", "最低生活保障金给付", {
        "legal_basis": [
            basis("《社会救助暂行办法》", "第九条",
                  "国家对共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合当地最低生活保障家庭财产状况规定的家"
                  "庭，给予最低生活保障。"),
            basis("《社会救助暂行办法》", "第十一条",
                  "申请最低生活保障，按照下列程序办理：（一）由共同生活的家庭成员向户籍所在地的乡镇人民政府、"
                  "街道办事处提出书面申请；……（三）县级人民政府民政部门经审查，对符合条件的申请予以批准，"
                  "并在申请人所在村、社区公布；对不符合条件的申请不予批准，并书面向申请人说明理由。"),
        ],
        "conditions": "1. 持有本市户籍，共同生活的家庭成员人均月收入低于示范市城乡最低生活保障标准；\n"
                      "2. 家庭财产状况符合示范市最低生活保障家庭财产规定。",
        "materials": [mat("最低生活保障申请书"), mat("家庭成员居民身份证、户口簿", note="核验原件"),
                      mat("家庭收入和财产状况申报表及授权核对书", note="全体家庭成员签字"),
                      mat("残疾证、病历等证明", required=False, note="家庭成员有重残、重病的提供")],
        "fees": NO_FEE, "legal_limit_days": 30, "promised_limit_days": 20,
    }),
    DemoEntry("MZJ", "license", "社会团体成立登记", {
        "legal_basis": [
            basis("《社会团体登记管理条例》", "第九条",
                  "申请成立社会团体，应当经其业务主管单位审查同意，由发起人向登记管理机关申请登记。"),
            basis("《社会团体登记管理条例》", "第十二条",
                  "登记管理机关应当自收到本条例第十一条所列全部有效文件之日起60日内，作出准予或者不准予登记的决定。"),
        ],
        "conditions": "1. 有50个以上的个人会员或者30个以上的单位会员；\n2. 有规范的名称和相应的组织机构；\n"
                      "3. 有固定的住所；\n4. 有与其业务活动相适应的专职工作人员；\n5. 有合法的资产和经费来源，"
                      "地方性社会团体有3万元以上活动资金；\n6. 有独立承担民事责任的能力。",
        "materials": [mat("社会团体成立登记申请书"), mat("业务主管单位的批准文件"), mat("验资报告、场所使用权证明"),
                      mat("发起人和拟任负责人的基本情况、身份证明"), mat("章程草案", note="经会员大会通过")],
        "fees": NO_FEE, "legal_limit_days": 40, "promised_limit_days": 20,
        "online_url": PORTAL,
        "service_guide": "发起人经业务主管单位同意后向市民政局申请。符合条件的准予登记，发给《社会团体法人登记证书》；"
                         "不予登记的，书面说明理由。",
        "forms": [{"name": "社会团体成立登记申请表", "url": PORTAL}, {"name": "社会团体章程示范文本", "url": PORTAL}],
        "faq": faq(("筹备期间可以开展活动吗？", "筹备期间不得开展筹备以外的活动。"),
                   ("法定时限如何计算？", "条例规定60日，本目录折算为40个工作日，承诺20个工作日办结。")),
    }),
    # ---- 示范市自然资源和规划局 ---------------------------------------------------------------------
    DemoEntry("ZRZYJ", "license", "建设用地规划许可证核发", {
        "legal_basis": [
            basis("《中华人民共和国城乡规划法》", "第三十七条",
                  "在城市、镇规划区内以划拨方式提供国有土地使用权的建设项目，经有关部门批准、核准、备案后，"
                  "建设单位应当向城市、县人民政府城乡规划主管部门提出建设用地规划许可申请，由城市、"
                  "县人民政府城乡规划主管部门依据控制性详细规划核定建设用地的位置、面积、允许建设的范围，"
                  "核发建设用地规划许可证。"),
            basis("《中华人民共和国城乡规划法》", "第三十八条",
                  "以出让方式取得国有土地使用权的建设项目，建设单位在取得建设项目的批准、核准、备案文件和签订国有土地使"
                  "用权出让合同后，向城市、县人民政府城乡规划主管部门领取建设用地规划许可证。"),
        ],
        "conditions": "1. 建设项目位于城市、镇规划区内，符合国土空间规划和控制性详细规划；\n2. 划拨用地项目已取得批准、"
                      "核准或者备案文件；出让用地项目已签订国有土地使用权出让合同。",
        "materials": [mat("建设用地规划许可申请表"), mat("建设项目批准、核准或者备案文件"),
                      mat("国有土地使用权出让合同", note="出让方式用地提供"),
                      mat("宗地界址坐标及勘测定界图", note="电子版（CGCS2000坐标系）")],
        "fees": NO_FEE, "legal_limit_days": 20, "promised_limit_days": 10,
        "online_url": PORTAL,
        "service_guide": "建设单位通过工程建设项目审批管理系统或者电子政务大厅申请。对符合规划的，"
                         "核发建设用地规划许可证；用地预审与选址意见书已合并办理的，不再重复提交相同材料。",
        "forms": [{"name": "建设用地规划许可申请表", "url": PORTAL}],
        "faq": faq(("出让用地需要另行申请规划条件吗？", "规划条件已作为出让合同的组成部分，申请时无需另行申请。"),)
    }),
    DemoEntry("ZRZYJ", "levy", "土地闲置费征收", {
        "legal_basis": [
            basis("《中华人民共和国土地管理法》", "第三十八条",
                  "禁止任何单位和个人闲置、荒芜耕地。……在城市规划区范围内，以出让方式取得土地使用权进行房地产开发的闲置"
                  "土地，依照《中华人民共和国城市房地产管理法》的有关规定办理。"),
            basis("《闲置土地处置办法》", "第十四条",
                  "未动工开发满一年的，由市、县国土资源主管部门报经本级人民政府批准后，向国有建设用地使用权人下达《征缴"
                  "土地闲置费决定书》，按照土地出让或者划拨价款的百分之二十征缴土地闲置费。土地闲置费不得列入生产成本。"),
        ],
        "fees": {"charged": True, "standard": "按土地出让或者划拨价款的百分之二十征缴",
                 "basis": "《闲置土地处置办法》第十四条"},
        "levy_standard": "国有建设用地未动工开发满一年的，按照土地出让或者划拨价款的20%征缴土地闲置费。",
        "procedure": "调查认定闲置土地 → 下达《闲置土地认定书》→ 报市人民政府批准 → 下达《征缴土地闲置费决定书》"
                     "→ 使用权人自决定书送达之日起三十日内缴纳 → 逾期不缴纳的依法申请强制执行。",
        "place": DEPARTMENTS["ZRZYJ"].place,
        "legal_limit_days": 20, "promised_limit_days": 10,
    }, start="认定闲置土地"),
    DemoEntry("ZRZYJ", "inspection", "涉密测绘成果使用情况监督检查", {
        "legal_basis": [
            basis("《中华人民共和国测绘法》", "第三十四条",
                  "测绘成果保管单位应当采取措施保障测绘成果的完整和安全，并按照国家有关规定向社会公开和提供利用。"
                  "测绘成果属于国家秘密的，适用保密法律、行政法规的规定。"),
        ],
        "legal_limit_days": 20, "promised_limit_days": 10,
        "procedure": "按保密规定组织检查，检查结果不予公开。",
    }, secret=True, start="启动检查"),
    # ---- 示范市卫生健康委员会 -------------------------------------------------------------------------
    DemoEntry("WJW", "license", "医疗机构执业登记", {
        "legal_basis": [
            basis("《医疗机构管理条例》", "第十五条",
                  "医疗机构执业，必须进行登记，领取《医疗机构执业许可证》。"),
            basis("《医疗机构管理条例实施细则》", "第二十七条",
                  "申请医疗机构执业登记必须填写《医疗机构申请执业登记注册书》，并向登记机关提交有关材料。"),
        ],
        "conditions": "1. 按照规定应当办理设置医疗机构批准书的，已取得批准书；\n2. 符合医疗机构的基本标准；\n"
                      "3. 有适合的名称、组织机构和场所；\n4. 有与其开展的业务相适应的经费、设施、"
                      "设备和专业卫生技术人员；\n5. 有相应的规章制度；\n6. 能够独立承担民事责任。",
        "materials": [mat("医疗机构申请执业登记注册书"),
                      mat("设置医疗机构批准书", required=False, note="按规定需要的提供"),
                      mat("医疗机构用房产权证明或者使用证明"), mat("医疗机构建筑设计平面图"),
                      mat("验资证明、资产评估报告"), mat("医疗机构规章制度"),
                      mat("医疗机构法定代表人或者主要负责人以及各科室负责人名录和有关资格证书、执业证书复印件")],
        "fees": NO_FEE, "legal_limit_days": 30, "promised_limit_days": 15,
        "online_url": PORTAL,
        "service_guide": "申请人在电子政务大厅提交材料，市卫生健康委组织现场审核；审核合格的发给《医疗机构执业许可"
                         "证》，不合格的书面说明理由。",
        "forms": [{"name": "医疗机构申请执业登记注册书", "url": PORTAL}],
        "faq": faq(("诊所需要办理执业登记吗？", "诊所实行备案管理的，按备案程序办理，无需申请执业登记。"),
                   ("校验周期是多久？", "床位不满100张的医疗机构每年校验1次；床位100张以上的每3年校验1次。")),
    }),
    DemoEntry("WJW", "inspection", "公共场所卫生监督检查", {
        "legal_basis": [
            basis("《公共场所卫生管理条例》", "第十条",
                  "各级卫生防疫机构，负责管辖范围内的公共场所卫生监督工作。"),
            basis("《公共场所卫生管理条例实施细则》", "第三十一条",
                  "县级以上地方人民政府卫生计生行政部门应当对公共场所卫生监督实施量化分级管理，"
                  "促进公共场所自身卫生管理，增强卫生监督信息透明度。"),
        ],
        "legal_limit_days": 20, "promised_limit_days": 10,
        "procedure": "年度随机抽查计划 → 双随机抽取检查对象和执法人员 → 现场检查及卫生检测 → 出具卫生监督意见书 → 公示"
                     "检查结果和量化分级等级。",
    }, start="启动检查"),
    DemoEntry("WJW", "reward", "无偿献血奖励", {
        "legal_basis": [
            basis("《中华人民共和国献血法》", "第十七条",
                  "各级人民政府和红十字会对积极参加献血和在献血工作中做出显著成绩的单位和个人，给予奖励。"),
        ],
        "conditions": "在本市无偿献血达到国家无偿献血奉献奖、促进奖表彰标准，"
                      "或者在献血工作中做出显著成绩的单位和个人。",
        "materials": [mat("无偿献血奖励申报表"), mat("无偿献血证", note="核验原件"),
                      mat("单位推荐材料", required=False, note="单位申报的提供")],
        "fees": NO_FEE, "legal_limit_days": 30, "promised_limit_days": 20,
    }),
    # ---- 示范市交通运输局 -----------------------------------------------------------------------------
    DemoEntry("JTYSJ", "license", "道路危险货物运输经营许可", {
        "legal_basis": [
            basis("《中华人民共和国道路运输条例》", "第二十四条",
                  "申请从事货运经营的，应当依法向市场监督管理部门办理有关登记手续后，按照下列规定提出申请并分别提交符合"
                  "本条例第二十一条、第二十二条规定条件的相关材料：……（二）从事危险货物运输经营的，"
                  "向设区的市级人民政府交通运输主管部门提出申请。依照前款规定收到申请的交通运输主管部门，"
                  "应当自受理申请之日起20日内审查完毕，作出许可或者不予许可的决定。"),
        ],
        "conditions": "1. 有5辆以上经检测合格的危险货物运输专用车辆、设备；\n2. 有经所在地设区的市级交通运输主管部门考"
                      "试合格，取得上岗资格证的驾驶人员、装卸管理人员、押运人员；\n3. 危险货物运输专用车辆配有必要的通"
                      "讯工具；\n4. 有健全的安全生产管理制度。",
        "materials": [mat("道路危险货物运输经营申请表"), mat("拟投入车辆承诺书"), mat("从业人员从业资格证明"),
                      mat("停车场地的土地使用证明", note="自有或者租赁"), mat("安全生产管理制度文本")],
        "fees": NO_FEE, "legal_limit_days": 20, "promised_limit_days": 10,
        "online_url": PORTAL,
        "service_guide": "申请人在电子政务大厅在线申请。准予许可的，发给《道路运输经营许可证》，"
                         "并在车辆投入运营前核发《道路运输证》。",
        "forms": [{"name": "道路危险货物运输经营申请表", "url": PORTAL}],
        "faq": faq(("可以租赁车辆申请吗？", "专用车辆应当为申请人自有，不得使用租赁车辆。"),)
    }),
    DemoEntry("JTYSJ", "enforcement", "暂扣无车辆营运证又无法当场提供其他有效证明的车辆", {
        "legal_basis": [
            basis("《中华人民共和国道路运输条例》", "第六十三条",
                  "交通运输主管部门的工作人员在实施道路运输监督检查过程中，对没有车辆营运证又无法当场提供其他有效证明的"
                  "车辆予以暂扣的，应当妥善保管，不得使用，不得收取或者变相收取保管费用。"),
            basis("《中华人民共和国行政强制法》", "第十八条",
                  "行政机关实施行政强制措施应当遵守下列规定：（一）实施前须向行政机关负责人报告并经批准；（二）"
                  "由两名以上行政执法人员实施；（三）出示执法身份证件；……"),
        ],
        "legal_limit_days": 75, "promised_limit_days": 60,
        "procedure": "报负责人批准 → 两名以上执法人员出示证件 → 通知当事人到场，告知理由、依据和权利 → 听取陈述申辩 → "
                     "制作现场笔录和暂扣凭证 → 妥善保管车辆 → 依法作出处理决定后及时解除暂扣。",
        "place": DEPARTMENTS["JTYSJ"].place,
    }, start="发现违法行为"),
    # ---- 示范市生态环境局 -----------------------------------------------------------------------------
    DemoEntry("STHJJ", "penalty", "对超标排放水污染物的行政处罚", {
        "legal_basis": [
            basis("《中华人民共和国水污染防治法》", "第八十三条",
                  "违反本法规定，有下列行为之一的，由县级以上人民政府环境保护主管部门责令改正或者责令限制生产、"
                  "停产整治，并处十万元以上一百万元以下的罚款；情节严重的，报经有批准权的人民政府批准，责令停业、关闭："
                  "……（二）超过水污染物排放标准或者超过重点水污染物排放总量控制指标排放水污染物的；……"),
        ],
        "legal_limit_days": 75, "promised_limit_days": 60,
        "procedure": "立案 → 现场检查、采样监测 → 法制审核 → 告知拟处罚内容及陈述、申辩、听证权利 → 听证（当事人要求"
                     "时） → 集体讨论决定 → 送达行政处罚决定书 → 执行及后督察。",
        "penalty_kinds": ["罚款", "责令停产停业", "责令关闭"],
        "discretion_standard": discretion(
            ("轻微", "超标倍数0.5倍以下，持续时间短，主动改正", 100000, 200000),
            ("一般", "超标倍数0.5倍以上1倍以下", 200000, 400000),
            ("较重", "超标倍数1倍以上3倍以下，或者二年内再次超标", 400000, 700000),
            ("严重", "超标倍数3倍以上，或者排入饮用水水源保护区等敏感区域", 700000, 1000000)),
        "place": DEPARTMENTS["STHJJ"].place,
    }, start="发现违法线索"),
    DemoEntry("STHJJ", "enforcement", "查封、扣押造成污染物排放的设施、设备", {
        "legal_basis": [
            basis("《中华人民共和国环境保护法》", "第二十五条",
                  "企业事业单位和其他生产经营者违反法律法规规定排放污染物，造成或者可能造成严重污染的，"
                  "县级以上人民政府环境保护主管部门和其他负有环境保护监督管理职责的部门，可以查封、"
                  "扣押造成污染物排放的设施、设备。"),
            basis("《中华人民共和国行政强制法》", "第二十五条",
                  "查封、扣押的期限不得超过三十日；情况复杂的，经行政机关负责人批准，可以延长，但是延长期限不得超过三十"
                  "日。法律、行政法规另有规定的除外。"),
        ],
        "legal_limit_days": 75, "promised_limit_days": 60,
        "procedure": "调查取证 → 报负责人批准 → 制作查封、扣押决定书并送达 → 现场实施，制作现场笔录和清单，"
                     "张贴封条 → 在查封、扣押期限内作出处理决定 → 解除或者依法处理。",
        "place": DEPARTMENTS["STHJJ"].place,
    }, start="发现违法线索"),
]


def steps_for(category: str) -> tuple[str, ...]:
    """The published steps of the external flowchart (the applicant's view of the procedure)."""
    if category == "penalty":
        return PENALTY_STEPS
    if category == "enforcement":
        return ENFORCEMENT_STEPS
    if category == "inspection":
        return ("检查准备", "现场检查", "处理决定", "结果公示")
    if category == "levy":
        return ("调查认定", "作出征收决定", "送达", "缴纳")
    return SERVICE_STEPS


def external_flowchart(process_id: str, title: str, steps: tuple[str, ...], start: str = "提交申请",
                       end: str = "办结") -> bytes:
    """A display-only BPMN chart ``start → steps… → end`` laid out left to right, with diagram (DI) for bpmn-js."""
    w, h, gap, y, x0, ev = 110, 60, 50, 100, 80, 36
    nodes = [("startEvent", "Start", start)] + [("task", f"Step_{i}", s) for i, s in enumerate(steps, 1)] + \
            [("endEvent", "End", end)]
    flows = [(f"Flow_{i}", a[1], b[1]) for i, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False), 1)]
    elems, shapes, edges, bounds = [], [], [], {}
    x = x0
    for tag, nid, name in nodes:
        size = (ev, ev) if tag.endswith("Event") else (w, h)
        bx, by = x, y + (h - size[1]) // 2
        bounds[nid] = (bx, by, *size)
        io = "".join(f"<bpmn:incoming>{f[0]}</bpmn:incoming>" for f in flows if f[2] == nid)
        io += "".join(f"<bpmn:outgoing>{f[0]}</bpmn:outgoing>" for f in flows if f[1] == nid)
        elems.append(f'<bpmn:{tag} id="{nid}" name={quoteattr(name)}>{io}</bpmn:{tag}>')
        label = (f'<bpmndi:BPMNLabel><dc:Bounds x="{bx - 20}" y="{by + size[1] + 6}" width="{size[0] + 40}" '
                 f'height="14" /></bpmndi:BPMNLabel>') if tag.endswith("Event") else ""
        shapes.append(f'<bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"><dc:Bounds x="{bx}" y="{by}" '
                      f'width="{size[0]}" height="{size[1]}" />{label}</bpmndi:BPMNShape>')
        x += size[0] + gap
    for fid, src, dst in flows:
        sx, sy, sw, sh = bounds[src]
        tx, ty, _, th = bounds[dst]
        elems.append(f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}" />')
        edges.append(f'<bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}"><di:waypoint x="{sx + sw}" '
                     f'y="{sy + sh // 2}" /><di:waypoint x="{tx}" y="{ty + th // 2}" /></bpmndi:BPMNEdge>')
    body = "\n    ".join(elems)
    di = "\n      ".join(shapes + edges)
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Definitions_{process_id}"
  targetNamespace="https://sunshine.example/bpmn/external">
  <bpmn:process id="{process_id}" name={quoteattr(title)} isExecutable="false">
    {body}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_{process_id}">
    <bpmndi:BPMNPlane id="Plane_{process_id}" bpmnElement="{process_id}">
      {di}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
    return xml.encode("utf-8")


def lane_names(xml: bytes, filename: str) -> list[str]:
    """The lane names of a flowchart: the posts its department must have."""
    root = parse_xml(xml, filename).getroot()
    names = root.xpath("//*[local-name()='lane']/@name")
    return list(dict.fromkeys(str(n) for n in names))


def _process_id(code: str) -> str:
    return "External_" + re.sub(r"[^A-Za-z0-9_-]", "_", code)


def _sync_code_counter(session: Session, dept: Department, category: str) -> None:
    """Make the next code skip numbers that powers created outside the catalog (the base demo) already use."""
    letters = CATEGORIES[category][2]
    prefix = f"{dept.region.code}-{dept.code}-{letters}-"
    codes = session.execute(select(Power.code).where(Power.code.startswith(prefix))).scalars()
    used = max((int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()), default=0)
    scope = f"power:{dept.code}:{letters}"
    counter = session.get(Counter, scope)
    if counter is None and used:
        session.add(Counter(scope=scope, value=used))
    elif counter is not None and counter.value < used:
        counter.value = used
    session.flush()


def _fields_for(entry: DemoEntry, dept: DemoDepartment) -> dict[str, Any]:
    """The entry's own fields over the department's defaults (place, phones, rights channels)."""
    values: dict[str, Any] = {"implementing_body": dept.name, "supervision_phone": dept.supervision_phone,
                              "rights_channels": RIGHTS}
    if entry.category not in ("inspection", "enforcement", "penalty", "levy"):
        values.update(place=dept.place, phone=dept.phone)
    values.update(entry.fields)
    return values


def _publish_entry(rt: Runtime, s: Session, entry: DemoEntry, dept: Department, xml: bytes | None) -> bool:
    """Create (or complete) one power; False when it already has a published version."""
    existing = s.execute(select(Power).where(Power.department_id == dept.id, Power.name == entry.name)).scalar()
    if existing is not None and latest_version(s, existing.id) is not None:
        return False
    reason = "依据权力清单公布市级行政权力事项"
    change: CatalogChange
    if existing is None:
        _sync_code_counter(s, dept, entry.category)
        change = open_change(s, "add", department=dept, actor=ACTOR, reason=reason, trigger=TRIGGER,
                             category=entry.category, name=entry.name, secret=entry.secret)
    else:
        # Created bare by the base demo: give it its first published version through the same pipeline.
        change = open_change(s, "modify", department=dept, actor=ACTOR, reason=reason, trigger=TRIGGER,
                             power=existing)
        change.fields = {"name": existing.name, "code": existing.code, "category": existing.category,
                         "department": dept.name, "implementing_body": dept.name}
    values = _fields_for(entry, DEPARTMENTS[dept.code])
    errors = update_fields(s, change, values, actor=ACTOR)
    if errors:
        raise RuntimeProblem("catalog.invalid", fields=errors)
    code = change.fields["code"]
    external = external_flowchart(_process_id(code), f"{entry.name}（外部流程图）", steps_for(entry.category),
                                  start=entry.start)
    for which, data in ((("internal", xml),) if xml is not None else ()) + (("external", external),):
        problems = [p for p in attach_flowchart(s, change, which, data, actor=ACTOR, forms=rt.forms) if p.is_error]
        if problems:
            raise RuntimeProblem("bpmn.invalid", details=f"{entry.name} {which}: " +
                                 "; ".join(p.message for p in problems))
    missing = missing_fields(entry.category, change.fields, has_external_flowchart=bool(change.external_bpmn))
    if missing:
        raise RuntimeProblem("catalog.incomplete", details=f"{entry.name}: {', '.join(missing)}")
    publish(s, change, actor=ACTOR, forms=rt.forms)
    return True


def load_demo_catalog(rt: Runtime) -> str:
    """Publish whatever of the demo catalog is missing; returns a one-line summary."""
    flowcharts = {name: (rt.settings.processes_dir / name).read_bytes() for name in set(INTERNAL.values())}
    needed: dict[str, list[str]] = {}
    for entry in ENTRIES:
        posts = needed.setdefault(entry.department, [])
        if (filename := INTERNAL.get(entry.name)) is not None:
            posts.extend(p for p in lane_names(flowcharts[filename], filename) if p not in posts)
    published = 0
    with rt.sessions.begin() as s:
        region = ensure_region(s, *REGION)
        depts = {code: ensure_department(s, region, code, DEPARTMENTS[code].name, posts)
                 for code, posts in needed.items()}
        for entry in ENTRIES:
            filename = INTERNAL.get(entry.name)
            published += _publish_entry(rt, s, entry, depts[entry.department],
                                        flowcharts[filename] if filename else None)
    return f"demo catalog ready: {published} powers published"
