"""JSON API for 企业诉求, mounted at /api/v1/appeals/ (see zqt.config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["企业诉求"])
