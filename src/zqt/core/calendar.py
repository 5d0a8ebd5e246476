"""Working-day calendar (China's statutory holidays and make-up workdays).

All deadline arithmetic goes through these functions. Backed by the chinese_calendar
package, which ships the State Council's published schedule; for years it does not know yet
we fall back to Monday-Friday, and say so in `calendar_is_authoritative`.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def calendar_is_authoritative(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself is not counted).

    add_working_days(d, 0) is d if d is a working day, else the next working day.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    if days == 0:
        while not is_working_day(current):
            current += dt.timedelta(days=1)
        return current
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative if end < start."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
