"""JSON API for 服务清单, mounted at /api/v1/catalog/ (see zqt.config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["服务清单"])
