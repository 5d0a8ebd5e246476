"""`{{ amount|yuan }}`: money with thousands separators and two decimals in every language
(Django's floatformat groups only where the active locale defines grouping)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
