"""JSON API for 惠企政策, mounted at /api/v1/policies/ (see zqt.config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["惠企政策"])
