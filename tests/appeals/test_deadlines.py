"""Working-day deadlines (pure, no database): National Day and Spring Festival with make-up
working days, the end-of-day cut-off, pauses, extensions and the provisional fallback."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zqt.appeals.deadlines import (
    SHANGHAI,
    DueState,
    Pause,
    Tier,
    WorkingCalendar,
    compute_clock,
    due_state,
    effective_receipt_day,
    elapsed_working_days,
    working_days_left,
)


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def due_local(state) -> dt.datetime:  # type: ignore[no-untyped-def]
    return state.due_at.astimezone(SHANGHAI)


def test_three_days_across_national_day_2025_with_make_up_days() -> None:
    # Given: received Tue 30 Sep 2025 10:00; 1–8 Oct are holidays, Sat 11 Oct is a make-up day.
    state = compute_clock(started_at=at(2025, 9, 30), tier=Tier.THREE_DAYS)
    # Then: counting starts on Thu 9 Oct; 9, 10, 11 (Saturday, make-up working day).
    assert due_local(state) == at(2025, 10, 11, 17, 30)
    assert state.provisional is False
    # The warning starts at the cut-off of the previous working day.
    assert state.warn_at == at(2025, 10, 10, 17, 30)


def test_make_up_saturday_before_national_day_counts() -> None:
    # Sun 28 Sep 2025 is a make-up working day: received 10:00 that day → received that day.
    assert effective_receipt_day(at(2025, 9, 28), WorkingCalendar()) == dt.date(2025, 9, 28)
    state = compute_clock(started_at=at(2025, 9, 28), tier=Tier.THREE_DAYS)
    # 29, 30 Sep, then 9 Oct.
    assert due_local(state) == at(2025, 10, 9, 17, 30)


def test_five_days_across_spring_festival_2026() -> None:
    # Spring Festival 2026: 15–23 Feb off; Sat 14 Feb and Sat 28 Feb are make-up working days.
    state = compute_clock(started_at=at(2026, 2, 13), tier=Tier.FIVE_DAYS)
    # Counting starts Sat 14 Feb (make-up), then 24, 25, 26, 27 Feb.
    assert due_local(state) == at(2026, 2, 27, 17, 30)


def test_same_day_before_and_after_cut_off() -> None:
    before = compute_clock(started_at=at(2026, 3, 3, 17, 29), tier=Tier.SAME_DAY)
    assert due_local(before) == at(2026, 3, 3, 17, 30)
    # After the cut-off it is received the next working day: "不过夜" means by tomorrow's end.
    after = compute_clock(started_at=at(2026, 3, 3, 17, 30), tier=Tier.SAME_DAY)
    assert due_local(after) == at(2026, 3, 4, 17, 30)
    # Friday evening → Monday.
    friday = compute_clock(started_at=at(2026, 3, 6, 20, 0), tier=Tier.SAME_DAY)
    assert due_local(friday) == at(2026, 3, 9, 17, 30)
    assert friday.warn_at == at(2026, 3, 9, 15, 30)


def test_received_on_holiday_counts_from_first_working_day_after() -> None:
    # Received 3 Oct 2025 (holiday): effective receipt 9 Oct, 3 days → 10, 11 (make-up), 13.
    state = compute_clock(started_at=at(2025, 10, 3), tier=Tier.THREE_DAYS)
    assert due_local(state) == at(2025, 10, 13, 17, 30)


def test_pause_adds_the_working_days_waited() -> None:
    start = at(2026, 3, 2)  # Monday
    plain = compute_clock(started_at=start, tier=Tier.THREE_DAYS)
    assert due_local(plain) == at(2026, 3, 5, 17, 30)
    # Waiting from Tue to Thu: Wed and Thu are added.
    paused = compute_clock(
        started_at=start,
        tier=Tier.THREE_DAYS,
        pauses=[Pause(at(2026, 3, 3, 9), at(2026, 3, 5, 11))],
    )
    assert paused.paused_working_days == 2
    assert due_local(paused) == at(2026, 3, 9, 17, 30)
    # A pause over a weekend adds only working days.
    weekend = compute_clock(
        started_at=start,
        tier=Tier.THREE_DAYS,
        pauses=[Pause(at(2026, 3, 6, 9), at(2026, 3, 9, 9))],
    )
    assert weekend.paused_working_days == 1


def test_open_pause_stops_the_clock() -> None:
    state = compute_clock(
        started_at=at(2026, 3, 2), tier=Tier.THREE_DAYS, pauses=[Pause(at(2026, 3, 3))]
    )
    assert state.paused and state.due_at is None
    assert due_state(now=at(2026, 4, 1), due_at=None, warn_at=None) is DueState.PAUSED


def test_extension_adds_working_days() -> None:
    state = compute_clock(started_at=at(2026, 3, 2), tier=Tier.THREE_DAYS, extension_days=2)
    assert due_local(state) == at(2026, 3, 9, 17, 30)


def test_year_not_covered_falls_back_to_weekdays_and_is_provisional() -> None:
    state = compute_clock(started_at=at(2026, 12, 30), tier=Tier.FIVE_DAYS)
    # 31 Dec 2026, then 2027 (not covered: Mon–Fri): 1 Jan (Fri), 4, 5, 6 Jan.
    assert state.provisional is True
    assert due_local(state) == at(2027, 1, 6, 17, 30)


def test_operations_overrides_make_an_uncovered_year_authoritative() -> None:
    holidays = {dt.date(2027, 1, 1): False}
    days = {dt.date(2026, 12, 31) + dt.timedelta(days=i) for i in range(1, 15)}
    overrides = {d: (d.weekday() < 5 and d not in holidays) for d in days}
    state = compute_clock(
        started_at=at(2026, 12, 30), tier=Tier.FIVE_DAYS, cal=WorkingCalendar(overrides)
    )
    assert state.provisional is False
    assert due_local(state) == at(2027, 1, 7, 17, 30)


def test_due_state_and_countdown() -> None:
    state = compute_clock(started_at=at(2026, 3, 2), tier=Tier.THREE_DAYS)
    assert state.due_at and state.warn_at
    assert due_state(now=at(2026, 3, 3), due_at=state.due_at, warn_at=state.warn_at) == "on_track"
    assert due_state(now=at(2026, 3, 5), due_at=state.due_at, warn_at=state.warn_at) == "due_soon"
    assert due_state(now=at(2026, 3, 6), due_at=state.due_at, warn_at=state.warn_at) == "overdue"
    assert working_days_left(now=at(2026, 3, 2), due_at=state.due_at) == 3
    assert working_days_left(now=at(2026, 3, 5), due_at=state.due_at) == 0
    assert working_days_left(now=at(2026, 3, 9), due_at=state.due_at) == -2
    assert elapsed_working_days(start=at(2026, 3, 2), end=at(2026, 3, 4)) == 2


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        compute_clock(started_at=dt.datetime(2026, 3, 2, 10), tier=Tier.THREE_DAYS)


@given(
    start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 11, 30)),
    tier=st.sampled_from(list(Tier)),
    extension=st.integers(min_value=0, max_value=5),
)
def test_properties_due_is_a_working_day_cut_off_after_start(
    start: dt.datetime, tier: Tier, extension: int
) -> None:
    started = start.replace(tzinfo=SHANGHAI)
    cal = WorkingCalendar()
    state = compute_clock(started_at=started, tier=tier, extension_days=extension)
    assert state.due_at is not None and state.warn_at is not None
    due = due_local(state)
    assert due > started
    assert due.time() == dt.time(17, 30)
    assert cal.is_working_day(due.date())
    assert started <= state.warn_at < state.due_at or state.warn_at == started
    longer = compute_clock(started_at=started, tier=tier, extension_days=extension + 1)
    assert longer.due_at is not None and longer.due_at > state.due_at
