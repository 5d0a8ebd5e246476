from __future__ import annotations

import itertools

import pytest

from zqt.appeals.states import (
    TRANSITIONS,
    InvalidTransition,
    Status,
    can_transition,
    transition_check,
)


def test_main_path_is_allowed() -> None:
    path = [
        "submitted",
        "accepted",
        "assigned",
        "in_progress",
        "answered",
        "confirmed",
        "rated",
        "closed",
    ]
    for current, target in itertools.pairwise(path):
        transition_check(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("submitted", "answered"),
        ("submitted", "rated"),
        ("answered", "rated"),
        ("merged", "accepted"),
        ("rejected", "accepted"),
        ("closed", "answered"),
        ("rated", "rated"),
    ],
)
def test_invalid_transitions_are_refused(current: str, target: str) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition) as err:
        transition_check(current, target)
    assert "不能变更为" in err.value.message


def test_every_status_has_a_row_and_terminal_states_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.MERGED] == frozenset()
    assert TRANSITIONS[Status.REJECTED] == frozenset()
    assert can_transition("closed", "reopened")
