from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries for the signed-in user's role (templates stay free of role logic)."""
    from zqt.core.navigation import menu_for

    user = getattr(request, "user", None)
    return {"nav_items": menu_for(user)}
