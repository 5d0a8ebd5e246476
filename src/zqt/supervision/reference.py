"""Reference data of supervision: the shipped 红/黄/绿 item lists (data/item_lists.json), loaded
as version 1 of a department's list only when it has none (edits by staff are never
overwritten). Idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zqt.supervision.models import ItemList
from zqt.supervision.services import _item_list_write

ITEM_LISTS_JSON = Path(__file__).resolve().parent / "data" / "item_lists.json"


def reference_load() -> dict[str, Any]:
    data = json.loads(ITEM_LISTS_JSON.read_text(encoding="utf-8"))
    created = 0
    for entry in data["lists"]:
        if ItemList.objects.filter(department_code=entry["department_key"]).exists():
            continue
        _item_list_write(
            actor=None,
            department_key=entry["department_key"],
            department_name=entry["department_name"],
            items=entry["items"],
            note="初始清单",
        )
        created += 1
    return {"item_lists_created": created}
