"""Reference data of the service catalog: seed 004 附件3 (涉企服务事项清单省级指导目录), 13
categories and 71 sub-items with their descriptions and responsible units, loaded verbatim
from data/*.csv. Idempotent (upsert by code); the provincial items are published as version 1
of the provincial guide the first time they are loaded."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction

from zqt.catalog.enums import ChangeAction, ItemStatus
from zqt.catalog.models import CatalogChange, CatalogItem, CatalogVersion, ServiceCategory

DATA_DIR = Path(__file__).resolve().parent / "data"
CATEGORIES_CSV = DATA_DIR / "categories.csv"
ITEMS_CSV = DATA_DIR / "provincial_items.csv"
PROVINCIAL_SCOPE = "全省各类经营主体"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def provincial_snapshot_row(item: CatalogItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "category": item.category.code,
        "name": item.name,
        "description": item.description,
        "responsible_units": item.responsible_units,
        "service_scope": item.service_scope,
        "channels": list(item.channels),
        "board_code": item.board_code,
    }


@transaction.atomic
def reference_load() -> dict[str, Any]:
    categories = _rows(CATEGORIES_CSV)
    items = _rows(ITEMS_CSV)
    by_code: dict[str, ServiceCategory] = {}
    for row in categories:
        category, _ = ServiceCategory.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "board_code": row["board_code"]}
        )
        by_code[category.code] = category
    created = updated = 0
    for row in items:
        category = by_code[row["category_code"]]
        defaults = {
            "category": category,
            "org_unit": None,
            "name": row["name"],
            "description": row["description"],
            "responsible_units": row["responsible_units"],
            "channels": [c for c in row["channels"].split("|") if c],
            "board_code": category.board_code,
            "seed_row": int(row["seed_row"]),
        }
        item = CatalogItem.objects.filter(code=row["code"]).first()
        if item is None:
            CatalogItem.objects.create(
                code=row["code"],
                service_scope=PROVINCIAL_SCOPE,
                status=ItemStatus.PUBLISHED,
                **defaults,
            )
            created += 1
        elif any(getattr(item, k) != v for k, v in defaults.items()):
            for key, value in defaults.items():
                setattr(item, key, value)
            item.save()
            updated += 1
    if not CatalogVersion.objects.filter(org_unit__isnull=True).exists():
        rows = list(
            CatalogItem.objects.filter(org_unit__isnull=True)
            .select_related("category")
            .order_by("code")
        )
        version = CatalogVersion.objects.create(
            org_unit=None,
            number=1,
            note="省级指导目录（政务服务增值化改革附件3）",
            item_count=len(rows),
            snapshot=[provincial_snapshot_row(i) for i in rows],
        )
        CatalogChange.objects.create(
            action=ChangeAction.PUBLISH,
            changes={"items": len(rows)},
            version=version,
        )
    per_category = Counter(r["category_code"] for r in items)
    return {
        "categories": len(categories),
        "items": len(items),
        "created": created,
        "updated": updated,
        "per_category": {
            f"{c['code']} {c['name']}": per_category.get(c["code"], 0) for c in categories
        },
    }
