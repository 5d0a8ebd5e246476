"""JSON API for 企业码, mounted at /api/v1/ecode/ (see zqt.config.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["企业码"])
