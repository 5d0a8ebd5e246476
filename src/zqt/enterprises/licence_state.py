"""The colour state of a licence, derived from its recorded status and expiry. Pure (no ORM).

The seeds name colours but no mapping (seed 000 §二: red/blue/grey/yellow; seed 004 事项三:
green/yellow/grey). Ours, always shown with LEGEND next to it:

    valid     有效      green   active, and not expiring within `warn_days` (or no expiry)
    expiring  即将到期  yellow  active, expires within `warn_days` days (expiry day included)
    expired   已失效    grey    past its expiry date, or revoked/deregistered
    pending   办理中    blue    applied for, not yet issued

A licence is valid up to and including its `expires_on` date ("有效期至"), so on the expiry day
itself it is still "expiring", and it is "expired" from the next day on. `today` is the local
(Asia/Shanghai) date: pass `zqt.core.timeutil.local_today()`.
"""

from __future__ import annotations

import datetime as dt
import enum

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop

# Recorded statuses (enterprises.enums.LicenceStatus values), repeated here to keep this pure.
_PENDING = "pending"
_ACTIVE = "active"
_REVOKED = "revoked"

DEFAULT_WARN_DAYS = 60


class LicenceState(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    PENDING = "pending"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def colour(self) -> str:
        return _COLOURS[self]

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_LABELS = {
    LicenceState.VALID: gettext_noop("有效"),
    LicenceState.EXPIRING: gettext_noop("即将到期"),
    LicenceState.EXPIRED: gettext_noop("已失效"),
    LicenceState.PENDING: gettext_noop("办理中"),
}
_COLOURS = {
    LicenceState.VALID: "green",
    LicenceState.EXPIRING: "yellow",
    LicenceState.EXPIRED: "grey",
    LicenceState.PENDING: "blue",
}
_MEANINGS = {
    LicenceState.VALID: gettext_noop("证照有效，且距到期超过{days}天或长期有效"),
    LicenceState.EXPIRING: gettext_noop("证照将在{days}天内到期，请及时办理延续"),
    LicenceState.EXPIRED: gettext_noop("证照已过有效期，或已被吊销、注销"),
    LicenceState.PENDING: gettext_noop("证照正在申请办理，尚未核发"),
}

# (state, label, colour, meaning) in display order, for the legend every colour display shows.
# Pages only, so label and meaning are lazy: they render in the request's language. (`label` and
# `meaning` above stay plain Chinese for the API; templates translate `state_label` themselves.)
LEGEND: list[tuple[LicenceState, str | Promise, str, str | Promise]] = [
    (
        state,
        gettext_lazy(state.label),
        state.colour,
        format_lazy(gettext_lazy(state.meaning), days=DEFAULT_WARN_DAYS),
    )
    for state in (
        LicenceState.VALID,
        LicenceState.EXPIRING,
        LicenceState.EXPIRED,
        LicenceState.PENDING,
    )
]


def licence_state(
    *, status: str, expires_on: dt.date | None, today: dt.date, warn_days: int = DEFAULT_WARN_DAYS
) -> LicenceState:
    """The colour state of one licence on `today`.

    Revoked wins over everything (grey); pending is blue whatever its dates; an active licence
    without expiry is valid for good.
    """
    if warn_days < 0:
        raise ValueError("warn_days must not be negative")
    if status == _REVOKED:
        return LicenceState.EXPIRED
    if status == _PENDING:
        return LicenceState.PENDING
    if status != _ACTIVE:
        raise ValueError(f"unknown licence status {status!r}")
    if expires_on is None:
        return LicenceState.VALID
    days_left = (expires_on - today).days
    if days_left < 0:
        return LicenceState.EXPIRED
    if days_left <= warn_days:
        return LicenceState.EXPIRING
    return LicenceState.VALID


def days_until_expiry(*, expires_on: dt.date | None, today: dt.date) -> int | None:
    """Days left until the expiry date (0 on the day itself, negative after); None if none."""
    if expires_on is None:
        return None
    return (expires_on - today).days
