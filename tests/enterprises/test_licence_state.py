"""Licence colour states: pure, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from zqt.enterprises.licence_state import (
    LEGEND,
    LicenceState,
    days_until_expiry,
    licence_state,
)

TODAY = dt.date(2026, 3, 15)


def _state(status: str = "active", days: int | None = 100, warn_days: int = 60) -> LicenceState:
    expires_on = None if days is None else TODAY + dt.timedelta(days=days)
    return licence_state(status=status, expires_on=expires_on, today=TODAY, warn_days=warn_days)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (61, LicenceState.VALID),  # one day outside the warning window
        (60, LicenceState.EXPIRING),  # exactly 60 days: inside (inclusive)
        (30, LicenceState.EXPIRING),
        (1, LicenceState.EXPIRING),
        (0, LicenceState.EXPIRING),  # expires today: still valid through today
        (-1, LicenceState.EXPIRED),  # expired yesterday
        (-400, LicenceState.EXPIRED),
        (None, LicenceState.VALID),  # no expiry (长期有效)
    ],
)
def test_active_licence_state_at_boundaries(days: int | None, expected: LicenceState) -> None:
    assert _state(days=days) is expected


@pytest.mark.parametrize("days", [500, 10, 0, -10, None])
def test_revoked_is_always_expired_grey(days: int | None) -> None:
    state = _state(status="revoked", days=days)
    assert state is LicenceState.EXPIRED
    assert state.colour == "grey"
    assert state.label == "已失效"


@pytest.mark.parametrize("days", [500, 10, 0, -10, None])
def test_pending_is_always_pending_blue(days: int | None) -> None:
    state = _state(status="pending", days=days)
    assert state is LicenceState.PENDING
    assert state.colour == "blue"
    assert state.label == "办理中"


def test_custom_warning_window() -> None:
    assert _state(days=30, warn_days=30) is LicenceState.EXPIRING
    assert _state(days=31, warn_days=30) is LicenceState.VALID
    assert _state(days=0, warn_days=0) is LicenceState.EXPIRING


def test_unknown_status_and_negative_window_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown licence status"):
        _state(status="bogus")
    with pytest.raises(ValueError, match="warn_days"):
        _state(warn_days=-1)


def test_labels_and_colours() -> None:
    assert {s.value: (s.label, s.colour) for s in LicenceState} == {
        "valid": ("有效", "green"),
        "expiring": ("即将到期", "yellow"),
        "expired": ("已失效", "grey"),
        "pending": ("办理中", "blue"),
    }


def test_legend_lists_every_state_once_with_its_meaning() -> None:
    assert [row[0] for row in LEGEND] == [
        LicenceState.VALID,
        LicenceState.EXPIRING,
        LicenceState.EXPIRED,
        LicenceState.PENDING,
    ]
    for state, label, colour, meaning in LEGEND:
        assert (label, colour) == (state.label, state.colour)
        assert meaning and "{" not in meaning
    assert "60天" in LEGEND[1][3]


def test_state_is_a_string_for_templates_and_json() -> None:
    assert LicenceState.EXPIRING == "expiring"
    assert str(LicenceState.EXPIRED) == "expired"


def test_days_until_expiry() -> None:
    assert days_until_expiry(expires_on=None, today=TODAY) is None
    assert days_until_expiry(expires_on=TODAY, today=TODAY) == 0
    assert days_until_expiry(expires_on=TODAY - dt.timedelta(days=3), today=TODAY) == -3
