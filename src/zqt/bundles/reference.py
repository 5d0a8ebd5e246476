"""Reference data of 一类事: seed 004 附件4 (涉企服务“一类事”省级指导目录, 24 bundles across the
10 B-READY topics, with basic items, numbered value-added items and units), loaded verbatim
from data/provincial_bundles.json; plus the joint-handling definitions we ship
(data/definitions.json: 企业开办, 歇业一件事, 营运车辆六证联办, 企业注销, 电水气网联合报装).
Idempotent; a definition is loaded as version 1 only when the bundle has none yet, so edits made
by operations staff are never overwritten."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction

from zqt.bundles.definition import definition_check
from zqt.bundles.models import Bundle, BundleDefinition

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLES_JSON = DATA_DIR / "provincial_bundles.json"
DEFINITIONS_JSON = DATA_DIR / "definitions.json"


def _json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@transaction.atomic
def reference_load() -> dict[str, Any]:
    directory = _json(BUNDLES_JSON)
    topics: list[str] = directory["topics"]
    created = 0
    for row in directory["bundles"]:
        _, was_created = Bundle.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "topic": row["topic"],
                "topic_no": row["topic_no"],
                "basic_items": row["basic_items"],
                "value_added_items": row["value_added_items"],
                "responsible_units": row["responsible_units"],
                "source": "省级指导目录（附件4）",
                "is_provincial": True,
            },
        )
        created += int(was_created)
    configured = []
    for entry in _json(DEFINITIONS_JSON)["definitions"]:
        meta = entry["bundle"]
        definition_check(entry["definition"])
        if "name" in meta:  # a local one-thing case, not in the provincial directory
            bundle, _ = Bundle.objects.update_or_create(
                code=meta["code"],
                defaults={
                    "name": meta["name"],
                    "topic": meta["topic"],
                    "topic_no": topics.index(meta["topic"]) + 1,
                    "basic_items": [i["name"] for i in entry["definition"]["items"]],
                    "responsible_units": meta["responsible_units"],
                    "summary": meta.get("summary", ""),
                    "source": meta["source"],
                    "is_provincial": False,
                },
            )
        else:
            bundle = Bundle.objects.get(code=meta["code"])
        if not BundleDefinition.objects.filter(bundle=bundle).exists():
            BundleDefinition.objects.create(
                bundle=bundle, version=1, document=entry["definition"], note="初始定义"
            )
        configured.append(bundle.name)
    per_topic = Counter(r["topic"] for r in directory["bundles"])
    return {
        "bundles": len(directory["bundles"]),
        "created": created,
        "basic_items": sum(len(r["basic_items"]) for r in directory["bundles"]),
        "value_added_items": sum(len(r["value_added_items"]) for r in directory["bundles"]),
        "per_topic": {t: per_topic.get(t, 0) for t in topics},
        "configured": configured,
    }
