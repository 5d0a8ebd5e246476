"""Reference data owned by enterprises: GB/T 4754-2017 industries, enterprise tags and the
licences an industry division is expected to hold (应办许可)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from zqt.enterprises.models import Industry, PermitRequirement, Tag

DATA_DIR = Path(__file__).resolve().parent / "data"
INDUSTRIES_CSV = DATA_DIR / "industries_gbt4754_2017.csv"
PERMITS_CSV = DATA_DIR / "permit_requirements.csv"

TAGS: list[tuple[str, str]] = [
    ("high_tech", "高新技术企业"),
    ("specialised", "专精特新"),
    ("little_giant", "专精特新“小巨人”"),
    ("tech_sme", "科技型中小企业"),
    ("above_scale", "规上企业"),
    ("foreign", "外资企业"),
    ("listed", "上市企业"),
    ("export", "外贸出口企业"),
    ("key_project", "重点项目企业"),
    ("chain_leader", "产业链链主企业"),
]


@transaction.atomic
def industries_load_reference(*, path: Path = INDUSTRIES_CSV) -> int:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        Industry.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "parent_code": row["parent_code"],
            },
        )
    return len(rows)


@transaction.atomic
def tags_load_reference() -> int:
    for code, name in TAGS:
        Tag.objects.update_or_create(code=code, defaults={"name": name})
    return len(TAGS)


@transaction.atomic
def permit_requirements_load_reference(*, path: Path = PERMITS_CSV) -> int:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        PermitRequirement.objects.update_or_create(
            industry_code=row["industry_code"],
            licence_type=row["licence_type"],
            defaults={"issuer_hint": row["issuer_hint"]},
        )
    return len(rows)
