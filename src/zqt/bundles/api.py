"""JSON API for 一类事, mounted at /api/v1/bundles/ (see zqt.config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["一类事"])
