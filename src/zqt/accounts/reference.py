"""Reference data owned by accounts: org units (GB/T 2260, Zhejiang), the 11 service boards of
seed 004 with their lead departments, and a standard set of departments per org unit."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from zqt.accounts.enums import OrgLevel
from zqt.accounts.models import Department, OrgUnit, ServiceBoard

DATA_DIR = Path(__file__).resolve().parent / "data"
REGIONS_CSV = DATA_DIR / "regions_zhejiang.csv"

# Seed 004 §二.2: (code, name, lead department key, what it does)
SERVICE_BOARDS: list[tuple[str, str, str, str]] = [
    ("intake", "综合受理", "service_centre", "窗口接待、引导，一般性政策咨询"),
    ("project", "项目服务", "development_reform", "联合报装、踏勘、验收，项目审批帮办代办"),
    ("policy", "政策服务", "service_centre", "惠企政策统一兑付、政策咨询"),
    ("finance", "金融服务", "finance_regulation", "基金、融资贷款、担保和转贷服务"),
    ("talent", "人才服务", "human_resources", "人才认定、安居、就学、落户、补助"),
    ("legal", "法治服务", "justice", "法律咨询、公证、仲裁、合规指导"),
    ("innovation", "科创服务", "science_technology", "产学研对接、科技企业孵化培育"),
    ("opening", "开放服务", "commerce", "展会组织、涉外法律援助、出入境、汇率避险"),
    ("data", "数据服务", "data_resources", "公共数据开放目录、政企数据融合"),
    ("appeals", "诉求服务", "service_centre", "企业诉求兜底服务"),
    ("local", "地方特色", "service_centre", "结合地方产业特点增设的特色服务"),
]

# key → name suffix. Each org unit at province/city/county level gets these departments.
STANDARD_DEPARTMENTS: list[tuple[str, str]] = [
    ("service_centre", "企业综合服务中心"),
    ("business_office", "营商环境建设办公室"),
    ("development_reform", "发展和改革局"),
    ("economy_it", "经济和信息化局"),
    ("science_technology", "科学技术局"),
    ("commerce", "商务局"),
    ("market_regulation", "市场监督管理局"),
    ("human_resources", "人力资源和社会保障局"),
    ("natural_resources", "自然资源和规划局"),
    ("housing", "住房和城乡建设局"),
    ("ecology", "生态环境局"),
    ("transport", "交通运输局"),
    ("finance_regulation", "地方金融管理局"),
    ("justice", "司法局"),
    ("data_resources", "数据资源管理局"),
    ("taxation", "税务局"),
    ("medical_insurance", "医疗保障局"),
    ("housing_fund", "住房公积金管理中心"),
    ("public_security", "公安局"),
]


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0


def _department_name(unit: OrgUnit, suffix: str) -> str:
    if unit.level == OrgLevel.PROVINCE and suffix.endswith("局"):
        return f"{unit.name}{suffix[:-1]}厅"
    return f"{unit.name}{suffix}"


@transaction.atomic
def org_units_load_reference(*, path: Path = REGIONS_CSV) -> LoadReport:
    """Upsert org units from the CSV (code,name,level,parent_code); parents first."""
    report = LoadReport()
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    order: dict[str, int] = {
        OrgLevel.PROVINCE: 0,
        OrgLevel.CITY: 1,
        OrgLevel.COUNTY: 2,
        OrgLevel.TOWNSHIP: 3,
    }
    rows.sort(key=lambda r: (order.get(r["level"], 9), r["code"]))
    existing = {u.code: u for u in OrgUnit.objects.all()}
    for row in rows:
        parent = existing.get(row["parent_code"]) if row["parent_code"] else None
        unit = existing.get(row["code"])
        if unit is None:
            unit = OrgUnit(code=row["code"], name=row["name"], level=row["level"], parent=parent)
            unit.full_clean(exclude=["parent", "scope_prefix"])
            unit.save()
            existing[unit.code] = unit
            report.created += 1
        elif (unit.name, unit.level, unit.parent_id) != (
            row["name"],
            row["level"],
            parent.pk if parent else None,
        ):
            unit.name, unit.level, unit.parent = row["name"], row["level"], parent
            unit.save(update_fields=["name", "level", "parent", "scope_prefix", "updated_at"])
            report.updated += 1
    return report


@transaction.atomic
def service_boards_load_reference() -> LoadReport:
    report = LoadReport()
    for order, (code, name, _lead, description) in enumerate(SERVICE_BOARDS, start=1):
        _, created = ServiceBoard.objects.update_or_create(
            code=code, defaults={"name": name, "sort_order": order, "description": description}
        )
        report.created += int(created)
        report.updated += int(not created)
    return report


@transaction.atomic
def departments_load_reference() -> LoadReport:
    """Standard departments for the province, every city and every county (idempotent)."""
    report = LoadReport()
    units = OrgUnit.objects.filter(level__in=[OrgLevel.PROVINCE, OrgLevel.CITY, OrgLevel.COUNTY])
    existing = set(Department.objects.values_list("code", flat=True))
    new = []
    for unit in units:
        for key, suffix in STANDARD_DEPARTMENTS:
            code = f"{unit.code}-{key}"
            if code in existing:
                continue
            new.append(
                Department(
                    code=code,
                    name=_department_name(unit, suffix),
                    short_name=suffix,
                    org_unit=unit,
                )
            )
    Department.objects.bulk_create(new, batch_size=500)
    report.created = len(new)
    return report


def department_code(*, org_unit_code: str, key: str) -> str:
    return f"{org_unit_code}-{key}"


def board_lead_department_key(board_code: str) -> str:
    for code, _name, lead, _desc in SERVICE_BOARDS:
        if code == board_code:
            return lead
    raise KeyError(board_code)
