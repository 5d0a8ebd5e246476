"""Reference data of credit: version 1 of the scoring model (scoring.DEFAULT_CONFIG), when no
version exists yet. Idempotent."""

from __future__ import annotations

import copy
from typing import Any

from zqt.credit.models import ScoringModelVersion
from zqt.credit.scoring import DEFAULT_CONFIG


def reference_load() -> dict[str, Any]:
    if ScoringModelVersion.objects.exists():
        return {"scoring_model_created": 0}
    ScoringModelVersion.objects.create(
        version=1, config=copy.deepcopy(DEFAULT_CONFIG), is_current=True, note="默认模型"
    )
    return {"scoring_model_created": 1}
