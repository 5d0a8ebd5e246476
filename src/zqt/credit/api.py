"""JSON API for 信用评价, mounted at /api/v1/credit/ (see zqt.config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["信用评价"])
