"""JSON API for 监管检查, mounted at /api/v1/supervision/ (see zqt.config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["监管检查"])
