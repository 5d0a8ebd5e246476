"""The "1-3-5" working-day deadlines of an appeal (seed 004 事项六-2). Pure: no ORM.

Rules (all dates are Asia/Shanghai local dates; instants are aware datetimes):

- A working day ends at CUTOFF (17:30). An appeal received on a working day before the cut-off
  is received "that day"; one received after the cut-off, or on a rest day, is received on the
  next working day (its *effective receipt day*).
- Tier SAME_DAY ("不过夜"): due at the cut-off of the effective receipt day.
  Tier THREE_DAYS / FIVE_DAYS: counting starts on the next working day after the effective
  receipt day, so the case is due at the cut-off of the 3rd / 5th working day after it.
- Pauses (waiting for the enterprise to supply material, 补充材料) stop the clock in whole
  working days: every working day after the day a pause began, up to and including the day it
  ended, is added to the deadline. An open pause means the clock is stopped: no due time.
- Granted extensions (延期) add working days.
- Working days come from zqt.core.calendar (China's statutory calendar), overridden by dates
  operations staff entered (`overrides`: date → is working day). Where neither knows a date
  (a year chinese-calendar does not cover and nobody entered), Monday–Friday is assumed and
  the result is marked `provisional`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from zqt.core import calendar as core_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CUTOFF = dt.time(17, 30)
# Due-soon warning: a SAME_DAY case this long before its cut-off; longer tiers from the start
# of their last working day (the previous working day's cut-off).
SAME_DAY_WARNING = dt.timedelta(hours=2)
POLICY_VERSION = 1


class Tier(StrEnum):
    SAME_DAY = "same_day"
    THREE_DAYS = "three_days"
    FIVE_DAYS = "five_days"


TIER_WORKING_DAYS: dict[Tier, int] = {Tier.SAME_DAY: 0, Tier.THREE_DAYS: 3, Tier.FIVE_DAYS: 5}


@dataclass(frozen=True)
class WorkingCalendar:
    """core.calendar bound to the dates operations staff entered (WorkingDayOverride rows,
    loaded by selectors.working_calendar). All arithmetic is core.calendar's."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        return core_calendar.is_working_day(day, self.overrides)

    def is_authoritative(self, day: dt.date) -> bool:
        return core_calendar.calendar_is_authoritative(day, self.overrides)

    def next_working_day(self, day: dt.date) -> dt.date:
        return core_calendar.next_working_day(day, self.overrides)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """`days` working days after `start` (start not counted); 0 → start if working."""
        return core_calendar.add_working_days(start, days, self.overrides)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative if end < start."""
        return core_calendar.working_days_between(start, end, self.overrides)

    def span_is_authoritative(self, start: dt.date, end: dt.date) -> bool:
        return core_calendar.span_is_authoritative(start, end, self.overrides)


def local(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("aware datetime required")
    return instant.astimezone(SHANGHAI)


def cutoff_of(day: dt.date) -> dt.datetime:
    """The end of working day `day` as an aware UTC instant."""
    return dt.datetime.combine(day, CUTOFF, tzinfo=SHANGHAI).astimezone(dt.UTC)


def effective_receipt_day(received_at: dt.datetime, cal: WorkingCalendar) -> dt.date:
    moment = local(received_at)
    day = moment.date()
    if cal.is_working_day(day) and moment.time() < CUTOFF:
        return day
    return cal.next_working_day(day)


@dataclass(frozen=True)
class Pause:
    started_at: dt.datetime
    ended_at: dt.datetime | None = None


@dataclass(frozen=True)
class ClockState:
    """What a stage clock says. `due_at`/`warn_at` are None while paused."""

    started_at: dt.datetime
    receipt_day: dt.date
    working_days: int
    paused_working_days: int
    extension_days: int
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    paused: bool
    provisional: bool
    policy_version: int = POLICY_VERSION


def paused_working_days(pauses: Iterable[Pause], cal: WorkingCalendar) -> int:
    total = 0
    for pause in pauses:
        if pause.ended_at is None:
            continue
        start = local(pause.started_at).date()
        end = local(pause.ended_at).date()
        total += max(0, cal.working_days_between(start, end))
    return total


def compute_clock(
    *,
    started_at: dt.datetime,
    tier: Tier | str,
    cal: WorkingCalendar | None = None,
    pauses: Iterable[Pause] = (),
    extension_days: int = 0,
) -> ClockState:
    """The deadline of a stage that started at `started_at` (see the module docstring)."""
    cal = cal or WorkingCalendar()
    tier = Tier(tier)
    if extension_days < 0:
        raise ValueError("extension_days must be >= 0")
    pauses = list(pauses)
    receipt = effective_receipt_day(started_at, cal)
    base = TIER_WORKING_DAYS[tier]
    paused_days = paused_working_days(pauses, cal)
    total = base + paused_days + extension_days
    due_day = cal.add_working_days(receipt, total)
    open_pause = any(p.ended_at is None for p in pauses)
    provisional = not cal.span_is_authoritative(local(started_at).date(), due_day)
    if open_pause:
        return ClockState(
            started_at=started_at,
            receipt_day=receipt,
            working_days=base,
            paused_working_days=paused_days,
            extension_days=extension_days,
            due_at=None,
            warn_at=None,
            paused=True,
            provisional=provisional,
        )
    due_at = cutoff_of(due_day)
    if total == 0:
        warn_at = due_at - SAME_DAY_WARNING
    else:
        previous = due_day - dt.timedelta(days=1)
        while not cal.is_working_day(previous):
            previous -= dt.timedelta(days=1)
        warn_at = cutoff_of(previous)
    warn_at = max(warn_at, started_at)
    return ClockState(
        started_at=started_at,
        receipt_day=receipt,
        working_days=base,
        paused_working_days=paused_days,
        extension_days=extension_days,
        due_at=due_at,
        warn_at=warn_at,
        paused=False,
        provisional=provisional,
    )


class DueState(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"


def due_state(
    *, now: dt.datetime, due_at: dt.datetime | None, warn_at: dt.datetime | None
) -> DueState:
    if due_at is None:
        return DueState.PAUSED
    if now >= due_at:
        return DueState.OVERDUE
    if warn_at is not None and now >= warn_at:
        return DueState.DUE_SOON
    return DueState.ON_TRACK


def working_days_left(
    *, now: dt.datetime, due_at: dt.datetime, cal: WorkingCalendar | None = None
) -> int:
    """The countdown shown to the enterprise: working days from today to the due day
    (0 = due today, negative = overdue by that many working days)."""
    cal = cal or WorkingCalendar()
    today = local(now).date()
    due_day = local(due_at).date()
    if now >= due_at:
        return -max(1, cal.working_days_between(due_day, today))
    return cal.working_days_between(today, due_day)


def elapsed_working_days(
    *, start: dt.datetime, end: dt.datetime, cal: WorkingCalendar | None = None
) -> int:
    """Handling time in working days for reports: working days in (receipt day, end day]."""
    cal = cal or WorkingCalendar()
    receipt = effective_receipt_day(start, cal)
    return max(0, cal.working_days_between(receipt, local(end).date()))
