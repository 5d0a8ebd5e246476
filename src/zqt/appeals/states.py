"""The appeal state machine. Pure: no ORM. Every status change goes through `transition_check`
(called by services while holding the appeal's row lock)."""

from __future__ import annotations

from django.db.models import TextChoices

from zqt.core.errors import ConflictError


class Status(TextChoices):
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    ASSIGNED = "assigned", "已分派"
    IN_PROGRESS = "in_progress", "办理中"
    ANSWERED = "answered", "已答复"
    CONFIRMED = "confirmed", "企业已确认"
    REOPENED = "reopened", "已重办"
    RATED = "rated", "已评价"
    CLOSED = "closed", "已办结"
    TRANSFERRED = "transferred", "已转办"
    ESCALATED = "escalated", "已提级督办"
    MERGED = "merged", "已合并"
    REJECTED = "rejected", "不予受理"


S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED, S.MERGED}),
    S.ACCEPTED: frozenset({S.ASSIGNED, S.TRANSFERRED, S.REJECTED, S.MERGED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ANSWERED, S.TRANSFERRED, S.ESCALATED, S.ASSIGNED}),
    S.IN_PROGRESS: frozenset({S.ANSWERED, S.TRANSFERRED, S.ESCALATED, S.ASSIGNED}),
    S.TRANSFERRED: frozenset({S.ASSIGNED}),
    S.ESCALATED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.TRANSFERRED}),
    S.ANSWERED: frozenset({S.CONFIRMED, S.REOPENED}),
    S.CONFIRMED: frozenset({S.RATED, S.CLOSED}),
    S.REOPENED: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
    S.RATED: frozenset({S.CLOSED}),
    # A callback that finds the problem not solved reopens a closed case.
    S.CLOSED: frozenset({S.REOPENED}),
    S.MERGED: frozenset(),
    S.REJECTED: frozenset(),
}

# Cases somebody still has to work on (the sweep, the workbench and the orphan check).
OPEN_STATUSES = frozenset(
    {S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.TRANSFERRED, S.ESCALATED, S.REOPENED}
)
# Cases that must have an owning board and handler.
OWNED_STATUSES = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.ESCALATED, S.REOPENED})
TERMINAL_STATUSES = frozenset({S.CLOSED, S.MERGED, S.REJECTED})


class InvalidTransition(ConflictError):
    code = "invalid_transition"


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition_check(current: str, target: str) -> None:
    """Raise InvalidTransition unless current → target is allowed."""
    if not can_transition(current, target):
        raise InvalidTransition(
            f"诉求当前状态为“{Status(current).label}”，不能变更为“{Status(target).label}”。",
            field="status",
        )
