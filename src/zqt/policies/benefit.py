"""How much an enterprise gets from a policy. Pure, exact (Decimal, basis points)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from zqt.policies import catalog as cat

CENT = Decimal("0.01")


def benefit_amount(
    *,
    kind: str,
    fixed: Decimal | None,
    rate_bp: int | None,
    base_field: str,
    base_value: Decimal | None,
    cap: Decimal | None,
) -> Decimal | None:
    """The amount in 元: the fixed sum, or rate × the enterprise figure (converted to 元),
    capped, rounded DOWN to the fen (never pay a fraction more than the rule says). None when
    the figure it depends on is missing (the enterprise is asked for it, not paid)."""
    if kind == "fixed":
        amount = fixed
    else:
        if base_value is None or rate_bp is None:
            return None
        per_unit = cat.FIELDS[base_field].yuan_per_unit if base_field in cat.FIELDS else 1
        amount = base_value * per_unit * rate_bp / Decimal(10_000)
    if amount is None:
        return None
    if cap is not None and amount > cap:
        amount = cap
    return amount.quantize(CENT, rounding=ROUND_DOWN)


def describe(
    *, kind: str, fixed: Decimal | None, rate_bp: int | None, base_field: str, cap: Decimal | None
) -> str:
    if kind == "fixed":
        return f"定额 {fixed:,.2f} 元"
    label = cat.FIELDS[base_field].label if base_field in cat.FIELDS else base_field
    rate = Decimal(rate_bp or 0) / 100
    text = f"按{label}的 {rate.normalize():f}% 给予补助"
    if cap is not None:
        text += f"，单户最高 {cap:,.2f} 元"
    return text
