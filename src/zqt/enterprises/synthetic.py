"""Synthetic Zhejiang market entities for the demo, load tests and benchmarks. Pure (no ORM).

`generate()` yields batches of plain rows (named tuples): enterprises, their licences, credit
records, administrative penalties and tags. Everything is a function of its arguments:

- batch `i` is drawn from its own `random.Random("zqt-synthetic:<seed>:<i>")`, so batches can be
  generated independently (in worker processes, in any order) and the whole run is reproducible;
- `today` anchors founding dates and licence expiries (default: today in Asia/Shanghai), so pass
  it explicitly when rows must be identical on different days.

Realism, in short (shares are of all market entities, as in Zhejiang's registry, where about
60% are 个体工商户):

- region: a county-level code from accounts/data/regions_zhejiang.csv, cities weighted by their
  real numbers of market entities (Hangzhou, Jinhua with Yiwu, Wenzhou, Ningbo largest);
- industry: a GB/T 4754-2017 division from enterprises/data/industries_gbt4754_2017.csv, weighted
  towards wholesale/retail, manufacturing (textiles, machinery, metal products, electrical),
  catering and business services; the entity type depends on it (most shops and restaurants are
  个体工商户, cooperatives are farms);
- USCC from `make_uscc(region_code=<county>, serial=<start_serial + index>)`, so distinct serials
  give distinct codes; the legal representative's ID number from `make_id_number`, born 22-60
  years before the founding date, mostly in Zhejiang;
- founding dates 1990..today skewed to recent years; employees and revenue log-normal,
  registered capital rounded the way people register it; the scale (大/中/小/微) is derived
  from employees and revenue with the 2011 national SME thresholds (工信部联企业〔2011〕300号)
  for the industry, so it is consistent by construction; the lifecycle stage from age and size;
- tags (高新技术企业, 专精特新, 规上企业, ...) at rates conditioned on industry, size and R&D spend;
- licences from enterprises/data/permit_requirements.csv plus a few common optional ones, 0-3 per
  enterprise, issued uniformly over their validity period plus four months, so a few percent
  expire within 60 and 30 days and some have expired; a few pending or revoked;
- credit records and penalties at a few percent, with real-looking titles, departments and
  legal bases.

`encode_copy()` and `encode_rows()` turn a batch into PostgreSQL COPY text or executemany tuples
in the column orders below (the loader checks them against the models); `produce()` does that
for one batch spec in a worker process.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import random
from bisect import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, NamedTuple
from zoneinfo import ZoneInfo

from zqt.core.identifiers import make_id_number, make_uscc

_SRC: Final = Path(__file__).resolve().parents[1]
REGIONS_CSV: Final = _SRC / "accounts" / "data" / "regions_zhejiang.csv"
INDUSTRIES_CSV: Final = _SRC / "enterprises" / "data" / "industries_gbt4754_2017.csv"
PERMITS_CSV: Final = _SRC / "enterprises" / "data" / "permit_requirements.csv"

EARLIEST_FOUNDING: Final = dt.date(1990, 1, 1)
_SHANGHAI: Final = ZoneInfo("Asia/Shanghai")

# Values of zqt.enterprises.enums (repeated to keep this module free of Django; a test checks
# they are the same).
LIMITED, JOINT_STOCK, SOLE, PARTNERSHIP = "limited", "joint_stock", "sole", "partnership"
FOREIGN, BRANCH, INDIVIDUAL, COOPERATIVE = "foreign", "branch", "individual", "cooperative"
EXISTING, OPERATING, SUSPENDED = "existing", "operating", "suspended"
REVOKED, DEREGISTERED = "revoked", "deregistered"
LARGE, MEDIUM, SMALL, MICRO = "large", "medium", "small", "micro"
ATTRACTION, STARTUP, GROWTH = "attraction", "startup", "growth"
MATURE, TRANSFORMATION = "mature", "transformation"
LICENCE_PENDING, LICENCE_ACTIVE, LICENCE_REVOKED = "pending", "active", "revoked"
CREDIT_GOOD, CREDIT_BAD, CREDIT_WARNING = "good", "bad", "warning"
# Tag codes of zqt.enterprises.reference.TAGS.
TAG_CODES: Final = (
    "high_tech",
    "specialised",
    "little_giant",
    "tech_sme",
    "above_scale",
    "foreign",
    "listed",
    "export",
    "key_project",
    "chain_leader",
)


# --- Rows ---------------------------------------------------------------------------------


class EnterpriseRow(NamedTuple):
    ordinal: int  # position in the run (0-based); child rows refer to it as enterprise_index
    serial: int  # the USCC serial (start_serial + index)
    uscc: str
    name: str
    entity_type: str
    status: str
    legal_rep_name: str
    legal_rep_id_number: str
    registered_capital: Decimal  # 万元
    founded_on: dt.date
    address: str
    region_code: str
    industry_code: str
    employees: int
    revenue: Decimal  # 万元
    rd_spend: Decimal  # 万元
    scale: str
    lifecycle_stage: str
    phone: str


class LicenceRow(NamedTuple):
    enterprise_index: int
    licence_type: str
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date | None
    status: str


class CreditRecordRow(NamedTuple):
    enterprise_index: int
    kind: str
    title: str
    source_department: str
    recorded_on: dt.date
    expires_on: dt.date | None


class PenaltyRow(NamedTuple):
    enterprise_index: int
    decision_number: str
    department: str
    reason: str
    legal_basis: str
    amount: Decimal  # 元
    decided_on: dt.date


class EnterpriseTagRow(NamedTuple):
    enterprise_index: int
    tag_code: str


@dataclass
class Batch:
    index: int
    start: int  # index of the first enterprise in the run
    enterprises: list[EnterpriseRow] = field(default_factory=list)
    licences: list[LicenceRow] = field(default_factory=list)
    credit_records: list[CreditRecordRow] = field(default_factory=list)
    penalties: list[PenaltyRow] = field(default_factory=list)
    enterprise_tags: list[EnterpriseTagRow] = field(default_factory=list)


# --- Reference data (read from the shipped CSVs) ------------------------------------------


class County(NamedTuple):
    code: str
    name: str
    city_code: str
    city_name: str

    @property
    def is_district(self) -> bool:
        """市辖区 (01-20): addresses and shop names carry the city name in front."""
        return int(self.code[4:6]) < 21

    @property
    def full_name(self) -> str:
        return f"{self.city_name}{self.name}" if self.is_district else self.name

    @property
    def short_name(self) -> str:
        """Name used inside company names: 杭州 for a district of Hangzhou, 义乌 for 义乌市."""
        if self.is_district:
            return self.city_name[:-1]
        name = self.name
        for suffix in ("畲族自治县", "县", "市"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name


class _Reference(NamedTuple):
    counties: dict[str, County]
    divisions: dict[str, tuple[str, str]]  # code → (name, section)
    permits: dict[str, list[tuple[str, str]]]  # division → [(licence type, issuer hint)]


@functools.cache
def _reference() -> _Reference:
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        regions = list(csv.DictReader(fh))
    names = {r["code"]: r["name"] for r in regions}
    counties = {
        r["code"]: County(r["code"], r["name"], r["parent_code"], names[r["parent_code"]])
        for r in regions
        if r["level"] == "county"
    }
    with INDUSTRIES_CSV.open(encoding="utf-8") as fh:
        divisions = {
            r["code"]: (r["name"], r["parent_code"])
            for r in csv.DictReader(fh)
            if r["level"] == "division"
        }
    permits: dict[str, list[tuple[str, str]]] = {}
    with PERMITS_CSV.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            permits.setdefault(r["industry_code"], []).append((r["licence_type"], r["issuer_hint"]))
    return _Reference(counties, divisions, permits)


def counties() -> dict[str, County]:
    """County-level divisions of Zhejiang from the regions CSV, by code."""
    return _reference().counties


# Share of Zhejiang's market entities per city (about 10 million in all; Quzhou ~270,000).
CITY_WEIGHTS: Final[Mapping[str, float]] = {
    "330100": 19.0,  # 杭州
    "330200": 13.0,  # 宁波
    "330300": 13.5,  # 温州
    "330400": 7.5,  # 嘉兴
    "330500": 4.5,  # 湖州
    "330600": 7.5,  # 绍兴
    "330700": 15.0,  # 金华 (义乌 alone has about a million)
    "330800": 2.7,  # 衢州
    "330900": 1.5,  # 舟山
    "331000": 8.5,  # 台州
    "331100": 3.3,  # 丽水
}
# Relative weight of a county within its city (default 1; 市辖区 1.5).
_COUNTY_WEIGHTS: Final[Mapping[str, float]] = {
    "330782": 9.0,  # 义乌
    "330784": 2.0,  # 永康
    "330783": 1.5,  # 东阳
    "330109": 2.5,  # 萧山
    "330110": 2.5,  # 余杭
    "330106": 2.0,  # 西湖
    "330127": 0.6,  # 淳安
    "330212": 2.5,  # 鄞州
    "330282": 2.0,  # 慈溪
    "330281": 1.5,  # 余姚
    "330381": 2.0,  # 瑞安
    "330382": 2.0,  # 乐清
    "330681": 2.0,  # 诸暨
    "330603": 2.0,  # 柯桥
    "331081": 2.0,  # 温岭
    "330483": 1.5,  # 桐乡
    "330802": 1.8,  # 柯城
    "330922": 0.3,  # 嵊泗
    "330305": 0.4,  # 洞头
}


def default_region_weights() -> dict[str, float]:
    """County code → share of market entities (sums to about 100)."""
    result: dict[str, float] = {}
    by_city: dict[str, list[County]] = {}
    for county in counties().values():
        by_city.setdefault(county.city_code, []).append(county)
    for city_code, members in by_city.items():
        raw = {c.code: _COUNTY_WEIGHTS.get(c.code, 1.5 if c.is_district else 1.0) for c in members}
        total = sum(raw.values())
        for code, weight in raw.items():
            result[code] = CITY_WEIGHTS.get(city_code, 1.0) * weight / total
    return result


# Share (%) of market entities per GB/T 4754-2017 division. Party, state and international
# organisations (91-97), tobacco and most mining are not market entities in Zhejiang.
DIVISION_WEIGHTS: Final[Mapping[str, float]] = {
    "01": 2.0, "02": 0.3, "03": 0.8, "04": 0.4, "05": 0.3,
    "10": 0.05, "11": 0.01,
    "13": 0.4, "14": 0.3, "15": 0.2, "17": 1.3, "18": 1.3, "19": 0.6, "20": 0.3, "21": 0.5,
    "22": 0.3, "23": 0.3, "24": 0.6, "25": 0.03, "26": 0.4, "27": 0.15, "28": 0.1, "29": 0.9,
    "30": 0.5, "31": 0.05, "32": 0.1, "33": 1.5, "34": 1.6, "35": 0.8, "36": 0.5, "37": 0.3,
    "38": 1.2, "39": 0.6, "40": 0.3, "41": 0.3, "42": 0.1, "43": 0.2,
    "44": 0.2, "45": 0.05, "46": 0.05,
    "47": 0.9, "48": 0.6, "49": 0.6, "50": 1.6,
    "51": 14.0, "52": 24.0,
    "53": 0.01, "54": 3.0, "55": 0.2, "56": 0.01, "57": 0.01, "58": 0.6, "59": 0.4, "60": 0.2,
    "61": 0.8, "62": 7.5,
    "63": 0.1, "64": 0.8, "65": 2.5,
    "66": 0.05, "67": 0.2, "68": 0.1, "69": 0.3,
    "70": 1.2,
    "71": 0.5, "72": 7.5,
    "73": 0.6, "74": 1.5, "75": 3.0,
    "76": 0.05, "77": 0.3, "78": 0.2,
    "80": 3.5, "81": 2.0, "82": 1.5,
    "83": 0.6,
    "84": 0.5, "85": 0.1,
    "86": 0.1, "87": 0.3, "88": 0.5, "89": 0.3, "90": 0.4,
}  # fmt: skip

# Probability that an entity of a section (or division) is a 个体工商户.
_INDIVIDUAL_SHARE: Final[Mapping[str, float]] = {
    "A": 0.5, "B": 0.0, "C": 0.35, "D": 0.0, "E": 0.2, "51": 0.68, "52": 0.9, "G": 0.3,
    "54": 0.8, "61": 0.65, "62": 0.92, "I": 0.1, "J": 0.0, "K": 0.02, "71": 0.5, "72": 0.35,
    "M": 0.12, "N": 0.1, "O": 0.92, "P": 0.2, "Q": 0.35, "R": 0.55,
}  # fmt: skip

# Scale thresholds (工信部联企业〔2011〕300号): (employees, revenue 万元) that must BOTH be reached
# for large, medium and small; below small is micro. 0 = that measure is not used.
_Thresholds = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]
_SCALE_RULES: Final[Mapping[str, _Thresholds]] = {
    "A": ((0, 20000), (0, 500), (0, 50)),
    "B": ((1000, 40000), (300, 2000), (20, 300)),
    "C": ((1000, 40000), (300, 2000), (20, 300)),
    "D": ((1000, 40000), (300, 2000), (20, 300)),
    "E": ((0, 80000), (0, 6000), (0, 300)),
    "51": ((200, 40000), (20, 5000), (5, 1000)),
    "52": ((300, 20000), (50, 500), (10, 100)),
    "G": ((1000, 30000), (300, 3000), (20, 200)),
    "59": ((200, 30000), (100, 1000), (20, 100)),
    "60": ((1000, 30000), (300, 2000), (20, 100)),
    "H": ((300, 10000), (100, 2000), (10, 100)),
    "63": ((2000, 100000), (100, 1000), (10, 100)),
    "64": ((2000, 100000), (100, 1000), (10, 100)),
    "65": ((300, 10000), (100, 1000), (10, 50)),
    "70": ((0, 200000), (0, 1000), (0, 100)),
    "L": ((300, 0), (100, 0), (10, 0)),
    "*": ((300, 0), (100, 0), (10, 0)),
}


@functools.cache
def _scale_rules(industry_code: str) -> _Thresholds:
    section = _reference().divisions[industry_code][1]
    return _SCALE_RULES.get(industry_code) or _SCALE_RULES.get(section) or _SCALE_RULES["*"]


def scale_for(*, industry_code: str, employees: int, revenue: float) -> str:
    """大/中/小/微 by the national SME rule for the industry division (both measures count)."""
    large, medium, small = _scale_rules(industry_code)
    if employees >= large[0] and revenue >= large[1]:
        return LARGE
    if employees >= medium[0] and revenue >= medium[1]:
        return MEDIUM
    if employees >= small[0] and revenue >= small[1]:
        return SMALL
    return MICRO


# Revenue per employee (万元/year), median, by section or division.
_PRODUCTIVITY: Final[Mapping[str, float]] = {
    "A": 12, "B": 40, "C": 30, "D": 100, "E": 35, "51": 80, "52": 30, "G": 35, "H": 15,
    "I": 30, "J": 100, "K": 80, "L": 25, "M": 20, "N": 20, "O": 10, "P": 8, "Q": 15, "R": 12,
}  # fmt: skip

# Traditional manufacturing that the province pushes to transform (textiles, leather, paper,
# chemicals, building materials, basic metals).
_TRADITIONAL: Final = frozenset(
    {"13", "17", "18", "19", "20", "22", "26", "28", "29", "30", "31", "32", "33"}
)
_RD_SECTIONS: Final[Mapping[str, float]] = {"C": 0.35, "I": 0.45, "M": 0.5}


def lifecycle_stage_for(
    *, age_days: int, scale: str, entity_type: str, industry_code: str, status: str, u: float
) -> str:
    """招引/初创/发展/成熟/转型 from age and size; `u` in [0, 1) breaks ties reproducibly."""
    if status == SUSPENDED:
        return TRANSFORMATION
    if age_days < 365:
        if entity_type != INDIVIDUAL and (scale != MICRO or u < 0.15):
            return ATTRACTION
        return STARTUP
    if age_days < 3 * 365:
        return STARTUP
    if age_days >= 12 * 365 and industry_code in _TRADITIONAL and u < 0.3:
        return TRANSFORMATION
    if age_days >= 15 * 365 or (age_days >= 8 * 365 and scale != MICRO):
        return MATURE
    return GROWTH


# --- Names ----------------------------------------------------------------------------------

_BRAND_CHARS: Final = (
    "鑫源恒达华瑞泰兴隆盛昌宏嘉信诚金德福安康新天永宇博创利丰万和中正美佳捷锦凯腾卓越汇通海浩"
    "明辉光耀星宸晨阳春东方圆祥云龙凤鹏飞翔远航峰岭山川江河湖溪森林松柏竹梅兰菊荣欣悦乐喜合众"
    "联融润泽沃茂广立豪俊杰英睿智慧聪敏精艺巧品优良尚雅致志图景晟昊煜炜烨灿焕彩霞蓝青紫铭铂钧"
    "锐锋威力强劲亿千百顺旺发富贵吉如意宝钰琪瑶璟琳珂骏驰奥启帆舟港湾桥亭阁园苑夏邦居友伟君泓"
    "淳澜"
)
_SURNAMES: Final = (
    ("王", 7.0), ("陈", 7.5), ("张", 5.0), ("李", 4.5), ("吴", 4.0), ("徐", 3.5), ("周", 3.0),
    ("朱", 2.5), ("杨", 2.5), ("金", 2.0), ("叶", 2.0), ("林", 2.0), ("黄", 2.0), ("胡", 2.0),
    ("郑", 2.0), ("刘", 2.0), ("何", 1.5), ("蒋", 1.5), ("沈", 1.5), ("方", 1.5), ("潘", 1.2),
    ("应", 1.0), ("孙", 1.0), ("钱", 1.0), ("姜", 1.0), ("郭", 1.0), ("余", 1.0), ("邵", 0.8),
    ("傅", 0.8), ("楼", 0.6), ("毛", 0.8), ("汪", 0.8), ("俞", 0.8), ("赵", 0.8), ("许", 0.8),
    ("董", 0.7), ("程", 0.6), ("夏", 0.6), ("施", 0.6), ("蔡", 0.6), ("孔", 0.3), ("柴", 0.4),
    ("祝", 0.4), ("郎", 0.3), ("严", 0.5), ("章", 0.6), ("丁", 0.5), ("戴", 0.5), ("诸葛", 0.05),
)  # fmt: skip
_GIVEN_MALE: Final = "伟强军勇杰涛斌明辉建国华平刚峰磊超波鹏飞浩宇俊晨阳志文海东林忠良成龙"
_GIVEN_FEMALE: Final = "芳娟敏静丽艳霞燕玲红梅莉婷雪琴萍颖洁佳慧琳妍倩欣怡月晓丹蓉"

# Company name words per division (a name reads region + 字号 + word + form).
_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "01": ("农业开发", "生态农业", "果蔬", "茶业", "农业科技"), "02": ("林业", "苗木"),
    "03": ("畜牧", "养殖", "牧业"), "04": ("水产", "渔业"), "05": ("农业服务", "农机服务"),
    "10": ("矿业", "石料"), "11": ("矿业技术服务",),
    "13": ("食品", "粮油", "农产品加工"), "14": ("食品", "调味品"), "15": ("酒业", "饮品", "茶业"),
    "17": ("纺织", "织造", "印染", "家纺"), "18": ("服饰", "服装", "制衣"), "19": ("鞋业", "皮革"),
    "20": ("木业", "竹木制品"), "21": ("家具", "家居"), "22": ("纸业", "包装"),
    "23": ("印刷", "包装印刷"), "24": ("文具", "工艺品", "体育用品", "玩具"),
    "25": ("能源",), "26": ("化工", "新材料", "涂料"), "27": ("制药", "药业", "生物医药"),
    "28": ("化纤", "纤维"), "29": ("塑业", "塑料制品", "橡胶"), "30": ("建材", "新型建材", "玻璃"),
    "31": ("钢业", "特钢"), "32": ("铜业", "铝业", "有色金属"),
    "33": ("五金", "金属制品", "不锈钢制品", "工具"), "34": ("机械", "泵业", "阀门", "轴承"),
    "35": ("专用设备", "智能装备", "机械设备"), "36": ("汽车零部件", "汽配"),
    "37": ("船舶", "车辆配件"), "38": ("电器", "电气", "电机", "照明", "电池"),
    "39": ("电子", "光电", "微电子", "智能科技"), "40": ("仪器仪表", "仪表"),
    "41": ("制品", "实业"), "42": ("再生资源", "资源利用"), "43": ("设备维修", "机电维修"),
    "44": ("能源", "新能源", "光伏电力"), "45": ("燃气",), "46": ("水务", "供水"),
    "47": ("建设", "建筑工程"), "48": ("市政工程", "路桥工程", "水利工程"),
    "49": ("安装工程", "机电安装"), "50": ("装饰工程", "建筑装饰"),
    "51": ("贸易", "商贸", "进出口", "供应链"), "52": ("商贸", "百货", "超市", "医药连锁"),
    "53": ("铁路物流",), "54": ("物流", "运输", "货运"), "55": ("航运", "海运"),
    "56": ("航空服务",), "57": ("管道运输",), "58": ("货运代理", "国际物流"),
    "59": ("仓储", "供应链管理"), "60": ("快递", "速递"), "61": ("酒店", "宾馆", "民宿"),
    "62": ("餐饮管理", "餐饮"), "63": ("通信技术", "信息网络"), "64": ("网络科技", "互联网科技"),
    "65": ("信息技术", "软件", "网络科技", "数字科技"), "66": ("小额贷款",),
    "67": ("投资管理", "资产管理"), "68": ("保险代理",), "69": ("融资租赁", "金融服务外包"),
    "70": ("房地产开发", "置业", "物业管理"), "71": ("租赁", "设备租赁"),
    "72": ("企业管理", "商务咨询", "供应链管理", "人力资源", "广告"),
    "73": ("科技", "生物科技", "新材料科技"), "74": ("工程设计", "检测技术", "环境科技"),
    "75": ("科技", "技术服务"), "76": ("水利工程管理",), "77": ("环保科技", "环境治理"),
    "78": ("市政设施管理", "园林绿化"), "80": ("家政服务", "物业服务"),
    "81": ("汽车维修", "家电维修"), "82": ("服务",), "83": ("教育科技", "培训"),
    "84": ("医疗管理", "健康管理"), "85": ("养老服务",), "86": ("文化传媒",),
    "87": ("影视传媒", "文化传播"), "88": ("文化艺术", "艺术培训"), "89": ("体育发展", "健身"),
    "90": ("娱乐", "文化娱乐"),
}  # fmt: skip
_SHOP_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "A": ("家庭农场", "种植场", "养殖场", "果园"),
    "C": ("加工厂", "加工坊", "制品厂"),
    "17": ("织造厂", "纺织加工厂"), "18": ("服装加工厂", "制衣厂"),
    "E": ("装修队", "建筑装饰工作室"),
    "51": ("商行", "批发部", "贸易商行"),
    "52": ("便利店", "超市", "副食品店", "服装店", "五金店", "水果店", "烟酒店", "日用品店"),
    "54": ("货物运输服务部", "运输服务部"), "G": ("物流服务部",),
    "61": ("宾馆", "民宿", "旅馆"),
    "62": ("小吃店", "面馆", "餐馆", "饭店", "奶茶店", "早餐店", "烧烤店", "快餐店"),
    "I": ("网络工作室", "电脑服务部"),
    "L": ("信息咨询服务部", "广告工作室", "租赁服务部"),
    "M": ("技术服务部", "设计工作室"),
    "80": ("理发店", "美容店", "家政服务部", "洗衣店", "摄影店"),
    "81": ("汽车修理部", "家电维修部", "手机维修店"),
    "O": ("服务部", "生活服务部"),
    "P": ("培训中心", "艺术工作室"), "Q": ("诊所", "推拿馆"), "R": ("文化工作室", "棋牌室"),
}  # fmt: skip
_COOP_WORDS: Final = ("果蔬", "茶叶", "水稻", "食用菌", "生猪", "水产养殖", "花卉苗木", "中药材")
_ROADS: Final = (
    "人民路", "解放路", "中山路", "建设路", "新华路", "环城西路", "江滨路", "工业大道", "兴业路",
    "创业大道", "文化路", "学院路", "滨江路", "世纪大道", "科技大道", "商城大道", "开发区大道",
)  # fmt: skip
_AREA_CODES: Final[Mapping[str, str]] = {
    "330100": "0571", "330200": "0574", "330300": "0577", "330400": "0573", "330500": "0572",
    "330600": "0575", "330700": "0579", "330800": "0570", "330900": "0580", "331000": "0576",
    "331100": "0578",
}  # fmt: skip
# Where legal representatives born outside Zhejiang come from (real county codes).
_OUT_OF_PROVINCE: Final = (
    "340121", "341221", "360121", "362322", "410122", "411521", "430121", "431121", "510122",
    "512501", "520121", "522101", "350121", "320321", "450121", "420111",
)  # fmt: skip


# --- Licences, credit, penalties --------------------------------------------------------------

# licence type → (validity in years or None for no expiry, issuing level, number prefix)
# Issuing level: "county", "city", "province" or a fixed issuer name.
_LICENCE_RULES: Final[Mapping[str, tuple[int | None, str, str]]] = {
    "食品经营许可证": (5, "county", "JY"),
    "食品生产许可证": (5, "city", "SC"),
    "排污许可证": (5, "city", ""),
    "安全生产许可证": (3, "province", "（浙）JZ安许证字"),
    "危险化学品经营许可证": (3, "city", "浙危化经字"),
    "药品生产许可证": (5, "province", "浙"),
    "药品经营许可证": (5, "city", "浙CA"),
    "电力业务许可证": (20, "国家能源局浙江监管办公室", "1041"),
    "建筑业企业资质证书": (5, "province", "D3"),
    "道路运输经营许可证": (4, "county", "浙交运管许可"),
    "特种行业许可证": (None, "county", "浙公特"),
    "公共场所卫生许可证": (4, "county", "浙卫公证字"),
    "增值电信业务经营许可证": (5, "浙江省通信管理局", "浙B2-"),
    "房地产开发企业资质证书": (3, "city", "浙房开"),
    "民办学校办学许可证": (5, "county", "教民"),
    "医疗机构执业许可证": (5, "county", "PDY"),
    "烟草专卖零售许可证": (5, "county", "烟"),
    "人力资源服务许可证": (5, "county", "浙人服"),
    "娱乐经营许可证": (None, "county", "浙文娱"),
    "广播电视节目制作经营许可证": (2, "浙江省广播电视局", "（浙）字第"),
}
# Licences people commonly hold although the division doesn't require them: (type, issuer, p).
_OPTIONAL_LICENCES: Final[Mapping[str, tuple[tuple[str, str, float], ...]]] = {
    "52": (("烟草专卖零售许可证", "烟草专卖局", 0.15),),
    "80": (("公共场所卫生许可证", "卫生健康局", 0.3),),
    "72": (("人力资源服务许可证", "人力资源和社会保障局", 0.04),),
    "87": (("广播电视节目制作经营许可证", "浙江省广播电视局", 0.5),),
    "90": (("娱乐经营许可证", "文化广电旅游局", 0.6),),
    "51": (("食品经营许可证", "市场监督管理局", 0.3),),
    "C": (("排污许可证", "生态环境局", 0.15),),
}
# How likely an enterprise of the division holds a required licence (default 0.88; the rest
# are "未办"). Retail (52) lists 食品经营 and 药品经营 at division level, but only food shops and
# pharmacies need them.
_HOLD_PROBABILITY: Final[Mapping[tuple[str, str], float]] = {
    ("52", "食品经营许可证"): 0.6,
    ("52", "药品经营许可证"): 0.06,
    ("26", "危险化学品经营许可证"): 0.3,
    ("59", "危险化学品经营许可证"): 0.15,
}
_PROVINCE_ISSUERS: Final[Mapping[str, str]] = {
    "安全生产许可证": "浙江省住房和城乡建设厅",
    "药品生产许可证": "浙江省药品监督管理局",
    "建筑业企业资质证书": "浙江省住房和城乡建设厅",
}

_CREDIT_GOOD: Final = (
    ("纳税信用A级纳税人", "税务局"),
    ("守合同重信用企业", "市场监督管理局"),
    ("劳动保障守法诚信单位", "人力资源和社会保障局"),
    ("海关高级认证企业", "杭州海关"),
)
_CREDIT_BAD: Final = (
    ("列入经营异常名录（未按规定报送年度报告）", "市场监督管理局"),
    ("列入经营异常名录（通过登记的住所或经营场所无法联系）", "市场监督管理局"),
    ("列入严重违法失信名单", "市场监督管理局"),
    ("失信被执行人", "人民法院"),
    ("重大税收违法失信主体", "税务局"),
)
_CREDIT_WARNING: Final = (
    ("行政处罚信息公示", "市场监督管理局"),
    ("欠缴社会保险费预警", "人力资源和社会保障局"),
    ("企业环境信用评价警示", "生态环境局"),
)
# department → [(reason, legal basis, median amount in 元)], with its decision-number abbreviation
_PENALTIES: Final[Mapping[str, tuple[str, tuple[tuple[str, str, int], ...]]]] = {
    "市场监督管理局": ("市监罚处", (
        ("销售不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条", 5000),
        ("发布虚假广告", "《中华人民共和国广告法》第五十五条", 20000),
        ("销售不合格产品", "《中华人民共和国产品质量法》第四十九条", 10000),
        ("未明码标价", "《明码标价和禁止价格欺诈规定》第二十条", 2000),
        ("超出登记经营范围从事经营活动", "《中华人民共和国市场主体登记管理条例》第四十六条", 3000),
        ("侵犯注册商标专用权", "《中华人民共和国商标法》第六十条", 15000),
    )),
    "生态环境局": ("环罚", (
        ("超标排放大气污染物", "《中华人民共和国大气污染防治法》第九十九条", 100000),
        ("建设项目未依法报批环境影响评价文件擅自开工建设",
         "《中华人民共和国环境影响评价法》第三十一条", 80000),
        ("未按规定贮存危险废物", "《中华人民共和国固体废物污染环境防治法》第一百一十二条", 50000),
    )),
    "应急管理局": ("应急罚", (
        ("未按规定对从业人员进行安全生产教育和培训", "《中华人民共和国安全生产法》第九十七条",
         20000),
        ("安全设备未经常性维护、保养", "《中华人民共和国安全生产法》第九十九条", 30000),
    )),
    "消防救援大队": ("消行罚决字", (
        ("消防设施、器材未保持完好有效", "《中华人民共和国消防法》第六十条", 8000),
        ("占用、堵塞、封闭疏散通道、安全出口", "《中华人民共和国消防法》第六十条", 5000),
    )),
    "税务局": ("税简罚", (
        ("未按照规定期限办理纳税申报", "《中华人民共和国税收征收管理法》第六十二条", 500),
        ("未按规定开具发票", "《中华人民共和国发票管理办法》第三十五条", 1000),
    )),
    "交通运输局": ("交执罚", (
        ("未按规定维护和检测运输车辆", "《中华人民共和国道路运输条例》第七十条", 3000),
        ("车辆违法超限运输", "《公路安全保护条例》第六十四条", 5000),
    )),
    "人力资源和社会保障局": ("人社监罚", (
        ("拖欠劳动者工资", "《保障农民工工资支付条例》第五十七条", 20000),
    )),
    "综合行政执法局": ("综执罚", (
        ("擅自占用城市道路经营", "《城市市容和环境卫生管理条例》第三十六条", 500),
        ("擅自设置户外广告设施", "《浙江省城市市容和环境卫生管理条例》第三十条", 2000),
    )),
}  # fmt: skip
# section → [(department, weight)]
_PENALTY_DEPARTMENTS: Final[Mapping[str, tuple[tuple[str, float], ...]]] = {
    "C": (("生态环境局", 35), ("应急管理局", 25), ("市场监督管理局", 25), ("消防救援大队", 15)),
    "F": (("市场监督管理局", 60), ("消防救援大队", 15), ("综合行政执法局", 15), ("税务局", 10)),
    "H": (("市场监督管理局", 60), ("消防救援大队", 20), ("综合行政执法局", 20)),
    "G": (("交通运输局", 70), ("应急管理局", 15), ("市场监督管理局", 15)),
    "E": (("应急管理局", 45), ("人力资源和社会保障局", 35), ("生态环境局", 20)),
    "*": (("市场监督管理局", 60), ("税务局", 20), ("人力资源和社会保障局", 10),
          ("消防救援大队", 10)),
}  # fmt: skip


# --- The generator ----------------------------------------------------------------------------


class _Picker:
    """Weighted choice by bisecting cumulative weights (faster than random.choices per item)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, weighted: Sequence[tuple[Any, float]]) -> None:
        items = [item for item, weight in weighted if weight > 0]
        if not items:
            raise ValueError("nothing to choose from: all weights are zero")
        self.items = items
        self.cum: list[float] = []
        total = 0.0
        for _item, weight in weighted:
            if weight > 0:
                total += weight
                self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total)]


class _Model:
    """Pickers and lookup tables for one run, built once per process and region weighting."""

    def __init__(self, region_weights: Mapping[str, float] | None) -> None:
        ref = _reference()
        weights = dict(region_weights) if region_weights else default_region_weights()
        unknown = sorted(set(weights) - set(ref.counties))
        if unknown:
            raise ValueError(f"unknown county codes in region_weights: {unknown}")
        self.counties = ref.counties
        self.region = _Picker([(ref.counties[c], w) for c, w in sorted(weights.items())])
        self.division = _Picker(sorted(DIVISION_WEIGHTS.items()))
        self.divisions = ref.divisions
        self.permits = ref.permits
        self.surname = _Picker(_SURNAMES)
        self.all_counties = sorted(ref.counties)
        self.penalty_department = {
            key: _Picker(value) for key, value in _PENALTY_DEPARTMENTS.items()
        }
        # Per-division lookups, resolved once (division first, then its section).
        self.division_info: dict[str, _DivisionInfo] = {}
        for code, (_name, section) in ref.divisions.items():
            candidates: list[tuple[str, str, float]] = [
                (t, hint, _HOLD_PROBABILITY.get((code, t), 0.88))
                for t, hint in ref.permits.get(code, ())
            ]
            for t, hint, p in _OPTIONAL_LICENCES.get(code, ()) + _OPTIONAL_LICENCES.get(
                section, ()
            ):
                if all(t != c[0] for c in candidates):
                    candidates.append((t, hint, p))
            self.division_info[code] = _DivisionInfo(
                section=section,
                p_individual=_section_value(_INDIVIDUAL_SHARE, code, section, 0.2),
                log_productivity=math.log(_section_value(_PRODUCTIVITY, code, section, 30)),
                licences=tuple(candidates),
            )


class _DivisionInfo(NamedTuple):
    section: str
    p_individual: float
    log_productivity: float
    licences: tuple[tuple[str, str, float], ...]  # (type, issuer hint, probability held)


@functools.lru_cache(maxsize=8)
def _model(region_weights: tuple[tuple[str, float], ...] | None) -> _Model:
    return _Model(dict(region_weights) if region_weights else None)


def _local_today() -> dt.date:
    return dt.datetime.now(_SHANGHAI).date()


def _nice_amount(value: float, rng: random.Random) -> Decimal:
    """Registered capital as people register it: mostly 1-2 significant digits, in 万元."""
    if value < 1:
        return Decimal(max(1, round(value)))
    exponent = 10 ** math.floor(math.log10(value))
    if rng.random() < 0.75:
        # The nearest of 1, 2, 3, 5, 8, 10 (midpoints between them).
        mantissa = _NICE_STEPS[bisect(_NICE_MIDPOINTS, value / exponent)]
        return Decimal(mantissa * exponent)
    return Decimal(int(round(value / exponent, 1) * exponent))


_NICE_STEPS: Final = (1, 2, 3, 5, 8, 10)
_NICE_MIDPOINTS: Final = (1.5, 2.5, 4.0, 6.5, 9.0)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _section_value(table: Mapping[str, Any], division: str, section: str, default: Any) -> Any:
    if division in table:
        return table[division]
    return table.get(section, default)


def generate_batch(
    *,
    seed: int,
    batch_index: int,
    batch_size: int,
    count: int,
    start_serial: int = 0,
    today: dt.date | None = None,
    region_weights: Mapping[str, float] | None = None,
) -> Batch:
    """Batch number `batch_index` of a run of `count` enterprises (see `generate`)."""
    if batch_size <= 0:
        raise ValueError("batch_size must be positive")
    start = batch_index * batch_size
    if not 0 <= start < count:
        raise ValueError(f"batch {batch_index} is outside a run of {count} enterprises")
    stop = min(start + batch_size, count)
    today = today or _local_today()
    model = _model(tuple(sorted(region_weights.items())) if region_weights else None)
    rng = random.Random(f"zqt-synthetic:{seed}:{batch_index}")
    batch = Batch(index=batch_index, start=start)
    for index in range(start, stop):
        _one(model, rng, batch, index, start_serial + index, today)
    return batch


def generate(
    *,
    count: int,
    seed: int,
    batch_size: int = 10_000,
    start_serial: int = 0,
    today: dt.date | None = None,
    region_weights: Mapping[str, float] | None = None,
) -> Iterator[Batch]:
    """Yield ceil(count / batch_size) batches covering enterprises 0..count-1 in order.

    The rows are a function of (count, seed, batch_size, start_serial, today, region_weights).
    USCC serials are start_serial + index, so runs with disjoint serial ranges never collide.
    `region_weights` (county code → weight) replaces the province-wide default.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    today = today or _local_today()
    for batch_index in range(math.ceil(count / batch_size) if count else 0):
        yield generate_batch(
            seed=seed,
            batch_index=batch_index,
            batch_size=batch_size,
            count=count,
            start_serial=start_serial,
            today=today,
            region_weights=region_weights,
        )


def _person_name(rng: random.Random, model: _Model, male: bool) -> str:
    given = _GIVEN_MALE if male else _GIVEN_FEMALE
    first = given[int(rng.random() * len(given))]
    if rng.random() < 0.7:
        return model.surname.pick(rng) + first + given[int(rng.random() * len(given))]
    return model.surname.pick(rng) + first


def _brand(rng: random.Random) -> str:
    chars = _BRAND_CHARS
    n = len(chars)
    brand = chars[int(rng.random() * n)] + chars[int(rng.random() * n)]
    if rng.random() < 0.12:
        brand += chars[int(rng.random() * n)]
    return brand


_LOG_5, _LOG_12, _LOG_50, _LOG_500 = math.log(5), math.log(12), math.log(50), math.log(500)
_LOG_RD_RATIO = math.log(0.035)


def _one(
    model: _Model, rng: random.Random, batch: Batch, index: int, serial: int, today: dt.date
) -> None:
    rand = rng.random
    county: County = model.region.pick(rng)
    division: str = model.division.pick(rng)
    info = model.division_info[division]
    section = info.section

    # Entity type, conditioned on the industry.
    u = rand()
    if u < info.p_individual:
        entity_type = INDIVIDUAL
    else:
        u = rand()
        if section == "A" and u < 0.3:
            entity_type = COOPERATIVE
        elif u < 0.83:
            entity_type = LIMITED
        elif u < 0.90:
            entity_type = BRANCH
        elif u < 0.93:
            entity_type = SOLE
        elif u < 0.96:
            entity_type = PARTNERSHIP
        elif u < 0.97:
            entity_type = JOINT_STOCK
        else:
            entity_type = FOREIGN if section in "CFIJ" or rand() < 0.3 else LIMITED
    is_company = entity_type != INDIVIDUAL

    # Founding date: exponential age (mean 6.5 years; 12 for established firms), skewed recent.
    established = is_company and rand() < 0.12
    max_age = (today - EARLIEST_FOUNDING).days
    age_days = int(rng.expovariate(1.0 / ((12 if established else 6.5) * 365.25)))
    if age_days > max_age:
        age_days = int(rand() * max_age)
    founded_on = today - dt.timedelta(days=age_days)

    # Status.
    u = rand()
    if u < 0.01:
        status = SUSPENDED
    elif u < 0.04 and age_days > 730:
        status = REVOKED
    elif u < 0.11 and age_days > 365:
        status = DEREGISTERED
    elif (rand() < 0.75) if not is_company else (rand() < 0.1):
        status = OPERATING
    else:
        status = EXISTING

    # Size: employees (log-normal mixture), revenue = employees × productivity.
    if is_company:
        if established:
            employees = max(1, int(rng.lognormvariate(_LOG_50, 1.3)))
        else:
            employees = max(1, int(rng.lognormvariate(_LOG_5, 1.1)))
        revenue = employees * rng.lognormvariate(info.log_productivity, 0.7)
        if rand() < 0.25:  # dormant or barely trading
            revenue *= 0.05
        if age_days < 365:
            revenue *= age_days / 365
    else:
        employees = 1 + min(29, int(rng.lognormvariate(0.2, 0.8)))
        revenue = rng.lognormvariate(_LOG_12, 0.9) * employees**0.5
    revenue = round(revenue, 2)
    scale = scale_for(industry_code=division, employees=employees, revenue=revenue)

    # Registered capital (万元): branches have none, individual businesses a small amount.
    if entity_type == BRANCH:
        capital = Decimal(0)
    elif entity_type == INDIVIDUAL:
        capital = _nice_amount(rng.lognormvariate(_LOG_5, 1.0), rng)
    elif entity_type == PARTNERSHIP:
        capital = _nice_amount(rng.lognormvariate(_LOG_500, 1.4), rng)
    else:
        capital = _nice_amount(rng.lognormvariate(math.log(max(30.0, revenue * 0.3)), 0.9), rng)

    # R&D spend (万元).
    rd_spend = 0.0
    if is_company and rand() < _RD_SECTIONS.get(section, 0.03):
        rd_spend = revenue * min(0.3, rng.lognormvariate(_LOG_RD_RATIO, 0.6))
    rd_ratio = rd_spend / revenue if revenue > 0 else 0.0

    stage = lifecycle_stage_for(
        age_days=age_days,
        scale=scale,
        entity_type=entity_type,
        industry_code=division,
        status=status,
        u=rand(),
    )

    # Legal representative: 22-60 years old at founding, 75% men, 80% born in Zhejiang.
    male = rand() < 0.75
    rep_name = _person_name(rng, model, male)
    born = founded_on - dt.timedelta(days=int((22 + rand() * 38) * 365.25))
    u = rand()
    if u < 0.55:
        birth_region = county.code
    elif u < 0.8:
        birth_region = model.all_counties[int(rand() * len(model.all_counties))]
    else:
        birth_region = _OUT_OF_PROVINCE[int(rand() * len(_OUT_OF_PROVINCE))]
    sequence = int(rand() * 500) * 2 + (1 if male else 0)
    id_number = make_id_number(region_code=birth_region, birth_date=born, sequence=sequence)

    name = _enterprise_name(rng, model, county, division, section, entity_type, rep_name)
    address = f"浙江省{county.city_name}{county.name}{_ROADS[int(rand() * len(_ROADS))]}"
    address += f"{1 + int(rng.expovariate(1 / 200))}号"
    if rand() < 0.3:
        address += f"{1 + int(rand() * 20)}幢{101 + int(rand() * 12) * 100 + int(rand() * 8)}室"
    if rand() < 0.3 and is_company:
        phone = f"{_AREA_CODES[county.city_code]}-{8 if rand() < 0.5 else 6}{int(rand() * 1e7):07d}"
    else:
        phone = f"1{'3456789'[int(rand() * 7)]}{int(rand() * 1e9):09d}"

    uscc = make_uscc(region_code=county.code, serial=serial, category=_USCC_CATEGORY[entity_type])
    # Positional: this runs a million times (fields in EnterpriseRow order).
    batch.enterprises.append(
        EnterpriseRow(
            index,
            serial,
            uscc,
            name,
            entity_type,
            status,
            rep_name,
            id_number,
            capital,
            founded_on,
            address,
            county.code,
            division,
            employees,
            _money(revenue),
            _money(rd_spend),
            scale,
            stage,
            phone,
        )
    )
    alive = status not in (REVOKED, DEREGISTERED)
    _tags(rng, batch, index, entity_type, section, division, scale, revenue, rd_ratio, stage,
          alive)  # fmt: skip
    _licences(rng, batch, index, serial, county, info, founded_on, today, status, uscc)
    _credit_and_penalties(rng, model, batch, index, serial, county, section, founded_on, today,
                          is_company, status)  # fmt: skip


# GB 32100 position 2 (机构类别) for 工商 registrations: 1 企业, 2 个体工商户, 3 农民专业合作社.
_USCC_CATEGORY: Final[Mapping[str, str]] = {
    LIMITED: "1", JOINT_STOCK: "1", SOLE: "1", PARTNERSHIP: "1", FOREIGN: "1", BRANCH: "1",
    INDIVIDUAL: "2", COOPERATIVE: "3",
}  # fmt: skip


def _enterprise_name(
    rng: random.Random,
    model: _Model,
    county: County,
    division: str,
    section: str,
    entity_type: str,
    rep_name: str,
) -> str:
    rand = rng.random
    if entity_type == INDIVIDUAL:
        words = _SHOP_WORDS.get(division) or _SHOP_WORDS.get(section) or ("经营部", "服务部")
        u = rand()
        if u < 0.1:
            brand = "老" + rep_name[0]
        elif u < 0.2:
            brand = rep_name[0] + "记"
        else:
            brand = _brand(rng)
        return f"{county.full_name}{brand}{words[int(rand() * len(words))]}"
    words = _WORDS.get(division, ("实业",))
    word = words[int(rand() * len(words))]
    brand = _brand(rng)
    if entity_type == COOPERATIVE:
        coop = _COOP_WORDS[int(rand() * len(_COOP_WORDS))]
        return f"{county.full_name}{brand}{coop}专业合作社"
    u = rand()
    if u < 0.5:
        region = county.city_name[:-1]
    elif u < 0.85:
        region = county.short_name if not county.is_district else county.city_name
    else:
        region = "浙江"
    if entity_type == JOINT_STOCK:
        return f"{'浙江' if rand() < 0.6 else region}{brand}{word}股份有限公司"
    if entity_type == FOREIGN and rand() < 0.5:
        return f"{brand}（{county.city_name[:-1]}）{word}有限公司"
    if entity_type == SOLE:
        if section == "C":
            form = "厂"
        elif section == "F":
            form = "商行"
        else:
            form = "工作室" if rand() < 0.5 else "经营部"
        return f"{region}{brand}{word}{form}"
    if entity_type == PARTNERSHIP:
        kind = "（有限合伙）" if rand() < 0.7 else "（普通合伙）"
        return f"{region}{brand}{word}合伙企业{kind}"
    if entity_type == BRANCH:
        parent_county = model.region.pick(rng)
        parent_region = parent_county.city_name[:-1] if rand() < 0.6 else "浙江"
        return f"{parent_region}{brand}{word}有限公司{county.short_name}分公司"
    return f"{region}{brand}{word}有限公司"


def _tags(
    rng: random.Random,
    batch: Batch,
    index: int,
    entity_type: str,
    section: str,
    division: str,
    scale: str,
    revenue: float,
    rd_ratio: float,
    stage: str,
    alive: bool,
) -> None:
    if entity_type == INDIVIDUAL:
        return
    rand = rng.random
    tags: list[str] = []
    if entity_type == FOREIGN:
        tags.append("foreign")
    if not alive:
        for code in tags:
            batch.enterprise_tags.append(EnterpriseTagRow(index, code))
        return
    innovative = section in "CIM" and rd_ratio > 0
    if innovative and rd_ratio >= 0.03 and rand() < (0.45 if scale != MICRO else 0.06):
        tags.append("high_tech")
    if rd_ratio > 0 and scale != LARGE and rand() < 0.25:
        tags.append("tech_sme")
    if innovative and scale != MICRO and rand() < 0.06:
        tags.append("specialised")
        if rand() < 0.15:
            tags.append("little_giant")
    # 规上: industrial/wholesale ≥ 2000万, retail ≥ 500万, catering ≥ 200万, services ≥ 1000万.
    if section in "BCD" or division == "51":
        threshold = 2000.0
    elif division == "52":
        threshold = 500.0
    elif section == "H":
        threshold = 200.0
    elif section == "E":
        threshold = 5000.0
    else:
        threshold = 1000.0
    if revenue >= threshold:
        tags.append("above_scale")
    if entity_type == JOINT_STOCK and rand() < (0.4 if scale in (LARGE, MEDIUM) else 0.03):
        tags.append("listed")
    if (section == "C" or division == "51") and rand() < (0.6 if entity_type == FOREIGN else 0.08):
        tags.append("export")
    if rand() < (0.3 if stage == ATTRACTION else 0.002):
        tags.append("key_project")
    if scale == LARGE and section == "C" and rand() < 0.25:
        tags.append("chain_leader")
    for code in tags:
        batch.enterprise_tags.append(EnterpriseTagRow(index, code))


def _issuer(kind: str, hint: str, county: County) -> str:
    if kind == "county":
        return f"{county.full_name}{hint}"
    if kind == "city":
        return f"{county.city_name}{hint}"
    if kind == "province":
        return _PROVINCE_ISSUERS.get(hint, f"浙江省{hint[:-1]}厅" if hint.endswith("局") else hint)
    return kind


def _licence_number(licence_type: str, prefix: str, county: County, serial: int, uscc: str,
                    year: int) -> str:  # fmt: skip
    if licence_type == "排污许可证":
        return f"{uscc}001V"
    if licence_type == "食品经营许可证":
        return f"JY1{county.code}{serial:08d}"
    if prefix.endswith("字") or prefix.endswith("第"):
        return f"{prefix}〔{year}〕{serial:08d}"
    return f"{prefix}{county.code}{serial:08d}"


def _licences(
    rng: random.Random,
    batch: Batch,
    index: int,
    serial: int,
    county: County,
    info: _DivisionInfo,
    founded_on: dt.date,
    today: dt.date,
    status: str,
    uscc: str,
) -> None:
    if not info.licences:
        return
    rand = rng.random
    wanted = [(t, hint) for t, hint, p in info.licences if rand() < p]
    age_days = (today - founded_on).days
    for licence_type, hint in wanted[:3]:
        years, level, prefix = _LICENCE_RULES.get(licence_type, (5, "county", "ZJ"))
        u = rand()
        licence_status = LICENCE_ACTIVE
        expires_on: dt.date | None
        if status in (REVOKED, DEREGISTERED):
            licence_status = LICENCE_REVOKED
        elif u < 0.02:
            licence_status = LICENCE_PENDING
        elif u < 0.03:
            licence_status = LICENCE_REVOKED
        if licence_status == LICENCE_PENDING:
            # Applied for within the last month, not issued yet: no expiry.
            issued_on = today - dt.timedelta(days=min(age_days, int(rand() * 30)))
            expires_on = None
        else:
            validity = int(years * 365.25) if years else 20 * 365
            # Issued uniformly over the validity period plus four months (so ~120/validity of
            # them have expired without renewal), never before the enterprise existed.
            offset = int(rand() * min(validity + 120, age_days + 1))
            issued_on = today - dt.timedelta(days=offset)
            expires_on = issued_on + dt.timedelta(days=validity - 1) if years else None
        batch.licences.append(
            LicenceRow(
                enterprise_index=index,
                licence_type=licence_type,
                number=_licence_number(licence_type, prefix, county, serial, uscc, issued_on.year),
                issuer=_issuer(level, hint, county),
                issued_on=issued_on,
                expires_on=expires_on,
                status=licence_status,
            )
        )


def _credit_and_penalties(
    rng: random.Random,
    model: _Model,
    batch: Batch,
    index: int,
    serial: int,
    county: County,
    section: str,
    founded_on: dt.date,
    today: dt.date,
    is_company: bool,
    status: str,
) -> None:
    rand = rng.random
    age_days = (today - founded_on).days

    def recent(max_days: int) -> dt.date:
        return today - dt.timedelta(days=int(rand() * min(max_days, age_days + 1)))

    p_good, p_bad, p_warn = (0.06, 0.03, 0.015) if is_company else (0.005, 0.02, 0.003)
    if status == REVOKED:
        p_bad = 0.8
    if rand() < p_good:
        title, dept = _CREDIT_GOOD[int(rand() * len(_CREDIT_GOOD))]
        day = recent(3 * 365)
        batch.credit_records.append(
            CreditRecordRow(
                index,
                CREDIT_GOOD,
                title,
                f"{county.city_name}{dept}",
                day,
                day + dt.timedelta(days=2 * 365),
            )
        )
    if rand() < p_bad:
        title, dept = _CREDIT_BAD[int(rand() * len(_CREDIT_BAD))]
        day = recent(4 * 365)
        batch.credit_records.append(
            CreditRecordRow(
                index,
                CREDIT_BAD,
                title,
                f"{county.full_name}{dept}",
                day,
                day + dt.timedelta(days=3 * 365),
            )
        )
    if rand() < p_warn:
        title, dept = _CREDIT_WARNING[int(rand() * len(_CREDIT_WARNING))]
        day = recent(2 * 365)
        batch.credit_records.append(
            CreditRecordRow(
                index,
                CREDIT_WARNING,
                title,
                f"{county.full_name}{dept}",
                day,
                day + dt.timedelta(days=365),
            )
        )
    if rand() >= (0.035 if is_company else 0.02):
        return
    departments = model.penalty_department.get(section) or model.penalty_department["*"]
    for k in range(1 if rand() < 0.85 else 2):
        department = departments.pick(rng)
        abbr, cases = _PENALTIES[department]
        reason, basis, median = cases[int(rand() * len(cases))]
        amount = 0 if rand() < 0.1 else round(rng.lognormvariate(math.log(median), 0.8), -2)
        decided_on = recent(5 * 365)
        number = f"{county.name[0]}{abbr}〔{decided_on.year}〕{(serial * 7 + k) % 9000 + 1}号"
        issuer = (
            f"{county.full_name}{department}"
            if department != "消防救援大队"
            else f"{county.name}消防救援大队"
        )
        batch.penalties.append(
            PenaltyRow(index, number, issuer, reason, basis, Decimal(f"{amount:.2f}"), decided_on)
        )


# --- Encoding for bulk loaders ------------------------------------------------------------------

# Column orders of the encoded rows (the loader checks them against the models' tables).
ENTERPRISE_COLUMNS: Final = (
    "id", "uscc", "name", "entity_type", "status", "legal_rep_name", "legal_rep_id_number",
    "registered_capital", "founded_on", "address", "region_code", "industry_code", "employees",
    "revenue", "rd_spend", "scale", "lifecycle_stage", "phone", "created_at", "updated_at",
)  # fmt: skip
LICENCE_COLUMNS: Final = (
    "enterprise_id", "licence_type", "number", "issuer", "issued_on", "expires_on", "status",
    "created_at", "updated_at",
)  # fmt: skip
CREDIT_RECORD_COLUMNS: Final = (
    "enterprise_id", "kind", "title", "source_department", "recorded_on", "expires_on",
    "created_at", "updated_at",
)  # fmt: skip
PENALTY_COLUMNS: Final = (
    "enterprise_id", "decision_number", "department", "reason", "legal_basis", "amount",
    "decided_on", "created_at", "updated_at",
)  # fmt: skip
ENTERPRISE_TAG_COLUMNS: Final = ("enterprise_id", "tag_id")
TABLE_KEYS: Final = ("enterprise", "licence", "credit_record", "penalty", "enterprise_tag")
COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "enterprise": ENTERPRISE_COLUMNS,
    "licence": LICENCE_COLUMNS,
    "credit_record": CREDIT_RECORD_COLUMNS,
    "penalty": PENALTY_COLUMNS,
    "enterprise_tag": ENTERPRISE_TAG_COLUMNS,
}


def _opt(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def encode_rows(
    batch: Batch, *, id_base: int, tag_ids: Mapping[str, int], now: str
) -> dict[str, list[tuple[Any, ...]]]:
    """Rows as tuples in COLUMNS order (dates as ISO text, money as decimal text).

    Enterprise `index` i gets primary key id_base + i; `now` is the created/updated timestamp
    in the database's text format.
    """
    return {
        "enterprise": [
            (
                id_base + e.ordinal,
                e.uscc,
                e.name,
                e.entity_type,
                e.status,
                e.legal_rep_name,
                e.legal_rep_id_number,
                str(e.registered_capital),
                e.founded_on.isoformat(),
                e.address,
                e.region_code,
                e.industry_code,
                e.employees,
                str(e.revenue),
                str(e.rd_spend),
                e.scale,
                e.lifecycle_stage,
                e.phone,
                now,
                now,
            )
            for e in batch.enterprises
        ],
        "licence": [
            (
                id_base + lc.enterprise_index,
                lc.licence_type,
                lc.number,
                lc.issuer,
                lc.issued_on.isoformat(),
                _opt(lc.expires_on),
                lc.status,
                now,
                now,
            )
            for lc in batch.licences
        ],
        "credit_record": [
            (
                id_base + c.enterprise_index,
                c.kind,
                c.title,
                c.source_department,
                c.recorded_on.isoformat(),
                _opt(c.expires_on),
                now,
                now,
            )
            for c in batch.credit_records
        ],
        "penalty": [
            (
                id_base + p.enterprise_index,
                p.decision_number,
                p.department,
                p.reason,
                p.legal_basis,
                str(p.amount),
                p.decided_on.isoformat(),
                now,
                now,
            )
            for p in batch.penalties
        ],
        "enterprise_tag": [
            (id_base + t.enterprise_index, tag_ids[t.tag_code]) for t in batch.enterprise_tags
        ],
    }


def _n(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "\\N"


def encode_copy(
    batch: Batch, *, id_base: int, tag_ids: Mapping[str, int], now: str
) -> dict[str, bytes]:
    """The batch as PostgreSQL COPY text format (columns as COLUMNS), one payload per table.

    Generated text never contains tabs, newlines or backslashes, so nothing needs escaping;
    NULL is \\N. Same values as encode_rows, formatted directly (this runs a million times).
    """
    tail = f"\t{now}\t{now}"
    enterprises = [
        f"{id_base + e.ordinal}\t{e.uscc}\t{e.name}\t{e.entity_type}\t{e.status}\t"
        f"{e.legal_rep_name}\t{e.legal_rep_id_number}\t{e.registered_capital}\t"
        f"{e.founded_on.isoformat()}\t{e.address}\t{e.region_code}\t{e.industry_code}\t"
        f"{e.employees}\t{e.revenue}\t{e.rd_spend}\t{e.scale}\t{e.lifecycle_stage}\t"
        f"{e.phone}{tail}"
        for e in batch.enterprises
    ]
    licences = [
        f"{id_base + lc.enterprise_index}\t{lc.licence_type}\t{lc.number}\t{lc.issuer}\t"
        f"{lc.issued_on.isoformat()}\t{_n(lc.expires_on)}\t{lc.status}{tail}"
        for lc in batch.licences
    ]
    credit_records = [
        f"{id_base + c.enterprise_index}\t{c.kind}\t{c.title}\t{c.source_department}\t"
        f"{c.recorded_on.isoformat()}\t{_n(c.expires_on)}{tail}"
        for c in batch.credit_records
    ]
    penalties = [
        f"{id_base + p.enterprise_index}\t{p.decision_number}\t{p.department}\t{p.reason}\t"
        f"{p.legal_basis}\t{p.amount}\t{p.decided_on.isoformat()}{tail}"
        for p in batch.penalties
    ]
    tags = [f"{id_base + t.enterprise_index}\t{tag_ids[t.tag_code]}" for t in batch.enterprise_tags]
    return {
        key: ("\n".join(lines) + "\n").encode() if lines else b""
        for key, lines in (
            ("enterprise", enterprises),
            ("licence", licences),
            ("credit_record", credit_records),
            ("penalty", penalties),
            ("enterprise_tag", tags),
        )
    }


@dataclass(frozen=True)
class BatchSpec:
    """Everything a worker process needs to produce one encoded batch."""

    seed: int
    batch_index: int
    batch_size: int
    count: int
    start_serial: int
    today: dt.date
    id_base: int
    tag_ids: tuple[tuple[str, int], ...]
    now: str
    encoding: str  # "copy" or "rows"
    region_weights: tuple[tuple[str, float], ...] | None = None


@dataclass
class Produced:
    batch_index: int
    enterprises: int
    counts: dict[str, int]
    payload: dict[str, Any]  # bytes per table for "copy", tuple lists for "rows"


def produce(spec: BatchSpec) -> Produced:
    """Generate and encode one batch (runs in a worker process; picklable in and out)."""
    batch = generate_batch(
        seed=spec.seed,
        batch_index=spec.batch_index,
        batch_size=spec.batch_size,
        count=spec.count,
        start_serial=spec.start_serial,
        today=spec.today,
        region_weights=dict(spec.region_weights) if spec.region_weights else None,
    )
    tag_ids = dict(spec.tag_ids)
    payload: dict[str, Any]
    if spec.encoding == "copy":
        payload = encode_copy(batch, id_base=spec.id_base, tag_ids=tag_ids, now=spec.now)
    else:
        payload = encode_rows(batch, id_base=spec.id_base, tag_ids=tag_ids, now=spec.now)
    counts = {
        "enterprise": len(batch.enterprises),
        "licence": len(batch.licences),
        "credit_record": len(batch.credit_records),
        "penalty": len(batch.penalties),
        "enterprise_tag": len(batch.enterprise_tags),
    }
    return Produced(spec.batch_index, len(batch.enterprises), counts, payload)
