"""The field catalog: every enterprise figure a policy rule may read, with its type, the department
that owns the data, where it comes from and how old it may be before it no longer counts. Pure.

origin:
- "registry": a column of the enterprise registry (enterprises app), read through its selectors;
- "fact": a figure supplied by the owning department (or declared by the enterprise and checked)
  and kept by this app as an EnterpriseFact with its as-of date (能耗, 展会费用, 贴息...);
- "derived": computed from two other fields (a ratio), exactly.

`max_age_days`: a value older than this (by its as-of date) is stale, and a condition on a
stale value is UNKNOWN, exactly like a missing one. None: the registry is the record itself.

`credit_grade` (ABCDE, seed 003 #37) is owned by the credit module (issue 7), which does not
exist yet: its source is declared here, the value is read from EnterpriseFact rows that the
credit module (or an import) writes, and an enterprise without one is UNKNOWN — never "passes".
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Final

# Value kinds (closed set).
MONEY: Final = "money"  # Decimal with `scale` places (万元 or 元)
DECIMAL: Final = "decimal"  # Decimal with `scale` places
INT: Final = "int"
DATE: Final = "date"
CODE: Final = "code"  # one string out of `choices` (or free for region/industry codes)
SET: Final = "set"  # a set of strings (tags, licence types)
EVENTS: Final = "events"  # a list of dates (penalties)
RATIO: Final = "ratio"  # numerator / denominator, compared in basis points
GRADE: Final = "grade"  # A > B > C > D > E

NUMERIC_KINDS: Final = frozenset({MONEY, DECIMAL, INT})
GRADES: Final = ("A", "B", "C", "D", "E")


def grade_rank(grade: str) -> int:
    """A → 5 … E → 1 (higher is better)."""
    return len(GRADES) - GRADES.index(grade)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str
    source: str  # owning department
    origin: str  # registry | fact | derived
    unit: str = ""
    scale: int = 0  # decimal places for MONEY/DECIMAL
    max_age_days: int | None = None
    choices: tuple[str, ...] = ()
    numerator: str = ""
    denominator: str = ""
    yuan_per_unit: int = 1  # MONEY: how many 元 one unit is (万元 → 10000)
    description: str = ""


_F = FieldSpec
_ANNUAL = 730  # annual-report figures: two reporting years
_YEARLY = 400

FIELDS: Final[dict[str, FieldSpec]] = {
    f.name: f
    for f in (
        _F("registered_capital", "注册资本", MONEY, "市场监督管理局", "registry", "万元", 2,
           yuan_per_unit=10_000),
        _F("revenue", "营业收入", MONEY, "税务局", "registry", "万元", 2, _ANNUAL,
           yuan_per_unit=10_000, description="上一年度营业收入（年报）"),
        _F("rd_spend", "研发投入", MONEY, "科学技术局", "registry", "万元", 2, _ANNUAL,
           yuan_per_unit=10_000, description="上一年度研发费用（年报）"),
        _F("employees", "从业人数", INT, "人力资源和社会保障局", "registry", "人", 0, _ANNUAL),
        _F("rd_ratio", "研发投入占比", RATIO, "科学技术局", "derived", "%",
           numerator="rd_spend", denominator="revenue",
           description="研发投入 ÷ 营业收入，按基点精确比较"),
        _F("founded_on", "成立日期", DATE, "市场监督管理局", "registry"),
        _F("region_code", "所属区划", CODE, "市场监督管理局", "registry"),
        _F("industry_code", "所属行业", CODE, "市场监督管理局", "registry",
           description="GB/T 4754-2017 门类字母或大类两位代码"),
        _F("entity_type", "主体类型", CODE, "市场监督管理局", "registry", choices=(
            "limited", "joint_stock", "sole", "partnership", "foreign", "branch", "individual",
            "cooperative")),
        _F("status", "登记状态", CODE, "市场监督管理局", "registry", choices=(
            "existing", "operating", "suspended", "revoked", "deregistered")),
        _F("scale", "企业规模", CODE, "经济和信息化局", "registry",
           choices=("large", "medium", "small", "micro")),
        _F("lifecycle_stage", "生命周期阶段", CODE, "经济和信息化局", "registry", choices=(
            "attraction", "startup", "growth", "mature", "transformation")),
        _F("tags", "企业标签", SET, "经济和信息化局", "registry", choices=(
            "high_tech", "specialised", "little_giant", "tech_sme", "above_scale", "foreign",
            "listed", "export", "key_project", "chain_leader")),
        _F("licences", "有效证照", SET, "各审批部门", "registry",
           description="有效（未过期、未吊销）的证照类型"),
        _F("penalties", "行政处罚", EVENTS, "各执法部门", "registry",
           description="行政处罚决定日期"),
        _F("credit_grade", "公共信用等级", GRADE, "发展和改革局（信用办）", "fact",
           max_age_days=_YEARLY, choices=GRADES,
           description="ABCDE 五级；由信用模块提供，缺失即“未知”"),
        _F("energy_intensity", "单位增加值能耗", DECIMAL, "发展和改革局", "fact",
           "吨标准煤/万元", 4, _YEARLY),
        _F("exhibition_booth_fee", "境外展会展位费", MONEY, "商务局", "fact", "元", 2, _YEARLY,
           description="本年度实际支付的展位费"),
        _F("ip_loan_interest", "知识产权证券化融资利息", MONEY, "地方金融管理局", "fact", "元",
           2, _YEARLY),
        _F("ip_securitisation_fee", "知识产权证券化发行费用", MONEY, "地方金融管理局", "fact",
           "元", 2, _YEARLY),
        _F("startup_investment", "投资初创科技型企业金额", MONEY, "税务局", "fact", "元", 2,
           _YEARLY),
        _F("export_value", "出口额", MONEY, "商务局", "fact", "万元", 2, _YEARLY,
           yuan_per_unit=10_000),
        _F("new_hires", "新招用员工人数", INT, "人力资源和社会保障局", "fact", "人", 0, _YEARLY),
        _F("tech_contract_value", "技术合同成交额", MONEY, "科学技术局", "fact", "万元", 2,
           _YEARLY, yuan_per_unit=10_000),
    )
}  # fmt: skip

REGISTRY_FIELDS: Final = tuple(n for n, f in FIELDS.items() if f.origin == "registry")
FACT_FIELDS: Final = tuple(n for n, f in FIELDS.items() if f.origin == "fact")


def base_fields(name: str) -> tuple[str, ...]:
    """The stored fields a field is computed from (itself unless derived)."""
    spec = FIELDS[name]
    if spec.kind == RATIO:
        return (spec.numerator, spec.denominator)
    return (name,)


_INDUSTRIES_CSV: Final = (
    Path(__file__).resolve().parents[1] / "enterprises" / "data" / "industries_gbt4754_2017.csv"
)


@functools.cache
def industry_sections() -> dict[str, tuple[str, ...]]:
    """GB/T 4754 section letter → its division codes (from the registry's reference CSV)."""
    out: dict[str, list[str]] = {}
    with _INDUSTRIES_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["level"] != "section" and row["parent_code"]:
                out.setdefault(row["parent_code"], []).append(row["code"])
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def industry_prefix_codes(prefix: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact codes, code prefixes) a prefix matches: a section letter matches the letter itself
    and each of its divisions; digits match division codes starting with them."""
    if prefix[:1].isalpha():
        return ((prefix, *industry_sections().get(prefix, ())), ())
    return ((), (prefix,))
