"""Reference data of the demo county: the court and county constants, the demo's calendar,
the names people, villages and companies are drawn from, causes of action, banks, the
linkage units, the enforcement nodes and the lead lifecycle the data follows.

Plain constants, no randomness: the builders (``seed.builders``) draw from them.
"""

from __future__ import annotations

import math
from datetime import date

from enforcement.models import LeadKind, LeadStatus, LinkageKind
from enforcement.supervision.catalogue import STANDARD_NODES

# --------------------------------------------------------------------------------------
# The court and the county
# --------------------------------------------------------------------------------------

COURT_CODE = "621025"
COURT_NAME = "正宁县人民法院"
COUNTY_NAME = "正宁县"
REGION_CODE = "621025"
CASE_PREFIX = "甘1025"
ADDRESS_PREFIX = "甘肃省庆阳市正宁县"
CENTER_LON = 108.36
CENTER_LAT = 35.49
DEMO_PASSWORD = "gridwork-demo"

AS_OF = date(2026, 10, 31)
"""The demo's "today": nothing in it happens later. A constant, so the data is stable."""

FIELD_START = date(2025, 1, 1)
"""Leads, sightings and mediation notes are from 2025 and 2026."""

CASES_FROM = date(2022, 1, 4)

TOWNSHIP_NAMES = (
    "山河镇", "永和镇", "周家镇", "湫头镇", "榆林子镇",
    "宫河镇", "西坡镇", "永正镇", "五顷塬回族乡", "三嘉镇",
)
"""The county seat 山河镇 first; it gets the Voronoi cell nearest the county's centre."""

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320 * math.cos(math.radians(CENTER_LAT))


# --------------------------------------------------------------------------------------
# Names, causes, units, nodes
# --------------------------------------------------------------------------------------

SURNAMES = (
    ("王", 8), ("张", 7), ("李", 7), ("刘", 6), ("杨", 5), ("赵", 4), ("马", 4), ("陈", 3),
    ("高", 3), ("郭", 2), ("周", 2), ("吴", 2), ("孙", 2), ("田", 1.5), ("朱", 1.5),
    ("胡", 1.5), ("何", 1.5), ("徐", 1.5), ("罗", 1), ("梁", 1), ("宋", 1), ("韩", 1),
    ("冯", 1), ("曹", 1), ("董", 1), ("袁", 1), ("于", 1), ("杜", 1), ("程", 1), ("魏", 1),
    ("任", 1), ("贾", 1), ("白", 1), ("闫", 0.8), ("吕", 0.8), ("丁", 0.8), ("姚", 0.8),
    ("石", 0.8), ("薛", 0.8), ("雷", 0.8), ("侯", 0.8), ("史", 0.8), ("武", 0.8),
    ("崔", 0.6), ("范", 0.6), ("孟", 0.6), ("秦", 0.6), ("贺", 0.6), ("郝", 0.6),
    ("卢", 0.5), ("姜", 0.5), ("蒋", 0.5), ("路", 0.5), ("党", 0.5), ("樊", 0.5),
    ("巩", 0.4), ("强", 0.4), ("景", 0.4), ("屈", 0.4), ("岳", 0.4), ("蔺", 0.3),
    ("敬", 0.3), ("寇", 0.3), ("海", 0.3), ("穆", 0.3),
)
SURNAME_LIST = [s for s, _ in SURNAMES]
SURNAME_WEIGHTS = [w for _, w in SURNAMES]
HUI_SURNAMES = ("马", "马", "马", "海", "穆", "杨", "白", "丁", "李")
MALE_GIVEN = ("伟刚勇军强平东明辉建国志斌海涛鹏超浩亮峰磊宏林彬俊文龙虎成杰波鑫兵忠华利民"
         "福贵宝生荣世春喜锋江永红全德安发旭飞宁有才进乐")
FEMALE_GIVEN = "芳娟霞丽敏静燕艳玲萍红梅莉兰琴英华秀娥婷雪娜妮慧玉凤琳瑞晶彩霞桂香爱云巧莲"
ALIASES = ("二娃", "三娃", "狗娃", "牛娃", "老大", "老二", "黑娃", "栓子", "锁子", "平娃", "军娃")

VILLAGE_SUFFIX_A = "庄河堡沟塬湾岭坪寨咀峁川"
VILLAGE_PREFIX_B = "东西南北上下前后大小新中"
VILLAGE_BODY_B = "堡庄头沟塬川湾坡洼关寨街"
VILLAGE_HEAD_C = "柳杨槐桃杏枣榆松柏石龙凤金罗永安宁兴和太广长三五九"
VILLAGE_TAIL_C = "树林泉门峪庙子坊城川沟湾塬坪"

# (cause, weight, median amount owed in yuan, sigma)
CAUSES = (
    ("民间借贷纠纷", 30, 45000, 1.0),
    ("买卖合同纠纷", 14, 38000, 1.0),
    ("金融借款合同纠纷", 9, 80000, 0.9),
    ("劳务合同纠纷", 8, 16000, 0.7),
    ("追索劳动报酬纠纷", 5, 22000, 0.7),
    ("机动车交通事故责任纠纷", 8, 60000, 0.9),
    ("离婚纠纷", 4, 30000, 0.8),
    ("抚养费纠纷", 4, 9000, 0.6),
    ("赡养费纠纷", 2, 6000, 0.6),
    ("建设工程施工合同纠纷", 3, 180000, 0.9),
    ("租赁合同纠纷", 4, 20000, 0.8),
    ("提供劳务者受害责任纠纷", 3, 50000, 0.8),
    ("信用卡纠纷", 3, 25000, 0.7),
    ("承揽合同纠纷", 3, 30000, 0.8),
)
BANKS = ("甘肃正宁农村商业银行股份有限公司", "中国邮政储蓄银行股份有限公司正宁县支行",
          "中国农业银行股份有限公司正宁县支行", "甘肃银行股份有限公司庆阳分行")
CARD_BANKS = ("中国建设银行股份有限公司庆阳分行", "中国工商银行股份有限公司庆阳分行")
COMPANY_WORDS = ("金穗", "丰源", "宏达", "鑫盛", "永兴", "瑞丰", "华鑫", "子午岭", "罗川", "泰和",
                  "顺通", "恒达", "嘉禾", "塬上", "昌盛", "兴旺")
COMPANY_KINDS = ("农资有限责任公司", "商贸有限公司", "建筑工程有限公司", "果业有限公司",
                  "苹果专业合作社", "养殖专业合作社", "运输有限公司", "建材经销部", "劳务有限公司")

LINKAGE_UNITS = (
    ("正宁县公安局", LinkageKind.POLICE, ("find_person", "seize_vehicle", "search_records"), 3),
    ("正宁县公安局交通警察大队车辆管理所", LinkageKind.VEHICLE_REGISTRY,
     ("seize_vehicle", "search_records"), 5),
    ("正宁县自然资源局不动产登记中心", LinkageKind.REAL_ESTATE_REGISTRY,
     ("search_records", "freeze_and_deduct"), 5),
    ("甘肃正宁农村商业银行股份有限公司", LinkageKind.BANK,
     ("search_records", "freeze_and_deduct"), 3),
    ("中国农业银行股份有限公司正宁县支行", LinkageKind.BANK,
     ("search_records", "freeze_and_deduct"), 3),
    ("正宁县市场监督管理局", LinkageKind.MARKET_REGULATOR, ("search_records",), 7),
    ("正宁县人力资源和社会保障局", LinkageKind.SOCIAL_SECURITY,
     ("search_records", "freeze_and_deduct"), 7),
    ("正宁县住房和城乡建设局", LinkageKind.OTHER, ("search_records", "appraise"), 10),
    ("国家税务总局正宁县税务局", LinkageKind.OTHER, ("search_records",), 10),
    ("国网甘肃省电力公司正宁县供电公司", LinkageKind.OTHER, ("find_person", "search_records"), 7),
    ("正宁县通信运营商联络组（移动、联通、电信）", LinkageKind.OTHER,
     ("find_person", "search_records"), 5),
    ("正宁县各乡镇人民政府", LinkageKind.TOWNSHIP_GOVERNMENT, ("find_person", "search_records"), 7),
    ("正宁县价格认证中心", LinkageKind.OTHER, ("appraise",), 15),
)

ENFORCEMENT_NODES = STANDARD_NODES
"""The 23 key enforcement nodes deputies witness (``enforcement.supervision.catalogue``)."""

LEAD_NEXT: dict[LeadStatus | None, frozenset[LeadStatus]] = {
    None: frozenset({LeadStatus.SUBMITTED}),
    LeadStatus.SUBMITTED: frozenset({LeadStatus.UNDER_REVIEW}),
    LeadStatus.UNDER_REVIEW: frozenset(
        {LeadStatus.ACCEPTED, LeadStatus.REJECTED, LeadStatus.DUPLICATE}
    ),
    LeadStatus.ACCEPTED: frozenset({LeadStatus.ASSIGNED}),
    LeadStatus.ASSIGNED: frozenset({LeadStatus.VERIFIED, LeadStatus.NOT_FOUND}),
    LeadStatus.VERIFIED: frozenset({LeadStatus.OUTCOME_RECORDED}),
    LeadStatus.NOT_FOUND: frozenset({LeadStatus.CLOSED}),
    LeadStatus.OUTCOME_RECORDED: frozenset({LeadStatus.CLOSED}),
    LeadStatus.REJECTED: frozenset(),
    LeadStatus.DUPLICATE: frozenset(),
    LeadStatus.CLOSED: frozenset(),
}
"""The lead lifecycle the demo data follows: every lead's transitions walk this graph."""

_S = LeadStatus
LEAD_PATHS: dict[str, tuple[LeadStatus, ...]] = {
    "submitted": (_S.SUBMITTED,),
    "under_review": (_S.SUBMITTED, _S.UNDER_REVIEW),
    "rejected": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.REJECTED),
    "duplicate": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.DUPLICATE),
    "accepted": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.ACCEPTED),
    "assigned": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.ACCEPTED, _S.ASSIGNED),
    "verified": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.ACCEPTED, _S.ASSIGNED, _S.VERIFIED),
    "not_found": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.ACCEPTED, _S.ASSIGNED, _S.NOT_FOUND),
    "not_found_closed": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.ACCEPTED, _S.ASSIGNED,
                         _S.NOT_FOUND, _S.CLOSED),
    "outcome_recorded": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.ACCEPTED, _S.ASSIGNED,
                         _S.VERIFIED, _S.OUTCOME_RECORDED),
    "closed": (_S.SUBMITTED, _S.UNDER_REVIEW, _S.ACCEPTED, _S.ASSIGNED, _S.VERIFIED,
               _S.OUTCOME_RECORDED, _S.CLOSED),
}
# Days from one step to the next, as (low, high), keyed by the step reached.
LEAD_STEP_DAYS = {
    _S.SUBMITTED: (0.0, 1.5), _S.UNDER_REVIEW: (0.5, 3.0), _S.ACCEPTED: (0.2, 4.0),
    _S.REJECTED: (0.2, 4.0), _S.DUPLICATE: (0.1, 2.0), _S.ASSIGNED: (0.5, 6.0),
    _S.VERIFIED: (2.0, 20.0), _S.NOT_FOUND: (2.0, 20.0), _S.OUTCOME_RECORDED: (0.2, 8.0),
    _S.CLOSED: (1.0, 20.0),
}

LEAD_KINDS = (
    (LeadKind.DEBTOR_WHEREABOUTS, 34), (LeadKind.REAL_ESTATE, 10), (LeadKind.VEHICLE, 13),
    (LeadKind.LIVESTOCK_OR_CROPS, 12), (LeadKind.WAGES_OR_INCOME, 13),
    (LeadKind.HIGH_CONSUMPTION, 6), (LeadKind.HIDDEN_TRANSFER, 6), (LeadKind.OTHER, 6),
)
