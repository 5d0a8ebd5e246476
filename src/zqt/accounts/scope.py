"""Pure helpers on administrative codes (no ORM)."""

from __future__ import annotations


def scope_prefix_for_code(code: str) -> str:
    """'330000' → '33', '330800' → '3308', '330802' → '330802', '330802001' → '330802001'.

    A region code lies within a unit iff it starts with the unit's scope prefix.
    """
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def code_within(region_code: str, scope_prefix: str) -> bool:
    return region_code.startswith(scope_prefix)
