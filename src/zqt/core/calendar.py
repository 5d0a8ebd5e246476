"""Working-day calendar (China's statutory holidays and make-up workdays).

All deadline arithmetic goes through these functions. Backed by the chinese_calendar
package, which ships the State Council's published schedule; for years it does not know yet
we fall back to Monday-Friday, and say so in `calendar_is_authoritative`.

Every function takes an optional `overrides` mapping (date → is a working day) with the days
operations staff entered — typically the official schedule of a year the library does not
cover yet. An entered day wins over the library and counts as authoritative. Where the
overrides are stored is the caller's business (the appeals app keeps them as
`WorkingDayOverride` rows and passes `{day: is_working_day}`); this module stays ORM-free.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import chinese_calendar

Overrides = Mapping[dt.date, bool]
_NO_OVERRIDES: Overrides = {}


def library_covers(day: dt.date) -> bool:
    """True if chinese_calendar knows the published schedule for `day`."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def calendar_is_authoritative(day: dt.date, overrides: Overrides | None = None) -> bool:
    """True if `day` is known from an entered override or the published schedule; False means
    a Monday–Friday guess (deadlines reaching such a day are provisional)."""
    if overrides and day in overrides:
        return True
    return library_covers(day)


def is_working_day(day: dt.date, overrides: Overrides | None = None) -> bool:
    if overrides and day in overrides:
        return bool(overrides[day])
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def next_working_day(day: dt.date, overrides: Overrides | None = None) -> dt.date:
    """The first working day strictly after `day`."""
    current = day + dt.timedelta(days=1)
    while not is_working_day(current, overrides):
        current += dt.timedelta(days=1)
    return current


def add_working_days(start: dt.date, days: int, overrides: Overrides | None = None) -> dt.date:
    """The date `days` working days after `start` (start itself is not counted).

    add_working_days(d, 0) is d if d is a working day, else the next working day.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    if days == 0:
        while not is_working_day(current, overrides):
            current += dt.timedelta(days=1)
        return current
    for _ in range(days):
        current = next_working_day(current, overrides)
    return current


def working_days_between(start: dt.date, end: dt.date, overrides: Overrides | None = None) -> int:
    """Working days in (start, end]; negative if end < start."""
    if end < start:
        return -working_days_between(end, start, overrides)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current, overrides):
            count += 1
    return count


def span_is_authoritative(start: dt.date, end: dt.date, overrides: Overrides | None = None) -> bool:
    """True if every day in [start, end] is authoritative (see calendar_is_authoritative)."""
    current = start
    while current <= end:
        if not calendar_is_authoritative(current, overrides):
            return False
        current += dt.timedelta(days=1)
    return True


def unauthoritative_years(
    years: range | list[int], overrides: Overrides | None = None
) -> list[int]:
    """Years in `years` with at least one day known neither from the library nor from the
    overrides: operations should enter the official schedule for them."""
    missing = []
    for year in years:
        if not span_is_authoritative(dt.date(year, 1, 1), dt.date(year, 12, 31), overrides):
            missing.append(year)
    return missing
